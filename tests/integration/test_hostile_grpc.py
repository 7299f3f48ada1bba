"""Hostile input straight to the services' gRPC faces, with no edge in front, on both backends: the
session mesh on MariaDB and a mesh of this module on SQLite. The same table must give the same
answer on both (the input policy is erp_common/text.py): malformed protobuf, oversize fields and
repeated fields, control and invisible characters, confusable names, injection strings, page
tokens, huge echoed inputs, forged JWTs and authorization metadata. Every refusal is a 4xx-class
status with a short message that names the problem (and a BadRequest field violation for
INVALID_ARGUMENT), never INTERNAL/UNKNOWN, and a refused write leaves nothing behind."""
from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc
from tests.support import ADMIN_PASSWORD
from tests.support.edge import running
from tests.support.hostile import INTERNAL_MARKERS, REFUSED_TOKENS, Forger, b64, claims
from tools.mesh import Mesh

PASSWORD = "Hostile-Grpc-Passw0rd!"
CLIENT_ERRORS = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND,
                 grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.ABORTED, grpc.StatusCode.PERMISSION_DENIED,
                 grpc.StatusCode.FAILED_PRECONDITION}


def tag() -> str:
    return uuid.uuid4().hex[:8]


@dataclass
class Backend:
    name: str
    auth: grpc.Channel
    master: grpc.Channel
    keys_dir: object
    token: str = ""

    @property
    def md(self) -> tuple:
        return (("authorization", f"Bearer {self.token}"),)

    def continents(self):
        return mpb_grpc.ContinentServiceStub(self.master)

    def users(self):
        return apb_grpc.UserServiceStub(self.auth)

    def roles(self):
        return apb_grpc.RoleServiceStub(self.auth)


@pytest.fixture(scope="module")
def sqlite_mesh():
    """auth_svc and master_svc on SQLite files, no edge: the second backend of every case."""
    mesh = Mesh.on_free_ports("erp-hostile-", edges=(), extra_env={
        "ERP_ADMIN_PASSWORD": ADMIN_PASSWORD, "ERP_BCRYPT_ROUNDS": "4", "ERP_LOGIN_IP_RATE_PER_MINUTE": "100000"})
    with running(mesh):
        yield mesh


@pytest.fixture(scope="module", params=["mariadb", "sqlite"])
def backend(request, mesh):
    chosen = mesh if request.param == "mariadb" else request.getfixturevalue("sqlite_mesh")
    with grpc.insecure_channel(chosen.auth_addr) as auth, grpc.insecure_channel(chosen.master_addr) as master:
        b = Backend(request.param, auth, master, chosen.state_dir / "keys")
        b.token = pb_grpc.AuthServiceStub(auth).Login(
            pb.LoginRequest(username="admin", password=ADMIN_PASSWORD), timeout=30).access_token
        yield b


def refused(call, request, md, code: grpc.StatusCode, field: str | None = None, says: str = "") -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, metadata=md, timeout=30)
    err = caught.value
    assert err.code() == code, (err.code(), err.details())
    message = err.details() or ""
    assert message.strip() and len(message.encode()) <= 1024, message[:200]
    assert not any(m in message.lower() for m in INTERNAL_MARKERS), message
    assert says.lower() in message.lower(), (says, message)
    if field is not None:
        status = rpc_status.from_call(err)
        violations = [v for d in status.details if d.Is(error_details_pb2.BadRequest.DESCRIPTOR)
                      for v in _unpack(d, error_details_pb2.BadRequest).field_violations]
        assert field in {v.field for v in violations}, (field, message)
    return err


def _unpack(packed, kind):
    message = kind()
    packed.Unpack(message)
    return message


def continent_count(b: Backend) -> int:
    return b.continents().ListContinents(mpb.ListContinentsRequest(show_deleted=True, page_size=1),
                                         metadata=b.md).total_size


def user_count(b: Backend) -> int:
    return b.users().ListUsers(apb.ListUsersRequest(page_size=1), metadata=b.md).total_size


# --- malformed protobuf ------------------------------------------------------------------------

def _field(number: int, payload: bytes) -> bytes:
    return bytes([(number << 3) | 2, len(payload)]) + payload


MALFORMED = {
    "invalid_utf8_in_a_string": _field(1, _field(2, b"x\xff\xfey")),
    "overlong_utf8_nul": _field(1, _field(2, b"a\xc0\x80b")),
    "utf8_encoded_surrogate": _field(1, _field(2, b"a\xed\xa0\x80b")),
    "truncated_length": b"\x0a\x7f\x12\x01",
    "garbage_wire_format": b"\xff\xff\xff\xff",
}


@pytest.mark.parametrize("raw", list(MALFORMED.values()), ids=list(MALFORMED))
@pytest.mark.parametrize("method", ["/erp.master.v1.ContinentService/CreateContinent",
                                    "/erp.auth.v1.UserService/CreateUser", "/erp.auth.v1.AuthService/Login"])
def test_malformed_protobuf_is_invalid_argument(backend, method, raw):
    """gRPC itself answered these UNKNOWN ("Unexpected <class DecodeError>"): a 500 at the edges."""
    channel = backend.master if "master" in method else backend.auth
    call = channel.unary_unary(method, request_serializer=lambda r: r, response_deserializer=lambda r: r)
    before = continent_count(backend)
    refused(call, raw, backend.md, grpc.StatusCode.INVALID_ARGUMENT, says="is not a valid erp.")
    assert continent_count(backend) == before


# --- refused writes --------------------------------------------------------------------------------

def _continent(**fields):
    return ("continent", mpb.CreateContinentRequest(continent=mpb.Continent(**fields)))


def _user(**fields):
    fields = {"username": f"hostile_{tag()}", "password": PASSWORD, **fields}
    return ("user", apb.CreateUserRequest(user=apb.User(**fields)))


def _role(**fields):
    return ("role", apb.CreateRoleRequest(role=apb.Role(**fields)))


REFUSED_WRITES = {
    "name_201_chars": (_continent(name="n" * 201), "name"),
    "name_only_whitespace": (_continent(name=" \t\n\u3000 "), "name"),
    "code_51_chars": (_continent(name="c", code="c" * 51), "code"),
    "description_10001_chars": (_continent(name="d", description="d" * 10001), "description"),
    "description_500_kB": (_continent(name="d", description="d" * 500_000), "description"),
    "name_with_nul": (_continent(name="a\x00b"), "name"),
    "name_with_c0_control": (_continent(name="a\x01b"), "name"),
    "name_with_info_separator_python_calls_whitespace": (_continent(name="a\x1cb"), "name"),
    "name_with_c1_control": (_continent(name="a\x9bb"), "name"),
    "name_with_rtl_override": (_continent(name="abc\u202edef"), "name"),
    "name_with_word_joiner": (_continent(name="ab\u2060c"), "name"),
    "name_with_soft_hyphen": (_continent(name="Fran\u00adce"), "name"),
    "code_with_newline": (_continent(name="c", code="A\nB"), "code"),
    "description_with_nul": (_continent(name="d", description="\x00"), "description"),
    "username_151_chars": (_user(username="u" * 151), "username"),
    "username_mixed_scripts": (_user(username="pаypal"), "username"),
    "username_with_zero_width_space": (_user(username="ad\u200bmin"), "username"),
    "password_73_bytes": (_user(password="Aa1-" + "x" * 69), "password"),
    "password_with_control": (_user(password="Passw0rd-\x1b-x"), "password"),
    "email_with_rtl_override": (_user(email="moc.elpmaxe\u202e@a.io"), "email"),
    "email_with_nul": (_user(email="a\x00@b.io"), "email"),
    "last_name_with_bell": (_user(last_name="Doe\x07"), "last_name"),
    "role_ids_101": (_user(role_ids=list(range(1, 102))), "role_ids"),
    "role_ids_negative": (_user(role_ids=[-1]), "role_ids"),
    "role_name_151_chars": (_role(name="r" * 151), "name"),
    "role_name_with_bidi_isolate": (_role(name="ops\u2067"), "name"),
    "role_description_10001_chars": (_role(name="r", description="d" * 10001), "description"),
}


def _create(b: Backend, kind: str, request):
    if kind == "continent":
        return b.continents().CreateContinent
    return b.users().CreateUser if kind == "user" else b.roles().CreateRole


def _count(b: Backend, kind: str) -> int:
    if kind == "continent":
        return continent_count(b)
    if kind == "user":
        return user_count(b)
    return b.roles().ListRoles(apb.ListRolesRequest(page_size=1), metadata=b.md).total_size


@pytest.mark.parametrize("case", list(REFUSED_WRITES.values()), ids=list(REFUSED_WRITES))
def test_refused_write_names_the_field_and_leaves_nothing(backend, case):
    (kind, request), field = case
    before = _count(backend, kind)
    refused(_create(backend, kind, request), request, backend.md, grpc.StatusCode.INVALID_ARGUMENT, field)
    assert _count(backend, kind) == before


def test_bounded_id_lists_are_refused_before_any_query(backend):
    roles = apb_grpc.GroupPermissionServiceStub(backend.auth)
    role = backend.roles().CreateRole(apb.CreateRoleRequest(role=apb.Role(name=f"Hostile {tag()}")),
                                      metadata=backend.md)
    refused(roles.AssignGroupPermissions, apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=list(range(1, 100_001))), backend.md,
        grpc.StatusCode.INVALID_ARGUMENT, "permission_ids", says="at most 1000")
    keys = pb_grpc.AuthServiceStub(backend.auth)
    refused(keys.CreateApiKey, pb.CreateApiKeyRequest(api_key=pb.ApiKey(
        name="etl", scopes=[f"scope_{i}" for i in range(5000)])), backend.md,
        grpc.StatusCode.INVALID_ARGUMENT, "api_key.scopes")
    assert not roles.GetGroupPermissions(apb.GetGroupPermissionsRequest(group_id=role.id),
                                         metadata=backend.md).permissions


# --- accepted values, and uniqueness, the same on both backends ---------------------------------------

NFD = unicodedata.normalize("NFD", "Côte d'Ivoire")
ACCEPTED_NAMES = {
    "emoji_4_byte": ("🌍🇮🇳 Earth ~", "🌍🇮🇳 Earth ~"),
    "nfd_is_stored_nfc": (f"{NFD} ~", "Côte d'Ivoire ~"),
    "whitespace_collapsed": ("\u3000 Tab\tNew\nline\u00a0 ~  ", "Tab New line ~"),
    "injection_kept_verbatim": ("'; DROP TABLE master_continent; -- <b>x</b> \\ % _ ~",
                                "'; DROP TABLE master_continent; -- <b>x</b> \\ % _ ~"),
    "right_to_left_script": ("مدينة ~", "مدينة ~"),
    "zero_width_joiner_kept": ("कृ\u200dष्ण ~", unicodedata.normalize("NFC", "कृ\u200dष्ण ~")),
    "sharp_s_200_times_fits": ("ß" * 190 + " ~", "ß" * 190 + " ~"),
}


@pytest.mark.parametrize("sent,stored", list(ACCEPTED_NAMES.values()), ids=list(ACCEPTED_NAMES))
def test_accepted_name_reads_back_as_the_policy_says(backend, sent, stored):
    marker = tag()
    created = backend.continents().CreateContinent(mpb.CreateContinentRequest(
        continent=mpb.Continent(name=sent.replace("~", marker), description=sent)), metadata=backend.md)
    got = backend.continents().GetContinent(mpb.GetContinentRequest(id=created.id), metadata=backend.md)
    assert got.name == created.name == stored.replace("~", marker)
    assert got.description == sent


UNIQUENESS = {
    "fullwidth": ("Ｍｏｎａｃｏ ~", "monaco ~", grpc.StatusCode.ALREADY_EXISTS),
    "nfd_and_nfc": (f"{NFD} ~", "côte d'ivoire ~", grpc.StatusCode.ALREADY_EXISTS),
    "sharp_s_over_the_key_width": ("ß" * 190 + " ~", "\u1e9e" * 190 + " ~", grpc.StatusCode.ALREADY_EXISTS),
    "turkish_dotted_capital_i": ("\u0130stanbul ~", "i\u0307stanbul ~", grpc.StatusCode.ALREADY_EXISTS),
    "accent_is_significant": ("Zürich ~", "Zurich ~", None),
    "cyrillic_a_is_another_letter": ("Kazan ~", "Kаzan ~", None),
}


@pytest.mark.parametrize("first,second,code", list(UNIQUENESS.values()), ids=list(UNIQUENESS))
def test_name_uniqueness_is_the_same_on_both_backends(backend, first, second, code):
    marker = tag()
    stub = backend.continents()
    stub.CreateContinent(mpb.CreateContinentRequest(continent=mpb.Continent(name=first.replace("~", marker))),
                         metadata=backend.md)
    request = mpb.CreateContinentRequest(continent=mpb.Continent(name=second.replace("~", marker)))
    if code is None:
        assert stub.CreateContinent(request, metadata=backend.md).id
    else:
        refused(stub.CreateContinent, request, backend.md, code, says="already exists")


USER_UNIQUENESS = {
    "accent_is_another_user": ("jose_~", "josé_~", None),
    "fullwidth_is_the_same_user": ("mary_~", "ＭＡＲＹ_~", grpc.StatusCode.ALREADY_EXISTS),
    "email_case_and_fullwidth": ("a_~", "b_~", grpc.StatusCode.ALREADY_EXISTS),
}


@pytest.mark.parametrize("first,second,code", list(USER_UNIQUENESS.values()), ids=list(USER_UNIQUENESS))
def test_user_uniqueness_is_the_same_on_both_backends(backend, first, second, code):
    marker = tag()
    email = f"{marker}@example.com"
    same_email = "email" in first or first.startswith("a_")
    first_user = apb.User(username=first.replace("~", marker), password=PASSWORD,
                          email=email if same_email else "")
    backend.users().CreateUser(apb.CreateUserRequest(user=first_user), metadata=backend.md)
    second_user = apb.User(username=second.replace("~", marker), password=PASSWORD,
                           email=f"{marker.upper()}@ｅｘａｍｐｌｅ.com" if same_email else "")
    request = apb.CreateUserRequest(user=second_user)
    if code is None:
        created = backend.users().CreateUser(request, metadata=backend.md)
        login = pb_grpc.AuthServiceStub(backend.auth).Login(
            pb.LoginRequest(username=second.replace("~", marker), password=PASSWORD))
        assert login.user.id == created.id
    else:
        refused(backend.users().CreateUser, request, backend.md, code, says="already exists")


def test_password_of_exactly_72_bytes_logs_in_and_one_byte_less_does_not(backend):
    password = "Aa1-" + "é" * 34  # 4 + 68 bytes of UTF-8
    user = backend.users().CreateUser(apb.CreateUserRequest(user=apb.User(
        username=f"hostile_{tag()}", password=password)), metadata=backend.md)
    auth = pb_grpc.AuthServiceStub(backend.auth)
    assert auth.Login(pb.LoginRequest(username=user.username, password=password)).user.id == user.id
    refused(auth.Login, pb.LoginRequest(username=user.username, password=password[:-1]), (),
            grpc.StatusCode.UNAUTHENTICATED)


# --- lists, ids and etags ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tokens(backend) -> dict:
    for _ in range(2):
        backend.continents().CreateContinent(mpb.CreateContinentRequest(continent=mpb.Continent(
            name=f"Paged {tag()}")), metadata=backend.md)
        backend.roles().CreateRole(apb.CreateRoleRequest(role=apb.Role(name=f"Paged {tag()}")), metadata=backend.md)
    zones = mpb_grpc.ZoneServiceStub(backend.master)
    for _ in range(2):
        zones.CreateZone(mpb.CreateZoneRequest(zone=mpb.Zone(name=f"Paged {tag()}")), metadata=backend.md)
    continents = backend.continents().ListContinents(mpb.ListContinentsRequest(page_size=1),
                                                     metadata=backend.md).next_page_token
    return {
        "continents": continents, "continents_truncated": continents[:-6],
        "zones": zones.ListZones(mpb.ListZonesRequest(page_size=1), metadata=backend.md).next_page_token,
        "roles": backend.roles().ListRoles(apb.ListRolesRequest(page_size=1), metadata=backend.md).next_page_token,
    }


PAGE_TOKENS = {
    "garbage": "%%%",
    "truncated": "{continents_truncated}",
    "base64_of_junk": b64(b"\x00\x01junk"),
    "json_not_an_object": b64("token"),
    "pk_a_float": b64({"v": "a", "pk": 1.5, "f": "x"}),
    "pk_huge": b64(b'{"v": "a", "pk": 1e999, "f": "x"}'),
    "pk_a_bool": b64({"v": "a", "pk": True, "f": "x"}),
    "value_an_object": b64({"v": {"$gt": ""}, "pk": 1, "f": "x", "t": "value", "id": 1}),
    "nested_10000_deep": b64(b"[" * 10000 + b"]" * 10000),
    "of_another_collection": "{zones}",
    "of_the_auth_service": "{roles}",
}


@pytest.mark.parametrize("raw", list(PAGE_TOKENS.values()), ids=list(PAGE_TOKENS))
def test_foreign_or_forged_page_token_is_invalid_argument(backend, tokens, raw):
    token = raw.format(**tokens)
    refused(backend.continents().ListContinents, mpb.ListContinentsRequest(page_size=1, page_token=token),
            backend.md, grpc.StatusCode.INVALID_ARGUMENT, "page_token")
    other = token if raw != "{roles}" else tokens["continents"]
    for call, request in ((backend.roles().ListRoles, apb.ListRolesRequest(page_token=other)),
                          (backend.users().ListUsers, apb.ListUsersRequest(page_token=other))):
        refused(call, request, backend.md, grpc.StatusCode.INVALID_ARGUMENT, "page_token")


@pytest.mark.parametrize("request_fields,field", [
    ({"page_size": -1}, "page_size"), ({"page_size": -2 ** 31}, "page_size"),
    ({"filter": "name ~ x"}, "filter"), ({"filter": 'name = "' + "x" * 50_000}, "filter"),
    ({"ordering": "pk; DROP TABLE x"}, "ordering"), ({"order_by": "name, code"}, "order_by"),
], ids=["page_size_negative", "page_size_int32_min", "filter_operator", "filter_50_kB_unterminated",
        "ordering_sql", "order_by_two_fields"])
def test_refused_list_parameters(backend, request_fields, field):
    refused(backend.continents().ListContinents, mpb.ListContinentsRequest(**request_fields), backend.md,
            grpc.StatusCode.INVALID_ARGUMENT, field)


def test_search_longer_than_anything_it_could_find_is_refused(backend):
    """A 30,000-character pattern of wildcards was a 503 on SQLite alone ("LIKE pattern too complex")."""
    needle = "%_\\" * 10_000
    refused(backend.continents().ListContinents, mpb.ListContinentsRequest(search=needle), backend.md,
            grpc.StatusCode.INVALID_ARGUMENT, "search")
    refused(mpb_grpc.ContinentServiceStub(backend.master).ExportContinents, mpb.ExportContinentsRequest(search=needle),
            backend.md, grpc.StatusCode.INVALID_ARGUMENT, "search")
    refused(backend.roles().ListRoles, apb.ListRolesRequest(search=needle), backend.md,
            grpc.StatusCode.INVALID_ARGUMENT, "search")
    refused(backend.users().ListUsers, apb.ListUsersRequest(search=needle), backend.md,
            grpc.StatusCode.INVALID_ARGUMENT, "search")
    refused(apb_grpc.PermissionServiceStub(backend.auth).ListPermissions, apb.ListPermissionsRequest(codename=needle),
            backend.md, grpc.StatusCode.INVALID_ARGUMENT, "codename")


def test_page_size_over_the_maximum_is_clamped(backend):
    page = backend.continents().ListContinents(mpb.ListContinentsRequest(page_size=2 ** 31 - 1), metadata=backend.md)
    assert len(page.continents) == min(page.total_size, 1000)


def test_huge_inputs_echoed_in_errors_still_arrive_as_their_status(backend):
    """The message quoted the whole input: 300 kB in a trailer, which gRPC clients and Envoy refuse."""
    stub = backend.continents()
    row = stub.CreateContinent(mpb.CreateContinentRequest(continent=mpb.Continent(name=f"Echo {tag()}")),
                               metadata=backend.md)
    huge = "9" * 300_000
    refused(stub.UpdateContinent, mpb.UpdateContinentRequest(
        continent=mpb.Continent(id=row.id, description="x", etag=f'W/"{huge}"'),
        update_mask=field_mask_pb2.FieldMask(paths=["description"])), backend.md, grpc.StatusCode.ABORTED,
        says="changed by someone else")
    refused(stub.GetContinent, mpb.GetContinentRequest(id=huge), backend.md, grpc.StatusCode.NOT_FOUND)
    refused(stub.DeleteContinent, mpb.DeleteContinentRequest(id=row.id, etag=huge), backend.md,
            grpc.StatusCode.ABORTED)
    refused(mpb_grpc.CountryServiceStub(backend.master).CreateCountry, mpb.CreateCountryRequest(
        country=mpb.Country(name="c", continent_id=huge)), backend.md, grpc.StatusCode.INVALID_ARGUMENT,
        "continent_id")
    refused(backend.users().GetUser, apb.GetUserRequest(id=2 ** 31 - 1), backend.md, grpc.StatusCode.NOT_FOUND)
    assert stub.GetContinent(mpb.GetContinentRequest(id=row.id), metadata=backend.md).etag == row.etag


# --- tokens and the authorization metadata -------------------------------------------------------------

@pytest.mark.parametrize("kind", list(REFUSED_TOKENS) + ["forged_100_kB"], ids=list(REFUSED_TOKENS) + ["forged_100_kB"])
def test_every_forged_token_is_unauthenticated_at_both_services(backend, kind):
    forger = Forger(backend.keys_dir)
    token = (forger.foreign(claims(padding="x" * 75_000)) if kind == "forged_100_kB"
             else REFUSED_TOKENS[kind](forger))
    md = (("authorization", f"Bearer {token}"),)
    refused(backend.continents().ListContinents, mpb.ListContinentsRequest(page_size=1), md,
            grpc.StatusCode.UNAUTHENTICATED)
    refused(backend.continents().CreateContinent, mpb.CreateContinentRequest(
        continent=mpb.Continent(name=f"Forged {tag()}")), md, grpc.StatusCode.UNAUTHENTICATED)
    refused(pb_grpc.AuthServiceStub(backend.auth).ListSessions, pb.ListSessionsRequest(), md,
            grpc.StatusCode.UNAUTHENTICATED)


@pytest.mark.parametrize("value,accepted", [
    ("bearer {t}", True), ("BeArEr {t}", True), ("Bearer{t}", False), ("{t}", False), ("Basic {t}", False),
    ("Bearer {t} {t}", False), ("Bearer {t},Bearer {t}", False), ("Bearer ", False),
], ids=["lowercase", "mixed_case", "no_space", "no_scheme", "basic", "two_tokens", "two_tokens_comma", "empty"])
def test_authorization_metadata_variants(backend, value, accepted):
    md = (("authorization", value.format(t=Forger(backend.keys_dir).ours())),)
    request = mpb.ListContinentsRequest(page_size=1)
    if accepted:
        assert backend.continents().ListContinents(request, metadata=md).total_size >= 0
    else:
        refused(backend.continents().ListContinents, request, md, grpc.StatusCode.UNAUTHENTICATED)


def test_no_refusal_above_is_a_server_fault(backend):
    """A last sweep: mixed hostile calls never come back INTERNAL, UNKNOWN or UNAVAILABLE."""
    stub = backend.continents()
    calls = [(stub.GetContinent, mpb.GetContinentRequest(id="\u202e" * 1000)),
             (stub.ListContinents, mpb.ListContinentsRequest(search="%_\\" * 66)),
             (stub.ListContinents, mpb.ListContinentsRequest(filter='code = "' + "\\" * 1001 + '"')),
             (stub.UndeleteContinent, mpb.UndeleteContinentRequest(id="../../etc")),
             (mpb_grpc.ChangeFeedServiceStub(backend.master).WatchChanges,
              mpb.WatchChangesRequest(cursor=-(2 ** 63), max_changes=1))]
    for call, request in calls:
        try:
            result = call(request, metadata=backend.md, timeout=30)
            list(result) if hasattr(result, "__iter__") and not hasattr(result, "ListFields") else None
        except grpc.RpcError as err:
            assert err.code() in CLIENT_ERRORS, (call, err.code(), err.details())
