"""seed-geo and import-csv on the throwaway MariaDB, through the real `python -m master_svc` commands."""
from __future__ import annotations

import dataclasses
import io
import time

import pycountry
import pytest

from master_svc.config import MasterConfig
from master_svc.csv_import import parse_csv
from master_svc.domain.entities import BY_NAME
from master_svc.seed_geo import seed_geo, state_rows
from master_svc.server import prepare
from master_svc.storage import models
from tests.support.master import master_cli

SNAPSHOT_FIELDS = ("unique_id", "name", "code", "description", "version", "updated_at")


@pytest.fixture
def fresh_repo(mariadb):
    """A repository on its own empty database; the proxy is pointed back afterwards by whoever needs it."""
    repo = prepare(dataclasses.replace(MasterConfig.from_env(), db_url=mariadb.create_database("bulk")))
    with repo.stores.db.connection_context():
        yield repo


def _snapshot(repo) -> dict[str, list[tuple]]:
    snap = {}
    for entity in ("continent", "country", "state"):
        model = models.MODELS[entity]
        parent = [p.field for p in BY_NAME[entity].parents]
        snap[entity] = sorted(tuple(getattr(r, f) for f in SNAPSHOT_FIELDS) + tuple(r.__data__[f] for f in parent)
                              for r in model.select())
    return snap


def test_seed_subset_twice_gives_the_same_rows(fresh_repo):
    first = seed_geo(fresh_repo, {"IN", "FR"}, io.StringIO())
    before = _snapshot(fresh_repo)
    second = seed_geo(fresh_repo, {"IN", "FR"}, io.StringIO())
    assert _snapshot(fresh_repo) == before
    assert (first.continents.created, first.countries.created) == (7, 2)
    assert first.states.created == len(pycountry.subdivisions.get(country_code="IN")) + len(
        pycountry.subdivisions.get(country_code="FR"))
    assert (second.continents.unchanged, second.countries.unchanged, second.states.unchanged) == (
        7, 2, first.states.created)
    assert second.states.created == second.states.updated == 0
    india = models.Country.get(models.Country.iso_alpha2 == "IN")
    asia = models.Continent.get(models.Continent.code == "AS")
    assert (india.name, india.iso_alpha3, india.iso_numeric, india.phone_code) == ("India", "IND", "356", "+91")
    assert india.__data__["continent_id"] == asia.unique_id and india.created_by == "seed-geo"
    maharashtra = models.State.get(models.State.subdivision_code == "IN-MH")
    assert (maharashtra.name, maharashtra.code, maharashtra.__data__["country_id"]) == (
        "Mahārāshtra", "MH", india.unique_id)


def test_seed_adopts_rows_an_operator_created_by_name_and_keeps_their_status(fresh_repo):
    asia = fresh_repo.masters.create(BY_NAME["continent"], {"name": "asia"}, "ops")
    india = fresh_repo.masters.create(BY_NAME["country"], {"name": " INDIA ", "continent_id": asia["id"]}, "ops")
    fresh_repo.masters.update(BY_NAME["country"], india["id"], {"is_active": False}, "", "ops")
    result = seed_geo(fresh_repo, {"IN"}, io.StringIO())
    assert result.continents.ids["AS"] == asia["id"] and result.countries.ids["IN"] == india["id"]
    adopted = fresh_repo.masters.get(BY_NAME["country"], india["id"])
    assert (adopted["name"], adopted["iso_alpha2"], adopted["is_active"]) == ("India", "IN", False)


def test_full_seed_through_the_cli_twice(mariadb):
    url = mariadb.create_database("seedfull")
    started = time.monotonic()
    first = master_cli(url, "seed-geo")
    took = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    counts = f"countries: {len(pycountry.countries)} rows ({len(pycountry.countries)} created, 0 updated, 0 unchanged)"
    assert "continents: 7 rows (7 created" in first.stdout and counts in first.stdout
    assert f"states: {len(pycountry.subdivisions)} rows" in first.stdout
    assert "states " in first.stderr, "no progress on stderr"
    second = master_cli(url, "seed-geo")
    assert second.returncode == 0, second.stderr
    assert f"states: {len(pycountry.subdivisions)} rows (0 created, 0 updated, {len(pycountry.subdivisions)} " \
           f"unchanged)" in second.stdout
    assert took < 20


def test_seed_rejects_an_unknown_country_code(mariadb):
    result = master_cli(mariadb.create_database("seedbad"), "seed-geo", "--countries", "IN,XX")
    assert result.returncode == 2 and "XX" in result.stderr


def test_names_that_repeat_across_subdivision_levels_get_their_code():
    rows = state_rows({"BD": "bd-id"})
    names = [r["name"] for r in rows]
    assert len(names) == len({n.casefold() for n in names})
    assert "Dhaka" in names and any(n.startswith("Dhaka (BD-") for n in names)


def test_csv_parse_types_cells_and_numbers_rows_by_line():
    parsed = parse_csv(BY_NAME["plant"], 'name,latitude,is_active,created_at\n"A\nB",1.5,yes,x\nC,north,maybe,\n')
    assert parsed.rows[0] == (2, {"name": "A\nB", "latitude": 1.5, "is_active": True})
    assert parsed.problems == [("row 4: latitude", "'north' is not a number"),
                               ("row 4: is_active", "'maybe' is not true or false")]
    assert parse_csv(BY_NAME["zone"], "name,colour\nx,red\n").problems == [("header", "unknown column 'colour'")]


def test_import_csv_is_all_or_nothing_and_reports_row_numbers(mariadb, tmp_path):
    url = mariadb.create_database("importcsv")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,code,category,is_deleted\n,Pump,P1,rotating,False\n,,P2,,False\n,pump ,P3,,False\n")
    result = master_cli(url, "import-csv", "equipment_type", str(bad))
    assert result.returncode == 1
    assert "row 3: name: This field is required." in result.stderr
    assert "row 4: name: a live equipment_type named 'pump' already exists" in result.stderr
    good = tmp_path / "good.csv"
    good.write_text("id,name,code,category\nET-1,Pump,P1,rotating\n,Valve,V1,static\n")
    result = master_cli(url, "import-csv", "equipment_type", str(good), "--actor", "loader")
    assert result.returncode == 0, result.stderr
    assert "equipment_type: 2 rows imported" in result.stdout
    repo = prepare(dataclasses.replace(MasterConfig.from_env(), db_url=url))
    with repo.stores.db.connection_context():
        rows = repo.bulk.live_rows(BY_NAME["equipment_type"])
        assert sorted(r["name"] for r in rows) == ["Pump", "Valve"]
        assert repo.masters.get(BY_NAME["equipment_type"], "ET-1")["created_by"] == "loader"
        assert [c.kind for c in repo.changes.after(0, ["equipment_type"], 10)] == ["created", "created"]
