"""Reference geography for `seed-geo`: the seven continents and the continent of every ISO 3166 country.

pycountry carries no continent data, and the packages that add it are unmaintained, so the mapping
is this table. Rule: the country's UN M49 region (the UN Statistics Division's standard country
grouping), with the Americas split into North America (Northern America, Central America, the
Caribbean) and South America, and the uninhabited southern territories (Bouvet Island, Heard and
McDonald Islands, French Southern Territories, South Georgia) put with Antarctica, where they lie.
Transcontinental countries therefore follow M49: Russia is in Europe, Turkey, Cyprus and the
Caucasus in Asia, Egypt in Africa.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Continent:
    code: str
    name: str


CONTINENTS: tuple[Continent, ...] = (
    Continent("AF", "Africa"), Continent("AN", "Antarctica"), Continent("AS", "Asia"),
    Continent("EU", "Europe"), Continent("NA", "North America"), Continent("OC", "Oceania"),
    Continent("SA", "South America"),
)

_MEMBERS = {
    "AF": "DZ EG LY MA SD TN EH "                                           # Northern Africa
          "IO BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW "  # Eastern Africa
          "AO CM CF TD CG CD GQ GA ST "                                     # Middle Africa
          "BW SZ LS NA ZA "                                                 # Southern Africa
          "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",             # Western Africa
    "AN": "AQ BV GS HM TF",
    "AS": "KZ KG TJ TM UZ "                                                 # Central Asia
          "CN HK MO KP JP MN KR TW "                                        # Eastern Asia
          "BN KH ID LA MY MM PH SG TH TL VN "                               # South-eastern Asia
          "AF BD BT IN IR MV NP PK LK "                                     # Southern Asia
          "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",          # Western Asia
    "EU": "BY BG CZ HU PL MD RO RU SK UA "                                  # Eastern Europe
          "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB "                # Northern Europe
          "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES "                 # Southern Europe
          "AT BE FR DE LI LU MC NL CH",                                     # Western Europe
    "NA": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI "  # Caribbean
          "BZ CR SV GT HN MX NI PA "                                        # Central America
          "BM CA GL PM US",                                                 # Northern America
    "OC": "AU NZ NF CX CC "                                                 # Australia and New Zealand
          "FJ NC PG SB VU "                                                 # Melanesia
          "GU KI MH FM NR MP PW UM "                                        # Micronesia
          "AS CK PF NU PN WS TK TO TV WF",                                  # Polynesia
    "SA": "AR BO BR CL CO EC FK GF GY PY PE SR UY VE",
}

CONTINENT_OF: dict[str, str] = {alpha2: code for code, members in _MEMBERS.items() for alpha2 in members.split()}
