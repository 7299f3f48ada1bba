"""`python -m master_svc [serve|migrate]`."""
from __future__ import annotations

import argparse
import asyncio

from erp_common import logs
from master_svc.config import MasterConfig


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m master_svc")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the gRPC server (default)")
    sub.add_parser("migrate", help="apply database migrations, then exit")
    args = parser.parse_args()
    config = MasterConfig.from_env()
    logs.setup(config.log_level)
    if args.command == "migrate":
        from master_svc.server import prepare
        prepare(config)
    else:
        from master_svc.server import serve
        asyncio.run(serve(config))


if __name__ == "__main__":
    main()
