"""UserService, RoleService, PermissionService, GroupPermissionService and AuditService:
protobuf <-> use case. The interceptor has checked the permission each RPC needs
(its `(erp.options.v1.access)` in the proto) before a method runs."""
from __future__ import annotations

from auth_svc.api import convert
from auth_svc.api.calls import client
from auth_svc.usecases import UseCases
from erp.auth.v1 import admin_service_pb2 as pb
from erp.auth.v1 import admin_service_pb2_grpc as pb_grpc
from erp_common.server import require_principal


def _optional_bool(request, field: str):
    return getattr(request, field) if request.HasField(field) else None


class UserServicer(pb_grpc.UserServiceServicer):
    def __init__(self, usecases: UseCases):
        self.uc = usecases

    async def ListUsers(self, request: pb.ListUsersRequest, context) -> pb.ListUsersResponse:
        users, token, total = await self.uc.call(self.uc.users.list, request.page_size, request.page_token,
                                        request.search, request.ordering, _optional_bool(request, "is_active"))
        return pb.ListUsersResponse(users=[convert.user(u) for u in users], next_page_token=token, total_size=total)

    async def GetUser(self, request: pb.GetUserRequest, context) -> pb.User:
        return convert.user(await self.uc.call(self.uc.users.get, request.id))

    async def CreateUser(self, request: pb.CreateUserRequest, context) -> pb.User:
        actor = require_principal()
        values = convert.new_user_values(request.user)
        return convert.user(await self.uc.call(self.uc.users.create, actor, values, client()))

    async def UpdateUser(self, request: pb.UpdateUserRequest, context) -> pb.User:
        actor = require_principal()
        changes = convert.changes(request.user, request.update_mask.paths, convert.USER_MASKABLE,
                                  convert.USER_IGNORED)
        return convert.user(await self.uc.call(self.uc.users.update, actor, request.user.id, changes, client()))

    async def DeleteUser(self, request: pb.DeleteUserRequest, context) -> pb.User:
        actor = require_principal()
        return convert.user(await self.uc.call(self.uc.users.delete, actor, request.id, request.hard_delete,
                                      client()))

    async def ResetUserMfa(self, request: pb.ResetUserMfaRequest, context) -> pb.User:
        actor = require_principal()
        return convert.user(await self.uc.call(self.uc.users.reset_mfa, actor, request.id, client()))


class RoleServicer(pb_grpc.RoleServiceServicer):
    def __init__(self, usecases: UseCases):
        self.uc = usecases

    async def ListRoles(self, request: pb.ListRolesRequest, context) -> pb.ListRolesResponse:
        roles, token, total = await self.uc.call(self.uc.roles.list, request.page_size, request.page_token,
                                        request.search, request.ordering, _optional_bool(request, "is_active"))
        return pb.ListRolesResponse(roles=[convert.role(r) for r in roles], next_page_token=token, total_size=total)

    async def GetRole(self, request: pb.GetRoleRequest, context) -> pb.Role:
        return convert.role(await self.uc.call(self.uc.roles.get, request.id))

    async def CreateRole(self, request: pb.CreateRoleRequest, context) -> pb.Role:
        actor = require_principal()
        values = convert.new_role_values(request.role)
        return convert.role(await self.uc.call(self.uc.roles.create, actor, values, client()))

    async def UpdateRole(self, request: pb.UpdateRoleRequest, context) -> pb.Role:
        actor = require_principal()
        changes = convert.changes(request.role, request.update_mask.paths, convert.ROLE_MASKABLE,
                                  convert.ROLE_IGNORED)
        return convert.role(await self.uc.call(self.uc.roles.update, actor, request.role.id, changes, client()))

    async def DeleteRole(self, request: pb.DeleteRoleRequest, context) -> pb.Role:
        actor = require_principal()
        return convert.role(await self.uc.call(self.uc.roles.delete, actor, request.id, request.hard_delete,
                                      request.force, client()))


class PermissionServicer(pb_grpc.PermissionServiceServicer):
    def __init__(self, usecases: UseCases):
        self.uc = usecases

    async def ListPermissions(self, request: pb.ListPermissionsRequest, context) -> pb.ListPermissionsResponse:
        records = await self.uc.call(self.uc.permissions.list, request.codename)
        return pb.ListPermissionsResponse(permissions=convert.permissions(records))

    async def ListMasterPermissions(self, request, context) -> pb.ListMasterPermissionsResponse:
        grouped = await self.uc.call(self.uc.permissions.master_by_entity)
        return pb.ListMasterPermissionsResponse(entities=[
            pb.EntityPermissions(entity=entity, permissions=convert.permissions(perms)) for entity, perms in grouped])


class GroupPermissionServicer(pb_grpc.GroupPermissionServiceServicer):
    def __init__(self, usecases: UseCases):
        self.uc = usecases

    async def ListGroupPermissions(self, request, context) -> pb.ListGroupPermissionsResponse:
        groups = await self.uc.call(self.uc.permissions.groups_with_permissions)
        return pb.ListGroupPermissionsResponse(groups=[convert.group_permissions(g) for g in groups])

    async def AssignGroupPermissions(self, request: pb.AssignGroupPermissionsRequest, context) -> pb.GroupPermissions:
        actor = require_principal()
        group = await self.uc.call(self.uc.permissions.assign, actor, request.group_id,
                          list(request.permission_ids), request.replace, client())
        return convert.group_permissions(group)

    async def ListGroups(self, request, context) -> pb.ListGroupsResponse:
        groups = await self.uc.call(self.uc.permissions.groups)
        return pb.ListGroupsResponse(groups=[pb.Group(id=i, name=n) for i, n in groups])

    async def ListAssignablePermissions(self, request, context) -> pb.ListAssignablePermissionsResponse:
        records = await self.uc.call(self.uc.permissions.list)
        return pb.ListAssignablePermissionsResponse(permissions=convert.permissions(records))

    async def GetGroupPermissions(self, request: pb.GetGroupPermissionsRequest, context) -> pb.GroupPermissions:
        return convert.group_permissions(await self.uc.call(self.uc.permissions.of_group, request.group_id))

    async def RemoveGroupPermissions(self, request: pb.RemoveGroupPermissionsRequest, context) -> pb.GroupPermissions:
        actor = require_principal()
        group = await self.uc.call(self.uc.permissions.remove_all, actor, request.group_id, client())
        return convert.group_permissions(group)


class AuditServicer(pb_grpc.AuditServiceServicer):
    def __init__(self, usecases: UseCases):
        self.uc = usecases

    async def ListAuditLogs(self, request: pb.ListAuditLogsRequest, context) -> pb.ListAuditLogsResponse:
        entries, token, total = await self.uc.call(
            self.uc.audit_logs.list, request.page_size, request.page_token, request.event_type,
            request.username, convert.to_datetime(request, "start_time"), convert.to_datetime(request, "end_time"))
        return pb.ListAuditLogsResponse(audit_logs=[convert.audit_log(e) for e in entries], next_page_token=token,
                                        total_size=total)
