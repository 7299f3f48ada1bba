"""Users, roles, permissions, group permissions and the audit log through real gRPC stubs, on the
session mesh's MariaDB. State is shared with other modules, so every name is unique per call.

Calls carry the edge's shared secret and a client IP of this module's own, as Envoy would: the
per-client login limit then counts this module's logins apart from everyone else's.
"""
from __future__ import annotations

import datetime
import threading
import uuid

import grpc
import pymysql
import pytest
from google.protobuf import field_mask_pb2, timestamp_pb2
from google.rpc import error_details_pb2

from auth_svc.domain.passwords import django_pbkdf2
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import auth_service_pb2 as pb

from tests.support.auth import PASSWORD, codename_ids, detail, fails, make_role, make_user, unique


# --- users ---------------------------------------------------------------------------------
def test_create_user_with_roles_and_read_it_back(admin, anonymous):
    roles = [make_role(admin), make_role(admin)]
    user = make_user(admin, email=f"{unique('mail')}@Example.org", first_name="Ada", last_name="Lovelace",
                     role_ids=[r.id for r in roles])
    assert user.id > 0 and user.is_active and not user.password
    assert sorted(user.role_ids) == sorted(r.id for r in roles)
    assert sorted(user.groups) == sorted(r.name for r in roles)
    fetched = admin.users.GetUser(apb.GetUserRequest(id=user.id), metadata=admin.md)
    assert fetched == user
    assert anonymous.login(user.username.upper()).token, "usernames match without regard to case"


def test_created_user_can_start_inactive_and_cannot_log_in(admin, anonymous):
    user = make_user(admin, is_active=False)
    assert not user.is_active
    disabled = fails(anonymous.auth.Login, pb.LoginRequest(username=user.username, password=PASSWORD), anonymous.md)
    unknown = fails(anonymous.auth.Login, pb.LoginRequest(username=unique("nobody"), password=PASSWORD), anonymous.md)
    assert (disabled.code(), disabled.details()) == (unknown.code(), unknown.details()), "the reply tells nothing"
    entry = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=user.username, event_type="LOGIN_FAILED"),
                                      metadata=admin.md).audit_logs[0]
    assert (entry.failure_reason, entry.user_id) == ("ACCOUNT_DISABLED", user.id), "the audit log does"


def test_username_and_email_are_unique_without_regard_to_case(admin):
    email = f"{unique('dup')}@example.org"
    user = make_user(admin, email=email)
    err = fails(admin.users.CreateUser, apb.CreateUserRequest(user=apb.User(
        username=user.username.upper(), password=PASSWORD)), admin.md)
    assert err.code() == grpc.StatusCode.ALREADY_EXISTS
    err = fails(admin.users.CreateUser, apb.CreateUserRequest(user=apb.User(
        username=unique("other"), email=email.upper(), password=PASSWORD)), admin.md)
    assert err.code() == grpc.StatusCode.ALREADY_EXISTS and "e-mail" in err.details()


def test_invalid_fields_are_reported_as_field_violations(admin):
    err = fails(admin.users.CreateUser, apb.CreateUserRequest(user=apb.User(
        username="bad name", email="not-an-email", password=PASSWORD)), admin.md)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {v.field for v in detail(err, error_details_pb2.BadRequest).field_violations} == {"username", "email"}
    err = fails(admin.users.CreateUser, apb.CreateUserRequest(user=apb.User(
        username=unique("u"), password="12345")), admin.md)
    violations = detail(err, error_details_pb2.BadRequest).field_violations
    assert {v.field for v in violations} == {"password"} and len(violations) >= 2
    err = fails(admin.users.CreateUser, apb.CreateUserRequest(user=apb.User(
        username=unique("u"), password=PASSWORD, role_ids=[987654])), admin.md)
    assert "987654" in detail(err, error_details_pb2.BadRequest).field_violations[0].description


def test_update_put_and_patch_with_a_mask(admin):
    roles = [make_role(admin), make_role(admin)]
    user = make_user(admin, first_name="Old", role_ids=[roles[0].id])
    put = admin.users.UpdateUser(apb.UpdateUserRequest(user=apb.User(
        id=user.id, username=user.username, first_name="New", role_ids=[roles[1].id])), metadata=admin.md)
    assert put.first_name == "New" and list(put.role_ids) == [roles[1].id]
    mask = field_mask_pb2.FieldMask(paths=["role_ids", "last_name"])
    patched = admin.users.UpdateUser(apb.UpdateUserRequest(user=apb.User(id=user.id, first_name="Ignored"),
                                                           update_mask=mask), metadata=admin.md)
    assert list(patched.role_ids) == [] and patched.first_name == "New" and patched.last_name == ""
    err = fails(admin.users.UpdateUser, apb.UpdateUserRequest(
        user=apb.User(id=user.id), update_mask=field_mask_pb2.FieldMask(paths=["password_hash"])), admin.md)
    assert detail(err, error_details_pb2.BadRequest).field_violations[0].field == "update_mask"
    err = fails(admin.users.UpdateUser, apb.UpdateUserRequest(user=apb.User(id=987654, first_name="x")), admin.md)
    assert err.code() == grpc.StatusCode.NOT_FOUND


def test_list_users_filters_searches_orders_and_pages(admin):
    marker = uuid.uuid4().hex[:8]
    for prefix in ("bb", "aa", "cc"):
        make_user(admin, username=f"{prefix}_{marker}", is_active=prefix != "cc")
    page = admin.users.ListUsers(apb.ListUsersRequest(search=marker, ordering="username", page_size=2),
                                 metadata=admin.md)
    assert [u.username for u in page.users] == [f"aa_{marker}", f"bb_{marker}"] and page.total_size == 3
    rest = admin.users.ListUsers(apb.ListUsersRequest(search=marker, ordering="username", page_size=2,
                                                      page_token=page.next_page_token), metadata=admin.md)
    assert [u.username for u in rest.users] == [f"cc_{marker}"] and not rest.next_page_token
    active = admin.users.ListUsers(apb.ListUsersRequest(search=marker, is_active=True, ordering="-username"),
                                   metadata=admin.md)
    assert [u.username for u in active.users] == [f"bb_{marker}", f"aa_{marker}"]
    assert all(not u.password for u in [*page.users, *rest.users])


def test_soft_and_hard_delete(admin, anonymous, admin_password):
    soft = make_user(admin)
    deleted = admin.users.DeleteUser(apb.DeleteUserRequest(id=soft.id), metadata=admin.md)
    assert not deleted.is_active
    assert admin.users.GetUser(apb.GetUserRequest(id=soft.id), metadata=admin.md).is_active is False
    hard = make_user(admin)
    admin.users.DeleteUser(apb.DeleteUserRequest(id=hard.id, hard_delete=True), metadata=admin.md)
    assert fails(admin.users.GetUser, apb.GetUserRequest(id=hard.id), admin.md).code() == grpc.StatusCode.NOT_FOUND
    me = anonymous.auth.Login(pb.LoginRequest(username="admin", password=admin_password), metadata=anonymous.md)
    err = fails(admin.users.DeleteUser, apb.DeleteUserRequest(id=me.user.id), admin.md)
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION, "nobody deletes their own account"


def test_django_pbkdf2_hashes_log_in_and_are_rehashed_to_bcrypt(mesh, admin, anonymous):
    user = make_user(admin)
    url = mesh.extra_env["ERP_AUTH_DB_URL"]
    host_port, database = url.split("@", 1)[1].split("/", 1)
    host, port = host_port.split(":")
    conn = pymysql.connect(host=host, port=int(port), user="root", password="", database=database, autocommit=True)
    legacy = django_pbkdf2("Seed-Era-Passw0rd", "saltsalt", iterations=2000)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE auth_user SET password_hash=%s WHERE id=%s", (legacy, user.id))
        assert anonymous.login(user.username, "Seed-Era-Passw0rd").token
        cur.execute("SELECT password_hash FROM auth_user WHERE id=%s", (user.id,))
        rehashed = cur.fetchone()[0]
    assert rehashed.startswith("$2b$04$"), "rehashed to bcrypt at the configured cost"
    assert anonymous.login(user.username, "Seed-Era-Passw0rd").token


def _parallel(call, requests) -> list:
    """Runs the calls at the same moment; returns each one's status code."""
    barrier = threading.Barrier(len(requests))
    codes: list = [None] * len(requests)

    def run(i, request):
        barrier.wait()
        try:
            call(request)
            codes[i] = grpc.StatusCode.OK
        except grpc.RpcError as err:
            codes[i] = err.code()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_duplicate_creates_give_one_success_and_one_conflict(admin, round_):
    name = unique("Twin")
    codes = _parallel(lambda r: admin.roles.CreateRole(r, metadata=admin.md),
                      [apb.CreateRoleRequest(role=apb.Role(name=n)) for n in (name, name.upper())])
    assert sorted(c.name for c in codes) == ["ALREADY_EXISTS", "OK"]
    username = unique("twin")
    codes = _parallel(lambda r: admin.users.CreateUser(r, metadata=admin.md),
                      [apb.CreateUserRequest(user=apb.User(username=u, password=PASSWORD))
                       for u in (username, username.upper())])
    assert sorted(c.name for c in codes) == ["ALREADY_EXISTS", "OK"]


# --- roles ---------------------------------------------------------------------------------
def test_role_crud_and_unique_name(admin):
    role = make_role(admin, description="Runs the plant")
    assert role.is_active and role.description == "Runs the plant" and role.user_count == 0
    err = fails(admin.roles.CreateRole, apb.CreateRoleRequest(role=apb.Role(name=f"  {role.name.lower()} ")),
                admin.md)
    assert err.code() == grpc.StatusCode.ALREADY_EXISTS
    renamed = admin.roles.UpdateRole(apb.UpdateRoleRequest(
        role=apb.Role(id=role.id, name=role.name + " two"), update_mask=field_mask_pb2.FieldMask(paths=["name"])),
        metadata=admin.md)
    assert renamed.name == role.name + " two" and renamed.description == "Runs the plant"
    other = make_role(admin)
    err = fails(admin.roles.UpdateRole, apb.UpdateRoleRequest(role=apb.Role(id=other.id, name=renamed.name)),
                admin.md)
    assert err.code() == grpc.StatusCode.ALREADY_EXISTS
    assert admin.roles.GetRole(apb.GetRoleRequest(id=role.id), metadata=admin.md).name == renamed.name


def test_list_roles_filters_search_ordering_and_pages(admin):
    marker = uuid.uuid4().hex[:8]
    for prefix, active in (("b", True), ("a", True), ("c", False)):
        make_role(admin, name=f"{prefix} {marker}", is_active=active)
    listing = admin.roles.ListRoles(apb.ListRolesRequest(search=marker, ordering="-name"), metadata=admin.md)
    assert [r.name[0] for r in listing.roles] == ["c", "b", "a"] and listing.total_size == 3
    active = admin.roles.ListRoles(apb.ListRolesRequest(search=marker, is_active=True, ordering="name"),
                                   metadata=admin.md)
    assert [r.name[0] for r in active.roles] == ["a", "b"]
    first = admin.roles.ListRoles(apb.ListRolesRequest(search=marker, ordering="created_at", page_size=1),
                                  metadata=admin.md)
    seen = [first.roles[0].name]
    token = first.next_page_token
    while token:
        page = admin.roles.ListRoles(apb.ListRolesRequest(search=marker, ordering="created_at", page_size=1,
                                                          page_token=token), metadata=admin.md)
        seen += [r.name for r in page.roles]
        token = page.next_page_token
    assert sorted(seen) == sorted(r.name for r in listing.roles)
    err = fails(admin.roles.ListRoles, apb.ListRolesRequest(ordering="id"), admin.md)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_delete_role_soft_then_hard_only_with_force_while_held(admin):
    role = make_role(admin)
    user = make_user(admin, role_ids=[role.id])
    soft = admin.roles.DeleteRole(apb.DeleteRoleRequest(id=role.id), metadata=admin.md)
    assert not soft.is_active
    held = admin.users.GetUser(apb.GetUserRequest(id=user.id), metadata=admin.md)
    assert list(held.role_ids) == [role.id] and list(held.groups) == [], "an inactive role grants nothing"
    err = fails(admin.roles.DeleteRole, apb.DeleteRoleRequest(id=role.id, hard_delete=True), admin.md)
    assert err.code() == grpc.StatusCode.FAILED_PRECONDITION
    violation = detail(err, error_details_pb2.PreconditionFailure).violations[0]
    assert (violation.type, violation.subject) == ("ROLE_IN_USE", f"roles/{role.id}")
    admin.roles.DeleteRole(apb.DeleteRoleRequest(id=role.id, hard_delete=True, force=True), metadata=admin.md)
    assert fails(admin.roles.GetRole, apb.GetRoleRequest(id=role.id), admin.md).code() == grpc.StatusCode.NOT_FOUND
    assert list(admin.users.GetUser(apb.GetUserRequest(id=user.id), metadata=admin.md).role_ids) == []
    unused = make_role(admin)
    admin.roles.DeleteRole(apb.DeleteRoleRequest(id=unused.id, hard_delete=True), metadata=admin.md)


# --- permissions and group permissions ----------------------------------------------------------
def test_permission_catalogue(admin):
    everything = admin.permissions.ListPermissions(apb.ListPermissionsRequest(), metadata=admin.md).permissions
    codenames = [p.codename for p in everything]
    assert codenames == sorted(codenames) and len(codenames) == 60
    country = admin.permissions.ListPermissions(apb.ListPermissionsRequest(codename="country"), metadata=admin.md)
    assert [p.codename for p in country.permissions] == [f"master_country_{a}" for a in
                                                         ("create", "delete", "read", "update")]
    grouped = admin.permissions.ListMasterPermissions(apb.ListMasterPermissionsRequest(), metadata=admin.md)
    assert len(grouped.entities) == 10 and grouped.entities[0].entity == "continent"
    assert all([p.action for p in e.permissions] == ["create", "read", "update", "delete"] for e in grouped.entities)
    assert grouped.entities[-1].permissions[0].codename == "master_equipment_type_create"


def test_group_permission_routes(admin):
    role = make_role(admin)
    first = codename_ids(admin, "master_city_read", "master_city_create")
    assigned = admin.groups.AssignGroupPermissions(
        apb.AssignGroupPermissionsRequest(group_id=role.id, permission_ids=first), metadata=admin.md)
    assert {p.codename for p in assigned.permissions} == {"master_city_read", "master_city_create"}
    added = admin.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=codename_ids(admin, "master_zone_read")), metadata=admin.md)
    assert len(added.permissions) == 3, "assign adds"
    replaced = admin.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=codename_ids(admin, "master_zone_read"), replace=True), metadata=admin.md)
    assert [p.codename for p in replaced.permissions] == ["master_zone_read"]
    by_group = admin.groups.GetGroupPermissions(apb.GetGroupPermissionsRequest(group_id=role.id), metadata=admin.md)
    assert by_group == replaced and by_group.group_name == role.name
    everyone = admin.groups.ListGroupPermissions(apb.ListGroupPermissionsRequest(), metadata=admin.md)
    assert any(g.group_id == role.id and len(g.permissions) == 1 for g in everyone.groups)
    dropdown = admin.groups.ListGroups(apb.ListGroupsRequest(), metadata=admin.md)
    assert any(g.id == role.id and g.name == role.name for g in dropdown.groups)
    choices = admin.groups.ListAssignablePermissions(apb.ListAssignablePermissionsRequest(), metadata=admin.md)
    assert len(choices.permissions) == 60
    removed = admin.groups.RemoveGroupPermissions(apb.RemoveGroupPermissionsRequest(group_id=role.id),
                                                  metadata=admin.md)
    assert list(removed.permissions) == []


def test_group_permission_errors(admin):
    role = make_role(admin)
    err = fails(admin.groups.AssignGroupPermissions,
                apb.AssignGroupPermissionsRequest(group_id=role.id, permission_ids=[1, 99998, 99999]), admin.md)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT and "99998, 99999" in err.details()
    for call, request in ((admin.groups.AssignGroupPermissions,
                           apb.AssignGroupPermissionsRequest(group_id=987654, permission_ids=[1])),
                          (admin.groups.GetGroupPermissions, apb.GetGroupPermissionsRequest(group_id=987654)),
                          (admin.groups.RemoveGroupPermissions, apb.RemoveGroupPermissionsRequest(group_id=987654))):
        assert fails(call, request, admin.md).code() == grpc.StatusCode.NOT_FOUND


def test_roles_grant_their_permissions_to_their_users(admin, anonymous):
    role = make_role(admin)
    admin.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=codename_ids(admin, "auth_role_read")), metadata=admin.md)
    user = make_user(admin, role_ids=[role.id])
    member = anonymous.login(user.username)
    assert member.roles.GetRole(apb.GetRoleRequest(id=role.id), metadata=member.md).id == role.id
    err = fails(member.roles.CreateRole, apb.CreateRoleRequest(role=apb.Role(name=unique("R"))), member.md)
    assert err.code() == grpc.StatusCode.PERMISSION_DENIED


# --- audit ---------------------------------------------------------------------------------
def test_changes_are_audited_with_actor_target_and_before_after(admin):
    role = make_role(admin)
    admin.roles.UpdateRole(apb.UpdateRoleRequest(role=apb.Role(id=role.id, description="changed")),
                           metadata=admin.md)
    admin.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
        group_id=role.id, permission_ids=codename_ids(admin, "master_site_read")), metadata=admin.md)
    user = make_user(admin, role_ids=[role.id])
    admin.users.UpdateUser(apb.UpdateUserRequest(user=apb.User(id=user.id, first_name="Renamed")), metadata=admin.md)
    admin.users.DeleteUser(apb.DeleteUserRequest(id=user.id), metadata=admin.md)
    admin.roles.DeleteRole(apb.DeleteRoleRequest(id=role.id), metadata=admin.md)
    entries = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username="admin", page_size=50),
                                        metadata=admin.md).audit_logs
    mine = {(e.event_type, e.target_id): e for e in entries if e.target_id in (str(role.id), str(user.id))}
    updated = mine[("ROLE_UPDATED", str(role.id))]
    assert updated.actor == "admin" and updated.target_type == "role"
    assert updated.before["description"] == "" and updated.after["description"] == "changed"
    changed = mine[("GROUP_PERMISSIONS_CHANGED", str(role.id))]
    assert list(changed.before["permissions"]) == [] and list(changed.after["permissions"]) == ["master_site_read"]
    created = mine[("USER_CREATED", str(user.id))]
    assert created.after["username"] == user.username and "password" not in str(created.after)
    assert mine[("USER_UPDATED", str(user.id))].after["first_name"] == "Renamed"
    assert mine[("USER_DELETED", str(user.id))].after["is_active"] is False
    assert mine[("ROLE_DELETED", str(role.id))].before["is_active"] is True
    assert ("ROLE_CREATED", str(role.id)) in mine


def test_audit_log_filters_and_pages(admin, anonymous, client_ip):
    name = unique("ghost")
    for _ in range(3):
        fails(anonymous.auth.Login, pb.LoginRequest(username=name, password="nope-nope-1"), anonymous.md)
    listing = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=name, event_type="LOGIN_FAILED",
                                                                 page_size=2), metadata=admin.md)
    assert listing.total_size == 3 and len(listing.audit_logs) == 2 and listing.next_page_token
    entry = listing.audit_logs[0]
    assert (entry.failure_reason, entry.ip_address) == ("INVALID_CREDENTIALS", client_ip)
    assert listing.audit_logs[0].id > listing.audit_logs[1].id, "newest first"
    rest = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=name, event_type="LOGIN_FAILED", page_size=2,
                                                              page_token=listing.next_page_token), metadata=admin.md)
    assert len(rest.audit_logs) == 1 and rest.total_size == 3  # a later page counts every match too
    future = timestamp_pb2.Timestamp()
    future.FromDatetime(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1))
    later = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=name, start_time=future), metadata=admin.md)
    assert later.total_size == 0
    earlier = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=name, end_time=future), metadata=admin.md)
    assert earlier.total_size == 3
    err = fails(admin.audit.ListAuditLogs, apb.ListAuditLogsRequest(start_time=future, end_time=future), admin.md)
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_logins_are_audited_with_browser_and_os(admin, anonymous):
    user = make_user(admin)
    ua = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
    anonymous.auth.Login(pb.LoginRequest(username=user.username, password=PASSWORD),
                         metadata=anonymous.md + (("x-erp-user-agent", ua),))
    entries = admin.audit.ListAuditLogs(apb.ListAuditLogsRequest(username=user.username, event_type="LOGIN_SUCCESS"),
                                        metadata=admin.md).audit_logs
    assert [(e.browser, e.os, e.user_id) for e in entries] == [("Chrome", "Windows", user.id)]
