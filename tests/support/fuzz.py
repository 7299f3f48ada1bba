"""What the fuzz tests share: the schema under test, the checks, the example budget, and the guard that
keeps the run's own accounts out of the fuzzer's reach."""
from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass

import jsonschema_rs
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import ADMIN_PASSWORD, ROOT
from tests.support.http import Http

OPENAPI = ROOT / "gen" / "openapi" / "erp.openapi.json"

# Examples per operation. `make test` runs the small default, derandomized so every run sends the same
# cases; `make fuzz` sets ERP_FUZZ_EXAMPLES and draws new cases each run (a failure prints its seed).
DEFAULT_EXAMPLES = 5
EXAMPLES = int(os.environ.get("ERP_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
DERANDOMIZE = "ERP_FUZZ_EXAMPLES" not in os.environ
REQUEST_TIMEOUT = 10.0  # seconds without a byte from the edge: a hang fails the case

# For the closing summary: (edge, run, operation label) -> cases sent; (edge, run, "2xx") -> answers;
# edge -> stateful scenarios run.
CASES: Counter = Counter()
ANSWERS: Counter = Counter()
SCENARIOS: Counter = Counter()


def count(edge: str, run: str, case, response) -> None:
    CASES[(edge, run, case.operation.label)] += 1
    ANSWERS[(edge, run, f"{response.status_code // 100}xx")] += 1


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)

# Operations that act on the caller's own session or MFA: they run as a second administrator with a
# fresh token each time, so they never end the session every other case uses.
OWN_SESSION_OPERATIONS = {
    "POST /api/auth/logout/", "POST /api/auth/logout-all/",
    "POST /api/auth/mfa/enroll/", "POST /api/auth/mfa/confirm/", "POST /api/auth/mfa/disable/",
}
CHANGE_FEED = "GET /api/master/changes/"
# One row per master collection, parents first, so that the change feed has a change of every entity:
# (collection, the parent link it needs, the link its children use).
SEED_ROWS = (
    ("continents", None, "continent_id"), ("countries", "continent_id", "country_id"),
    ("states", "country_id", "state_id"), ("districts", "state_id", "district_id"),
    ("cities", "district_id", "city_id"), ("zones", "city_id", "zone_id"), ("wards", "zone_id", None),
    ("plants", "city_id", "plant_id"), ("sites", "plant_id", None), ("equipment-types", None, None),
)


# DESIGN.md's error table: the HTTP status of every gRPC code (the standard google.rpc.Code mapping).
HTTP_STATUS_OF = {
    "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ALREADY_EXISTS": 409, "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429, "CANCELLED": 499, "UNKNOWN": 500, "INTERNAL": 500, "DATA_LOSS": 500,
    "UNIMPLEMENTED": 501, "UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504,
}


def error_body_conformance(ctx, response, case) -> None:
    """Every error is DESIGN.md's body: {"code": <this HTTP status>, "status": <the gRPC code the
    table maps to it>, "message": str, "details": [{"@type": ...}, ...]}. The contract's `Status`
    allows any integer code and leaves `status` out, so the schema check alone would let a wrong
    code, a missing status or an HTML error page's JSON cousin through."""
    if response.status_code < 400:
        return
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"code", "status", "message", "details"}, body
    assert body["code"] == response.status_code, body
    assert HTTP_STATUS_OF.get(body["status"]) == response.status_code, body
    assert isinstance(body["message"], str), body
    assert isinstance(body["details"], list), body
    assert all(isinstance(d, dict) and isinstance(d.get("@type"), str) for d in body["details"]), body


def change_feed_conformance(spec: dict):
    """The change feed's 200 is a stream in one framing at both edges (README, Clients): one
    WatchChangesResponse per line (application/x-ndjson), or a last {"error": Status} line. The
    document's schema is one line's, so this check validates every streamed line."""
    components = {"schemas": spec["components"]["schemas"]}
    line = jsonschema_rs.Draft202012Validator({"components": components, "oneOf": [
        {"$ref": "#/components/schemas/WatchChangesResponse"},
        {"type": "object", "additionalProperties": False, "required": ["error"],
         "properties": {"error": {"$ref": "#/components/schemas/Status"}}}]})

    def check(ctx, response, case) -> None:
        if response.status_code != 200:
            return
        lines = [json.loads(raw) for raw in response.text.splitlines() if raw.strip()]
        assert lines, response.text
        for message in lines:
            line.validate(message)

    check.__name__ = "change_feed_conformance"
    return check


def checks_for(case, spec: dict) -> list:
    """No 5xx, a documented status code, content type and body, DESIGN.md's error body; the change
    feed's streamed body is validated message by message (change_feed_conformance says why)."""
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, error_body_conformance]
    if case.operation.label == CHANGE_FEED:
        return [*checks, change_feed_conformance(spec)]
    return [*checks, response_schema_conformance]


def load_schema():
    """gen/openapi as schemathesis reads it (see `adapted`), with the links of LINKS only."""
    schema = schemathesis.openapi.from_dict(adapted(load_spec()))
    # schemathesis would also infer links by matching field names, e.g. a ward's `zone_id` to
    # GET /api/master/zones/{id}; an optional link is "" when unset, and following it requests
    # /api/master/zones/, the list. Only the links below, whose ids always exist, are followed.
    schema.config.phases.stateful.inference.algorithms = []
    # Scenarios build on what their steps made, so their steps are valid requests; the stateless run
    # sends the invalid ones.
    schema.config.phases.stateful.generation.update(modes=["positive"])
    return schema


def load_spec() -> dict:
    return json.loads(OPENAPI.read_text())


# The master collections and the parent link their create takes (children are created under a parent
# the scenario just made).
MASTER_PARENTS = {
    "continents": None, "countries": ("continents", "continent_id"), "states": ("countries", "country_id"),
    "districts": ("states", "state_id"), "cities": ("districts", "district_id"), "zones": ("cities", "city_id"),
    "wards": ("zones", "zone_id"), "plants": ("cities", "city_id"), "sites": ("plants", "plant_id"),
    "equipment-types": None,
}


def _links(paths: dict) -> list[tuple[str, str, str, dict]]:
    """(source path, source method, target operationId, link fields) for every link of the run."""
    def op(path: str, method: str) -> str:
        return paths[path][method]["operationId"]

    links = []
    for collection in ("/api/auth/roles/", "/api/auth/users/", *(f"/api/master/{c}/" for c in MASTER_PARENTS)):
        by_id = f"{collection}{{id}}/"
        row = {"parameters": {"id": "$response.body#/id"}}
        for source in (("post", collection), ("delete", by_id)):
            links += [(source[1], source[0], op(by_id, "get"), row), (source[1], source[0], op(by_id, "delete"), row)]
            if f"{by_id}undelete/" in paths:
                links.append((source[1], source[0], op(f"{by_id}undelete/", "post"), row))
            for method in ("put", "patch"):
                # The row's own etag, so that an edit can get past the optimistic-concurrency check.
                edit_link = dict(row)
                if collection.startswith("/api/master/"):
                    edit_link["requestBody"] = {"etag": "$response.body#/etag"}
                links.append((source[1], source[0], op(by_id, method), edit_link))
    for child, parent in MASTER_PARENTS.items():
        if parent:
            parent_collection, field = parent
            links.append((f"/api/master/{parent_collection}/", "post", op(f"/api/master/{child}/", "post"),
                          {"requestBody": {field: "$response.body#/id"}}))
    links += [
        ("/api/auth/roles/", "post", op("/api/auth/group-permissions/", "post"),
         {"requestBody": {"group_id": "$response.body#/id"}}),
        ("/api/auth/roles/", "post", op("/api/auth/group-permissions/by-group/{group_id}/", "get"),
         {"parameters": {"group_id": "$response.body#/id"}}),
        ("/api/auth/api-keys/", "post", op("/api/auth/api-keys/{id}/", "delete"),
         {"parameters": {"id": "$response.body#/api_key/id"}}),
        ("/api/auth/api-keys/", "post", op("/api/auth/token/", "post"),
         {"requestBody": {"grant_type": "client_credentials", "api_key": "$response.body#/secret"}}),
        ("/api/auth/login/", "post", op("/api/auth/refresh/", "post"),
         {"requestBody": {"refresh_token": "$response.body#/refresh_token"}}),
    ]
    return links


def adapted(spec: dict) -> dict:
    """gen/openapi with two additions that leave every request on the wire as the contract describes it:

    - Links (`_links`) for the stateful run: from a create (or a delete) to the reads, edits, deletes
      and undeletes of that row, from a parent to its children's creates, from an API key to its
      exchange. They steer this run's scenarios (fixed field values such as `grant_type`), so they
      live here rather than in the published contract.
    - `additionalProperties: false` on every message (`_closed`): both edges read a body as proto3
      JSON, which refuses a field the message lacks with 400, and print only the message's fields.
      protoc-gen-openapiv2's options cannot say so (its JSONSchema has no additionalProperties), and
      without it a third of the scenarios' creates carried an unknown field.
    """
    for name, schema in spec["components"]["schemas"].items():
        if name != "Status":  # the edges' error body adds `status` (error_body_conformance)
            _closed(schema)
    paths = spec["paths"]
    for source_path, method, target, fields in _links(paths):
        links = paths[source_path][method]["responses"]["200"].setdefault("links", {})
        links[f"{target}{len(links)}"] = {"operationId": target, **fields}
    return spec


def _closed(schema: dict) -> None:
    """Marks a message's schema as having no fields but its own; `Any` and `Struct`-like objects,
    which say `additionalProperties` themselves, stay as they are."""
    if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
        schema["additionalProperties"] = False


def _as_int(value) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


@dataclass
class Guard:
    """The run's accounts: `admin` sends every case; `operator`, a second administrator, is logged in
    afresh for the operations that end its own session; `victim` is the user that cases aimed at
    either of them hit instead."""

    http: Http
    token: str
    protected_ids: frozenset[int]
    victim_id: int

    @classmethod
    def set_up(cls, http: Http) -> "Guard":
        login = http.login()
        token = login["access_token"]
        status, _, roles = http.get("/api/auth/roles/?search=administrators", token=token)
        assert status == 200, roles
        admin_role = next(r["id"] for r in roles["roles"] if r["name"] == "administrators")
        ids = {}
        for name, role_ids in (("fuzz-operator", [admin_role]), ("fuzz-victim", [])):
            status, _, user = http.post("/api/auth/users/", {
                "username": name, "password": ADMIN_PASSWORD, "email": f"{name}@example.com",
                "role_ids": role_ids}, token=token)
            assert status == 200, user
            ids[name] = user["id"]
        parents: dict[str, str] = {}
        for collection, parent_link, child_link in SEED_ROWS:
            body = {"name": f"fuzz seed {uuid.uuid4().hex[:8]}"}
            if parent_link:
                body[parent_link] = parents[parent_link]
            status, _, row = http.post(f"/api/master/{collection}/", body, token=token)
            assert status == 200, (collection, row)
            if child_link:
                parents[child_link] = row["id"]
        return cls(http, token, frozenset({login["user"]["id"], ids["fuzz-operator"]}), ids["fuzz-victim"])

    def headers_for(self, case) -> dict[str, str]:
        """Steers `case` away from the run's own accounts and returns the headers to send it with."""
        label = f"{case.method.upper()} {case.path}"
        for name in ("id", "user_id"):
            if label.startswith(("PUT /api/auth/users/", "PATCH /api/auth/users/", "DELETE /api/auth/users/")) \
                    and name in (case.path_parameters or {}):
                if _as_int(case.path_parameters[name]) in self.protected_ids:
                    case.path_parameters[name] = self.victim_id
        if label == "POST /api/auth/logout-all" and isinstance(case.body, dict) \
                and _as_int(case.body.get("user_id")) in self.protected_ids:
            case.body["user_id"] = self.victim_id
        if label == CHANGE_FEED:
            self._bound_change_feed(case)
        token = self.token
        if label in OWN_SESSION_OPERATIONS:
            token = self.http.login("fuzz-operator")["access_token"]
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def _bound_change_feed(case) -> None:
        """The feed follows new changes until the client leaves when `max_changes` is 0, and waits for
        changes after `cursor`: both by design. A valid request is bounded to the first change of the
        feed (every entity has one, see SEED_ROWS); an invalid value is sent as drawn and must be refused."""
        query = case.query if isinstance(case.query, dict) else {}
        cursor, max_changes = query.get("cursor"), query.get("max_changes")
        if cursor is None or (_as_int(cursor) is not None and _as_int(cursor) >= -1):
            query["cursor"] = "0"
        if max_changes is None or (_as_int(max_changes) is not None and _as_int(max_changes) >= 0):
            query["max_changes"] = 1
        case.query = query
