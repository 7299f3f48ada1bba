"""master_svc through its real faces on MariaDB: REST through both edges (`edge`) and native gRPC
(`master_channel`): CRUD of every entity, error statuses, concurrency, enforcement, the change feed."""
from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from google.rpc import error_details_pb2, status_pb2

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from master_svc.domain.entities import ENTITIES

ACTIONS = ("read", "create", "update", "delete")


def uniq(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def md(token: str) -> tuple:
    return (("authorization", f"Bearer {token}"),)


def mint(mesh, permissions, username="matrix-user") -> str:
    """A token as auth_svc would issue it, signed with the mesh's current key, carrying exactly
    `permissions`: the permission checks are master_svc's, whatever issued the claims."""
    newest = sorted((mesh.state_dir / "keys" / "active").glob("*.pem"))[-1]
    key = serialization.load_pem_private_key(newest.read_bytes(), password=None)
    now = int(time.time())
    claims = {"sub": "4242", "username": username, "groups": ["matrix"], "permissions": sorted(permissions),
              "sid": uuid.uuid4().hex, "jti": uuid.uuid4().hex, "type": "access", "iat": now, "nbf": now,
              "exp": now + 600, "iss": "auth_service", "aud": "erp"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": newest.stem})


@pytest.fixture
def chain(edge, admin_token):
    """continent > country > state > district > city created through this edge."""
    ids = {}
    for collection, key, parent in (("continents", "continent", None), ("countries", "country", "continent"),
                                    ("states", "state", "country"), ("districts", "district", "state"),
                                    ("cities", "city", "district")):
        body = {"name": uniq(key.title())}
        if parent:
            body[f"{parent}_id"] = ids[parent]
        status, _, row = edge.post(f"/api/master/{collection}/", body, token=admin_token)
        assert status == 200, row
        ids[key] = row["id"]
    return ids


def _body_for(spec, chain) -> dict:
    body = {"name": uniq(spec.name), "code": "C1", "description": "first"}
    links = {**{f"{k}_id": v for k, v in chain.items()}}
    body.update({p.field: links[p.field] for p in spec.parents if p.field in links and p.required})
    if spec.name in ("zone", "plant"):
        body["city_id"] = chain["city"]
    extras = {"iso_alpha2": "QY", "iso_alpha3": "QYA", "iso_numeric": "998", "phone_code": "+998",
              "subdivision_code": "QY-02", "address": "2 Plant Rd", "latitude": 12.5, "longitude": -70.25,
              "category": "static"}
    body.update({f: extras[f] for f in spec.extra})
    return body


@pytest.mark.parametrize("spec", ENTITIES, ids=lambda s: s.name)
def test_rest_crud_soft_delete_undelete_and_hard_delete(edge, admin_token, chain, spec):
    base = f"/api/master/{spec.collection}/"
    body = _body_for(spec, chain)
    status, _, row = edge.post(base, {**body, "created_by": "mallory", "unique_id": "forged"}, token=admin_token)
    assert status == 200, row
    assert row["created_by"] == "admin" and row["id"] == row["unique_id"] != "forged"
    assert row["is_active"] is True and row["is_deleted"] is False and row["etag"] == 'W/"1"'
    assert edge.get(f"{base}{row['id']}/", token=admin_token)[2]["name"] == body["name"]

    replaced = edge.put(f"{base}{row['id']}/", {**body, "description": "replaced", "code": ""}, token=admin_token)
    assert replaced[0] == 200 and (replaced[2]["description"], replaced[2]["code"]) == ("replaced", ""), replaced
    patched = edge.patch(f"{base}{row['id']}/", {"code": "P9"}, token=admin_token)
    assert patched[0] == 200 and patched[2]["code"] == "P9" and patched[2]["description"] == "replaced", patched
    assert patched[2]["etag"] == 'W/"3"'

    search = body["name"].split()[1]
    assert edge.delete(f"{base}{row['id']}/", token=admin_token)[2]["is_deleted"] is True
    assert edge.get(f"{base}?search={search}", token=admin_token)[2]["total_size"] == 0
    shown = edge.get(f"{base}?search={search}&show_deleted=true", token=admin_token)[2]
    assert [r["id"] for r in shown[spec.collection.replace("-", "_")]] == [row["id"]]
    restored = edge.post(f"{base}{row['id']}/undelete/", {}, token=admin_token)
    assert restored[0] == 200 and restored[2]["is_deleted"] is False, restored

    assert edge.delete(f"{base}{row['id']}/?hard_delete=true", token=admin_token)[0] == 200
    assert edge.get(f"{base}{row['id']}/", token=admin_token)[0] == 404


def _details(body: dict, kind: str) -> list:
    return [d for d in body["details"] if d.get("@type", "").endswith(kind)]


def test_errors_are_the_design_table(edge, admin_token, chain):
    city = edge.get(f"/api/master/cities/{chain['city']}/", token=admin_token)[2]
    status, _, body = edge.delete(f"/api/master/districts/{chain['district']}/", token=admin_token)
    assert (status, body["status"]) == (400, "FAILED_PRECONDITION"), body
    violations = _details(body, "PreconditionFailure")[0]["violations"]
    assert violations == [{"type": "PROTECTED", "subject": "city",
                           "description": "1 live city row(s) reference this district through district_id"}]

    status, _, body = edge.post("/api/master/cities/", {"name": uniq("City"), "district_id": chain["district"],
                                                        "country_id": chain["continent"]}, token=admin_token)
    assert (status, body["status"]) == (400, "INVALID_ARGUMENT"), body
    assert _details(body, "BadRequest")[0]["field_violations"][0]["field"] == "country_id"

    status, _, body = edge.post("/api/master/cities/", {"name": city["name"].upper(), "district_id": chain["district"]},
                                token=admin_token)
    assert (status, body["status"]) == (409, "ALREADY_EXISTS"), body

    stale = city["etag"]
    assert edge.patch(f"/api/master/cities/{city['id']}/", {"description": "v2", "etag": stale},
                      token=admin_token)[0] == 200
    status, _, body = edge.patch(f"/api/master/cities/{city['id']}/", {"description": "v3", "etag": stale},
                                 token=admin_token)
    assert (status, body["status"]) == (409, "ABORTED"), body
    status, _, body = edge.delete(f"/api/master/cities/{city['id']}/?etag={urllib.request.quote(stale)}",
                                  token=admin_token)
    assert (status, body["status"]) == (409, "ABORTED"), body
    assert edge.get(f"/api/master/cities/{uuid.uuid4().hex}/", token=admin_token)[0] == 404


def test_lists_filter_order_and_page_through_the_edge(edge, admin_token, chain):
    names = [uniq("Ward") for _ in range(5)]
    zone = edge.post("/api/master/zones/", {"name": uniq("Zone"), "city_id": chain["city"]}, token=admin_token)[2]
    ids = [edge.post("/api/master/wards/", {"name": n, "zone_id": zone["id"], "is_active": i != 0},
                     token=admin_token)[2]["id"] for i, n in enumerate(names)]
    listing = edge.get(f"/api/master/wards/?zone_id={zone['id']}&ordering=-name&page_size=2", token=admin_token)[2]
    assert listing["total_size"] == 5 and len(listing["wards"]) == 2 and listing["next_page_token"]
    seen = [w["name"] for w in listing["wards"]]
    while listing["next_page_token"]:
        listing = edge.get(f"/api/master/wards/?zone_id={zone['id']}&ordering=-name&page_size=2"
                           f"&page_token={listing['next_page_token']}", token=admin_token)[2]
        seen += [w["name"] for w in listing["wards"]]
    assert seen == sorted(names, reverse=True)
    inactive = edge.get(f"/api/master/wards/?zone_id={zone['id']}&is_active=false", token=admin_token)[2]
    assert [w["id"] for w in inactive["wards"]] == [ids[0]]
    assert edge.get("/api/master/wards/?ordering=population", token=admin_token)[0] == 400


def test_csv_export_is_reachable_and_not_shadowed(edge, admin_token, chain):
    status, headers, text = edge.get(f"/api/master/cities/export.csv?search="
                                     f"{edge.get('/api/master/cities/' + chain['city'] + '/', token=admin_token)[2]['name'].split()[1]}",
                                     token=admin_token)
    assert status == 200 and headers["content-type"].startswith("text/csv"), text
    lines = text.strip().splitlines()
    assert lines[0].startswith("id,name,code,description,is_active,is_deleted,continent_id")
    assert len(lines) == 2 and lines[1].startswith(chain["city"])


def test_without_a_valid_token_every_rpc_is_401(edge, master_channel):
    assert edge.get("/api/master/countries/")[0] == 401
    assert edge.get("/api/master/countries/", token="not.a.token")[0] == 401
    with pytest.raises(grpc.RpcError) as err:
        pb_grpc.CountryServiceStub(master_channel).ListCountries(pb.ListCountriesRequest())
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as err:
        next(pb_grpc.ChangeFeedServiceStub(master_channel).WatchChanges(pb.WatchChangesRequest()))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_concurrent_duplicate_creates_over_grpc_give_one_success(master_channel, admin_token):
    stub, name = pb_grpc.EquipmentTypeServiceStub(master_channel), uniq("Parallel")

    def create(_):
        try:
            stub.CreateEquipmentType(pb.CreateEquipmentTypeRequest(equipment_type=pb.EquipmentType(name=name)),
                                     metadata=md(admin_token), timeout=30)
            return grpc.StatusCode.OK
        except grpc.RpcError as err:
            return err.code()

    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(create, range(10)))
    assert sorted(c.name for c in codes) == ["ALREADY_EXISTS"] * 9 + ["OK"]


def _precondition(err: grpc.RpcError) -> error_details_pb2.PreconditionFailure:
    status = status_pb2.Status.FromString(dict(err.trailing_metadata())["grpc-status-details-bin"])
    for detail in status.details:
        if detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            return failure
    raise AssertionError(status)


def test_protect_over_grpc_never_500_and_names_children(master_channel, admin_token):
    zones, wards = pb_grpc.ZoneServiceStub(master_channel), pb_grpc.WardServiceStub(master_channel)
    zone = zones.CreateZone(pb.CreateZoneRequest(zone=pb.Zone(name=uniq("Zone"))), metadata=md(admin_token))
    for _ in range(2):
        wards.CreateWard(pb.CreateWardRequest(ward=pb.Ward(name=uniq("Ward"), zone_id=zone.id)),
                         metadata=md(admin_token))
    for hard in (False, True):
        with pytest.raises(grpc.RpcError) as err:
            zones.DeleteZone(pb.DeleteZoneRequest(id=zone.id, hard_delete=hard), metadata=md(admin_token))
        assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        violation = _precondition(err.value).violations[0]
        assert (violation.type, violation.subject) == ("PROTECTED", "ward") and violation.description.startswith("2 live")


# --- permission matrix ---------------------------------------------------------------------------

def _attempt(edge, token, spec, action, row_id, chain):
    base = f"/api/master/{spec.collection}/"
    if action == "read":
        return edge.get(base, token=token)[0], edge.get(f"{base}{row_id}/", token=token)[0], \
            edge.get(f"{base}export.csv", token=token)[0]
    if action == "create":
        return (edge.post(base, _body_for(spec, chain), token=token)[0],)
    if action == "update":
        return edge.patch(f"{base}{row_id}/", {"description": uniq("d")}, token=token)[0], \
            edge.put(f"{base}{row_id}/", _body_for(spec, chain), token=token)[0]
    return edge.delete(f"{base}{row_id}/", token=token)[0], edge.post(f"{base}{row_id}/undelete/", {}, token=token)[0]


@pytest.mark.parametrize("spec", [s for s in ENTITIES if s.name in ("country", "city", "equipment_type")],
                         ids=lambda s: s.name)
def test_permission_matrix(edge, mesh, admin_token, chain, spec):
    """One token per action holding only master_{entity}_{action}: that action passes, the others are
    403, and a token for another entity gets 403 everywhere."""
    row = edge.post(f"/api/master/{spec.collection}/", _body_for(spec, chain), token=admin_token)[2]
    other = "zone" if spec.name != "zone" else "ward"
    for granted in ACTIONS:
        token = mint(mesh, {spec.permission(granted), f"master_{other}_{granted}"})
        for action in ACTIONS:
            codes = _attempt(edge, token, spec, action, row["id"], chain)
            expected = 200 if action == granted else 403
            assert all(code == expected for code in codes), (granted, action, codes)
    assert set(_attempt(edge, mint(mesh, set()), spec, "read", row["id"], chain)) == {403}


# --- change feed ---------------------------------------------------------------------------------

class Watcher:
    """A WatchChanges call read on a thread, so the test can write while it streams."""

    def __init__(self, channel, token, **request):
        self.call = pb_grpc.ChangeFeedServiceStub(channel).WatchChanges(pb.WatchChangesRequest(**request),
                                                                         metadata=md(token), timeout=60)
        self.changes: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for response in self.call:
                if response.HasField("change"):  # heartbeats (a quiet stream) are not changes
                    self.changes.put(response.change)
        except grpc.RpcError as err:
            self.changes.put(err)

    def next(self, timeout=10.0):
        item = self.changes.get(timeout=timeout)
        if isinstance(item, grpc.RpcError):
            raise item
        return item

    def close(self):
        self.call.cancel()
        self.thread.join(5)


def _create_types(channel, token, n):
    stub = pb_grpc.EquipmentTypeServiceStub(channel)
    return [stub.CreateEquipmentType(pb.CreateEquipmentTypeRequest(equipment_type=pb.EquipmentType(
        name=uniq("Watched"))), metadata=md(token)).id for _ in range(n)]


def _started(channel, token, watcher: Watcher) -> list[str]:
    """Creates marker rows until the watcher (started from now) sees one: from then on it is live."""
    for _ in range(50):
        marker = _create_types(channel, token, 1)[0]
        try:
            change = watcher.next(timeout=0.5)
        except queue.Empty:
            continue
        while change.id != marker:
            change = watcher.next()
        return [marker]
    raise AssertionError("the watch never started")


def test_watch_follows_new_changes_and_resumes_after_reconnect(master_channel, admin_token):
    watcher = Watcher(master_channel, admin_token, cursor=-1, entities=["equipment_type"])
    try:
        _started(master_channel, admin_token, watcher)
        first, second = _create_types(master_channel, admin_token, 2)
        got = watcher.next()
        assert (got.id, got.kind, got.entity, got.actor) == (first, pb.Change.KIND_CREATED, "equipment_type", "admin")
        assert got.etag == 'W/"1"' and got.change_time.seconds > 0
        resume_at = got.cursor
    finally:
        watcher.close()
    stub = pb_grpc.EquipmentTypeServiceStub(master_channel)
    stub.DeleteEquipmentType(pb.DeleteEquipmentTypeRequest(id=first), metadata=md(admin_token))
    again = Watcher(master_channel, admin_token, cursor=resume_at, entities=["equipment_type"], max_changes=2)
    try:
        resumed = [again.next(), again.next()]
    finally:
        again.close()
    assert [(c.id, c.kind) for c in resumed] == [(second, pb.Change.KIND_CREATED), (first, pb.Change.KIND_DELETED)]
    assert resumed[0].cursor > resume_at and resumed[1].cursor > resumed[0].cursor


def test_watch_sends_only_what_the_caller_may_read(master_channel, mesh, admin_token):
    zone_reader = mint(mesh, {"master_zone_read"})
    zone_id = pb_grpc.ZoneServiceStub(master_channel).CreateZone(
        pb.CreateZoneRequest(zone=pb.Zone(name=uniq("Zone"))), metadata=md(admin_token)).id
    _create_types(master_channel, admin_token, 1)
    watcher = Watcher(master_channel, zone_reader, cursor=0)
    try:
        change = watcher.next()
        while change.id != zone_id:
            assert change.entity == "zone"
            change = watcher.next()
    finally:
        watcher.close()
    denied = Watcher(master_channel, zone_reader, cursor=0, entities=["zone", "country"])
    with pytest.raises(grpc.RpcError) as err:
        denied.next()
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    bad = Watcher(master_channel, admin_token, cursor=0, entities=["planet"])
    with pytest.raises(grpc.RpcError) as err:
        bad.next()
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_change_feed_streams_through_the_edge(edge, admin_token, master_channel):
    """One framing at both edges: application/x-ndjson, one WatchChangesResponse per line."""
    before = Watcher(master_channel, admin_token, cursor=-1, entities=["equipment_type"])
    try:
        _started(master_channel, admin_token, before)
        ids = _create_types(master_channel, admin_token, 2)
        cursor = before.next().cursor - 1
    finally:
        before.close()
    request = urllib.request.Request(f"{edge.base}/api/master/changes/?cursor={cursor}&max_changes=2"
                                     f"&entities=equipment_type", headers={"Authorization": f"Bearer {admin_token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200 and response.headers["content-type"] == "application/x-ndjson"
        lines = response.read().decode().splitlines()
    assert [json.loads(line)["change"]["id"] for line in lines] == ids, lines


def test_permission_matrix_with_roles_made_through_the_auth_admin_api(envoy_http, admin_token):
    """The same matrix end to end: a role per action holding one permission, a user per role,
    each user's own login token against master_svc."""
    spec = next(s for s in ENTITIES if s.name == "equipment_type")
    base = "/api/master/equipment-types/"
    row = envoy_http.post(base, {"name": uniq("Matrix")}, token=admin_token)[2]
    for granted in ACTIONS:
        codename = spec.permission(granted)
        status, _, found = envoy_http.get(f"/api/auth/permissions/?codename={codename}", token=admin_token)
        assert status == 200 and [p["codename"] for p in found["permissions"]] == [codename], found
        status, _, role = envoy_http.post("/api/auth/roles/", {"name": uniq(f"only-{granted}")}, token=admin_token)
        assert status == 200, role
        status, _, assigned = envoy_http.post("/api/auth/group-permissions/", {
            "group_id": role["id"], "permission_ids": [found["permissions"][0]["id"]]}, token=admin_token)
        assert status == 200, assigned
        username, password = f"matrix_{uuid.uuid4().hex[:8]}", f"Matrix-{uuid.uuid4().hex}-P1!"
        status, _, user = envoy_http.post("/api/auth/users/", {"username": username, "password": password,
                                                                "role_ids": [role["id"]]}, token=admin_token)
        assert status == 200, user
        token = envoy_http.login(username, password)["access_token"]
        for action in ACTIONS:
            codes = _attempt(envoy_http, token, spec, action, row["id"], {})
            assert set(codes) == {200 if action == granted else 403}, (granted, action, codes)

