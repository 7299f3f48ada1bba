"""The registry of the contract (protos/erp/options/v1/options.proto): every RPC says who may call it,
once, and what the rest of the code derives from it agrees with the protos."""
from __future__ import annotations

import re

from auth_svc.domain.catalogue import ACTIONS, CATALOGUE, MASTER_ENTITIES
from erp.options.v1 import options_pb2
from erp_common import contract
from tests.support import ROOT

RULES = {"public", "authenticated", "permission", "internal"}


def test_the_registry_reads_every_file_that_declares_services():
    declaring = {str(p.relative_to(ROOT / "protos")) for p in (ROOT / "protos").rglob("*.proto")
                 if re.search(r"^service ", p.read_text(), re.M)}
    assert {f.name for f in contract.FILES} == declaring


def test_every_rpc_sets_exactly_one_access_rule():
    methods = [m for f in contract.FILES for s in f.services_by_name.values() for m in s.methods]
    assert len(methods) == len(contract.rpcs()) == 119
    for method in methods:
        options = method.GetOptions()
        assert options.HasExtension(options_pb2.access), method.full_name
        access = options.Extensions[options_pb2.access]
        # A oneof: at most one case can be set; a rule must be.
        assert access.WhichOneof("rule") in RULES, method.full_name
        if access.WhichOneof("rule") == "permission":
            assert access.permission, method.full_name


def test_every_permission_an_rpc_needs_is_in_the_catalogue():
    codenames = {spec.codename for spec in CATALOGUE}
    needed = {rpc.access.permission for rpc in contract.rpcs() if rpc.access.rule == contract.PERMISSION}
    assert needed <= codenames, needed - codenames
    assert len(needed) == 4 * len(MASTER_ENTITIES) + 11  # users and roles: 4 each; permissions, audit, keys: 1


def test_a_master_entity_service_needs_its_own_entity_permissions():
    """Each entity service: reads need `master_<entity>_read`, writes the matching action. The released
    entities keep their order (permission ids follow it); a new one goes after them."""
    assert MASTER_ENTITIES[:10] == ("continent", "country", "state", "district", "city", "plant", "site", "ward",
                                    "zone", "equipment_type")
    action_of = {"List": "read", "Export": "read", "Get": "read", "Create": "create", "Replace": "update",
                 "Update": "update", "Delete": "delete", "Undelete": "delete"}
    file = next(f for f in contract.FILES if f.package == "erp.master.v1")
    for service in file.services_by_name.values():
        entity = service.GetOptions().Extensions[options_pb2.entity]
        if not entity:
            assert service.name == "ChangeFeedService"
            continue
        for method in service.methods:
            action = next(a for prefix, a in action_of.items() if method.name.startswith(prefix))
            assert action in ACTIONS
            rule = contract.access_rules("master")[f"/{service.full_name}/{method.name}"]
            assert rule == contract.Access("permission", f"master_{entity}_{action}"), method.full_name


def test_public_and_internal_rpcs():
    """The seed's public endpoints, and the revocation feed that only services call."""
    assert [rpc.path.rsplit("/", 1)[1] for rpc in contract.public_rpcs()] == [
        "Login", "GetLoginPage", "SubmitLoginPage", "VerifyMfaLogin", "RefreshToken", "GetJwks", "ExchangeToken"]
    assert all(rpc.service == "erp.auth.v1.AuthService" for rpc in contract.public_rpcs())
    assert [rpc.path for rpc in contract.internal_rpcs()] == [
        "/erp.auth.v1.AuthService/WatchRevocations", "/erp.auth.v1.AuthService/ListRevocations"]
    assert all(not rpc.routes for rpc in contract.internal_rpcs())


def test_every_file_names_its_upstream_and_the_upstreams_serve_their_packages():
    assert contract.upstreams() == ["auth", "master"]
    for rpc in contract.rpcs():
        assert rpc.service.split(".")[1] == rpc.upstream, rpc.path
