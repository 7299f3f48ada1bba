"""Hostile input through both edges (Envoy and the Go gateway), table by table: oversize fields and
arrays, deep JSON, wrong JSON types, unicode edge cases and confusable names, injection strings,
list parameters, ids, etags and forged JWTs. Every refusal is a 4xx JSON error
{code, status, message, details} that names what is wrong and shows nothing of the implementation;
no refused write leaves a row behind, and every accepted value reads back exactly as the policy
says (erp_common/text.py). Cases the older suites already cover (stale etag, 1 MiB body, unknown
kid, expired, wrong issuer/audience, refresh as access) are not repeated here."""
from __future__ import annotations

import base64
import json
import re
import time
import unicodedata
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any, Optional

import pytest

from tests.support.hostile import INTERNAL_MARKERS, REFUSED_TOKENS, Forger, b64, claims

pytestmark = pytest.mark.e2e

PASSWORD = "Hostile-Rest-Passw0rd!"


def tag() -> str:
    return uuid.uuid4().hex[:8]


def camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(w.title() for w in rest)


def assert_error(response, http: int, status: str, field: Optional[str] = None, says: Optional[str] = None) -> dict:
    """The DESIGN.md error body; `field` must be named by a BadRequest violation (a service's
    refusal) or by the message (an edge's JSON parse error: grpc-gateway uses JSON names)."""
    code, headers, body = response
    assert code == http, (code, body)
    assert headers.get("content-type", "").startswith("application/json"), (headers, body)
    assert isinstance(body, dict) and set(body) >= {"code", "status", "message", "details"}, body
    assert (body["code"], body["status"]) == (http, status), body
    message = body["message"]
    assert isinstance(message, str) and message.strip() and isinstance(body["details"], list), body
    assert len(message.encode()) <= 2048, f"{len(message)} characters of message"
    text = json.dumps(body).lower()
    assert not any(marker in text for marker in INTERNAL_MARKERS), body
    if field is not None:
        violated = {v["field"] for d in body["details"] if d.get("@type", "").endswith("BadRequest")
                    for v in d["field_violations"]}
        assert field in violated or field in message or camel(field) in message, (field, body)
    if says is not None:
        assert re.search(says, message, re.IGNORECASE), (says, body)
    return body


def ok(response) -> dict:
    status, _, body = response
    assert status == 200, body
    return body


def total(edge, token: str, path: str) -> int:
    return ok(edge.get(path, token=token))["total_size"]


# What a refused write to each collection could have added to, counted before and after.
COUNTED = {"/api/master/continents/": "/api/master/continents/?show_deleted=true&page_size=1",
           "/api/master/plants/": "/api/master/plants/?show_deleted=true&page_size=1",
           "/api/master/equipment-types/": "/api/master/equipment-types/?show_deleted=true&page_size=1",
           "/api/master/states/": "/api/master/states/?show_deleted=true&page_size=1",
           "/api/auth/users/": "/api/auth/users/?page_size=1", "/api/auth/roles/": "/api/auth/roles/?page_size=1"}
COUNTED["continents"] = COUNTED["/api/master/continents/"]


def written(edge, token: str, path: str, role: dict):
    """The state a refused write to `path` must leave as it was."""
    if path in COUNTED:
        return total(edge, token, COUNTED[path])
    if path == "/api/auth/api-keys/":
        return len(ok(edge.get("/api/auth/api-keys/?show_revoked=true", token=token))["api_keys"])
    return ok(edge.get(f"/api/auth/group-permissions/by-group/{role['id']}/", token=token))["permissions"]


@pytest.fixture(scope="module")
def role(edge, admin_token) -> dict:
    """A role of this module, for the group-permission routes (the administrators role is protected)."""
    return ok(edge.post("/api/auth/roles/", {"name": f"Hostile {tag()}"}, token=admin_token))


# --- refused writes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Write:
    path: str                  # "{role}" is this module's role id
    body: Any = None           # JSON, or bytes sent as they are
    field: Optional[str] = None
    says: Optional[str] = None
    status: str = "INVALID_ARGUMENT"
    http: int = 400
    method: str = "POST"


def _deep(levels: int, opener: str, closer: str, inner: str = "1") -> bytes:
    return f'{{"name": "deep", "description": {opener * levels}{inner}{closer * levels}}}'.encode()


def _ids(n: int) -> list[int]:
    return list(range(1, n + 1))


C, P, E, S = "/api/master/continents/", "/api/master/plants/", "/api/master/equipment-types/", "/api/master/states/"
U, R, K, G = "/api/auth/users/", "/api/auth/roles/", "/api/auth/api-keys/", "/api/auth/group-permissions/"


def user(**fields) -> dict:
    return {"username": f"hostile_{tag()}", "password": PASSWORD, **fields}


REFUSED_WRITES = {
    # single fields over their maximum (the database would refuse or cut them; the policy says first)
    "name_201_chars": Write(C, {"name": "n" * 201}, "name", "200 characters"),
    "name_201_emoji": Write(C, {"name": "🌍" * 201}, "name", "200 characters"),
    "code_51_chars": Write(C, {"name": "c", "code": "c" * 51}, "code", "50 characters"),
    "description_10001_chars": Write(C, {"name": "d", "description": "d" * 10001}, "description", "10000"),
    "address_10001_chars": Write(P, {"name": "a", "address": "a" * 10001}, "address", "10000"),
    "category_101_chars": Write(E, {"name": "e", "category": "c" * 101}, "category", "100 characters"),
    "subdivision_code_11_chars": Write(S, {"name": "s", "subdivision_code": "s" * 11}, "subdivision_code"),
    "username_151_chars": Write(U, user(username="u" * 151), "username", "150 characters"),
    "password_73_bytes": Write(U, user(password="Aa1-" + "x" * 69), "password", "72 bytes"),
    "password_19_emoji_is_76_bytes": Write(U, user(password="🔑" * 19), "password", "72 bytes"),
    "email_255_chars": Write(U, user(email="a" * 246 + "@mail.com"), "email"),
    "first_name_151_chars": Write(U, user(first_name="f" * 151), "first_name", "150 characters"),
    "last_name_151_chars": Write(U, user(last_name="l" * 151), "last_name", "150 characters"),
    "role_name_151_chars": Write(R, {"name": "r" * 151}, "name", "150 characters"),
    "role_description_10001_chars": Write(R, {"name": "r", "description": "d" * 10001}, "description"),
    "api_key_name_151_chars": Write(K, {"name": "k" * 151, "scopes": ["master_continent_read"]}, "api_key.name"),
    # arrays: bounded before they become a 100k-row query or a 100k-id error message
    "role_ids_101_distinct": Write(U, user(role_ids=_ids(101)), "role_ids", "at most 100"),
    "permission_ids_1001": Write(G, {"group_id": "{role}", "permission_ids": _ids(1001)}, "permission_ids"),
    "permission_ids_100000": Write(G, {"group_id": "{role}", "permission_ids": _ids(100_000)}, "permission_ids"),
    "scopes_1001": Write(K, {"name": "k", "scopes": [f"scope_{i}" for i in range(1001)]}, "api_key.scopes"),
    # nesting: both edges stop at their depth limit
    "json_10k_nested_arrays": Write(C, _deep(10_000, "[", "]"), says="deep|depth"),
    "json_10k_nested_objects": Write(C, _deep(10_000, '{"a":', "}"), says="deep|depth"),
    # wrong JSON types for every kind of field
    "string_field_given_a_number": Write(C, {"name": 5}, "name"),
    "string_field_given_a_bool": Write(C, {"name": True}, "name"),
    "string_field_given_a_float": Write(C, {"name": 1.5}, "name"),
    "string_field_given_an_object": Write(C, {"name": {"first": "x"}}, "name"),
    "string_field_given_null": Write(C, {"name": None}, "name", "required"),
    "bool_field_given_a_number": Write(C, {"name": "b", "is_active": 0}, "is_active"),
    "bool_field_given_an_object": Write(C, {"name": "b", "is_active": {}}, "is_active"),
    "double_field_given_a_string": Write(P, {"name": "p", "latitude": "north"}, "latitude"),
    "double_field_given_an_object": Write(P, {"name": "p", "latitude": {}}, "latitude"),
    "double_field_nan": Write(P, {"name": "p", "latitude": "NaN"}, "latitude", "between"),
    "double_field_infinity": Write(P, {"name": "p", "longitude": "-Infinity"}, "longitude", "between"),
    "double_field_1e400": Write(P, b'{"name": "p", "latitude": 1e400}', says="range|latitude"),
    "int_field_given_a_string": Write(G, {"group_id": "one", "permission_ids": [1]}, "group_id"),
    "int_field_given_a_float": Write(G, {"group_id": 1.5, "permission_ids": [1]}, "group_id"),
    "int32_field_given_2_pow_31": Write(G, {"group_id": 2 ** 31, "permission_ids": [1]}, "group_id"),
    "int32_field_given_2_pow_63": Write(G, {"group_id": "{role}", "permission_ids": [2 ** 63]}, "permission_ids"),
    "int_list_given_a_bool": Write(U, user(role_ids=[True]), "role_ids"),
    "top_level_a_string": Write(C, b'"continent"', says="continent|token"),
    "top_level_a_number": Write(C, b"42", says="continent|token"),
    # unicode the policy refuses (erp_common/text.py)
    "name_with_nul": Write(C, {"name": "nul\x00byte"}, "name", "U\\+0000"),
    "name_with_bell": Write(C, {"name": "bell\x07"}, "name", "U\\+0007"),
    "name_with_unit_separator": Write(C, {"name": "a\x1fb"}, "name", "U\\+001F"),
    "name_with_del": Write(C, {"name": "a\x7fb"}, "name", "U\\+007F"),
    "name_with_c1_next_line": Write(C, {"name": "a\x85b"}, "name", "U\\+0085"),
    "name_with_rtl_override": Write(C, {"name": "evil\u202egnp.exe"}, "name", "U\\+202E"),
    "name_with_bidi_isolate": Write(C, {"name": "a\u2066b"}, "name", "U\\+2066"),
    "name_with_zero_width_space": Write(C, {"name": "Fr\u200bance"}, "name", "U\\+200B"),
    "name_with_bom": Write(C, {"name": "\ufeffFrance"}, "name", "U\\+FEFF"),
    "code_with_tab": Write(C, {"name": "c", "code": "A\tB"}, "code", "U\\+0009"),
    "description_with_nul": Write(C, {"name": "d", "description": "a\x00b"}, "description", "U\\+0000"),
    "description_with_escape": Write(C, {"name": "d", "description": "\x1b[31mred"}, "description", "U\\+001B"),
    "address_with_nul": Write(P, {"name": "a", "address": "1 Main St\x00"}, "address"),
    "username_with_nul": Write(U, user(username="nul\x00user"), "username"),
    "username_with_rtl_override": Write(U, user(username="admin\u202e"), "username"),
    "username_mixing_cyrillic_and_latin": Write(U, user(username="аdmin_x"), "username", "Cyrillic and Latin"),
    "username_mixing_greek_and_latin": Write(U, user(username="ΑΒC_user"), "username", "Greek and Latin"),
    "email_with_nul": Write(U, user(email="a\x00b@example.com"), "email"),
    "first_name_with_rtl_override": Write(U, user(first_name="Ann\u202e"), "first_name", "U\\+202E"),
    "password_with_nul": Write(U, user(password="Passw0rd-\x00-x"), "password", "control"),
    "role_name_with_nul": Write(R, {"name": "ops\x00"}, "name", "U\\+0000"),
    "role_description_with_bell": Write(R, {"name": "r", "description": "\x07"}, "description"),
    "api_key_name_with_zero_width_space": Write(K, {"name": "etl\u200b", "scopes": ["master_continent_read"]},
                                                "api_key.name"),
    # Envoy says "Missing low surrogate"; grpc-gateway's protojson only "unexpected EOF".
    "json_lone_surrogate": Write(C, b'{"name": "x\\ud800y"}', says="surrogate|escape|utf|eof"),
    "invalid_utf8_bytes": Write(C, b'{"name": "x\xff\xfey"}', says="utf"),
}


@pytest.mark.parametrize("case", list(REFUSED_WRITES.values()), ids=list(REFUSED_WRITES))
def test_refused_write_is_a_clear_4xx_and_leaves_no_row(edge, admin_token, role, case):
    before = written(edge, admin_token, case.path, role)
    if isinstance(case.body, bytes):
        raw = case.body
    else:
        raw = json.dumps(case.body).replace('"{role}"', str(role["id"])).encode()
    assert_error(edge.request(case.method, case.path, raw=raw, token=admin_token), case.http, case.status,
                 case.field, case.says)
    assert written(edge, admin_token, case.path, role) == before


# --- accepted values read back as the policy says ---------------------------------------------------

NFD_COTE = unicodedata.normalize("NFD", "Côte d'Ivoire")
ZALGO = "Z\u0334\u0321a\u0336l\u0337g\u0338o"
FAMILY = "\U0001F469\u200d\U0001F469\u200d\U0001F467"  # one emoji: woman ZWJ woman ZWJ girl
ACCEPTED = {
    # (collection, field, value sent, value stored); "~" is replaced by a unique tag
    "name_4_byte_emoji_and_flags": ("continents", "name", "Planet 🌍🇫🇷 ~", None),
    "name_zwj_emoji_sequence": ("continents", "name", f"Family {FAMILY} ~", None),
    "name_combining_marks": ("continents", "name", f"{ZALGO} ~", unicodedata.normalize("NFC", f"{ZALGO} ~")),
    "name_nfd_stored_nfc": ("continents", "name", f"{NFD_COTE} ~", "Côte d'Ivoire ~"),
    "name_tab_and_newline_collapse": ("continents", "name", "  Tab\tand\nnewline   ~ ", "Tab and newline ~"),
    "name_arabic_and_hebrew": ("continents", "name", "القاهرة תל אביב ~", None),
    "name_cjk_and_supplementary_plane": ("continents", "name", "東京 𠮷野家 ~", None),
    "name_exactly_200_chars": ("continents", "name", "~" + "x" * 192, None),
    "description_free_text_kept_byte_for_byte": (
        "continents", "description", f"Line 1\r\n\tLine 2 🌍 {NFD_COTE} \u202eevil {ZALGO} ~", None),
    "description_exactly_10000_chars": ("continents", "description", "~" + "d" * 9992, None),
    "address_multiline": ("plants", "address", "1 Main St\nFloor 2 🏭 ~", None),
    "role_name_emoji": ("roles", "name", "Ops 🛠 ~", None),
    "user_first_name_emoji_and_accents": ("users", "first_name", "Zoë 🙂 ~", None),
    "username_unicode_letters": ("users", "username", "josé_~", None),
    "username_fullwidth_stored_nfkc": ("users", "username", "ｊｏｈｎ_~", "john_~"),
    "password_exactly_72_bytes": ("users", "password", "Aa1-" + "x" * 68, None),
}


def _create(edge, token: str, collection: str, field: str, value: str) -> dict:
    marker = tag()
    if collection == "users":
        body = user(**{field: value})
        body.setdefault("username", f"hostile_{marker}")
    elif collection == "roles":
        body = {"name": f"Role {marker}", field: value}
    else:
        body = {"name": f"Row {marker}", field: value}
    base = "/api/auth/" if collection in ("users", "roles") else "/api/master/"
    return ok(edge.post(f"{base}{collection}/", body, token=token)), body


@pytest.mark.parametrize("collection,field,sent,stored", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_accepted_value_reads_back_as_stored(edge, admin_token, collection, field, sent, stored):
    marker = tag()
    sent = sent.replace("~", marker)
    expected = (stored or sent).replace("~", marker)
    created, body = _create(edge, admin_token, collection, field, sent)
    base = "/api/auth/" if collection in ("users", "roles") else "/api/master/"
    fetched = ok(edge.get(f"{base}{collection}/{created['id']}/", token=admin_token))
    if field == "password":
        assert edge.login(body["username"], sent)["user"]["id"] == created["id"]
        return
    assert created[field] == fetched[field] == expected
    assert fetched[field].encode() == expected.encode()


# --- confusable names and uniqueness --------------------------------------------------------------

UNIQUENESS = {
    # (collection, first, second, status of the second); "~" is a unique tag
    "fullwidth_latin_is_a_duplicate": ("continents", "France ~", "Ｆｒａｎｃｅ ~", 409),
    "case_variant_is_a_duplicate": ("continents", "France ~", "fRANCE ~", 409),
    "sharp_s_and_ss_are_duplicates": ("continents", "Straße ~", "STRASSE ~", 409),
    "nfc_and_nfd_are_duplicates": ("continents", "Côte ~", unicodedata.normalize("NFD", "Côte ~"), 409),
    "ligature_is_a_duplicate": ("continents", "file ~", "ﬁle ~", 409),
    "extra_whitespace_is_a_duplicate": ("continents", "New Delhi ~", "  New \t Delhi   ~ ", 409),
    "accents_count": ("continents", "Côte ~", "Cote ~", 200),
    "cyrillic_look_alike_is_another_name": ("continents", "Paris ~", "Pаris ~", 200),
    "greek_look_alike_is_another_name": ("continents", "Kilo ~", "Κilo ~", 200),
    "username_fullwidth_is_a_duplicate": ("users", "john_~", "ＪＯＨＮ_~", 409),
    "username_sharp_s_is_a_duplicate": ("users", "strasse_~", "Straße_~", 409),
    "username_accent_is_another_user": ("users", "jose_~", "josé_~", 200),
    "role_fullwidth_is_a_duplicate": ("roles", "Ops ~", "ＯＰＳ ~", 409),
    "role_accent_is_another_role": ("roles", "Resume ~", "Résumé ~", 200),
}


@pytest.mark.parametrize("collection,first,second,expected", list(UNIQUENESS.values()), ids=list(UNIQUENESS))
def test_name_uniqueness_policy(edge, admin_token, collection, first, second, expected):
    marker = tag()
    field = "username" if collection == "users" else "name"
    created, _ = _create(edge, admin_token, collection, field, first.replace("~", marker))
    base = "/api/auth/" if collection in ("users", "roles") else "/api/master/"
    body = user(username=second.replace("~", marker)) if collection == "users" else {"name": second.replace("~", marker)}
    response = edge.post(f"{base}{collection}/", body, token=admin_token)
    if expected == 409:
        assert_error(response, 409, "ALREADY_EXISTS")
    else:
        assert ok(response)["id"] != created["id"]


# --- injection strings are data -------------------------------------------------------------------

INJECTIONS = {
    "sql_drop_table": "Robert'); DROP TABLE master_continent;--",
    "sql_or_1_eq_1": '" OR 1=1 --',
    "sql_union_select": "' UNION SELECT password_hash FROM auth_user --",
    "backslashes_and_quotes": "back\\slash \\' \\\" \\\\",
    "like_wildcards": "100% _off_ [a-z]*",
    "html_script": "<script>alert(document.cookie)</script>",
    "html_attribute": '"><img src=x onerror=alert(1)>',
    "template_and_jndi": "{{7*7}} ${jndi:ldap://127.0.0.1/x} %s %n",
}


@pytest.mark.parametrize("value", list(INJECTIONS.values()), ids=list(INJECTIONS))
def test_injection_strings_are_stored_verbatim_and_found_literally(edge, admin_token, value):
    marker = tag()
    name = f"{value} {marker}"
    before = total(edge, admin_token, COUNTED["continents"])
    created = ok(edge.post("/api/master/continents/", {"name": name, "description": value, "code": value[:50]},
                           token=admin_token))
    fetched = ok(edge.get(f"/api/master/continents/{created['id']}/", token=admin_token))
    assert (fetched["name"], fetched["description"], fetched["code"]) == (name, value, value[:50])
    found = ok(edge.get(f"/api/master/continents/?search={urllib.parse.quote(name)}", token=admin_token))
    assert [c["id"] for c in found["continents"]] == [created["id"]]
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    filtered = ok(edge.get(f"/api/master/continents/?filter={urllib.parse.quote('name = ' + quoted)}",
                           token=admin_token))
    assert [c["id"] for c in filtered["continents"]] == [created["id"]]
    role = ok(edge.post("/api/auth/roles/", {"name": f"Role {marker} {value}", "description": value},
                        token=admin_token))
    assert ok(edge.get(f"/api/auth/roles/{role['id']}/", token=admin_token))["description"] == value
    assert total(edge, admin_token, COUNTED["continents"]) == before + 1


@pytest.mark.parametrize("pattern,matches", [("~ 100% off", 1), ("~ 100_ off", 0), ("~ 100%", 1), ("~ 10__", 0)],
                         ids=["percent_and_text", "underscore_is_no_wildcard", "percent_is_no_wildcard",
                              "underscores_are_no_wildcards"])
def test_search_wildcards_are_literal(edge, admin_token, pattern, matches):
    """Unescaped, `_` and `%` would match both rows ("100x off" too)."""
    marker = tag()
    for name in (f"Sale {marker} 100% off", f"Sale {marker} 100x off"):
        ok(edge.post("/api/master/continents/", {"name": name}, token=admin_token))
    needle = urllib.parse.quote(pattern.replace("~", marker))
    assert total(edge, admin_token, f"/api/master/continents/?search={needle}") == matches


# --- list parameters --------------------------------------------------------------------------------

def _token_of(edge, token: str, path: str) -> str:
    page = ok(edge.get(path, token=token))
    assert page["next_page_token"], page
    return page["next_page_token"]


@pytest.fixture(scope="module")
def page_tokens(edge, admin_token) -> dict:
    for n in range(3):
        ok(edge.post("/api/master/continents/", {"name": f"Paged {tag()}"}, token=admin_token))
        ok(edge.post("/api/master/equipment-types/", {"name": f"Paged {tag()}"}, token=admin_token))
        ok(edge.post("/api/auth/roles/", {"name": f"Paged {tag()}"}, token=admin_token))
    return {"continents": _token_of(edge, admin_token, "/api/master/continents/?page_size=1"),
            "equipment-types": _token_of(edge, admin_token, "/api/master/equipment-types/?page_size=1"),
            "roles": _token_of(edge, admin_token, "/api/auth/roles/?page_size=1")}


def _forged_master(pk) -> str:
    return b64({"v": "Paged", "pk": pk, "f": "0" * 12})


REFUSED_QUERIES = {
    "page_size_negative": ("/api/master/continents/?page_size=-1", "page_size"),
    "page_size_not_a_number": ("/api/master/continents/?page_size=fifty", "page_size"),
    "page_size_a_float": ("/api/master/continents/?page_size=1.5", "page_size"),
    "page_size_2_pow_31": ("/api/master/continents/?page_size=2147483648", "page_size"),
    "page_size_2_pow_63": ("/api/master/continents/?page_size=9223372036854775808", "page_size"),
    "roles_page_size_negative": ("/api/auth/roles/?page_size=-5", "page_size"),
    "page_token_garbage": ("/api/master/continents/?page_token=%40%40%40", "page_token"),
    "page_token_truncated": ("/api/master/continents/?page_token={continents:-6}", "page_token"),
    "page_token_base64_of_junk": (f"/api/master/continents/?page_token={b64(b'junk')}", "page_token"),
    "page_token_base64_json_list": (f"/api/master/continents/?page_token={b64([1, 2])}", "page_token"),
    "page_token_pk_a_float_overflow": ("/api/master/continents/?page_token="
                                       + b64(b'{"v": "a", "pk": 1e400, "f": "0"}'), "page_token"),
    "page_token_pk_2_pow_70": (f"/api/master/continents/?page_token={_forged_master(2 ** 70)}", "page_token"),
    "page_token_nested_5000_deep": ("/api/master/continents/?page_token=" + b64(b"[" * 5000 + b"]" * 5000),
                                    "page_token"),
    "page_token_from_another_collection": ("/api/master/continents/?page_size=1&page_token={equipment-types}",
                                           "page_token"),
    "page_token_from_another_filter": ("/api/master/continents/?page_size=1&search=Paged&page_token={continents}",
                                       "page_token"),
    "page_token_of_the_roles_list": ("/api/master/continents/?page_size=1&page_token={roles}", "page_token"),
    "roles_page_token_of_continents": ("/api/auth/roles/?page_size=1&page_token={continents}", "page_token"),
    "roles_page_token_id_a_float": ("/api/auth/roles/?page_token=" + b64(
        {"t": "value", "v": "a", "id": 1e300, "f": "0"}), "page_token"),
    "users_page_token_of_roles": ("/api/auth/users/?page_size=1&page_token={roles}", "page_token"),
    "search_201_chars": ("/api/master/continents/?search=" + "%25_" * 100 + "x", "search"),
    "roles_search_151_chars": ("/api/auth/roles/?search=" + "r" * 151, "search"),
    "users_search_255_chars": ("/api/auth/users/?search=" + "u" * 255, "search"),
    "filter_unknown_operator": ("/api/master/continents/?filter=name%20~%20x", "filter"),
    "filter_unknown_field": ("/api/master/continents/?filter=password%20%3D%20x", "filter"),
    "filter_bool_not_a_bool": ("/api/master/continents/?filter=is_active%20%3D%20maybe", "filter"),
    "filter_unterminated_string": ("/api/master/continents/?filter=name%20%3D%20%22open", "filter"),
    "filter_sql": ("/api/master/continents/?filter=" + urllib.parse.quote("name = x OR 1=1; DROP TABLE x"),
                   "filter"),
    "filter_20000_chars": ("/api/master/continents/?filter=" + "x" * 20000, "filter"),
    "ordering_unknown_field": ("/api/master/continents/?ordering=password_hash", "ordering"),
    "ordering_double_minus": ("/api/master/continents/?ordering=--name", "ordering"),
    "order_by_bad_direction": ("/api/master/continents/?order_by=name%20sideways", "order_by"),
    "user_id_not_a_number": ("/api/auth/users/abc/", "id"),
    "user_id_over_int32": ("/api/auth/users/99999999999/", "id"),
    "change_feed_cursor_not_a_number": ("/api/master/changes?cursor=abc&max_changes=1", "cursor"),
    "change_feed_cursor_below_minus_one": ("/api/master/changes?cursor=-5&max_changes=1", "cursor"),
    "change_feed_max_changes_negative": ("/api/master/changes?cursor=0&max_changes=-1", "max_changes"),
}


@pytest.mark.parametrize("path,field", list(REFUSED_QUERIES.values()), ids=list(REFUSED_QUERIES))
def test_refused_list_parameter_is_400_naming_it(edge, admin_token, page_tokens, path, field):
    path = path.replace("{continents:-6}", page_tokens["continents"][:-6])
    for name, value in page_tokens.items():
        path = path.replace("{" + name + "}", value)
    assert_error(edge.get(path, token=admin_token), 400, "INVALID_ARGUMENT", field)


@pytest.mark.parametrize("page_size,most", [(0, 50), (1000, 1000), (5000, 1000), (2147483647, 1000)],
                         ids=["zero_is_the_default", "max", "over_max_is_clamped", "int32_max_is_clamped"])
def test_page_size_zero_or_over_the_maximum_is_served(edge, admin_token, page_size, most):
    """AIP-158: 0 means the default (50) and a size over the maximum (1000) is lowered to it."""
    page = ok(edge.get(f"/api/master/continents/?page_size={page_size}", token=admin_token))
    assert len(page["continents"]) == min(most, page["total_size"])


IDS = {
    "path_traversal": "..%2F..%2F..%2Fetc%2Fpasswd",
    "encoded_dots": "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "sql_in_the_path": urllib.parse.quote("'; DROP TABLE master_continent; --", safe=""),
    "unicode_id": urllib.parse.quote("Ｆ😀\u202e", safe=""),
    "id_10000_chars": "a" * 10000,
}


@pytest.mark.parametrize("raw_id", list(IDS.values()), ids=list(IDS))
def test_an_id_that_is_not_an_id_is_404(edge, admin_token, raw_id):
    assert_error(edge.get(f"/api/master/continents/{raw_id}/", token=admin_token), 404, "NOT_FOUND")
    assert_error(edge.request("PATCH", f"/api/master/continents/{raw_id}/", raw=b'{"description": "x"}',
                              token=admin_token), 404, "NOT_FOUND")


ETAGS = {
    "garbage": ("body", "garbage"),
    "unquoted_number": ("body", "7"),
    "huge_version": ("body", 'W/"99999999999999999999999"'),
    "unicode": ("body", 'W/"①"'),
    "300_kB": ("body", 'W/"' + "9" * 300_000 + '"'),
    "query_garbage": ("query", "%22%3B%20DROP"),
    "query_20000_chars": ("query", "x" * 20000),
}


@pytest.mark.parametrize("where,etag", list(ETAGS.values()), ids=list(ETAGS))
def test_a_malformed_etag_is_409_and_changes_nothing(edge, admin_token, where, etag):
    row = ok(edge.post("/api/master/continents/", {"name": f"Etag {tag()}"}, token=admin_token))
    path = f"/api/master/continents/{row['id']}/"
    if where == "body":
        response = edge.patch(path, {"description": "changed", "etag": etag}, token=admin_token)
    else:
        response = edge.delete(f"{path}?etag={etag}", token=admin_token)
    assert_error(response, 409, "ABORTED", says="changed by someone else")
    after = ok(edge.get(path, token=admin_token))
    assert (after["etag"], after["description"], after["is_deleted"]) == (row["etag"], "", False)


# --- forged and garbled JWTs ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(REFUSED_TOKENS), ids=list(REFUSED_TOKENS))
def test_forged_or_garbled_token_is_401(edge, keys_dir, kind):
    forger = Forger(keys_dir)
    token = REFUSED_TOKENS[kind](forger)
    before = total(edge, forger.ours(), COUNTED["continents"])
    assert_error(edge.get("/api/master/continents/?page_size=1", token=token), 401, "UNAUTHENTICATED")
    assert_error(edge.post("/api/master/continents/", {"name": f"Forged {tag()}"}, token=token),
                 401, "UNAUTHENTICATED")
    assert total(edge, forger.ours(), COUNTED["continents"]) == before


def test_a_100_kB_token_is_refused_before_any_service(edge, keys_dir):
    """Both edges cap request headers (Envoy 60 KiB, the gateway 64 KiB): 431, never a 5xx. The
    gateway's 431 is written by Go's HTTP server before any handler, as plain text."""
    token = Forger(keys_dir).foreign(claims(padding="x" * 75_000))
    status, headers, body = edge.get("/api/master/continents/", token=token)
    assert status == 431, body
    if headers.get("content-type", "").startswith("application/json"):
        assert (body["code"], body["status"]) == (431, "RESOURCE_EXHAUSTED"), body


SCHEMES = {
    "lowercase_bearer": ("bearer {t}", 200),
    "uppercase_bearer": ("BEARER {t}", 200),
    "two_spaces": ("Bearer  {t}", 200),
    "no_space": ("Bearer{t}", 401),
    "no_scheme": ("{t}", 401),
    "basic_scheme": ("Basic YWRtaW46YWRtaW4=", 401),
    "bearer_without_token": ("Bearer ", 401),
    "two_tokens_comma": ("Bearer {t}, Bearer {t}", 401),
    "two_tokens_space": ("Bearer {t} {t}", 401),
}


@pytest.mark.parametrize("header,expected", list(SCHEMES.values()), ids=list(SCHEMES))
def test_bearer_scheme_variants(edge, keys_dir, header, expected):
    """The scheme is case-insensitive (RFC 7235), one token per header, nothing else."""
    value = header.format(t=Forger(keys_dir).ours())
    response = edge.request("GET", "/api/master/continents/?page_size=1", headers={"Authorization": value})
    if expected == 200:
        assert ok(response)["total_size"] >= 0
    else:
        assert_error(response, 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("how", ["deactivated", "soft_deleted", "hard_deleted"])
def test_tokens_of_a_deactivated_or_deleted_user_stop_working(edge, admin_token, how):
    created = ok(edge.post("/api/auth/users/", user(), token=admin_token))
    tokens = edge.login(created["username"], PASSWORD)
    assert ok(edge.get("/api/auth/sessions/", token=tokens["access_token"]))["sessions"]
    path = f"/api/auth/users/{created['id']}/"
    if how == "deactivated":
        ok(edge.patch(path, {"is_active": False}, token=admin_token))
    else:
        ok(edge.delete(path + ("?hard_delete=true" if how == "hard_deleted" else ""), token=admin_token))
    assert_error(edge.post("/api/auth/refresh/", {"refresh_token": tokens["refresh_token"]}), 401, "UNAUTHENTICATED")
    deadline = time.monotonic() + 5
    while (response := edge.get("/api/auth/sessions/", token=tokens["access_token"]))[0] != 401:
        assert time.monotonic() < deadline, f"the {how} user's token still works after 5 s"
        time.sleep(0.1)
    assert_error(response, 401, "UNAUTHENTICATED")
