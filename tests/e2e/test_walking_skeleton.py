"""The thin path end to end: REST through the edge -> gRPC services -> MariaDB."""
import uuid

import pytest

pytestmark = pytest.mark.e2e


def test_login_then_list_continents(edge):
    tokens = edge.login()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["user"]["username"] == "admin" and "administrators" in tokens["user"]["groups"]
    name = f"Skeleton {uuid.uuid4().hex[:8]}"
    status, _, created = edge.post("/api/master/continents/", {"name": name, "code": "SK"},
                                   token=tokens["access_token"])
    assert status == 200, created
    status, _, listing = edge.get(f"/api/master/continents/?search={name.split()[1]}", token=tokens["access_token"])
    assert status == 200
    assert [c["id"] for c in listing["continents"]] == [created["id"]]
    assert listing["total_size"] == 1


def test_list_without_token_is_401_json(edge):
    status, headers, body = edge.get("/api/master/continents/")
    assert status == 401
    assert body["code"] == 401 and body["status"] == "UNAUTHENTICATED" and "details" in body


def test_wrong_password_is_401_json(edge):
    status, _, body = edge.post("/api/auth/login/", {"username": "admin", "password": "not-the-password"})
    assert (status, body["code"], body["status"]) == (401, 401, "UNAUTHENTICATED")
    assert "stack" not in str(body).lower() and "traceback" not in str(body).lower()
