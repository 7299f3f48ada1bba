"""The docs routes and build (edge/docs.py); the document itself is tests/unit/test_openapi_document.py's."""
from __future__ import annotations

import zlib

import pytest

from edge import docs


def test_routes_serve_every_file_with_its_type(tmp_path):
    for name in [*docs.PAGES, *docs.VENDORED, *docs.SCHEMAS, docs.FAVICON]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    text = docs.routes(tmp_path, "/api/docs")
    assert "docs-not-built" not in text
    for served in ("/api/docs/swagger/", "/api/docs/redoc/", "/api/docs/schema.json", "/api/docs/schema.yaml",
                   "/api/docs/swagger/swagger-ui-bundle.js", "/api/docs/redoc/redoc.standalone.js", "/favicon.ico"):
        assert f"match: {{path: {served}}}" in text, served
    assert "value: 'application/yaml; charset=utf-8'" in text
    assert "redirect: {path_redirect: /api/docs/swagger/}" in text


def test_the_favicon_is_a_png_of_its_size():
    png = docs.favicon_png(32)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[16:24] == (32).to_bytes(4, "big") * 2
    idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
    pixels = zlib.decompress(idat)
    assert len(pixels) == 32 * (1 + 32 * 4) and b"\x1a\x56\xdb\xff" in pixels and b"\xff" * 8 in pixels


def test_build_refuses_without_the_npm_packages(tmp_path):
    with pytest.raises(FileNotFoundError, match="make docs-assets"):
        docs.build(tmp_path / "erp.openapi.json", tmp_path / "node_modules", tmp_path / "out")
