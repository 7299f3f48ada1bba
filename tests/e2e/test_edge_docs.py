"""API docs served by the edge: Swagger UI, ReDoc, and the published OpenAPI document
(gen/openapi/erp.openapi.json, as JSON and YAML) laid out by `make docs-assets`."""
from __future__ import annotations

import json

import pytest
import yaml

from tests.support import ROOT

OPENAPI = ROOT / "gen" / "openapi" / "erp.openapi.json"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (ROOT / "var" / "docs" / "schema.json").exists(),
                       reason="API docs not built: run `make docs-assets` (make test does)"),
]


def test_swagger_page_loads_the_vendored_bundle_and_the_schema(edge):
    status, headers, html = edge.get("/api/docs/swagger/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'src="swagger-ui-bundle.js"' in html and '"../schema.json"' in html


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/"])
def test_the_docs_root_leads_to_swagger(edge, path):
    status, headers, html = edge.get(path)  # urllib follows the redirect
    assert status == 200 and 'src="swagger-ui-bundle.js"' in html


def test_redoc_page_loads_the_vendored_bundle_and_the_schema(edge):
    status, headers, html = edge.get("/api/docs/redoc/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert 'src="redoc.standalone.js"' in html and 'spec-url="../schema.json"' in html


@pytest.mark.parametrize("path,content_type,min_size", [
    ("/api/docs/swagger/swagger-ui-bundle.js", "text/javascript", 500_000),
    ("/api/docs/swagger/swagger-ui.css", "text/css", 50_000),
    ("/api/docs/redoc/redoc.standalone.js", "text/javascript", 500_000),
])
def test_ui_assets_are_served_with_their_types(edge, path, content_type, min_size):
    status, headers, body = edge.get(path)
    assert status == 200 and headers["content-type"].startswith(content_type)
    assert len(body) >= min_size


def test_schema_json_is_the_published_document(edge):
    status, headers, schema = edge.get("/api/docs/schema.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert schema == json.loads(OPENAPI.read_text())
    assert schema["openapi"] == "3.1.0" and schema["info"]["title"] == "ERP API"
    assert schema["components"]["securitySchemes"]["Bearer"]["scheme"] == "bearer"
    assert schema["servers"] == [{"url": "/", "description": schema["servers"][0]["description"]}]


def test_schema_has_the_seed_paths(edge):
    paths = edge.get("/api/docs/schema.json")[2]["paths"]
    for path in ("/api/auth/login/", "/api/auth/refresh/", "/api/master/countries/", "/api/master/countries/{id}/",
                 "/api/master/equipment-types/", "/api/master/countries/export.csv",
                 "/api/auth/.well-known/jwks.json"):
        assert path in paths, path


def test_schema_yaml_is_the_same_document(edge):
    status, headers, text = edge.get("/api/docs/schema.yaml")
    assert status == 200 and headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(text) == edge.get("/api/docs/schema.json")[2]


def test_try_it_out_every_master_list_operation(edge, admin_token):
    """What Swagger UI sends for each parameterless GET of the schema, with the Authorize token (the
    change feed, a stream, is left to its own tests)."""
    paths = edge.get("/api/docs/schema.json")[2]["paths"]
    lists = [p for p, ops in paths.items()
             if p.startswith("/api/master/") and "get" in ops and "{" not in p and p != "/api/master/changes/"]
    assert len(lists) >= 20  # ten collections, ten CSV exports
    for path in lists:
        status, _, body = edge.get(path, token=admin_token, headers={"Accept": "application/json"})
        assert status == 200, (path, body)
        status, _, body = edge.get(path)
        assert status == 401, (path, body)


def test_docs_redirects(envoy_http):
    for path, target in (("/api/docs", "/api/docs/swagger/"), ("/api/docs/redoc", "/api/docs/redoc/")):
        status, _, body = envoy_http.get(path)  # urllib follows the redirect
        assert status == 200 and "<html" in body, path
