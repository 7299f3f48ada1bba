"""How long a logged-out access token keeps working at master_svc.

    .venv/bin/python -m bench.revocation_delay [--trials 20] [--poll-seconds 0.5] [--sqlite]

Starts its own auth_svc and master_svc on free ports (on a throwaway MariaDB unless --sqlite or no
mariadbd is installed). Each trial logs in, checks that master_svc accepts the access token, logs
out, then calls master_svc every few milliseconds until it answers UNAUTHENTICATED; the delay is
measured from the Logout reply to that first refusal. master_svc learns revocations from auth_svc's
WatchRevocations stream; ERP_REVOCATION_POLL_SECONDS (--poll-seconds) only matters when the stream
is down. Prints p50, mean and max over the trials.
"""
from __future__ import annotations

import argparse
import statistics
import time

import grpc

from bench.common import ADMIN_PASSWORD, bench_mesh
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc

GIVE_UP_SECONDS = 30.0


def accepted(continents, token: str) -> bool:
    try:
        continents.ListContinents(mpb.ListContinentsRequest(page_size=1),
                                  metadata=(("authorization", f"Bearer {token}"),), timeout=5)
        return True
    except grpc.RpcError as err:
        if err.code() != grpc.StatusCode.UNAUTHENTICATED:
            raise
        return False


def trial(auth, continents) -> float:
    token = auth.Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD)).access_token
    assert accepted(continents, token), "master_svc refuses a fresh token"  # nosec B101 # a bench's sanity check
    auth.Logout(pb.LogoutRequest(), metadata=(("authorization", f"Bearer {token}"),))
    logged_out = time.perf_counter()
    while accepted(continents, token):
        if time.perf_counter() - logged_out > GIVE_UP_SECONDS:
            raise RuntimeError(f"token still accepted {GIVE_UP_SECONDS:g} s after logout")
        time.sleep(0.002)
    return time.perf_counter() - logged_out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.revocation_delay")
    parser.add_argument("--trials", type=int, default=20, help="logouts to measure (default 20)")
    parser.add_argument("--poll-seconds", type=float, default=0.5,
                        help="ERP_REVOCATION_POLL_SECONDS, the fallback poll interval (default 0.5)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of a throwaway MariaDB")
    args = parser.parse_args()

    with bench_mesh("erp-revocation-bench-", args.sqlite, ERP_LOGIN_IP_RATE_PER_MINUTE="0",
                    ERP_REVOCATION_POLL_SECONDS=str(args.poll_seconds)) as (mesh, backend):
        mesh.start()
        with grpc.insecure_channel(mesh.auth_addr) as auth_channel, \
                grpc.insecure_channel(mesh.master_addr) as master_channel:
            auth = pb_grpc.AuthServiceStub(auth_channel)
            continents = mpb_grpc.ContinentServiceStub(master_channel)
            trial(auth, continents)  # warm-up: JWKS fetch, revocation stream connected
            delays = sorted(trial(auth, continents) for _ in range(args.trials))
        print(f"revocation delay at master_svc after Logout, {args.trials} trials, {backend}, "
              f"ERP_REVOCATION_POLL_SECONDS={args.poll_seconds:g}")
        print(f"{'p50 ms':>9} {'mean ms':>9} {'max ms':>9}")
        print(f"{statistics.median(delays) * 1000:>9.1f} {statistics.mean(delays) * 1000:>9.1f} "
              f"{delays[-1] * 1000:>9.1f}")


if __name__ == "__main__":
    main()
