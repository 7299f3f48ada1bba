"""The published OpenAPI 3.1 document (tools/openapi.py, committed as gen/openapi/erp.openapi.json):
what the client generators need of it, checked on the committed document and on a small input."""
from __future__ import annotations

import json
import re

import pytest

from tools import openapi
from tests.support import ROOT

OPENAPI = ROOT / "gen" / "openapi" / "erp.openapi.json"

DOCUMENT = json.loads(OPENAPI.read_text())
METHODS = ("get", "put", "post", "delete", "patch")
OPERATIONS = [(path, method, op) for path, ops in DOCUMENT["paths"].items()
              for method, op in ops.items() if method in METHODS]


def test_it_is_openapi_3_1_with_the_bearer_scheme():
    assert DOCUMENT["openapi"] == "3.1.0" and DOCUMENT["info"]["title"] == "ERP API"
    assert DOCUMENT["components"]["securitySchemes"]["Bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": DOCUMENT["components"]["securitySchemes"]["Bearer"]["description"]}
    assert DOCUMENT["security"] == [{"Bearer": []}]
    assert DOCUMENT["paths"]["/api/auth/login/"]["post"]["security"] == []
    assert DOCUMENT["paths"]["/api/auth/.well-known/jwks.json"]["get"]["security"] == []
    assert "security" not in DOCUMENT["paths"]["/api/master/countries/"]["get"]


def test_seed_paths_plain_parameters_one_path_per_resource():
    paths = list(DOCUMENT["paths"])
    assert not [p for p in paths if "." in "".join(re.findall(r"{[^}]*}", p))]
    assert not [p for p in paths if not p.endswith("/") and not p.endswith((".csv", ".json"))]
    item = DOCUMENT["paths"]["/api/master/countries/{id}/"]
    assert set(item) == {"get", "put", "patch", "delete"}
    assert set(DOCUMENT["paths"]["/api/auth/roles/{id}/"]) == {"get", "put", "patch", "delete"}
    for path, method, op in OPERATIONS:
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)


def test_patch_bodies_are_partial_and_document_update_mask():
    for path, method, op in OPERATIONS:
        if method != "patch":
            continue
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert ref.endswith("Patch") and "required" not in schema, path
        assert [p for p in op["parameters"] if p["name"] == "update_mask" and p["in"] == "query"], path
    put = DOCUMENT["paths"]["/api/master/countries/{id}/"]["put"]["requestBody"]["content"]["application/json"]
    assert DOCUMENT["components"]["schemas"]["CountryReplace"]["required"] == ["name", "continent_id"]
    assert put["schema"] == {"$ref": "#/components/schemas/CountryReplace"}


def test_every_operation_has_the_standard_errors_and_a_short_id():
    for path, method, op in OPERATIONS:
        responses = op["responses"]
        for code in ("400", "401", "404", "429", "500", "503"):
            assert responses[code]["$ref"].startswith("#/components/responses/"), (method, path, code)
        assert ("409" in responses) == (method != "get"), (method, path)
        assert ("403" in responses) == (op.get("security") != []), (method, path)
        assert not re.search(r"\d$", op["operationId"]), op["operationId"]
    error = DOCUMENT["components"]["responses"]["Conflict"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Status"}
    assert set(DOCUMENT["components"]["schemas"]["Status"]["required"]) == {"code", "status", "message", "details"}


def test_schema_names_are_short_and_titles_gone():
    assert max(len(name) for name in DOCUMENT["components"]["schemas"]) <= 33
    assert not _titles(DOCUMENT["components"]["schemas"]) and not _titles(DOCUMENT["paths"])
    assert "HttpBody" not in DOCUMENT["components"]["schemas"]  # unused ones are dropped


def test_the_change_feed_is_a_string_of_json_lines():
    ok = DOCUMENT["paths"]["/api/master/changes/"]["get"]["responses"]["200"]["content"]
    assert ok == {"application/x-ndjson": {"schema": {
        "type": "string", "contentMediaType": "application/x-ndjson",
        "contentSchema": {"$ref": "#/components/schemas/WatchChangesResponse"},
        "description": ok["application/x-ndjson"]["schema"]["description"]}}}


def _titles(node) -> list:
    """Every schema `title` under `node` (a property named `title` is not one)."""
    if isinstance(node, list):
        return [t for item in node for t in _titles(item)]
    if not isinstance(node, dict):
        return []
    found = [node["title"]] if isinstance(node.get("title"), str) else []
    for key, value in node.items():
        values = value.values() if key == "properties" else [value]
        found += [t for v in values for t in _titles(v)]
    return found


def test_http_body_methods_answer_in_their_own_media_type():
    export = DOCUMENT["paths"]["/api/master/countries/export.csv"]["get"]["responses"]["200"]
    assert list(export["content"]) == ["text/csv"]
    assert list(DOCUMENT["paths"]["/api/auth/login_page/"]["get"]["responses"]["200"]["content"]) == ["text/html"]


SWAGGER = {
    "swagger": "2.0", "info": {"title": "x", "version": "y"}, "produces": ["application/json"],
    "tags": [{"name": "RoleService"}, {"name": "AuthService"}],
    "paths": {
        "/api/auth/roles/{id}": {"get": {"operationId": "RoleService_GetRole", "parameters": [
            {"name": "id", "in": "path", "required": True, "type": "integer", "format": "int32"}],
            "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Role"}},
                          "default": {"description": "error", "schema": {"$ref": "#/definitions/Status"}}}}},
        "/api/auth/roles/{role.id}": {"patch": {"operationId": "RoleService_UpdateRole2", "parameters": [
            {"name": "role.id", "in": "path", "required": True, "type": "integer"},
            {"name": "role", "in": "body", "required": True, "schema": {
                "type": "object", "title": "A sentence.", "required": ["name"],
                "properties": {"name": {"type": "string"}}}}],
            "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Role"}}}}},
    },
    "definitions": {
        "Role": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Status": {"type": "object", "properties": {"code": {"type": "integer"}, "message": {"type": "string"},
                                                    "details": {"type": "array", "items": {"type": "object"}}}},
        "Unused": {"type": "object"},
    },
}


def test_conversion_merges_renames_and_names_bodies():
    out = openapi.convert(SWAGGER, public_paths=())
    assert list(out["paths"]) == ["/api/auth/roles/{id}/"]
    patch = out["paths"]["/api/auth/roles/{id}/"]["patch"]
    assert patch["operationId"] == "RoleService_UpdateRolePatch"
    assert [p["name"] for p in patch["parameters"]] == ["id", "update_mask"]
    assert out["components"]["schemas"]["RolePatch"] == {"type": "object", "properties": {"name": {"type": "string"}}}
    assert set(out["components"]["schemas"]) == {"Role", "RolePatch", "Status"}
    assert [t["name"] for t in out["tags"]] == ["AuthService", "RoleService"]


def test_conversion_refuses_two_operations_on_one_seed_path():
    swagger = json.loads(json.dumps(SWAGGER))
    swagger["paths"]["/api/auth/roles/{role.id}"]["get"] = swagger["paths"]["/api/auth/roles/{id}"]["get"]
    with pytest.raises(ValueError, match="two operations for GET /api/auth/roles/{id}/"):
        openapi.convert(swagger, public_paths=())
