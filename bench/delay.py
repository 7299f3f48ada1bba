"""What the two delay benches share (bench.revocation_delay, bench.authorization_delay): the command
line, a mesh on free ports with its two channels, the wait for master_svc's verdict on a token, and
the printed p50/mean/max."""
from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import grpc

from bench.common import bench_mesh
from erp.master.v1 import master_service_pb2 as mpb
from erp.master.v1 import master_service_pb2_grpc as mpb_grpc

GIVE_UP_SECONDS = 30.0


def arguments(prog: str, trials_help: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--trials", type=int, default=20, help=f"{trials_help} (default 20)")
    parser.add_argument("--poll-seconds", type=float, default=0.5,
                        help="ERP_REVOCATION_POLL_SECONDS, the fallback poll interval (default 0.5)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of a throwaway MariaDB")
    return parser.parse_args()


@contextmanager
def delay_mesh(prefix: str, args: argparse.Namespace) -> Iterator[tuple[grpc.Channel, grpc.Channel, str]]:
    """auth_svc and master_svc on free ports: (auth channel, master channel, backend name)."""
    with bench_mesh(prefix, args.sqlite, ERP_LOGIN_IP_RATE_PER_MINUTE="0",
                    ERP_REVOCATION_POLL_SECONDS=str(args.poll_seconds)) as (mesh, backend):
        mesh.start()
        with grpc.insecure_channel(mesh.auth_addr) as auth_channel, \
                grpc.insecure_channel(mesh.master_addr) as master_channel:
            yield auth_channel, master_channel, backend


def bearer(token: str) -> tuple:
    return (("authorization", f"Bearer {token}"),)


class Verdicts:
    """master_svc's answer to one token: a page of continents, or the refusal a bench waits for."""

    def __init__(self, master_channel: grpc.Channel, refusal: grpc.StatusCode):
        self._continents = mpb_grpc.ContinentServiceStub(master_channel)
        self._refusal = refusal

    def accepted(self, token: str) -> bool:
        try:
            self._continents.ListContinents(mpb.ListContinentsRequest(page_size=1), metadata=bearer(token),
                                            timeout=5)
            return True
        except grpc.RpcError as err:
            if err.code() != self._refusal:
                raise
            return False

    def seconds_until(self, token: str, accepted: bool, what: str) -> float:
        """Calls every 2 ms until master_svc's verdict on `token` is `accepted`; the seconds it took."""
        start = time.perf_counter()
        while self.accepted(token) != accepted:
            if time.perf_counter() - start > GIVE_UP_SECONDS:
                raise RuntimeError(f"{what} {GIVE_UP_SECONDS:g} s on")
            time.sleep(0.002)
        return time.perf_counter() - start


def report(title: str, delays: list[float]) -> None:
    delays = sorted(delays)
    print(title)
    print(f"{'p50 ms':>9} {'mean ms':>9} {'max ms':>9}")
    print(f"{statistics.median(delays) * 1000:>9.1f} {statistics.mean(delays) * 1000:>9.1f} "
          f"{delays[-1] * 1000:>9.1f}")
