"""The published OpenAPI 3.1 document, converted from protoc-gen-openapiv2's Swagger 2.0 output.

    python -m tools.openapi SWAGGER_JSON OUT_JSON      (run by tools/gen.sh; gen/ keeps only OUT_JSON)

protoc-gen-openapiv2 reads the `google.api.http` annotations and protos/openapiv2.yaml, but it writes
Swagger 2.0, which the mainstream client generators refuse, and a REST face that differs from the one
the edges serve. This conversion is the one place that closes the gap:

- the seed's paths: a trailing slash on every collection and item path (both edges strip one before
  routing), plain path parameters (`{id}`, never `{country.id}`), one path per resource;
- request bodies: the PUT and PATCH bodies become named schemas (`CountryReplace`, `CountryPatch`);
  a PATCH body is partial (nothing required) and `update_mask` is documented as a query parameter;
- responses: the edges' error body (`Status`, with `code` the HTTP status and `status` the gRPC
  code's name) for every standard 4xx/5xx, HttpBody methods in their own media types, the change
  feed as a string of JSON lines (`_media`);
- the bearer security scheme, with the public operations (edge/render.py PUBLIC_REST_PATHS) exempt;
- no unused schema, operation ids without protoc-gen-openapiv2's numeric suffixes.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from edge.render import PUBLIC_REST_PATHS

OPENAPI_VERSION = "3.1.0"
TITLE = "ERP API"
BEARER = "Bearer"
INFO_DESCRIPTION = (
    "REST face of the ERP gRPC services, transcoded by the edge (Envoy or the Go gateway). Log in with "
    "`POST /api/auth/login/`, then send `Authorization: Bearer <access_token>` (in the docs pages: "
    "press **Authorize** and enter the token).\n\n"
    "Errors always have the body `{\"code\": <http status>, \"status\": \"<gRPC code>\", "
    "\"message\": \"...\", \"details\": [...]}` with `google.rpc` details; 429 and lockouts carry `Retry-After`.")

# The standard error responses (DESIGN.md, Errors): HTTP status -> (component name, description).
ERRORS = {
    "400": ("BadRequest", "INVALID_ARGUMENT (a malformed or invalid field, `BadRequest` details) or "
                          "FAILED_PRECONDITION (protected children, a role in use; `PreconditionFailure`)."),
    "401": ("Unauthenticated", "UNAUTHENTICATED: no, an invalid, expired or revoked token, or bad credentials."),
    "403": ("PermissionDenied", "PERMISSION_DENIED: the token lacks the permission the operation needs."),
    "404": ("NotFound", "NOT_FOUND: an unknown id or route."),
    "409": ("Conflict", "ALREADY_EXISTS (a duplicate name) or ABORTED (a stale `etag`)."),
    "429": ("TooManyRequests", "RESOURCE_EXHAUSTED: a rate limit or a lockout; `Retry-After` and `RetryInfo` "
                               "say when to try again."),
    "500": ("InternalError", "INTERNAL or UNKNOWN: a fault of the service."),
    "503": ("Unavailable", "UNAVAILABLE: a service or its database is down; safe to retry after `Retry-After`."),
    "504": ("DeadlineExceeded", "DEADLINE_EXCEEDED: the service did not answer in time."),
    "default": ("Error", "Any other error the edge maps from a gRPC status (405, 413, 415, 501, ...): the same body."),
}
# Which of them an operation can answer: reads cannot conflict, public operations need no permission.
READ_ONLY_ERRORS = ("400", "401", "403", "404", "429", "500", "503", "504", "default")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "429", "500", "503", "504", "default")
UPDATE_MASK_DESCRIPTION = (
    "The fields to change, comma-separated (`name,code`): a field named here and absent from the body is "
    "cleared. Without it, the fields present in the body with a non-default value change.")
# Swagger 2.0 parameter keys that OpenAPI 3 moves into the parameter's schema.
SCHEMA_KEYS = ("type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
               "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems")


def convert(swagger: dict, public_paths: tuple[str, ...] = PUBLIC_REST_PATHS) -> dict:
    """The OpenAPI 3.1 document for `swagger` (protoc-gen-openapiv2's merged output)."""
    schemas = {name: _schema(definition) for name, definition in swagger.get("definitions", {}).items()}
    status = schemas["Status"]
    status["properties"]["code"] = {"type": "integer", "format": "int32", "description": "The HTTP status code."}
    status["properties"]["status"] = {"type": "string", "description": "The gRPC status name, e.g. NOT_FOUND."}
    status["required"] = ["code", "status", "message", "details"]
    paths: dict[str, dict] = {}
    for path, operations in swagger["paths"].items():
        target = paths.setdefault(_seed_path(path), {})
        for method, operation in operations.items():
            if method in target:
                raise ValueError(f"two operations for {method.upper()} {_seed_path(path)}")
            public = path.rstrip("/") in public_paths
            target[method] = _operation(method, operation, schemas, public, swagger.get("produces", []))
    out = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": TITLE, "version": "v1", "description": INFO_DESCRIPTION},
        "servers": [{"url": "/", "description": "The edge that serves this document (Envoy or the Go gateway)."}],
        "security": [{BEARER: []}],
        # Log in first: AuthService leads the pages, the rest keep the generated order.
        "tags": sorted(swagger.get("tags", []), key=lambda tag: tag.get("name") != "AuthService"),
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {BEARER: {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "The `access_token` of `POST /api/auth/login/` (or of an API key exchanged at "
                               "`POST /api/auth/token/`)."}},
            "responses": {name: {"description": description,
                                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}
                          for name, description in ERRORS.values()},
            "schemas": schemas,
        },
    }
    out["components"]["responses"]["TooManyRequests"]["headers"] = {"Retry-After": {
        "description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}
    out["components"]["schemas"] = dict(sorted(_used(out, schemas).items()))
    return out


def _seed_path(path: str) -> str:
    """`/api/master/countries/{country.id}` -> `/api/master/countries/{id}/`: the seed's trailing slash
    unless the last segment is a file name (`export.csv`, `jwks.json`), and a plain parameter name."""
    path = re.sub(r"{([\w.]+)}", lambda m: "{" + m.group(1).rsplit(".", 1)[-1] + "}", path)
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return path if path.endswith("/") or ("." in last and not last.startswith("{")) else path + "/"


def _schema(node):
    """A Swagger 2.0 schema as OpenAPI 3.1 has it: components refs, no siblings beside `$ref` but its
    description, no `title` (generators would name classes after a sentence)."""
    if isinstance(node, list):
        return [_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = {"$ref": node["$ref"].replace("#/definitions/", "#/components/schemas/")}
        if "description" in node:
            ref["description"] = node["description"]
        return ref
    out = {}
    for key, value in node.items():
        if key == "title":
            continue
        if key == "properties":
            out[key] = {name: _schema(prop) for name, prop in value.items()}
        else:
            out[key] = _schema(value)
    return out


FORM = "application/x-www-form-urlencoded"


def _operation(method: str, operation: dict, schemas: dict, public: bool, produces: list[str]) -> dict:
    out = {key: operation[key] for key in ("summary", "description", "tags") if key in operation}
    out["operationId"] = _operation_id(method, operation["operationId"])
    parameters = []
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "body":
            out["requestBody"] = _request_body(method, parameter, schemas, operation.get("consumes", []))
        else:
            parameters.append(_parameter(parameter))
    if method == "patch" and not any(p["name"] == "update_mask" for p in parameters):
        parameters.append({"name": "update_mask", "in": "query", "required": False,
                           "description": UPDATE_MASK_DESCRIPTION, "schema": {"type": "string"}})
    if parameters:
        out["parameters"] = parameters
    if public:
        out["security"] = []
    media = [m for m in operation.get("produces", produces) if m != "application/json"] or ["application/json"]
    responses = {}
    for code, response in operation["responses"].items():
        if code == "default":
            continue
        body = {"description": response["description"]}
        if "schema" in response:
            body["content"] = {media[0]: _media(media[0], _schema(response["schema"]))}
        responses[code] = body
    codes = READ_ONLY_ERRORS if method == "get" else WRITE_ERRORS
    for code in codes:
        if public and code == "403":
            continue
        responses[code] = {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
    out["responses"] = responses
    return out


def _media(media_type: str, schema: dict) -> dict:
    """A response body. A stream of JSON lines (the change feed) is a string to a client generator,
    read line by line; `contentSchema` is the schema of each line (OpenAPI 3.2's `itemSchema`, which
    3.1 lacks)."""
    if media_type != "application/x-ndjson":
        return {"schema": schema}
    return {"schema": {"type": "string", "contentMediaType": media_type, "contentSchema": schema,
                       "description": "Newline-delimited JSON: every line is one contentSchema."}}


def _operation_id(method: str, operation_id: str) -> str:
    """protoc-gen-openapiv2 numbers a method's second binding (`RoleService_UpdateRole2`); name it
    after its HTTP method instead (`RoleService_UpdateRolePatch`), which generators turn into names."""
    base = re.sub(r"\d+$", "", operation_id)
    return operation_id if base == operation_id else base + method.capitalize()


def _parameter(parameter: dict) -> dict:
    out = {"name": parameter["name"].rsplit(".", 1)[-1] if parameter["in"] == "path" else parameter["name"],
           "in": parameter["in"], "required": parameter.get("required", False)}
    if "description" in parameter:
        out["description"] = parameter["description"]
    out["schema"] = _schema({key: parameter[key] for key in SCHEMA_KEYS if key in parameter})
    if parameter.get("collectionFormat") == "multi":
        out["style"], out["explode"] = "form", True
    return out


def _request_body(method: str, parameter: dict, schemas: dict, consumes: list[str]) -> dict:
    """The body; an inline PUT or PATCH body becomes `<Message>Replace` or `<Message>Patch` (the
    message named by the body field, e.g. `country` -> `CountryReplace`), a PATCH one with nothing required.
    An HTML form (`consumes: [application/x-www-form-urlencoded]` in protos/openapiv2.yaml) reaches
    the service raw in a google.api.HttpBody; its fields are named in the field's description."""
    if FORM in consumes:
        body = {"required": True, "content": {FORM: {"schema": {
            "type": "object", "additionalProperties": {"type": "string"}}}}}
        if "description" in parameter:
            body["description"] = parameter["description"]
        return body
    schema = _schema(parameter["schema"])
    if "$ref" not in schema:
        message = "".join(part.capitalize() for part in parameter["name"].split("_"))
        name = message + ("Patch" if method == "patch" else "Replace")
        if method == "patch":
            schema.pop("required", None)
        if name in schemas and schemas[name] != schema:
            raise ValueError(f"two request bodies named {name}")
        schemas[name] = schema
        schema = {"$ref": f"#/components/schemas/{name}"}
    body = {"required": parameter.get("required", False), "content": {"application/json": {"schema": schema}}}
    if "description" in parameter:
        body["description"] = parameter["description"]
    return body


def _used(document: dict, schemas: dict) -> dict:
    """The schemas some operation reaches (protoc-gen-openapiv2 also lists e.g. HttpBody and NullValue)."""
    seen: set[str] = set()
    pending = [document["paths"], document["components"]["responses"]]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] not in seen:
                name = ref.rsplit("/", 1)[1]
                seen.add(name)
                pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return {name: schema for name, schema in schemas.items() if name in seen}


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    document = convert(json.loads(source.read_text()))
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
