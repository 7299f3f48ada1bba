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

import grpc

from bench.common import ADMIN_PASSWORD
from bench.delay import Verdicts, arguments, bearer, delay_mesh, report
from erp.auth.v1 import auth_service_pb2 as pb
from erp.auth.v1 import auth_service_pb2_grpc as pb_grpc


def trial(auth, verdicts: Verdicts) -> float:
    token = auth.Login(pb.LoginRequest(username="admin", password=ADMIN_PASSWORD)).access_token
    if not verdicts.accepted(token):
        raise RuntimeError("master_svc refuses a fresh token")
    auth.Logout(pb.LogoutRequest(), metadata=bearer(token))
    return verdicts.seconds_until(token, False, "token still accepted after logout,")


def main() -> None:
    args = arguments("python -m bench.revocation_delay", "logouts to measure")
    with delay_mesh("erp-revocation-bench-", args) as (auth_channel, master_channel, backend):
        auth = pb_grpc.AuthServiceStub(auth_channel)
        verdicts = Verdicts(master_channel, grpc.StatusCode.UNAUTHENTICATED)
        trial(auth, verdicts)  # warm-up: JWKS fetch, revocation stream connected
        delays = [trial(auth, verdicts) for _ in range(args.trials)]
    report(f"revocation delay at master_svc after Logout, {args.trials} trials, {backend}, "
           f"ERP_REVOCATION_POLL_SECONDS={args.poll_seconds:g}", delays)


if __name__ == "__main__":
    main()
