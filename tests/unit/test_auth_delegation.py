"""The delegation rule (auth_svc.domain.delegation) as a table: caller rights × action × target rights.

The use cases run over one SQLite file with bcrypt cost 4 (no server, no network). Three callers hold
every administrative right the actions need, and differ only in the other rights they hold: the
administrators role, a manager (read and delete countries) and a clerk (read countries). Each case
makes a fresh target (a user with given roles, or a role), so cases do not depend on each other, and
asserts the outcome: done, or refused with PERMISSION_DENIED / DELEGATION_EXCEEDS_CALLER naming what
the caller lacks, with an AUTHORIZATION_DENIED audit entry and nothing changed.
"""
from __future__ import annotations

import dataclasses
import itertools
import secrets
import time
from typing import Optional

import pytest

from auth_svc.config import AuthConfig
from auth_svc.domain import apikeys, delegation, mfa
from auth_svc.domain.catalogue import ADMIN_ROLE
from auth_svc.server import prepare
from auth_svc.usecases import ClientInfo, UseCases
from auth_svc.usecases.common import Refusal
from erp_common.errors import FailedPrecondition
from erp_common.tokens import Principal

CLIENT = ClientInfo("192.0.2.7", "matrix")
PASSWORD = "Matrix-Passw0rd-1"
NEW_PASSWORD = "Changed-Passw0rd-2"
# What every caller holds: the permissions the actions themselves require.
ADMINISTRATIVE = {"auth_user_create", "auth_user_read", "auth_user_update", "auth_user_delete", "auth_role_update",
                  "auth_apikey_create"}
SMALL = {"master_country_read"}
BIG = {"master_country_read", "master_country_delete"}
ADMIN_ONLY = "auth_audit_read"
# Rights of each caller besides ADMINISTRATIVE (None: the administrators role, every permission).
CALLERS: dict[str, Optional[set]] = {"admin": None, "manager": BIG, "clerk": SMALL}
# Target users by the roles they hold; "peer" holds the caller's own role, "self" is the caller.
TARGETS = ("nobody", "small", "big", "peer", "admin", "self")
GRANTABLE_ROLES = ("small", "big", ADMIN_ROLE)
PERMISSIONS = ("master_country_read", "master_country_delete", ADMIN_ONLY)


@dataclasses.dataclass
class World:
    uc: UseCases
    roles: dict[str, int]
    callers: dict[str, Principal]
    catalogue: set[str]

    def held(self, caller: str) -> set[str]:
        extra = CALLERS[caller]
        return set(self.catalogue) if extra is None else ADMINISTRATIVE | extra

    def role_rights(self, role: str) -> set[str]:
        return {"small": SMALL, "big": BIG}.get(role, self.catalogue)

    def target_rights(self, caller: str, target: str) -> set[str]:
        if target in ("peer", "self"):
            return self.held(caller)
        return {"nobody": set(), "small": SMALL, "big": BIG, "admin": self.catalogue}[target]

    def new_user(self, roles: list[str]) -> int:
        accounts = self.uc.stores.accounts
        name = f"u{secrets.token_hex(5)}"
        return accounts.create_user({"username": name, "role_ids": [self.roles[r] for r in roles]},
                                    "$2b$04$" + "x" * 53).id

    def target_user(self, caller: str, target: str) -> int:
        if target == "self":
            return self.callers[caller].user_id
        roles = {"nobody": [], "small": ["small"], "big": ["big"], "admin": [ADMIN_ROLE],
                 "peer": [caller if caller != "admin" else ADMIN_ROLE]}[target]
        return self.new_user(roles)

    def new_role(self, permissions: set[str]) -> int:
        accounts = self.uc.stores.accounts
        role = accounts.create_role({"name": f"r{secrets.token_hex(5)}"})
        ids = [p.id for p in accounts.permissions_by_codename(permissions).values()]
        if ids:
            accounts.set_group_permissions(role.id, ids, replace=True)
        return role.id

    def permission_id(self, codename: str) -> int:
        return self.uc.stores.accounts.permissions_by_codename([codename])[codename].id


def principal_of(uc: UseCases, user_id: int) -> Principal:
    user = uc.stores.accounts.get_user(user_id)
    now = int(time.time())
    return Principal(user.id, user.username, user.groups, frozenset(user.permissions), secrets.token_hex(16),
                     secrets.token_hex(8), now, now + 3600)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    state = tmp_path_factory.mktemp("delegation")
    config = dataclasses.replace(AuthConfig.from_env(), db_url=f"sqlite:///{state / 'auth.sqlite3'}",
                                 keys_dir=state / "keys", bcrypt_rounds=4, admin_password=PASSWORD,
                                 ip_rate_limit_per_minute=0)
    uc = prepare(config).usecases
    accounts = uc.stores.accounts
    catalogue = {p.codename for p in accounts.list_permissions()}
    w = World(uc, {ADMIN_ROLE: accounts.admin_role_id()}, {}, catalogue)
    for name, rights in (("small", SMALL), ("big", BIG), ("manager", ADMINISTRATIVE | BIG),
                         ("clerk", ADMINISTRATIVE | SMALL)):
        w.roles[name] = w.new_role(rights)
    for caller in CALLERS:
        user_id = w.new_user([caller if caller != "admin" else ADMIN_ROLE])
        w.callers[caller] = principal_of(uc, user_id)
    return w


def _count(uc: UseCases, event_type: str) -> int:
    return uc.stores.audit.count(event_type)


# --- the table ------------------------------------------------------------------------------
# (caller, action, target, argument) -> expected: "allow", "deny" (the delegation rule) or
# "self-precondition" (nobody deactivates their own account or resets their own MFA: FAILED_PRECONDITION).
def expected(w_held: set, target_rights: set, action: str, target: str, extra: set, holds_already: bool) -> str:
    if action in ("deactivate", "reset_mfa") and target == "self":
        return "self-precondition"
    if action == "grant_role" and holds_already:
        return "allow"  # nothing changes
    needed = set(extra)
    if target != "self" and action in ("set_password", "deactivate", "reset_mfa", "end_sessions", "grant_role"):
        needed |= target_rights
    return "allow" if needed <= w_held else "deny"


USER_ACTIONS = [("set_password", None), ("deactivate", None), ("reset_mfa", None), ("end_sessions", None)] + [
    ("grant_role", role) for role in GRANTABLE_ROLES]
ROLE_ACTIONS = [("grant_permission", p) for p in PERMISSIONS] + [("take_permission", p) for p in PERMISSIONS]
KEY_ACTIONS = [("create_key", scopes) for scopes in (("master_country_read",), ("master_country_read",
                                                                                 "master_country_delete"),
                                                     (ADMIN_ONLY,))]
CASES = ([(c, a, t, arg) for c, (a, arg), t in itertools.product(CALLERS, USER_ACTIONS, TARGETS)]
         + [(c, a, "role", arg) for c, (a, arg) in itertools.product(CALLERS, ROLE_ACTIONS)]
         + [(c, a, "self", arg) for c, (a, arg) in itertools.product(CALLERS, KEY_ACTIONS)])


def run_action(w: World, caller: str, action: str, target: str, arg):
    """Performs the action; returns a function that tells whether its effect is there."""
    uc, actor = w.uc, w.callers[caller]
    accounts = uc.stores.accounts
    if action == "grant_permission":
        role_id = w.new_role(set())
        uc.permissions.assign(actor, role_id, [w.permission_id(arg)], False, CLIENT)
        return lambda: arg in {p.codename for p in accounts.group_permissions(role_id).permissions}
    if action == "take_permission":
        role_id = w.new_role({arg})
        uc.permissions.remove_all(actor, role_id, CLIENT)
        return lambda: not accounts.group_permissions(role_id).permissions
    if action == "create_key":
        record, _ = uc.api_keys.create(actor, f"k{secrets.token_hex(3)}", list(arg), None, CLIENT)
        return lambda: record.scopes == tuple(sorted(arg))
    user_id = w.target_user(caller, target)
    if action == "set_password":
        before = accounts.get_user(user_id).password_hash
        uc.users.update(actor, user_id, {"password": NEW_PASSWORD}, CLIENT)
        return lambda: accounts.get_user(user_id).password_hash != before
    if action == "deactivate":
        uc.users.update(actor, user_id, {"is_active": False}, CLIENT)
        return lambda: not accounts.get_user(user_id).is_active
    if action == "reset_mfa":
        credentials = uc.stores.credentials
        if not accounts.get_user(user_id).mfa_enabled:
            credentials.start_enrolment(user_id, mfa.new_secret())
            credentials.confirm(user_id, 1, [mfa.recovery_code_hash(c) for c in mfa.new_recovery_codes()])
        uc.users.reset_mfa(actor, user_id, CLIENT)
        return lambda: not accounts.get_user(user_id).mfa_enabled
    if action == "end_sessions":
        sid = secrets.token_hex(16)
        uc.stores.sessions.create_session(sid, user_id, "", "", secrets.token_hex(8),
                                          accounts.get_user(user_id).date_joined.replace(year=2999))
        uc.sessions.logout_all(actor, user_id, CLIENT)
        return lambda: sid not in {s.sid for s in uc.stores.sessions.active_sessions(user_id)}
    if action == "grant_role":
        role_ids = sorted(set(accounts.get_user(user_id).role_ids) | {w.roles[arg]})
        uc.users.update(actor, user_id, {"role_ids": role_ids}, CLIENT)
        return lambda: w.roles[arg] in accounts.get_user(user_id).role_ids
    raise AssertionError(action)


def needed_extra(w: World, action: str, arg) -> set:
    if action == "grant_role":
        return w.role_rights(arg)
    if action in ("grant_permission", "take_permission"):
        return {arg}
    if action == "create_key":
        return set(arg)
    return set()


@pytest.mark.parametrize("caller,action,target,arg", CASES,
                         ids=[f"{c}-{a}-{t}-{arg if isinstance(arg, str) else '+'.join(arg or ('',))}"
                              for c, a, t, arg in CASES])
def test_delegation_matrix(world, caller, action, target, arg):
    own_role = caller if caller != "admin" else ADMIN_ROLE
    holds_already = arg == {"small": "small", "big": "big", "admin": ADMIN_ROLE, "peer": own_role,
                            "self": own_role}.get(target)
    outcome = expected(world.held(caller), world.target_rights(caller, target) if target != "role" else set(),
                       action, target, needed_extra(world, action, arg), holds_already)
    refused_before = _count(world.uc, "AUTHORIZATION_DENIED")
    if outcome == "allow":
        assert run_action(world, caller, action, target, arg)(), "the allowed change did not happen"
        assert _count(world.uc, "AUTHORIZATION_DENIED") == refused_before
        return
    expected_error = Refusal if outcome == "deny" else FailedPrecondition
    with pytest.raises(expected_error) as refused:
        run_action(world, caller, action, target, arg)
    if outcome == "deny":
        assert refused.value.reason == delegation.DELEGATION_EXCEEDS_CALLER
        target_rights = world.target_rights(caller, target) if target != "role" else set()
        assert refused.value.missing and set(refused.value.missing) <= (
            target_rights | needed_extra(world, action, arg)) - world.held(caller)
        assert _count(world.uc, "AUTHORIZATION_DENIED") == refused_before + 1, "every refusal is audited"


# --- API-key tokens: account self-service needs a user's session -------------------------------------
SELF_SERVICE = {
    "logout": lambda uc, p: uc.sessions.logout(p, CLIENT),
    "logout_all": lambda uc, p: uc.sessions.logout_all(p, 0, CLIENT),
    "list_sessions": lambda uc, p: uc.sessions.list_sessions(p, 0, CLIENT),
    "enroll_mfa": lambda uc, p: uc.mfa.enroll(p, CLIENT),
    "confirm_mfa": lambda uc, p: uc.mfa.confirm(p, "123456", CLIENT),
    "disable_mfa": lambda uc, p: uc.mfa.disable(p, "123456", CLIENT),
    "create_api_key": lambda uc, p: uc.api_keys.create(p, "k", ["master_country_read"], None, CLIENT),
    "list_api_keys": lambda uc, p: uc.api_keys.list(p, False, CLIENT),
    "revoke_api_key": lambda uc, p: uc.api_keys.revoke(p, 1, CLIENT),
    "change_own_password": lambda uc, p: uc.users.update(p, p.user_id, {"password": NEW_PASSWORD}, CLIENT),
}


@pytest.mark.parametrize("action", sorted(SELF_SERVICE))
def test_an_api_key_token_cannot_do_account_self_service(world, action):
    session = world.callers["admin"]
    api_key_token = dataclasses.replace(session, session_id=apikeys.session_id(1))
    refused_before = _count(world.uc, "AUTHORIZATION_DENIED")
    with pytest.raises(Refusal) as refused:
        SELF_SERVICE[action](world.uc, api_key_token)
    assert refused.value.reason == delegation.USER_SESSION_REQUIRED
    assert _count(world.uc, "AUTHORIZATION_DENIED") == refused_before + 1, "every refusal is audited"
    if action == "logout":
        assert "DELETE /api/auth/api-keys/{id}/" in refused.value.message
