"""API docs at the edge: Swagger UI and ReDoc pages over the generated OpenAPI, served by Envoy itself.

    python -m edge.docs build --openapi gen/openapi/erp.openapi.json \\
        --node-modules var/docs-node/node_modules --out var/docs

`build` (run by `make docs-assets` after `npm ci` of edge/docs/package.json) copies the UI bundles
out of the pinned npm packages, fills the page templates in edge/docs/, and serves the published
OpenAPI document, gen/openapi/erp.openapi.json, as it is: schema.json, and schema.yaml its YAML form.
`routes` gives render.py the Envoy routes: one direct response per file (read when Envoy starts).
"""
from __future__ import annotations

import argparse
import json
import shutil
import struct
import zlib
from pathlib import Path

TEMPLATES = Path(__file__).with_name("docs")  # package data

# Served file (relative to the docs dir and to /api/docs/) -> (npm package, file in the package).
VENDORED = {
    "swagger/swagger-ui-bundle.js": ("swagger-ui-dist", "swagger-ui-bundle.js"),
    "swagger/swagger-ui.css": ("swagger-ui-dist", "swagger-ui.css"),
    "swagger/favicon-32x32.png": ("swagger-ui-dist", "favicon-32x32.png"),
    "redoc/redoc.standalone.js": ("redoc", "bundles/redoc.standalone.js"),
}
# Served page -> template in edge/docs/.
PAGES = {"swagger/index.html": "swagger.html", "redoc/index.html": "redoc.html"}
SCHEMAS = ("schema.json", "schema.yaml")
# Served at /favicon.ico by both edges (public): browsers ask for it on every page, the login page too.
FAVICON = "favicon.png"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".png": "image/png", ".json": "application/json",
    ".yaml": "application/yaml; charset=utf-8",
}


def favicon_png(size: int = 32) -> bytes:
    """The ERP icon: a white "E" on a blue rounded square, as an RGBA PNG made here (no image file
    in git, no imaging library)."""
    blue, white, clear = b"\x1a\x56\xdb\xff", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"
    unit, radius = size // 8, size // 6

    def pixel(x: int, y: int) -> bytes:
        cx, cy = min(x, size - 1 - x), min(y, size - 1 - y)
        if cx < radius and cy < radius and (radius - cx) ** 2 + (radius - cy) ** 2 > radius ** 2:
            return clear
        in_stem = 2 * unit <= x < 3 * unit and 2 * unit <= y < 6 * unit
        in_bar = 2 * unit <= x < 6 * unit and (2 * unit <= y < 3 * unit or 5 * unit <= y < 6 * unit
                                                or (7 * unit // 2 <= y < 9 * unit // 2 and x < 5 * unit))
        return white if in_stem or in_bar else blue

    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(size)) for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def build(openapi: Path, node_modules: Path, out: Path) -> list[Path]:
    """Writes every served file into `out`; returns them."""
    written = []
    if out.exists():
        shutil.rmtree(out)
    for served, (package, name) in VENDORED.items():
        source = node_modules / package / name
        if not source.is_file():
            raise FileNotFoundError(f"{source} missing: run `make docs-assets` (npm ci of edge/docs/package.json)")
        target = out / served
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    versions = {pkg: json.loads((node_modules / pkg / "package.json").read_text())["version"]
                for pkg in {p for p, _ in VENDORED.values()}}
    import yaml  # only the docs build needs PyYAML; render.py (and the edge image) do not

    schema = json.loads(openapi.read_text())
    for served, template in PAGES.items():
        page = (TEMPLATES / template).read_text()
        page = page.replace("{{TITLE}}", schema["info"]["title"])
        page = page.replace("{{SWAGGER_UI_VERSION}}", versions["swagger-ui-dist"])
        page = page.replace("{{REDOC_VERSION}}", versions["redoc"])
        target = out / served
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page)
        written.append(target)
    shutil.copyfile(openapi, out / "schema.json")
    (out / "schema.yaml").write_text(yaml.safe_dump(schema, sort_keys=False, allow_unicode=True))
    written += [out / name for name in SCHEMAS]
    (out / FAVICON).write_bytes(favicon_png())
    written.append(out / FAVICON)
    return written


def _direct(name: str, path: str, file: Path, cache_control: str) -> list[str]:
    return [
        f"- name: {name}",
        f"  match: {{path: {path}}}",
        f"  direct_response: {{status: 200, body: {{filename: {file}}}}}",
        "  response_headers_to_add:",
        f"  - header: {{key: content-type, value: '{CONTENT_TYPES[file.suffix]}'}}",
        "    append_action: OVERWRITE_IF_EXISTS_OR_ADD",
        f"  - header: {{key: cache-control, value: '{cache_control}'}}",
        "    append_action: OVERWRITE_IF_EXISTS_OR_ADD",
        "  - header: {key: x-content-type-options, value: nosniff}",
        "    append_action: OVERWRITE_IF_EXISTS_OR_ADD",
    ]


def _redirect(name: str, path: str, to: str) -> list[str]:
    return [f"- name: {name}", f"  match: {{path: {path}}}", f"  redirect: {{path_redirect: {to}}}"]


def routes(docs_dir: Path, prefix: str) -> str:
    """Envoy routes for `prefix` (e.g. /api/docs), indented for the template's route list."""
    docs_dir = docs_dir.resolve()
    served = [*PAGES, *VENDORED, *SCHEMAS, FAVICON]
    missing = [s for s in served if not (docs_dir / s).is_file()]
    if missing:
        lines = [
            "- name: docs-not-built",
            f"  match: {{prefix: {prefix}}}",
            "  direct_response:",
            "    status: 503",
            f"    body: {{inline_string: 'API docs are not built ({docs_dir / missing[0]} missing): "
            "run make docs-assets'}",
        ]
    else:
        lines = _redirect("docs-root", prefix, f"{prefix}/swagger/")
        lines += _redirect("docs-index", f"{prefix}/", f"{prefix}/swagger/")
        for ui in ("swagger", "redoc"):
            lines += _redirect(f"docs-{ui}-slash", f"{prefix}/{ui}", f"{prefix}/{ui}/")
            lines += _direct(f"docs-{ui}", f"{prefix}/{ui}/", docs_dir / ui / "index.html", "no-cache")
        for name in VENDORED:
            lines += _direct(f"docs-{Path(name).name}", f"{prefix}/{name}", docs_dir / name, "public, max-age=3600")
        for name in SCHEMAS:
            lines += _direct(f"docs-{name}", f"{prefix}/{name}", docs_dir / name, "no-cache")
        lines += _direct("favicon", "/favicon.ico", docs_dir / FAVICON, "public, max-age=86400")
    return "\n".join(" " * 14 + line for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m edge.docs", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the served docs files")
    b.add_argument("--openapi", type=Path, required=True, help="the published document (gen/openapi)")
    b.add_argument("--node-modules", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for path in build(args.openapi, args.node_modules, args.out):
        print(f"  {path}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
