"""API docs at the edge: Swagger UI and ReDoc pages over the generated OpenAPI, served by Envoy itself.

    python -m edge.docs build --node-modules var/docs-node/node_modules --out var/docs

`build` (run by `make docs-assets` after `npm ci` of edge/docs/package.json) copies the UI bundles
out of the pinned npm packages, fills the page templates in edge/docs/, and writes the served copy
of gen/openapi/erp.swagger.json as schema.json and schema.yaml. gen/ stays as generated; only the
served copy gets the Bearer security scheme, the seed's trailing slashes and a real title.
`routes` gives render.py the Envoy routes: one direct response per file (read when Envoy starts).
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "edge" / "docs"
OPENAPI = ROOT / "gen" / "openapi" / "erp.swagger.json"

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

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".png": "image/png", ".json": "application/json",
    ".yaml": "application/yaml; charset=utf-8",
}
TITLE = "ERP API"
BEARER = "Bearer"


def _slashed(path: str) -> str:
    """The seed's form of a path: a trailing slash unless the last segment is a file name
    (`export.csv`, `jwks.json`); a `{user.id}` parameter is not one."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    is_file = "." in last and not last.startswith("{")
    return path if path.endswith("/") or is_file else path + "/"


def served_schema(spec: dict, public_paths: tuple[str, ...]) -> dict:
    """The OpenAPI document the docs pages load: gen/openapi plus what "Try it out" needs."""
    out = copy.deepcopy(spec)
    out["info"] = {
        "title": TITLE,
        "version": "v1",
        "description": (
            "REST face of the ERP gRPC services, transcoded by the edge. Log in with "
            "`POST /api/auth/login/`, then press **Authorize** and enter `Bearer <access_token>`.\n\n"
            "Errors always have the body `{\"code\": <http status>, \"status\": \"<gRPC code>\", "
            "\"message\": \"...\", \"details\": [...]}`; 429 and lockouts carry `Retry-After`."),
    }
    # No `host`/`schemes`: Swagger UI then calls the edge that served the page, whatever its port.
    out.pop("host", None)
    out.pop("schemes", None)
    out["basePath"] = "/"
    out["securityDefinitions"] = {BEARER: {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Bearer <access_token>` from POST /api/auth/login/"}}
    out["security"] = [{BEARER: []}]
    paths = {}
    for path, operations in spec.get("paths", {}).items():
        operations = copy.deepcopy(operations)
        if path.rstrip("/") in public_paths:
            for op in operations.values():
                if isinstance(op, dict):
                    op["security"] = []
        paths[_slashed(path)] = operations
    out["paths"] = paths
    # Log in first: AuthService leads the pages, the rest keep the generated order.
    out["tags"] = sorted(out.get("tags", []), key=lambda tag: tag.get("name") != "AuthService")
    # google.rpc.Status, named `Status` by openapi_naming_strategy=simple (buf.gen.yaml); the edges
    # render it with the HTTP code and the gRPC code's name.
    status = out.get("definitions", {}).get("Status")
    if status is not None:
        props = status.setdefault("properties", {})
        props["code"] = {"type": "integer", "format": "int32", "description": "The HTTP status code."}
        props["status"] = {"type": "string", "description": "The gRPC status name, e.g. NOT_FOUND."}
    return out


def build(node_modules: Path, out: Path, public_paths: tuple[str, ...]) -> list[Path]:
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
    for served, template in PAGES.items():
        page = (TEMPLATES / template).read_text()
        page = page.replace("{{TITLE}}", TITLE).replace("{{SWAGGER_UI_VERSION}}", versions["swagger-ui-dist"])
        page = page.replace("{{REDOC_VERSION}}", versions["redoc"])
        target = out / served
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page)
        written.append(target)
    import yaml  # only the docs build needs PyYAML; render.py (and the edge image) do not

    schema = served_schema(json.loads(OPENAPI.read_text()), public_paths)
    (out / "schema.json").write_text(json.dumps(schema, indent=1, ensure_ascii=False) + "\n")
    (out / "schema.yaml").write_text(yaml.safe_dump(schema, sort_keys=False, allow_unicode=True))
    written += [out / name for name in SCHEMAS]
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
    served = [*PAGES, *VENDORED, *SCHEMAS]
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
    return "\n".join(" " * 14 + line for line in lines)


def main() -> None:
    from edge.render import PUBLIC_REST_PATHS

    parser = argparse.ArgumentParser(prog="python -m edge.docs", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the served docs files")
    b.add_argument("--node-modules", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for path in build(args.node_modules, args.out, PUBLIC_REST_PATHS):
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
