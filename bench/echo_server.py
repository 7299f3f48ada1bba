"""The ceiling of a Python gRPC server on this machine: a grpc.aio unary method that answers its
request bytes unchanged, with no interceptor, no parsing and no I/O, in one process or in `--workers`
processes on one port (the same erp_common.workers parent as the services).

    .venv/bin/python -m bench.echo_server --addr 127.0.0.1:50099 [--workers 2]

`bench.edge_bench` drives it with the same client and the same requests in flight as the services'
rows, so each row can be read as a fraction of what any Python gRPC method could do here.
"""
from __future__ import annotations

import argparse
import asyncio
import signal

import grpc

from erp_common import workers

METHOD = "/bench.Echo/Echo"


async def serve(addr: str) -> None:
    server = grpc.aio.server(options=[("grpc.so_reuseport", 1 if workers.is_worker() else 0)])

    async def echo(request: bytes, context) -> bytes:
        return request

    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}),))
    if server.add_insecure_port(addr) == 0:
        raise RuntimeError(f"cannot listen on {addr}")
    await server.start()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    print(f"echo: listening on {addr}", flush=True)
    await stop.wait()
    await server.stop(1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.echo_server", description=__doc__.splitlines()[0])
    parser.add_argument("--addr", required=True, help="host:port")
    parser.add_argument("--workers", type=int, default=1, help="processes sharing the port (default 1)")
    args = parser.parse_args()
    if args.workers == 1:
        asyncio.run(serve(args.addr))
    else:
        workers.check_address_free(args.addr)
        raise SystemExit(workers.Supervisor("echo", args.workers, lambda: asyncio.run(serve(args.addr))).run())


if __name__ == "__main__":
    main()
