"""`python -m auth_svc [serve|migrate|rotate-keys|retire-key KID|list-keys]`."""
from __future__ import annotations

import argparse
import asyncio

from auth_svc.config import AuthConfig
from auth_svc.keystore import KeyStore
from erp_common import logs


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m auth_svc")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the gRPC server (default)")
    sub.add_parser("migrate", help="apply database migrations and bootstrap, then exit")
    sub.add_parser("rotate-keys", help="add a new signing key; older keys keep verifying")
    retire = sub.add_parser("retire-key", help="stop publishing a key; its tokens stop verifying")
    retire.add_argument("kid")
    sub.add_parser("list-keys", help="print the published key ids, the signing key last")
    args = parser.parse_args()
    config = AuthConfig.from_env()
    logs.setup(config.log_level)
    keystore = KeyStore(config.keys_dir)
    if args.command == "migrate":
        from auth_svc.server import prepare
        _, password = prepare(config)
        if password:
            print(f"first admin created: username 'admin', password '{password}' (shown once)")
    elif args.command == "rotate-keys":
        keystore.ensure_key()
        print(keystore.add_key())
    elif args.command == "retire-key":
        keystore.retire_key(args.kid)
    elif args.command == "list-keys":
        for jwk in keystore.jwks():
            print(jwk["kid"])
    else:
        from auth_svc.server import serve
        asyncio.run(serve(config))


if __name__ == "__main__":
    main()
