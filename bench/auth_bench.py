"""auth_svc throughput and tail latency over native gRPC on loopback, with production bcrypt cost.

    .venv/bin/python -m bench.auth_bench [--logins 40] [--refreshes 600] [--lists 3000] [--concurrency 4]
                                         [--rounds 12] [--sqlite]

Starts its own auth_svc and master_svc on free ports (on a throwaway MariaDB unless --sqlite or no
mariadbd is installed) with ERP_BCRYPT_ROUNDS=12 and the per-client login limit off, then drives a
fixed number of calls from a fixed number of client threads: Login (one bcrypt check each),
RefreshToken (each thread rotates its own session's refresh token) and an authenticated ListRoles.
Prints one row per call: completed calls, throughput, p50/p99 latency and errors. The client is
Python in the same machine, so the figures are a floor for the service, not a ceiling.
"""
from __future__ import annotations

import argparse
from typing import Callable

import grpc

from erp.auth.v1 import admin_service_pb2 as apb
from erp.auth.v1 import admin_service_pb2_grpc as apb_grpc
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from bench.common import ADMIN_PASSWORD, HEADER, bench_mesh, drive



def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.auth_bench")
    parser.add_argument("--logins", type=int, default=40, help="Login calls (default 40)")
    parser.add_argument("--refreshes", type=int, default=600, help="RefreshToken calls (default 600)")
    parser.add_argument("--lists", type=int, default=3000, help="ListRoles calls (default 3000)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--rounds", type=int, default=12, help="bcrypt cost (default 12, the production default)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of a throwaway MariaDB")
    args = parser.parse_args()

    with bench_mesh("erp-auth-bench-", args.sqlite, ERP_BCRYPT_ROUNDS=str(args.rounds),
                    ERP_LOGIN_IP_RATE_PER_MINUTE="0") as (mesh, backend):
        mesh.start()
        with grpc.insecure_channel(mesh.auth_addr) as channel:
            auth = pb_grpc.AuthServiceStub(channel)
            roles = apb_grpc.RoleServiceStub(channel)

            def login() -> pb.LoginResponse:
                return auth.Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD), timeout=60)

            token = login().access_token
            metadata = (("authorization", f"Bearer {token}"),)
            for i in range(20):
                roles.CreateRole(apb.CreateRoleRequest(role=apb.Role(name=f"Bench role {i}")), metadata=metadata)

            def refresher(_: int) -> Callable[[], None]:
                current = [login().refresh_token]

                def refresh() -> None:
                    current[0] = auth.RefreshToken(pb.RefreshTokenRequest(refresh_token=current[0]),
                                                   timeout=30).refresh_token
                return refresh

            def lister(_: int) -> Callable[[], None]:
                return lambda: roles.ListRoles(apb.ListRolesRequest(page_size=50), metadata=metadata, timeout=30)

            results = [
                drive(f"Login (bcrypt {args.rounds})", lambda _: login, args.concurrency, total=args.logins),
                drive("RefreshToken", refresher, args.concurrency, total=args.refreshes),
                drive("ListRoles (21 roles)", lister, args.concurrency, total=args.lists),
            ]
        print(f"auth_svc over gRPC, loopback, {backend}, bcrypt cost {args.rounds}, "
              f"{args.concurrency} client threads, fixed call counts")
        print(HEADER)
        for result in results:
            print(result.row())


if __name__ == "__main__":
    main()
