"""The served copy of the OpenAPI document and the docs routes (edge/docs.py); gen/ is never changed."""
from __future__ import annotations

import json

import pytest

from edge import docs
from edge.render import PUBLIC_REST_PATHS

GENERATED = {
    "swagger": "2.0",
    "info": {"title": "erp/auth/v1/admin_service.proto", "version": "version not set"},
    "tags": [{"name": "UserService"}, {"name": "AuthService"}],
    "host": "example.invalid",
    "paths": {
        "/api/auth/login": {"post": {"operationId": "AuthService_Login"}},
        "/api/auth/.well-known/jwks.json": {"get": {"operationId": "AuthService_GetJwks"}},
        "/api/master/countries": {"get": {"operationId": "CountryService_ListCountries"}},
        "/api/master/countries/{id}": {"get": {}, "delete": {}},
        "/api/master/countries/export.csv": {"get": {}},
        "/api/auth/users/{user.id}": {"put": {}},
        "/api/master/countries/{id}/undelete": {"post": {}},
    },
    "definitions": {"Status": {"type": "object", "properties": {"code": {"type": "integer"}}}},
}


@pytest.fixture
def served():
    return docs.served_schema(GENERATED, PUBLIC_REST_PATHS)


def test_seed_paths_get_their_trailing_slash_but_files_do_not(served):
    assert list(served["paths"]) == [
        "/api/auth/login/", "/api/auth/.well-known/jwks.json", "/api/master/countries/",
        "/api/master/countries/{id}/", "/api/master/countries/export.csv", "/api/auth/users/{user.id}/",
        "/api/master/countries/{id}/undelete/"]


def test_bearer_scheme_everywhere_except_public_operations(served):
    assert served["securityDefinitions"]["Bearer"]["in"] == "header"
    assert served["security"] == [{"Bearer": []}]
    assert served["paths"]["/api/auth/login/"]["post"]["security"] == []
    assert served["paths"]["/api/auth/.well-known/jwks.json"]["get"]["security"] == []
    assert "security" not in served["paths"]["/api/master/countries/"]["get"]


def test_title_host_tags_and_error_shape(served):
    assert served["info"]["title"] == "ERP API" and "host" not in served and served["basePath"] == "/"
    assert [t["name"] for t in served["tags"]] == ["AuthService", "UserService"]
    assert set(served["definitions"]["Status"]["properties"]) == {"code", "status"}


def test_the_generated_error_schema_gets_the_status_name():
    """On gen/openapi itself, so that a rename of the generated definition cannot go unnoticed."""
    served = docs.served_schema(json.loads(docs.OPENAPI.read_text()), PUBLIC_REST_PATHS)
    assert set(served["definitions"]["Status"]["properties"]) == {"code", "status", "message", "details"}


def test_generated_document_is_not_modified():
    before = json.dumps(GENERATED, sort_keys=True)
    docs.served_schema(GENERATED, PUBLIC_REST_PATHS)
    assert json.dumps(GENERATED, sort_keys=True) == before


def test_routes_serve_every_file_with_its_type(tmp_path):
    for name in [*docs.PAGES, *docs.VENDORED, *docs.SCHEMAS]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    text = docs.routes(tmp_path, "/api/docs")
    assert "docs-not-built" not in text
    for served in ("/api/docs/swagger/", "/api/docs/redoc/", "/api/docs/schema.json", "/api/docs/schema.yaml",
                   "/api/docs/swagger/swagger-ui-bundle.js", "/api/docs/redoc/redoc.standalone.js"):
        assert f"match: {{path: {served}}}" in text, served
    assert "value: 'application/yaml; charset=utf-8'" in text
    assert "redirect: {path_redirect: /api/docs/swagger/}" in text


def test_build_refuses_without_the_npm_packages(tmp_path):
    with pytest.raises(FileNotFoundError, match="make docs-assets"):
        docs.build(tmp_path / "node_modules", tmp_path / "out", PUBLIC_REST_PATHS)
