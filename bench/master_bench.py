"""Master-data throughput and tail latency over native gRPC on loopback.

    .venv/bin/python -m bench.master_bench [--seconds 5] [--concurrency 8] [--sqlite]

Starts its own auth_svc and master_svc on free ports (on a throwaway MariaDB unless --sqlite or no
mariadbd is installed), loads the reference geography with `seed-geo`, logs in as admin and drives
three calls with a fixed number of client threads for a bounded time each: ListCountries (a page
of 50 of the 249 countries, by name), GetCountry and CreateEquipmentType (a new name each call).
Prints one row per call: completed calls, throughput, p50/p99 latency and errors. The client is
Python too, so the figures are a floor for the service, not a ceiling.
"""
from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import uuid

import grpc

from erp.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from bench.common import ADMIN_PASSWORD, HEADER, bench_mesh, drive
from tools.mesh import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.master_bench")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measured call (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of a throwaway MariaDB")
    args = parser.parse_args()

    with bench_mesh("erp-master-bench-", args.sqlite) as (mesh, backend):
        env = mesh.env()
        seeded = subprocess.run([sys.executable, "-m", "master_svc", "seed-geo"], cwd=ROOT, capture_output=True,
                                text=True, env={**os.environ, **env}, check=True)
        mesh.start()
        with grpc.insecure_channel(mesh.auth_addr) as auth, grpc.insecure_channel(mesh.master_addr) as channel:
            token = auth_service_pb2_grpc.AuthServiceStub(auth).Login(
                auth_service_pb2.LoginRequest(username="admin", password=ADMIN_PASSWORD)).access_token
            metadata = (("authorization", f"Bearer {token}"),)
            countries = pb_grpc.CountryServiceStub(channel)
            types = pb_grpc.EquipmentTypeServiceStub(channel)
            first = countries.ListCountries(pb.ListCountriesRequest(page_size=50), metadata=metadata)
            assert first.total_size == 249, first.total_size  # nosec B101 # a bench's sanity check, never run -O
            some_id = first.countries[0].id
            run, serial = uuid.uuid4().hex[:6], itertools.count()
            calls = [
                ("ListCountries (50)", lambda: countries.ListCountries(
                    pb.ListCountriesRequest(page_size=50), metadata=metadata, timeout=10)),
                ("GetCountry", lambda: countries.GetCountry(
                    pb.GetCountryRequest(id=some_id), metadata=metadata, timeout=10)),
                ("CreateEquipmentType", lambda: types.CreateEquipmentType(pb.CreateEquipmentTypeRequest(
                    equipment_type=pb.EquipmentType(name=f"Bench {run} {next(serial)}")), metadata=metadata, timeout=10)),
            ]
            for _, call in calls:  # warm the connection pool and the JWKS cache
                call()
            results = [drive(name, lambda _, c=call: c, args.concurrency, seconds=args.seconds) for name, call in calls]
        print(f"master_svc over gRPC, loopback, {backend}, {args.concurrency} client threads, "
              f"{args.seconds:g} s per call; seed-geo: {seeded.stdout.strip().splitlines()[-1]}")
        print(HEADER)
        for result in results:
            print(result.row())


if __name__ == "__main__":
    main()
