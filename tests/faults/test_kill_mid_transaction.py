"""SIGKILL in the middle of multi-row writes, then the invariants checked directly in MariaDB.

The moment is chosen from the database's side: the test watches `information_schema.innodb_trx` and
kills the writer as soon as one of its transactions has modified rows, after a random warm-up. What
the killed process had not committed must vanish whole:

- master_svc (hierarchy chains continent -> country -> state -> district -> city, city moves that
  re-derive the upper links, patches): every row's version equals the number of change-feed events
  for it, the feed's cursors are 1..N with the sequence row at N, no event names a missing row, no
  child points at a missing parent, every city's links agree with its district;
- auth_svc (roles whose whole permission set is replaced by one of two sets, and renamed
  descriptions): every role holds exactly one of the sets or none, and the audit log's last entry
  for each role describes exactly what is stored;
- `python -m master_svc import-csv` (one transaction for the whole file): all rows or none, with
  their events.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time

import grpc
from google.protobuf import field_mask_pb2

from erp.auth.v1 import admin_service_pb2 as admin_pb
from erp.auth.v1 import admin_service_pb2_grpc as admin_grpc
from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from tests.support import ROOT
from tests.support.faults import Load, grpc_outcome, report, unique, wait_until
from tools.mesh import wait_grpc_health

SEED = int(os.environ.get("ERP_FAULTS_SEED", time.time_ns() % 10**6))
MASTER_TABLES = ("continent", "country", "state", "district", "city", "zone", "ward", "plant", "site",
                 "equipment_type")
PARENT_LINKS = (("country", "continent_id", "continent"), ("state", "country_id", "country"),
                ("district", "state_id", "state"), ("city", "district_id", "district"),
                ("city", "state_id", "state"), ("city", "country_id", "country"),
                ("city", "continent_id", "continent"))
PERMISSION_SET_SIZE = 30
IMPORT_ROWS = 1000


# InnoDB refreshes what information_schema.innodb_trx shows only when it was not read in the last
# 100 ms: polling faster would keep reading the same stale snapshot.
TRX_POLL_SECONDS = 0.11


class TransactionWatch:
    """One connection that asks InnoDB how many rows the open transactions on `database_url` have
    modified (the largest count; 0 when none is open)."""

    def __init__(self, faults, database_url: str):
        self._conn = faults.db.connect()
        self._name = database_url.rsplit("/", 1)[1].split("?")[0]

    def open_writes(self) -> int:
        with self._conn.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(t.trx_rows_modified), 0) FROM information_schema.innodb_trx t "
                        "JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE p.db = %s",
                        (self._name,))
            return cur.fetchone()[0]

    def close(self) -> None:
        self._conn.close()


def _kill_mid_transaction(faults, victim, load: Load, watch: TransactionWatch,
                          rng: random.Random) -> tuple[bool, float]:
    """Lets the load run a random while, then SIGKILLs `victim` the moment a write transaction is
    open; returns whether one was seen open (else it was killed between transactions) and when."""
    load.start()
    try:
        wait_until(lambda: sum(c.ok for c in load.all()) >= 3, 15, "the writers are writing")
        threading.Event().wait(rng.uniform(0.0, 0.4))
        try:
            wait_until(watch.open_writes, 3, "an open write", TRX_POLL_SECONDS)
            seen_open = True
        except TimeoutError:
            seen_open = False
        killed_at = time.monotonic()
        faults.kill(victim)
    finally:
        load.stop()
    return seen_open, killed_at


# --- master_svc ------------------------------------------------------------------------------------

class Hierarchy:
    def __init__(self, addr: str, token: str):
        channel = grpc.insecure_channel(addr)
        self.md = (("authorization", f"Bearer {token}"),)
        self.continents = pb_grpc.ContinentServiceStub(channel)
        self.countries = pb_grpc.CountryServiceStub(channel)
        self.states = pb_grpc.StateServiceStub(channel)
        self.districts = pb_grpc.DistrictServiceStub(channel)
        self.cities = pb_grpc.CityServiceStub(channel)

    def chain(self, name: str):
        """A whole branch of the hierarchy, a city moved to a second district, a patched continent."""
        kw = {"metadata": self.md, "timeout": 5}
        continent = self.continents.CreateContinent(pb.CreateContinentRequest(continent=pb.Continent(name=name)), **kw)
        country = self.countries.CreateCountry(pb.CreateCountryRequest(
            country=pb.Country(name=name, continent_id=continent.id)), **kw)
        state = self.states.CreateState(pb.CreateStateRequest(state=pb.State(name=name, country_id=country.id)), **kw)
        first, second = (self.districts.CreateDistrict(pb.CreateDistrictRequest(
            district=pb.District(name=f"{name}-{i}", state_id=state.id)), **kw) for i in (1, 2))
        city = self.cities.CreateCity(pb.CreateCityRequest(city=pb.City(name=name, district_id=first.id)), **kw)
        self.cities.UpdateCity(pb.UpdateCityRequest(city=pb.City(id=city.id, district_id=second.id, etag=city.etag),
                                                    update_mask=field_mask_pb2.FieldMask(paths=["district_id"])), **kw)
        return self.continents.UpdateContinent(pb.UpdateContinentRequest(
            continent=pb.Continent(id=continent.id, description="patched", etag=continent.etag),
            update_mask=field_mask_pb2.FieldMask(paths=["description"])), **kw)


def _master_load(addr: str, token: str, prefix: str, counter) -> Load:
    load = Load(max_seconds=20)
    hierarchy = Hierarchy(addr, token)
    for _ in range(3):
        load.add("chain", lambda n: grpc_outcome(lambda: hierarchy.chain(n)), 5.0,
                 key=lambda: f"{prefix}-{next(counter)}", pause=0.0)
    return load


def _master_invariants(faults) -> dict:
    q = lambda sql, args=(): faults.sql(faults.master_db, sql, args)  # noqa: E731
    (last,) = q("SELECT last FROM master_change_sequence WHERE id = 1")[0]
    count, highest = q("SELECT COUNT(*), COALESCE(MAX(`cursor`), 0) FROM master_change")[0]
    assert count == highest == last, ("change feed cursors are not 1..N", count, highest, last)
    rows = 0
    for entity in MASTER_TABLES:
        table = f"master_{entity}"
        rows += q(f"SELECT COUNT(*) FROM {table}")[0][0]
        # Every committed write bumped the version and appended one event, in the same transaction.
        drift = q(f"SELECT t.unique_id, t.version, COUNT(ch.`cursor`), "
                  f"MAX(CASE WHEN ch.etag = CONCAT('W/\"', t.version, '\"') THEN 1 ELSE 0 END) "
                  f"FROM {table} t LEFT JOIN master_change ch ON ch.unique_id = t.unique_id "
                  f"AND ch.entity = %s GROUP BY t.unique_id, t.version "
                  f"HAVING COUNT(ch.`cursor`) <> t.version OR MAX(CASE WHEN ch.etag = CONCAT('W/\"', t.version, "
                  f"'\"') THEN 1 ELSE 0 END) = 0", (entity,))
        assert not drift, (entity, drift[:5])
    ghosts = q("SELECT ch.`cursor`, ch.entity, ch.unique_id FROM master_change ch WHERE NOT EXISTS ("
               + " UNION ALL ".join(f"SELECT 1 FROM master_{e} t WHERE t.unique_id = ch.unique_id" for e in MASTER_TABLES)
               + ")")
    assert not ghosts, ("events of rows that were never committed", ghosts[:5])
    for child, column, parent in PARENT_LINKS:
        orphans = q(f"SELECT c.unique_id FROM master_{child} c LEFT JOIN master_{parent} p "
                    f"ON p.unique_id = c.{column} WHERE c.{column} IS NOT NULL AND p.unique_id IS NULL")
        assert not orphans, (child, column, orphans[:5])
    skewed = q("SELECT c.unique_id FROM master_city c JOIN master_district d ON d.unique_id = c.district_id "
               "JOIN master_state s ON s.unique_id = d.state_id JOIN master_country k ON k.unique_id = s.country_id "
               "WHERE c.state_id <> d.state_id OR c.country_id <> s.country_id OR c.continent_id <> k.continent_id")
    assert not skewed, ("cities whose links disagree with their district", skewed[:5])
    return {"master_rows": rows, "change_events": count}


# --- auth_svc --------------------------------------------------------------------------------------

class RoleWriter:
    def __init__(self, addr: str, token: str, sets: tuple[list[int], list[int]]):
        channel = grpc.insecure_channel(addr)
        self.md = (("authorization", f"Bearer {token}"),)
        self.roles = admin_grpc.RoleServiceStub(channel)
        self.grants = admin_grpc.GroupPermissionServiceStub(channel)
        self.sets = sets

    def churn(self, name: str):
        """A role, then its whole permission set replaced and its description changed, back and forth."""
        kw = {"metadata": self.md, "timeout": 5}
        role = self.roles.CreateRole(admin_pb.CreateRoleRequest(role=admin_pb.Role(name=name, description="v0")), **kw)
        for i in range(1, 5):
            self.grants.AssignGroupPermissions(admin_pb.AssignGroupPermissionsRequest(
                group_id=role.id, permission_ids=self.sets[i % 2], replace=True), **kw)
            self.roles.UpdateRole(admin_pb.UpdateRoleRequest(role=admin_pb.Role(id=role.id, description=f"v{i}"),
                                                             update_mask=field_mask_pb2.FieldMask(paths=["description"])),
                                  **kw)
        return role


def _auth_load(addr: str, token: str, prefix: str, sets, counter) -> Load:
    load = Load(max_seconds=20)
    writer = RoleWriter(addr, token, sets)
    for _ in range(3):
        load.add("roles", lambda n: grpc_outcome(lambda: writer.churn(n)), 5.0,
                 key=lambda: f"{prefix}-{next(counter)}")
    return load


def _permission_sets(faults) -> tuple[list[int], list[int]]:
    ids = [i for (i,) in faults.sql(faults.auth_db, "SELECT id FROM auth_permission ORDER BY id LIMIT %s",
                                    (2 * PERMISSION_SET_SIZE,))]
    return ids[:PERMISSION_SET_SIZE], ids[PERMISSION_SET_SIZE:]


def _auth_invariants(faults, prefix: str, sets) -> dict:
    q = lambda sql, args=(): faults.sql(faults.auth_db, sql, args)  # noqa: E731
    codenames = dict(q("SELECT id, codename FROM auth_permission"))
    allowed = [frozenset(), frozenset(codenames[i] for i in sets[0]), frozenset(codenames[i] for i in sets[1])]
    roles = q("SELECT id, description FROM auth_role WHERE name LIKE %s", (prefix + "-%",))
    held: dict[int, set] = {role_id: set() for role_id, _ in roles}
    for role_id, permission_id in q("SELECT rp.role_id, rp.permission_id FROM auth_role_permission rp "
                                    "JOIN auth_role r ON r.id = rp.role_id WHERE r.name LIKE %s", (prefix + "-%",)):
        held[role_id].add(codenames[permission_id])
    audit: dict[tuple[int, str], list] = {}
    for target, event, after in q("SELECT CAST(target_id AS UNSIGNED), event_type, after FROM auth_audit_log "
                                  "WHERE target_type = 'role' ORDER BY id"):
        audit.setdefault((target, event), []).append(json.loads(after) if after else None)
    for role_id, description in roles:
        assert frozenset(held[role_id]) in allowed, ("a partial permission set", role_id, sorted(held[role_id]))
        assert len(audit.get((role_id, "ROLE_CREATED"), [])) == 1, ("ROLE_CREATED entries", role_id)
        granted = audit.get((role_id, "GROUP_PERMISSIONS_CHANGED"))
        assert set(granted[-1]["permissions"] if granted else []) == held[role_id], (
            "the last audited permission change is not what is stored", role_id)
        renamed = audit.get((role_id, "ROLE_UPDATED"))
        assert (renamed[-1]["description"] if renamed else "v0") == description, (
            "the last audited update is not what is stored", role_id)
    return {"roles_checked": len(roles),
            "roles_with_a_permission_set": sum(1 for r in held.values() if r)}


# --- import-csv ------------------------------------------------------------------------------------

def _import_csv(faults, tmp_path, prefix: str) -> subprocess.Popen:
    path = tmp_path / f"{prefix}.csv"
    path.write_text("name,code,category\n" + "".join(f"{prefix}-{i},C{i},fault\n" for i in range(IMPORT_ROWS)))
    env = {**os.environ, "ERP_MASTER_DB_URL": faults.master_db, "ERP_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "master_svc", "import-csv", "equipment_type", str(path)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _imported(faults, prefix: str) -> tuple[int, int]:
    rows = faults.sql(faults.master_db, "SELECT COUNT(*) FROM master_equipment_type WHERE name LIKE %s",
                      (prefix + "-%",))[0][0]
    events = faults.sql(faults.master_db, "SELECT COUNT(*) FROM master_change ch JOIN master_equipment_type t "
                                          "ON t.unique_id = ch.unique_id WHERE t.name LIKE %s", (prefix + "-%",))[0][0]
    return rows, events


# --- the test --------------------------------------------------------------------------------------

def test_sigkill_mid_transaction_leaves_no_partial_write(faults, tmp_path):
    rng = random.Random(SEED)
    token = faults.login()["access_token"]
    sets = _permission_sets(faults)
    master_prefix, auth_prefix, counter = unique("kill9-master"), unique("kill9-auth"), itertools.count()
    trials = []
    watches = {faults.master_db: TransactionWatch(faults, faults.master_db),
             faults.auth_db: TransactionWatch(faults, faults.auth_db)}
    # One trial per replica, each replica restarting while the next trial runs on the other one.
    for service, make_load, database in (
            ("master_svc", lambda addr: _master_load(addr, token, master_prefix, counter), faults.master_db),
            ("auth_svc", lambda addr: _auth_load(addr, token, auth_prefix, sets, counter), faults.auth_db)):
        for victim in faults.replicas(service):
            load = make_load(faults.grpc_addr(victim))
            seen_open, killed_at = _kill_mid_transaction(faults, victim, load, watches[database], rng)
            faults.start_again(victim)
            failed = [c for c in load.all() if not c.ok]
            # Only the kill fails a call: concurrent writers of neighbouring roles once deadlocked
            # on InnoDB gap locks and got 503s with the database up.
            assert not [c for c in failed if c.ended < killed_at], [c for c in failed if c.ended < killed_at][:5]
            assert all(c.outcome == "UNAVAILABLE" for c in failed), failed[:5]
            trials.append({"service": service, "replica": victim.name, "write_transaction_open": seen_open,
                           "writer_loops_completed": sum(c.ok for c in load.all()),
                           "writer_loops_cut_by_the_kill": sum(1 for c in failed if c.started <= killed_at)})
    watches[faults.auth_db].close()
    watch = watches[faults.master_db]
    import_trials = []
    for _ in range(6):
        if len(import_trials) == 2:
            break
        prefix = unique("kill9-import")
        proc = _import_csv(faults, tmp_path, prefix)
        target = rng.randrange(1, IMPORT_ROWS // 2)
        try:  # until the import's one transaction has written a random number of rows
            wait_until(lambda: proc.poll() is not None or watch.open_writes() >= target, 60, "the import writing",
                       TRX_POLL_SECONDS)
        finally:
            ended = proc.poll()
            proc.kill()
            proc.wait(timeout=10)
        if ended is not None:  # it finished before the kill: not a trial
            assert ended == 0, proc.stderr.read().decode()[:3000]
            continue
        import_trials.append((prefix, target))
    assert len(import_trials) == 2, "every import finished before it could be killed"
    complete = unique("kill9-import")
    proc = _import_csv(faults, tmp_path, complete)
    assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()[-2000:]

    watch.close()
    for p in faults.replicas("master_svc") + faults.replicas("auth_svc"):
        wait_grpc_health(faults.grpc_addr(p), p, 60)
    figures = _master_invariants(faults)
    figures.update(_auth_invariants(faults, auth_prefix, sets))
    for prefix, _ in import_trials:
        assert _imported(faults, prefix) == (0, 0), prefix  # killed inside its one transaction
    assert _imported(faults, complete) == (IMPORT_ROWS, IMPORT_ROWS)
    report("kill9_mid_transaction", {
        "seed": SEED, "service_trials": trials,
        "import_trials_killed_after_rows": [target for _, target in import_trials],
        "import_rows_per_file": IMPORT_ROWS, **figures,
        "invariants": ["version == change events per row", "change cursors 1..N == sequence",
                       "no event without its row", "no orphan child", "city links agree with district",
                       "role permission set is one whole set or none", "exactly one ROLE_CREATED per role",
                       "last audited permission change == stored set", "last audited update == stored row",
                       "killed import: 0 rows, 0 events", "complete import: all rows and events"],
    })
