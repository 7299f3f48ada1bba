"""How long a permission taken from a role keeps working at master_svc.

    .venv/bin/python -m bench.authorization_delay [--trials 20] [--poll-seconds 0.5] [--sqlite]

Starts its own auth_svc and master_svc on free ports (on a throwaway MariaDB unless --sqlite or no
mariadbd is installed). Each trial gives a role `master_continent_read`, logs in a user holding the
role, checks that master_svc lets the token list continents, takes the permission from the role
(AssignGroupPermissions with replace), then calls master_svc every few milliseconds until it answers
PERMISSION_DENIED; the delay is measured from the reply of the change to that first refusal.
master_svc learns the change from auth_svc's WatchRevocations stream (an authorization change for
each holder of the role); ERP_REVOCATION_POLL_SECONDS (--poll-seconds) only matters when the stream
is down. Prints p50, mean and max over the trials.
"""
from __future__ import annotations

import uuid

import grpc

from bench.common import ADMIN_PASSWORD
from bench.delay import Verdicts, arguments, bearer, delay_mesh, report
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc

USER_PASSWORD = "Bench-User-Passw0rd!"  # nosec B105 # a bench mesh's throwaway user, on loopback


class Trials:
    def __init__(self, auth_channel, master_channel):
        self.auth = pb_grpc.AuthServiceStub(auth_channel)
        self.groups = apb_grpc.GroupPermissionServiceStub(auth_channel)
        self.verdicts = Verdicts(master_channel, grpc.StatusCode.PERMISSION_DENIED)
        self.admin = bearer(self.auth.Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD)).access_token)
        perms = apb_grpc.PermissionServiceStub(auth_channel).ListPermissions(apb.ListPermissionsRequest(),
                                                                              metadata=self.admin)
        by_codename = {p.codename: p.id for p in perms.permissions}
        self.read, self.other = by_codename["master_continent_read"], by_codename["master_country_read"]
        self.role_id = apb_grpc.RoleServiceStub(auth_channel).CreateRole(
            apb.CreateRoleRequest(role=apb.Role(name=f"bench-{uuid.uuid4().hex[:8]}")), metadata=self.admin).id
        username = f"bench_{uuid.uuid4().hex[:8]}"
        apb_grpc.UserServiceStub(auth_channel).CreateUser(apb.CreateUserRequest(user=apb.User(
            username=username, password=USER_PASSWORD, role_ids=[self.role_id])), metadata=self.admin)
        self.username = username

    def _set(self, *permission_ids: int) -> None:
        self.groups.AssignGroupPermissions(apb.AssignGroupPermissionsRequest(
            group_id=self.role_id, permission_ids=list(permission_ids), replace=True), metadata=self.admin)

    def run(self) -> float:
        self._set(self.read, self.other)
        token = self.auth.Login(pb.LoginRequest(username=self.username, password=USER_PASSWORD)).access_token
        # The grant reaches master_svc on the feed too: until it does, the previous trial's narrowing
        # (published in the same second as this token's iat) still applies to the fresh token.
        self.verdicts.seconds_until(token, True, "master_svc refuses a fresh token after the grant,")
        self._set(self.other)
        return self.verdicts.seconds_until(token, False, "permission still honoured after it was taken,")


def main() -> None:
    args = arguments("python -m bench.authorization_delay", "changes to measure")
    with delay_mesh("erp-authorization-bench-", args) as (auth_channel, master_channel, backend):
        trials = Trials(auth_channel, master_channel)
        trials.run()  # warm-up: JWKS fetch, revocation stream connected
        delays = [trials.run() for _ in range(args.trials)]
    report(f"authorization-change delay at master_svc after a permission is taken from a role, "
           f"{args.trials} trials, {backend}, ERP_REVOCATION_POLL_SECONDS={args.poll_seconds:g}", delays)


if __name__ == "__main__":
    main()
