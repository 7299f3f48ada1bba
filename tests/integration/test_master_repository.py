"""The master use cases over their repository on the throwaway MariaDB: hierarchy, PROTECT, uniqueness,
pagination, etags, the outbox, bulk import and seed-geo, with MariaDB's locks and concurrent writers.
Services are not involved; the API tests cover those (tests/unit/test_master_usecases.py runs the
rules alone over SQLite)."""
from __future__ import annotations

import dataclasses
import threading
import time
import uuid

import pytest

from erp_common.errors import Aborted, AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from master_svc.config import MasterConfig
from master_svc.domain.entities import BY_NAME, ENTITIES
from master_svc.server import prepare
from master_svc.domain.listing import ListQuery
from master_svc.storage import models
from master_svc.usecases import UseCases

S = BY_NAME


def _prepare(url: str) -> UseCases:
    return prepare(dataclasses.replace(MasterConfig.from_env(), db_url=url))


@pytest.fixture(scope="session")
def mariadb_repo(mariadb) -> UseCases:
    return _prepare(mariadb.create_database("master_repo"))


@pytest.fixture
def repo(mariadb_repo):
    """The models are bound through one proxy; point it at MariaDB for this test."""
    models.database.initialize(mariadb_repo.stores.db)
    with mariadb_repo.stores.db.connection_context():
        yield mariadb_repo


def uniq(prefix: str = "n") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def geo(repo):
    """A fresh continent > country > state > district > city chain."""
    continent = repo.masters.create(S["continent"], {"name": uniq("Continent")}, "alice")
    country = repo.masters.create(S["country"], {"name": uniq("Country"), "continent_id": continent["id"]}, "alice")
    state = repo.masters.create(S["state"], {"name": uniq("State"), "country_id": country["id"]}, "alice")
    district = repo.masters.create(S["district"], {"name": uniq("District"), "state_id": state["id"]}, "alice")
    city = repo.masters.create(S["city"], {"name": uniq("City"), "district_id": district["id"]}, "alice")
    return {"continent": continent, "country": country, "state": state, "district": district, "city": city}


def test_schema_keeps_microseconds_and_compares_name_keys_exactly(repo):
    rows = repo.stores.db.execute_sql(
        "SELECT table_name, column_name, column_type, collation_name FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND column_name IN ('created_at', 'updated_at', 'live_name_key')").fetchall()
    by_column = {(t, c): (ty, coll) for t, c, ty, coll in rows}
    for model in models.ALL_MODELS:
        table = model._meta.table_name
        assert by_column[(table, "created_at")][0] == "datetime(6)"
        assert by_column[(table, "updated_at")][0] == "datetime(6)"
        assert by_column[(table, "live_name_key")][1] == "utf8mb4_bin"
    assert by_column[("master_change", "created_at")][0] == "datetime(6)"


def test_city_fills_upper_links_from_its_district(geo):
    city = geo["city"]
    assert city["state_id"] == geo["state"]["id"]
    assert city["country_id"] == geo["country"]["id"]
    assert city["continent_id"] == geo["continent"]["id"]
    assert (city["created_by"], city["updated_by"]) == ("alice", "alice")


def test_city_with_a_disagreeing_link_names_the_field(repo, geo):
    other = repo.masters.create(S["continent"], {"name": uniq("Elsewhere")}, "alice")
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["city"], {"name": uniq("City"), "district_id": geo["district"]["id"],
                                "continent_id": other["id"]}, "alice")
    assert err.value.violations[0][0] == "continent_id"
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["city"], {"name": uniq("City"), "district_id": geo["district"]["id"],
                                "state_id": geo["city"]["id"]}, "alice")
    assert err.value.violations[0][0] == "state_id"
    agreeing = repo.masters.create(S["city"], {"name": uniq("City"), "district_id": geo["district"]["id"],
                                       "state_id": geo["state"]["id"], "country_id": geo["country"]["id"]}, "alice")
    assert agreeing["continent_id"] == geo["continent"]["id"]


def test_moving_a_city_to_another_district_rederives_its_upper_links(repo, geo):
    country = repo.masters.create(S["country"], {"name": uniq("Country"), "continent_id": geo["continent"]["id"]}, "a")
    state = repo.masters.create(S["state"], {"name": uniq("State"), "country_id": country["id"]}, "a")
    district = repo.masters.create(S["district"], {"name": uniq("District"), "state_id": state["id"]}, "a")
    moved = repo.masters.update(S["city"], geo["city"]["id"], {"district_id": district["id"]}, geo["city"]["etag"], "bob")
    assert (moved["state_id"], moved["country_id"], moved["updated_by"]) == (state["id"], country["id"], "bob")


def test_states_and_districts_carry_every_ancestor_like_cities(repo, geo):
    assert geo["state"]["continent_id"] == geo["continent"]["id"]
    assert (geo["district"]["continent_id"], geo["district"]["country_id"]) == (geo["continent"]["id"],
                                                                                 geo["country"]["id"])
    other = repo.masters.create(S["continent"], {"name": uniq("Elsewhere")}, "a")
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["state"], {"name": uniq(), "country_id": geo["country"]["id"], "continent_id": other["id"]}, "a")
    assert err.value.violations[0][0] == "continent_id"
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["district"], {"name": uniq(), "state_id": geo["state"]["id"], "country_id": other["id"]}, "a")
    assert err.value.violations[0][0] == "country_id"
    # Moving a district to a state of another country re-derives its country and continent.
    country = repo.masters.create(S["country"], {"name": uniq("Country"), "continent_id": other["id"]}, "a")
    state = repo.masters.create(S["state"], {"name": uniq("State"), "country_id": country["id"]}, "a")
    assert state["continent_id"] == other["id"]
    district = repo.masters.create(S["district"], {"name": uniq("District"), "state_id": geo["state"]["id"]}, "a")
    moved = repo.masters.update(S["district"], district["id"], {"state_id": state["id"]}, district["etag"], "a")
    assert (moved["country_id"], moved["continent_id"]) == (country["id"], other["id"])
    # ... and lists filter on every ancestor.
    for entity, field, value, expected in [("state", "continent_id", other["id"], {state["id"]}),
                                           ("district", "continent_id", other["id"], {moved["id"]}),
                                           ("district", "country_id", geo["country"]["id"], {geo["district"]["id"]})]:
        rows, _, _ = repo.masters.list(S[entity], ListQuery(parents=((field, value),)))
        assert {r["id"] for r in rows} == expected, (entity, field)


def test_missing_or_deleted_parent_is_invalid(repo, geo):
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["country"], {"name": uniq()}, "a")
    assert err.value.violations == [("continent_id", "This field is required.")]
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["state"], {"name": uniq(), "country_id": "no-such-id"}, "a")
    assert err.value.violations[0][0] == "country_id"
    site_parent = repo.masters.create(S["plant"], {"name": uniq("Plant")}, "a")
    repo.masters.delete(S["plant"], site_parent["id"], "", False, "a")
    with pytest.raises(InvalidArgument) as err:
        repo.masters.create(S["site"], {"name": uniq(), "plant_id": site_parent["id"]}, "a")
    assert err.value.violations[0][0] == "plant_id"


@pytest.mark.parametrize("spec", ENTITIES, ids=lambda s: s.name)
def test_crud_of_every_entity(repo, geo, spec):
    parents = {"continent_id": geo["continent"]["id"], "country_id": geo["country"]["id"],
               "state_id": geo["state"]["id"], "district_id": geo["district"]["id"], "city_id": geo["city"]["id"]}
    values = {"name": uniq(spec.name), "code": "C1", "description": "first"}
    values.update({p.field: parents[p.field] for p in spec.parents if p.field in parents})
    extras = {"iso_alpha2": "QX", "iso_alpha3": "QXA", "iso_numeric": "999", "phone_code": "+999",
              "subdivision_code": "QX-01", "address": "1 Main St", "latitude": 18.5, "longitude": 73.8,
              "category": "rotating"}
    values.update({f: extras[f] for f in spec.extra})
    created = repo.masters.create(spec, values, "alice")
    assert created["etag"] == 'W/"1"' and created["is_active"] and not created["is_deleted"]
    assert repo.masters.get(spec, created["id"])["name"] == values["name"]
    updated = repo.masters.update(spec, created["id"], {"description": "second", "is_active": False}, created["etag"], "bob")
    assert (updated["description"], updated["is_active"], updated["etag"]) == ("second", False, 'W/"2"')
    assert updated["created_by"] == "alice" and updated["updated_by"] == "bob"
    assert updated["updated_at"] > created["updated_at"] and updated["created_at"] == created["created_at"]
    deleted = repo.masters.delete(spec, created["id"], updated["etag"], False, "bob")
    assert deleted["is_deleted"] and not deleted["is_active"]
    listed = repo.masters.list(spec, ListQuery(search=values["name"]))[0]
    assert listed == []
    assert [r["id"] for r in repo.masters.list(spec, ListQuery(search=values["name"], show_deleted=True))[0]] == [created["id"]]
    restored = repo.masters.undelete(spec, created["id"], "carol")
    assert not restored["is_deleted"] and restored["is_active"] and restored["updated_by"] == "carol"
    repo.masters.delete(spec, created["id"], "", True, "carol")
    with pytest.raises(NotFound):
        repo.masters.get(spec, created["id"])


def _protect_chain(repo, geo):
    zone = repo.masters.create(S["zone"], {"name": uniq("Zone"), "city_id": geo["city"]["id"]}, "a")
    ward = repo.masters.create(S["ward"], {"name": uniq("Ward"), "zone_id": zone["id"]}, "a")
    plant = repo.masters.create(S["plant"], {"name": uniq("Plant"), "city_id": geo["city"]["id"]}, "a")
    site = repo.masters.create(S["site"], {"name": uniq("Site"), "plant_id": plant["id"]}, "a")
    return zone, ward, plant, site


@pytest.mark.parametrize("hard", [False, True], ids=["soft", "hard"])
def test_protect_blocks_deleting_any_referenced_row(repo, geo, hard):
    zone, ward, plant, site = _protect_chain(repo, geo)
    blocked = [("continent", geo["continent"], {"country", "state", "district", "city"}),
               ("country", geo["country"], {"state", "district", "city"}),
               ("state", geo["state"], {"district", "city"}), ("district", geo["district"], {"city"}),
               ("city", geo["city"], {"zone", "plant"}), ("zone", zone, {"ward"}), ("plant", plant, {"site"})]
    for entity, row, children in blocked:
        with pytest.raises(FailedPrecondition) as err:
            repo.masters.delete(S[entity], row["id"], "", hard, "a")
        assert err.value.reason == "PROTECTED"
        assert {subject for _, subject, _ in err.value.violations} == children, entity
        assert all(description.startswith("1 live ") for _, _, description in err.value.violations)
        assert not repo.masters.get(S[entity], row["id"])["is_deleted"]


def test_protect_counts_children_and_soft_deleted_children_block_only_hard_delete(repo, geo):
    more = [repo.masters.create(S["city"], {"name": uniq("City"), "district_id": geo["district"]["id"]}, "a") for _ in range(2)]
    with pytest.raises(FailedPrecondition) as err:
        repo.masters.delete(S["district"], geo["district"]["id"], "", False, "a")
    assert err.value.violations == [("PROTECTED", "city", "3 live city row(s) reference this district through "
                                                           "district_id")]
    for city in more + [geo["city"]]:
        repo.masters.delete(S["city"], city["id"], "", False, "a")
    with pytest.raises(FailedPrecondition) as err:
        repo.masters.delete(S["district"], geo["district"]["id"], "", True, "a")
    assert "0 live and 3 deleted city" in err.value.violations[0][2]
    assert repo.masters.delete(S["district"], geo["district"]["id"], "", False, "a")["is_deleted"]
    with pytest.raises(FailedPrecondition) as err:
        repo.masters.undelete(S["city"], geo["city"]["id"], "a")
    assert err.value.reason == "PARENT_DELETED"


def test_names_unique_among_live_siblings_ignoring_case_and_spaces(repo, geo):
    state = geo["state"]
    name = uniq("Dup Name")
    first = repo.masters.create(S["district"], {"name": name, "state_id": state["id"]}, "a")
    for variant in (name.upper(), f"  {name.replace(' ', '   ')} ", name.lower()):
        with pytest.raises(AlreadyExists):
            repo.masters.create(S["district"], {"name": variant, "state_id": state["id"]}, "a")
    assert first["name"] == name
    other_state = repo.masters.create(S["state"], {"name": uniq("State"), "country_id": geo["country"]["id"]}, "a")
    assert repo.masters.create(S["district"], {"name": name, "state_id": other_state["id"]}, "a")["name"] == name
    accented = repo.masters.create(S["district"], {"name": name.replace("Dup", "Düp"), "state_id": state["id"]}, "a")
    assert accented["name"] != name
    repo.masters.delete(S["district"], first["id"], "", False, "a")
    again = repo.masters.create(S["district"], {"name": name.lower(), "state_id": state["id"]}, "a")
    with pytest.raises(AlreadyExists):
        repo.masters.undelete(S["district"], first["id"], "a")
    renamed = repo.masters.create(S["district"], {"name": uniq("Other"), "state_id": state["id"]}, "a")
    with pytest.raises(AlreadyExists):
        repo.masters.update(S["district"], renamed["id"], {"name": name}, "", "a")
    assert again["id"] != first["id"]


def test_parentless_rows_share_one_scope(repo):
    name = uniq("Zone")
    repo.masters.create(S["zone"], {"name": name}, "a")
    with pytest.raises(AlreadyExists):
        repo.masters.create(S["zone"], {"name": name.upper()}, "a")
    repo.masters.create(S["plant"], {"name": name}, "a")
    repo.masters.create(S["equipment_type"], {"name": name}, "a")
    with pytest.raises(AlreadyExists):
        repo.masters.create(S["equipment_type"], {"name": f" {name.lower()}"}, "a")


def test_concurrent_duplicates_give_one_success(repo, geo):
    name, workers = uniq("Race"), 8
    barrier, outcomes = threading.Barrier(workers), []

    def attempt():
        with repo.stores.db.connection_context():
            barrier.wait()
            try:
                outcomes.append(repo.masters.create(S["district"], {"name": name, "state_id": geo["state"]["id"]}, "a")["id"])
            except AlreadyExists:
                outcomes.append("409")

    threads = [threading.Thread(target=attempt) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o == "409" for o in outcomes) == [False] + [True] * (workers - 1)


def test_stale_etag_is_aborted(repo, geo):
    row = geo["district"]
    fresh = repo.masters.update(S["district"], row["id"], {"code": "D1"}, row["etag"], "a")
    with pytest.raises(Aborted):
        repo.masters.update(S["district"], row["id"], {"code": "D2"}, row["etag"], "a")
    with pytest.raises(Aborted):
        repo.masters.delete(S["district"], row["id"], row["etag"], False, "a")
    assert repo.masters.update(S["district"], row["id"], {"code": "D2"}, fresh["etag"], "a")["code"] == "D2"


def _wait_for_more(items: list, count: int, timeout: float = 5.0) -> None:
    """Lets the writer insert at least one row between two pages, so every page boundary is crossed
    by a concurrent insert."""
    deadline = time.monotonic() + timeout
    while len(items) <= count and time.monotonic() < deadline:
        time.sleep(0.002)


@pytest.mark.parametrize("ordering", ["name", "-name", "created_at", "-created_at", "updated_at", "code"])
def test_keyset_pages_skip_and_repeat_nothing_while_rows_are_inserted(repo, ordering):
    tag = uniq("Page")
    before = {repo.masters.create(S["equipment_type"], {"name": f"{tag} {i:03d}", "code": f"{i % 5}"}, "a")["id"]
              for i in range(40)}
    stop, inserted = threading.Event(), []

    def insert_meanwhile():
        with repo.stores.db.connection_context():
            for i in range(40):
                if stop.is_set():
                    return
                inserted.append(repo.masters.create(S["equipment_type"], {"name": f"{tag} {i:03d}x", "code": "9"}, "b")["id"])
                time.sleep(0.002)

    writer = threading.Thread(target=insert_meanwhile)
    writer.start()
    try:
        seen, token = [], ""
        while True:
            rows, token, total = repo.masters.list(S["equipment_type"], ListQuery(search=tag, ordering=ordering,
                                                                          page_size=6, page_token=token))
            seen += [r["id"] for r in rows]
            if not token:
                break
            _wait_for_more(inserted, len(inserted))
    finally:
        stop.set()
        writer.join()
    assert inserted, "the writer never ran concurrently"
    assert len(seen) == len(set(seen))
    assert before <= set(seen)


def test_created_at_tokens_round_trip_within_one_second(repo):
    tag = uniq("Burst")
    ids = [repo.masters.create(S["equipment_type"], {"name": f"{tag} {i}"}, "a")["id"] for i in range(12)]
    seen, stamps, token = [], [], ""
    while True:
        rows, token, _ = repo.masters.list(S["equipment_type"], ListQuery(search=tag, ordering="created_at",
                                                                  page_size=1, page_token=token))
        seen += [r["id"] for r in rows]
        stamps += [r["created_at"] for r in rows]
        if not token:
            break
    assert seen == ids
    assert len(set(stamps)) == len(stamps), "timestamps lost their microseconds"


def test_created_at_tokens_round_trip_on_sqlite(tmp_path, mariadb_repo):
    sqlite_repo = _prepare(f"sqlite:///{tmp_path / 'master.sqlite3'}")
    try:
        with sqlite_repo.stores.db.connection_context():
            ids = [sqlite_repo.masters.create(S["zone"], {"name": f"Z {i}"}, "a")["id"] for i in range(12)]
            for ordering in ("created_at", "-created_at"):
                seen, token = [], ""
                while True:
                    rows, token, _ = sqlite_repo.masters.list(S["zone"], ListQuery(ordering=ordering, page_size=5,
                                                                           page_token=token))
                    seen += [r["id"] for r in rows]
                    if not token:
                        break
                assert seen == (ids if ordering == "created_at" else ids[::-1])
    finally:
        models.database.initialize(mariadb_repo.stores.db)


def test_list_filters_by_parent_status_filter_and_search(repo, geo):
    state = geo["state"]
    names = [uniq("Alpha"), uniq("Beta"), uniq("Gamma")]
    rows = [repo.masters.create(S["district"], {"name": n, "code": f"K{i}", "state_id": state["id"]}, "a")
            for i, n in enumerate(names)]
    repo.masters.update(S["district"], rows[1]["id"], {"is_active": False}, "", "a")
    by_parent = repo.masters.list(S["district"], ListQuery(parents=(("state_id", state["id"]),)))
    assert by_parent[2] == 4  # three plus the fixture's district
    inactive = repo.masters.list(S["district"], ListQuery(parents=(("state_id", state["id"]),), is_active=False))[0]
    assert [r["id"] for r in inactive] == [rows[1]["id"]]
    assert [r["id"] for r in repo.masters.list(S["district"], ListQuery(filter=f'name = "{names[2].upper()}"'))[0]] == \
        [rows[2]["id"]]
    assert repo.masters.list(S["district"], ListQuery(filter=f'state_id = "{state["id"]}" AND is_active = false'))[2] == 1
    assert [r["id"] for r in repo.masters.list(S["district"], ListQuery(search=names[0][-10:]))[0]] == [rows[0]["id"]]
    with pytest.raises(InvalidArgument):
        repo.masters.list(S["district"], ListQuery(filter="population > 3"))
    with pytest.raises(InvalidArgument):
        repo.masters.list(S["district"], ListQuery(ordering="population"))
    capped = repo.masters.list(S["district"], ListQuery(page_size=5000))
    assert len(capped[0]) <= 1000


def test_page_token_is_bound_to_its_query(repo):
    tag = uniq("Tok")
    for i in range(3):
        repo.masters.create(S["equipment_type"], {"name": f"{tag} {i}"}, "a")
    _, token, _ = repo.masters.list(S["equipment_type"], ListQuery(search=tag, page_size=1))
    with pytest.raises(InvalidArgument) as err:
        repo.masters.list(S["equipment_type"], ListQuery(search=tag, page_size=1, ordering="-name", page_token=token))
    assert err.value.violations[0][0] == "page_token"
    with pytest.raises(InvalidArgument):
        repo.masters.list(S["equipment_type"], ListQuery(page_token="not-a-token"))


def test_every_write_lands_in_the_outbox_in_order(repo):
    start = repo.stores.db.execute_sql("SELECT last FROM master_change_sequence").fetchone()[0]
    row = repo.masters.create(S["equipment_type"], {"name": uniq("Feed")}, "alice")
    row = repo.masters.update(S["equipment_type"], row["id"], {"code": "X"}, row["etag"], "bob")
    repo.masters.delete(S["equipment_type"], row["id"], "", False, "carol")
    restored = repo.masters.undelete(S["equipment_type"], row["id"], "dave")
    with pytest.raises(AlreadyExists):
        repo.masters.create(S["equipment_type"], {"name": restored["name"]}, "erin")
    changes = repo.changes.after(start, ["equipment_type"], 100)
    assert [(c.kind, c.unique_id, c.actor) for c in changes] == [
        ("created", row["id"], "alice"), ("updated", row["id"], "bob"), ("deleted", row["id"], "carol"),
        ("undeleted", row["id"], "dave")]
    assert [c.cursor for c in changes] == list(range(start + 1, start + 5))
    assert changes[-1].etag == restored["etag"]
    assert repo.changes.after(start, ["country"], 100) == []


def test_import_is_all_or_nothing_with_row_numbers(repo):
    name = uniq("Imp")
    bad = [(2, {"name": f"{name} a"}), (3, {"name": ""}), (4, {"name": f"{name} a"}),
           (5, {"name": f"{name} b", "category": "x" * 101})]
    with pytest.raises(InvalidArgument) as err:
        repo.bulk.import_rows(S["equipment_type"], bad, "importer")
    where = [f for f, _ in err.value.violations]
    assert where == ["row 3: name", "row 4: name", "row 5: category"]
    assert repo.masters.list(S["equipment_type"], ListQuery(search=name))[2] == 0
    good = [(2, {"name": f"{name} a", "id": f"keep-{name}"}), (3, {"name": f"{name} b"})]
    assert repo.bulk.import_rows(S["equipment_type"], good, "importer") == 2
    assert repo.masters.get(S["equipment_type"], f"keep-{name}")["created_by"] == "importer"
