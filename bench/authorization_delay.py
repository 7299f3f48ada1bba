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

import argparse
import statistics
import time
import uuid

import grpc

from bench.common import ADMIN_PASSWORD, bench_mesh
from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc

GIVE_UP_SECONDS = 30.0
USER_PASSWORD = "Bench-User-Passw0rd!"  # nosec B105 # a bench mesh's throwaway user, on loopback


def bearer(token: str) -> tuple:
    return (("authorization", f"Bearer {token}"),)


def accepted(continents, token: str) -> bool:
    try:
        continents.ListContinents(mpb.ListContinentsRequest(page_size=1), metadata=bearer(token), timeout=5)
        return True
    except grpc.RpcError as err:
        if err.code() != grpc.StatusCode.PERMISSION_DENIED:
            raise
        return False


class Trials:
    def __init__(self, auth_channel, master_channel):
        self.auth = pb_grpc.AuthServiceStub(auth_channel)
        self.groups = apb_grpc.GroupPermissionServiceStub(auth_channel)
        self.continents = mpb_grpc.ContinentServiceStub(master_channel)
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
        granted = time.perf_counter()
        while not accepted(self.continents, token):
            if time.perf_counter() - granted > GIVE_UP_SECONDS:
                raise RuntimeError(f"master_svc refuses a fresh token {GIVE_UP_SECONDS:g} s after the grant")
            time.sleep(0.002)
        self._set(self.other)
        changed = time.perf_counter()
        while accepted(self.continents, token):
            if time.perf_counter() - changed > GIVE_UP_SECONDS:
                raise RuntimeError(f"permission still honoured {GIVE_UP_SECONDS:g} s after it was taken")
            time.sleep(0.002)
        return time.perf_counter() - changed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.authorization_delay")
    parser.add_argument("--trials", type=int, default=20, help="changes to measure (default 20)")
    parser.add_argument("--poll-seconds", type=float, default=0.5,
                        help="ERP_REVOCATION_POLL_SECONDS, the fallback poll interval (default 0.5)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of a throwaway MariaDB")
    args = parser.parse_args()

    with bench_mesh("erp-authorization-bench-", args.sqlite, ERP_LOGIN_IP_RATE_PER_MINUTE="0",
                    ERP_REVOCATION_POLL_SECONDS=str(args.poll_seconds)) as (mesh, backend):
        mesh.start()
        with grpc.insecure_channel(mesh.auth_addr) as auth_channel, \
                grpc.insecure_channel(mesh.master_addr) as master_channel:
            trials = Trials(auth_channel, master_channel)
            trials.run()  # warm-up: JWKS fetch, revocation stream connected
            delays = sorted(trials.run() for _ in range(args.trials))
        print(f"authorization-change delay at master_svc after a permission is taken from a role, "
              f"{args.trials} trials, {backend}, ERP_REVOCATION_POLL_SECONDS={args.poll_seconds:g}")
        print(f"{'p50 ms':>9} {'mean ms':>9} {'max ms':>9}")
        print(f"{statistics.median(delays) * 1000:>9.1f} {statistics.mean(delays) * 1000:>9.1f} "
              f"{delays[-1] * 1000:>9.1f}")


if __name__ == "__main__":
    main()
