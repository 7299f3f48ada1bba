"""The master use cases' rules over SQLite, in milliseconds and without gRPC: the hierarchy, PROTECT,
etag preconditions, the change outbox, import and sync. The database is migrated once; each test runs
in a transaction rolled back at its end. tests/integration/test_master_repository.py runs the same
use cases on MariaDB, with its locks and concurrent writers."""
from __future__ import annotations

import pytest

from erp_common import db_connect
from erp_common.errors import Aborted, AlreadyExists, FailedPrecondition, InvalidArgument
from erp_common.migrations import migrate
from master_svc.domain.entities import BY_NAME, ENTITIES
from master_svc.domain.listing import ListQuery
from master_svc.storage import migrations, models
from master_svc.usecases import UseCases
from master_svc.usecases.common import Stores

S = BY_NAME


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = db_connect.connect(f"sqlite:///{tmp_path_factory.mktemp('master') / 'master.sqlite3'}")
    saved = models.database.obj
    models.database.initialize(db)
    migrate(db, migrations.MIGRATIONS)
    yield db
    models.database.initialize(saved)


@pytest.fixture
def uc(database):
    """The use cases inside a transaction that the test's end rolls back (theirs become savepoints)."""
    models.database.initialize(database)
    with database.connection_context():
        with database.atomic() as outer:
            yield UseCases.build(Stores.over(database))
            outer.rollback()


@pytest.fixture
def geo(uc):
    m = uc.masters
    continent = m.create(S["continent"], {"name": "Asia"}, "a")
    country = m.create(S["country"], {"name": "India", "continent_id": continent["id"]}, "a")
    state = m.create(S["state"], {"name": "Maharashtra", "country_id": country["id"]}, "a")
    district = m.create(S["district"], {"name": "Pune", "state_id": state["id"]}, "a")
    city = m.create(S["city"], {"name": "Pune City", "district_id": district["id"]}, "a")
    return {"continent": continent, "country": country, "state": state, "district": district, "city": city}


def _events(uc, after: int, entities=tuple(e.name for e in ENTITIES)):
    return [(c.kind, c.entity, c.unique_id, c.etag, c.actor) for c in uc.changes.after(after, entities, 1000)]


def test_a_city_carries_every_ancestor_and_a_move_rederives_them(uc, geo):
    m = uc.masters
    assert (geo["city"]["state_id"], geo["city"]["country_id"], geo["city"]["continent_id"]) == (
        geo["state"]["id"], geo["country"]["id"], geo["continent"]["id"])
    other = m.create(S["continent"], {"name": "Europe"}, "a")
    with pytest.raises(InvalidArgument) as err:
        m.create(S["city"], {"name": "X", "district_id": geo["district"]["id"], "continent_id": other["id"]}, "a")
    assert [f for f, _ in err.value.violations] == ["continent_id"]
    france = m.create(S["country"], {"name": "France", "continent_id": other["id"]}, "a")
    idf = m.create(S["state"], {"name": "Île-de-France", "country_id": france["id"]}, "a")
    paris = m.create(S["district"], {"name": "Paris", "state_id": idf["id"]}, "a")
    moved = m.update(S["city"], geo["city"]["id"], {"district_id": paris["id"]}, geo["city"]["etag"], "b")
    assert (moved["state_id"], moved["country_id"], moved["continent_id"]) == (idf["id"], france["id"], other["id"])


def test_a_parent_must_be_live(uc, geo):
    m = uc.masters
    plant = m.create(S["plant"], {"name": "Plant"}, "a")
    m.delete(S["plant"], plant["id"], "", False, "a")
    with pytest.raises(InvalidArgument) as err:
        m.create(S["site"], {"name": "Site", "plant_id": plant["id"]}, "a")
    assert [f for f, _ in err.value.violations] == ["plant_id"]


def test_protect_live_children_block_deletes_deleted_ones_only_hard_deletes(uc, geo):
    m = uc.masters
    with pytest.raises(FailedPrecondition) as err:
        m.delete(S["district"], geo["district"]["id"], "", False, "a")
    assert err.value.reason == "PROTECTED"
    assert err.value.violations == [("PROTECTED", "city", "1 live city row(s) reference this district through "
                                                           "district_id")]
    m.delete(S["city"], geo["city"]["id"], "", False, "a")
    with pytest.raises(FailedPrecondition) as err:
        m.delete(S["district"], geo["district"]["id"], "", True, "a")
    assert "0 live and 1 deleted city" in err.value.violations[0][2]
    assert m.delete(S["district"], geo["district"]["id"], "", False, "a")["is_deleted"]
    with pytest.raises(FailedPrecondition) as err:
        m.undelete(S["city"], geo["city"]["id"], "a")
    assert err.value.reason == "PARENT_DELETED"


def test_an_etag_names_the_version_a_write_applies_to(uc, geo):
    m, row = uc.masters, geo["district"]
    assert row["etag"] == 'W/"1"'
    fresh = m.update(S["district"], row["id"], {"code": "D1"}, row["etag"], "a")
    assert fresh["etag"] == 'W/"2"'
    for write in (lambda: m.update(S["district"], row["id"], {"code": "D2"}, row["etag"], "a"),
                  lambda: m.delete(S["district"], row["id"], row["etag"], False, "a")):
        with pytest.raises(Aborted) as err:
            write()
        assert err.value.reason == "ETAG_MISMATCH"
    assert m.update(S["district"], row["id"], {"code": "D2"}, "", "a")["etag"] == 'W/"3"'
    with pytest.raises(FailedPrecondition) as err:
        m.update(S["city"], m.delete(S["city"], geo["city"]["id"], "", False, "a")["id"], {"code": "C"}, "", "a")
    assert err.value.reason == "DELETED"


def test_duplicate_live_names_are_refused_by_storage_as_a_domain_error(uc, geo):
    m = uc.masters
    with pytest.raises(AlreadyExists) as err:
        m.create(S["district"], {"name": "  PUNE ", "state_id": geo["state"]["id"]}, "a")
    assert err.value.reason == "DUPLICATE_NAME" and "in this state" in err.value.message
    m.delete(S["district"], m.create(S["district"], {"name": "Old", "state_id": geo["state"]["id"]}, "a")["id"],
             "", False, "a")
    assert m.create(S["district"], {"name": "old", "state_id": geo["state"]["id"]}, "a")["name"] == "old"


def test_every_write_appends_one_event_and_a_refused_one_none(uc):
    m, start = uc.masters, uc.changes.last_cursor()
    row = m.create(S["equipment_type"], {"name": "Pump"}, "alice")
    row = m.update(S["equipment_type"], row["id"], {"code": "P"}, row["etag"], "bob")
    deleted = m.delete(S["equipment_type"], row["id"], "", False, "carol")
    restored = m.undelete(S["equipment_type"], row["id"], "dave")
    with pytest.raises(AlreadyExists):
        m.create(S["equipment_type"], {"name": "pump"}, "erin")
    with pytest.raises(InvalidArgument):
        m.create(S["equipment_type"], {"name": ""}, "erin")
    gone = m.delete(S["equipment_type"], row["id"], "", True, "frank")
    uid = row["id"]
    assert _events(uc, start) == [
        ("created", "equipment_type", uid, 'W/"1"', "alice"), ("updated", "equipment_type", uid, 'W/"2"', "bob"),
        ("deleted", "equipment_type", uid, deleted["etag"], "carol"),
        ("undeleted", "equipment_type", uid, restored["etag"], "dave"),
        ("deleted", "equipment_type", uid, gone["etag"], "frank")]
    assert uc.changes.last_cursor() == start + 5
    assert uc.changes.after(start, ["country"], 10) == []


def test_import_is_all_or_nothing_and_keeps_given_ids(uc):
    spec, start = S["equipment_type"], uc.changes.last_cursor()
    bad = [(2, {"name": "Pump"}), (3, {"name": ""}), (4, {"name": "pump"}), (5, {"name": "Fan", "id": "bad id!"}),
           (6, {"name": "Valve", "category": "x" * 101})]
    with pytest.raises(InvalidArgument) as err:
        uc.bulk.import_rows(spec, bad, "importer")
    assert err.value.reason == "IMPORT_REJECTED"
    assert [f for f, _ in err.value.violations] == ["row 3: name", "row 4: name", "row 5: id", "row 6: category"]
    assert uc.bulk.live_rows(spec) == [] and uc.changes.last_cursor() == start
    assert uc.bulk.import_rows(spec, [(2, {"name": "Pump", "id": "ET-1"}), (3, {"name": "Valve"})], "importer") == 2
    assert uc.masters.get(spec, "ET-1")["created_by"] == "importer"
    assert [e[0] for e in _events(uc, start)] == ["created", "created"]
    with pytest.raises(InvalidArgument) as err:
        uc.bulk.import_rows(spec, [(2, {"name": "Other", "id": "ET-1"})], "importer")
    assert err.value.violations == [("row 2: id", "a equipment_type with id 'ET-1' already exists")]


def test_sync_creates_updates_adopts_and_leaves_the_rest(uc):
    bulk, start = uc.bulk, uc.changes.last_cursor()
    asia = uc.masters.create(S["continent"], {"name": "asia"}, "ops")
    uc.masters.update(S["continent"], asia["id"], {"is_active": False}, "", "ops")
    desired = [{"name": "Asia", "code": "AS"}, {"name": "Europe", "code": "EU"}]
    first = bulk.sync(S["continent"], "code", desired, "seed")
    assert (first.created, first.updated, first.unchanged) == (1, 1, 0)
    adopted = uc.masters.get(S["continent"], asia["id"])
    assert first.ids["AS"] == asia["id"] and (adopted["name"], adopted["is_active"]) == ("Asia", False)
    again = bulk.sync(S["continent"], "code", desired, "seed")
    assert (again.created, again.updated, again.unchanged, again.ids) == (0, 0, 2, first.ids)
    india = bulk.sync(S["country"], "iso_alpha2", [{"name": "India", "continent_id": first.ids["AS"],
                                                    "iso_alpha2": "in"}], "seed")
    states = bulk.sync(S["state"], "subdivision_code", [{"name": "Goa", "country_id": india.ids["IN"],
                                                         "subdivision_code": "IN-GA"}], "seed")
    assert uc.masters.get(S["state"], states.ids["IN-GA"])["continent_id"] == first.ids["AS"]
    with pytest.raises(InvalidArgument) as err:
        bulk.sync(S["state"], "subdivision_code", [{"name": "Nowhere", "country_id": "no-such",
                                                    "subdivision_code": "XX-1"}], "seed")
    assert err.value.violations[0][0] == "country_id"
    assert [(kind, entity) for kind, entity, *_ in _events(uc, start)] == [
        ("created", "continent"), ("updated", "continent"), ("created", "continent"), ("updated", "continent"),
        ("created", "country"), ("created", "state")]


def test_lists_page_filter_and_hide_deleted_rows(uc, geo):
    m = uc.masters
    for i in range(5):
        m.create(S["zone"], {"name": f"Zone {i}", "city_id": geo["city"]["id"]}, "a")
    m.delete(S["zone"], m.list(S["zone"], ListQuery(search="Zone 0"))[0][0]["id"], "", False, "a")
    seen, token = [], ""
    while True:
        rows, token, total = m.list(S["zone"], ListQuery(page_size=2, page_token=token, ordering="-name"))
        seen += [r["name"] for r in rows]
        if not token:
            break
    assert (seen, total) == (["Zone 4", "Zone 3", "Zone 2", "Zone 1"], 4)
    assert m.list(S["zone"], ListQuery(filter=f'city_id = "{geo["city"]["id"]}"', show_deleted=True))[2] == 5
