"""Master-data rules in plain Python: field validation, list parameters, the PROTECT map, geography."""
import pycountry
import pytest

from erp.master.v1 import master_service_pb2
from erp.options.v1 import options_pb2
from erp_common import contract
from erp_common.errors import InvalidArgument
from master_svc.domain.entities import (BY_NAME, CHILDREN, ENTITIES, csv_columns, field_violations, normalize_name,
                                        normalized, validate)
from master_svc.domain.geography import CONTINENT_OF, CONTINENTS


def test_name_key_ignores_case_and_whitespace_but_not_accents():
    assert normalize_name("  New   Delhi ") == normalize_name("new delhi") == "new delhi"
    assert normalize_name("Zürich") != normalize_name("Zurich")


def test_every_problem_of_a_row_is_reported_at_once():
    problems = field_violations(BY_NAME["country"], {"name": " ", "code": "x" * 51, "iso_alpha2": "IND",
                                                     "iso_numeric": "35", "phone_code": "91"})
    assert [f for f, _ in problems] == ["name", "code", "continent_id", "iso_alpha2", "iso_numeric", "phone_code"]
    with pytest.raises(InvalidArgument) as err:
        validate(BY_NAME["plant"], {"name": "P", "latitude": 91.0, "longitude": -181.0})
    assert [f for f, _ in err.value.violations] == ["latitude", "longitude"]


def test_city_needs_only_its_district():
    assert field_violations(BY_NAME["city"], {"name": "Pune", "district_id": "d"}) == []
    assert field_violations(BY_NAME["city"], {"name": "Pune"}) == [("district_id", "This field is required.")]


def test_normalized_cleans_names_and_upper_cases_iso_codes():
    values = normalized(BY_NAME["country"], {"name": "  India ", "iso_alpha2": " in", "continent_id": " c1 "})
    assert values == {"name": "India", "iso_alpha2": "IN", "continent_id": "c1"}


@pytest.mark.parametrize("field,value", [
    ("iso_alpha2", "ß"),      # "ß".upper() is "SS"
    ("iso_alpha3", "ﬀi"),     # "ﬀi".upper() is "FFI"
    ("iso_numeric", "١٢٣"),   # Arabic-Indic digits: str.isdigit() is true
    ("phone_code", "+²"),     # a superscript two: str.isdigit() is true
])
def test_country_codes_are_ascii_whatever_str_methods_say(field, value):
    spec = BY_NAME["country"]
    values = normalized(spec, {"name": "X", "continent_id": "c", field: value})
    assert [f for f, _ in field_violations(spec, values)] == [field]


def test_protect_map_names_every_child_link():
    assert set(CHILDREN["district"]) == {("city", "district_id")}
    assert set(CHILDREN["continent"]) == {("country", "continent_id"), ("state", "continent_id"),
                                         ("district", "continent_id"), ("city", "continent_id")}
    assert set(CHILDREN["city"]) == {("plant", "city_id"), ("zone", "city_id")}
    assert set(CHILDREN["zone"]) == {("ward", "zone_id")}
    assert CHILDREN["equipment_type"] == () and CHILDREN["site"] == ()


def test_csv_columns_start_with_id_and_name():
    assert csv_columns(BY_NAME["city"])[:2] == ("id", "name")
    assert "district_id" in csv_columns(BY_NAME["city"])
    assert all("category" not in csv_columns(e) for e in ENTITIES if e.name != "equipment_type")


def test_every_iso_country_has_one_of_the_seven_continents():
    assert len(CONTINENTS) == 7
    assert {c.alpha_2 for c in pycountry.countries} == set(CONTINENT_OF)
    assert set(CONTINENT_OF.values()) == {c.code for c in CONTINENTS}
    assert (CONTINENT_OF["IN"], CONTINENT_OF["FR"], CONTINENT_OF["BR"], CONTINENT_OF["AQ"]) == ("AS", "EU", "SA", "AN")


def test_every_spec_names_its_links_rules_and_codes_among_its_own_fields():
    """What sets an entity apart is data on its spec; a name there that is not its field would be ignored."""
    for spec in ENTITIES:
        fields = [p.field for p in spec.parents]
        assert set(spec.upper_links) <= set(fields), spec.name
        assert (spec.scope_parent is not None) == bool(spec.scope), spec.name
        assert all(rule.field in spec.extra for rule in spec.rules), spec.name
        assert set(spec.upper_case) <= set(spec.extra), spec.name


def test_every_spec_is_an_entity_service_of_the_contract_and_back():
    """Adding an entity is its service in the proto and its spec here (README: how to add an entity):
    each names the other."""
    services = {s.GetOptions().Extensions[options_pb2.entity]: s.name
                for s in master_service_pb2.DESCRIPTOR.services_by_name.values()
                if s.GetOptions().Extensions[options_pb2.entity]}
    assert {e.name: f"{e.message}Service" for e in ENTITIES} == services
    assert tuple(e.name for e in ENTITIES) == contract.entities("master")
