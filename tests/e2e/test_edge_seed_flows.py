"""The seed's REST flows through each edge with a plain HTTP client: log in, work every master entity
(list, create, read, replace, patch, soft delete, undelete, hard delete, CSV export), refresh, log out."""
from __future__ import annotations

import csv
import importlib
import io
import pkgutil
import uuid

import pytest

from tests.support.edge import wait_for

pytestmark = pytest.mark.e2e

# (REST collection, parent field, parent collection) in creation order; the parent is created first.
MASTERS = [
    ("continents", None, None),
    ("countries", "continent_id", "continents"),
    ("states", "country_id", "countries"),
    ("districts", "state_id", "states"),
    ("cities", "district_id", "districts"),
    ("zones", "city_id", "cities"),
    ("wards", "zone_id", "zones"),
    ("plants", "city_id", "cities"),
    ("sites", "plant_id", "plants"),
    ("equipment-types", None, None),
]


def auth_implements(method: str) -> bool:
    """Whether a servicer in auth_svc.api defines `method` yet (the auth work lands in parts)."""
    import auth_svc.api

    for info in pkgutil.iter_modules(auth_svc.api.__path__):
        module = importlib.import_module(f"auth_svc.api.{info.name}")
        if any(method in vars(cls) for cls in vars(module).values() if isinstance(cls, type)):
            return True
    return False


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def parents(edge, admin_token) -> dict[str, str]:
    """One row of every parent collection (continent > country > ... > plant), per edge."""
    ids: dict[str, str] = {}
    for collection, parent_field, parent_collection in MASTERS:
        if collection in ("wards", "sites", "equipment-types"):
            continue
        body = {"name": unique(f"Parent {collection}"), "code": "P"}
        if parent_field:
            body[parent_field] = ids[parent_collection]
        status, _, row = edge.post(f"/api/master/{collection}/", body, token=admin_token)
        assert status == 200, row
        ids[collection] = row["id"]
    return ids


@pytest.mark.parametrize("collection,parent_field,parent_collection", MASTERS, ids=[m[0] for m in MASTERS])
def test_master_crud_through_the_edge(edge, admin_token, parents, collection, parent_field, parent_collection):
    base = f"/api/master/{collection}/"
    marker = uuid.uuid4().hex[:10]
    body = {"name": f"Flow {marker}", "code": "FL", "description": "created through the edge"}
    if parent_field:
        body[parent_field] = parents[parent_collection]

    status, _, created = edge.post(base, body, token=admin_token)
    assert status == 200, created
    row_id = created["id"]
    assert created["unique_id"] == row_id and created["name"] == body["name"]
    assert created["is_active"] is True and created["is_deleted"] is False
    assert created["created_by"] == "admin"
    if parent_field:
        assert created[parent_field] == parents[parent_collection]

    status, _, listing = edge.get(f"{base}?search={marker}&ordering=-name&is_active=true", token=admin_token)
    assert status == 200, listing
    rows = next(v for k, v in listing.items() if isinstance(v, list))
    assert [r["id"] for r in rows] == [row_id] and listing["total_size"] == 1
    status, _, listing = edge.get(f"{base}?search={marker}&is_active=false", token=admin_token)
    assert status == 200 and listing["total_size"] == 0

    status, _, fetched = edge.get(f"{base}{row_id}/", token=admin_token)
    assert status == 200 and fetched["id"] == row_id

    replaced = dict(body, name=f"Flow {marker} replaced", description="")
    status, _, after_put = edge.put(f"{base}{row_id}/", replaced, token=admin_token)
    assert status == 200, after_put
    assert after_put["name"] == replaced["name"] and after_put["description"] == ""

    status, _, after_patch = edge.patch(f"{base}{row_id}/", {"description": "patched"}, token=admin_token)
    assert status == 200, after_patch
    assert after_patch["description"] == "patched" and after_patch["name"] == replaced["name"]

    status, _, deleted = edge.delete(f"{base}{row_id}/", token=admin_token)
    assert status == 200 and deleted["is_deleted"] is True, deleted
    status, _, listing = edge.get(f"{base}?search={marker}", token=admin_token)
    assert status == 200 and listing["total_size"] == 0
    status, _, listing = edge.get(f"{base}?search={marker}&show_deleted=true", token=admin_token)
    assert status == 200 and listing["total_size"] == 1

    status, _, restored = edge.post(f"{base}{row_id}/undelete/", {}, token=admin_token)
    assert status == 200 and restored["is_deleted"] is False, restored

    status, _, _ = edge.delete(f"{base}{row_id}/?hard_delete=true", token=admin_token)
    assert status == 200
    status, _, gone = edge.get(f"{base}{row_id}/", token=admin_token)
    assert status == 404 and gone["status"] == "NOT_FOUND"


def test_csv_export_is_not_shadowed_by_get_by_id(edge, admin_token, parents):
    name = unique("Exported")
    status, _, row = edge.post("/api/master/countries/", {"name": name, "continent_id": parents["continents"]},
                               token=admin_token)
    assert status == 200, row
    status, headers, text = edge.get(f"/api/master/countries/export.csv?search={name.split()[1]}", token=admin_token)
    assert status == 200, text
    assert headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["id"], r["name"]) for r in table] == [(row["id"], name)]


def test_protected_parent_cannot_be_hard_deleted(edge, admin_token, parents):
    status, _, body = edge.delete(f"/api/master/continents/{parents['continents']}/?hard_delete=true",
                                  token=admin_token)
    assert (status, body["status"]) == (400, "FAILED_PRECONDITION"), body
    assert any("PreconditionFailure" in d.get("@type", "") for d in body["details"]), body


def test_login_page_is_html_and_public(edge):
    status, headers, text = edge.get("/api/auth/login_page/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert "<form" in text.lower()


def test_jwks_is_public_and_lists_rs256_keys(edge):
    status, _, body = edge.get("/api/auth/.well-known/jwks.json")
    assert status == 200
    assert body["keys"] and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] for k in body["keys"])


def test_login_refresh_and_logout(edge):
    tokens = edge.login()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600

    status, _, refreshed = edge.post("/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]})
    assert status == 200, refreshed
    assert refreshed["access_token"] and refreshed["access_token"] != tokens["access_token"]
    assert refreshed["user"]["username"] == "admin"
    status, _, again = edge.get(f"/api/auth/refresh/?refresh_token={refreshed['refresh_token']}")
    assert status == 200, again
    access = again["access_token"]
    assert edge.get("/api/master/continents/?page_size=1", token=access)[0] == 200

    if not auth_implements("Logout"):
        pytest.skip("auth_svc does not implement Logout yet: login and refresh were tested")
    status, _, body = edge.post("/api/auth/logout/", {}, token=access)
    assert status == 200, body
    # Services learn revocations by polling (ERP_REVOCATION_POLL_SECONDS=1 in the test mesh).
    status = wait_for(lambda: edge.get("/api/master/continents/?page_size=1", token=access)[0] == 401, timeout=10)
    assert status, "the access token of a logged-out session still works"
    status, _, body = edge.post("/api/auth/refresh/", {"refresh_token": again["refresh_token"]})
    assert (status, body["status"]) == (401, "UNAUTHENTICATED"), body


def test_refresh_without_token_is_400(edge):
    status, _, body = edge.post("/api/auth/refresh/", {})
    assert (status, body["status"]) == (400, "INVALID_ARGUMENT"), body


def test_search_and_ordering_query_parameters(edge, admin_token):
    marker = uuid.uuid4().hex[:10]
    for name in ("Beta", "Alpha", "Gamma"):
        status, _, _ = edge.post("/api/master/equipment-types/", {"name": f"{name} {marker}", "category": "pump"},
                                 token=admin_token)
        assert status == 200
    for ordering, expected in (("name", ["Alpha", "Beta", "Gamma"]), ("-name", ["Gamma", "Beta", "Alpha"])):
        status, _, listing = edge.get(f"/api/master/equipment-types/?search={marker}&ordering={ordering}",
                                      token=admin_token)
        assert status == 200, listing
        assert [r["name"].split()[0] for r in listing["equipment_types"]] == expected
    status, _, page = edge.get(f"/api/master/equipment-types/?search={marker}&ordering=name&page_size=2",
                               token=admin_token)
    assert status == 200 and len(page["equipment_types"]) == 2 and page["next_page_token"]
    status, _, rest = edge.get(f"/api/master/equipment-types/?search={marker}&ordering=name&page_size=2"
                               f"&page_token={page['next_page_token']}", token=admin_token)
    assert status == 200 and [r["name"].split()[0] for r in rest["equipment_types"]] == ["Gamma"]


def test_permissions_codename_filter(edge, admin_token):
    if not auth_implements("ListPermissions"):
        pytest.skip("auth_svc does not implement ListPermissions yet")
    status, _, body = edge.get("/api/auth/permissions/?codename=master_country", token=admin_token)
    assert status == 200, body
    codenames = [p["codename"] for p in body["permissions"]]
    assert codenames and all(c.startswith("master_country") for c in codenames)
