"""`python -m master_svc seed-geo`: the seven continents, every ISO 3166-1 country and every
ISO 3166-2 subdivision (as a State), from the pinned pycountry data.

Idempotent: rows are matched by their ISO code (or by name in the same parent), created when
missing, updated when the reference data changed, and otherwise left alone, so a second run
changes nothing. Calling codes come from phonenumbers (Google's libphonenumber metadata).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Optional, TextIO

import phonenumbers
import pycountry

from master_svc.domain.entities import BY_NAME, normalize_name
from master_svc.domain.geography import CONTINENT_OF, CONTINENTS
from master_svc.usecases import UseCases
from master_svc.usecases.bulk import SyncResult

ACTOR = "seed-geo"


class Progress:
    """A one-line progress bar on stderr, redrawn in place on a terminal; in a log (not a terminal)
    only the finished line is written, so CI output stays readable."""

    def __init__(self, label: str, total: int, out: TextIO, width: int = 30):
        self.label, self.total, self.out, self.width, self.done = label, max(total, 1), out, width, 0
        self.live = out.isatty()

    def _bar(self) -> str:
        filled = self.width * self.done // self.total
        return f"{self.label:<11} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}"

    def advance(self, n: int) -> None:
        self.done = min(self.total, self.done + n)
        if self.live:
            self.out.write("\r" + self._bar())
            self.out.flush()

    def finish(self, result: SyncResult) -> None:
        self.done = self.total
        self.out.write(("\r" if self.live else "") + self._bar()
                       + f"  created {result.created}, updated {result.updated}, unchanged {result.unchanged}\n")
        self.out.flush()


@dataclass(frozen=True)
class SeedCounts:
    continents: SyncResult
    countries: SyncResult
    states: SyncResult


def _calling_code(alpha2: str) -> str:
    code = phonenumbers.country_code_for_region(alpha2)
    return f"+{code}" if code else ""


def country_rows(only: Optional[set[str]], continent_ids: dict[str, str]) -> list[dict]:
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        if only and country.alpha_2 not in only:
            continue
        rows.append({
            "name": getattr(country, "common_name", None) or country.name,
            "code": country.alpha_2,
            "description": getattr(country, "official_name", "") or "",
            "continent_id": continent_ids[CONTINENT_OF[country.alpha_2]],
            "iso_alpha2": country.alpha_2, "iso_alpha3": country.alpha_3, "iso_numeric": country.numeric,
            "phone_code": _calling_code(country.alpha_2),
        })
    return rows


def state_rows(country_ids: dict[str, str]) -> list[dict]:
    """Subdivisions of the given countries, top-level ones first.

    A few countries reuse a name across levels (Bangladesh's Dhaka division and Dhaka district);
    names must be unique within a country, so the lower-level one is named "Dhaka (BD-13)".
    """
    rows = []
    for alpha2, country_id in sorted(country_ids.items()):
        subdivisions = sorted(pycountry.subdivisions.get(country_code=alpha2) or (),
                              key=lambda s: (s.parent_code is not None, s.code))
        taken: set[str] = set()
        for sub in subdivisions:
            name = sub.name if normalize_name(sub.name) not in taken else f"{sub.name} ({sub.code})"
            taken.add(normalize_name(name))
            description = sub.type + (f" in {sub.parent_code}" if sub.parent_code else "")
            rows.append({"name": name, "code": sub.code.split("-", 1)[1], "description": description,
                         "country_id": country_id, "subdivision_code": sub.code})
    return rows


def seed_geo(usecases: UseCases, only: Optional[set[str]] = None, out: TextIO = sys.stderr) -> SeedCounts:
    """Loads the reference geography; `only` limits countries (and their states) to these alpha-2 codes."""
    unknown = sorted((only or set()) - set(CONTINENT_OF))
    if unknown:
        raise ValueError(f"unknown ISO 3166-1 alpha-2 code(s): {', '.join(unknown)}")
    continents = _sync(usecases, "continent", "code", [{"name": c.name, "code": c.code} for c in CONTINENTS], out)
    countries = _sync(usecases, "country", "iso_alpha2", country_rows(only, continents.ids), out)
    states = _sync(usecases, "state", "subdivision_code", state_rows(countries.ids), out)
    return SeedCounts(continents, countries, states)


def _sync(usecases: UseCases, entity: str, key: str, rows: list[dict], out: TextIO) -> SyncResult:
    bar = Progress(entity + "s" if entity != "country" else "countries", len(rows), out)
    result = usecases.call_now(usecases.bulk.sync, BY_NAME[entity], key, rows, ACTOR, bar.advance)
    bar.finish(result)
    return result
