"""`python -m auth_svc [serve|migrate|rotate-keys|retire-key KID|list-keys|rotate-data-key]`."""
from __future__ import annotations

import argparse
import datetime
import sys
import time

from auth_svc.config import AuthConfig
from auth_svc.keystore import KeyStore, created_at
from erp_common import logs, settings, workers


def _when(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).isoformat(timespec="seconds")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m auth_svc")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the gRPC server (default)")
    sub.add_parser("migrate", help="apply database migrations and bootstrap, then exit")
    sub.add_parser("rotate-keys", help="add a signing key: published at once, signing after "
                                       "ERP_KEY_ACTIVATION_SECONDS; older keys keep verifying")
    retire = sub.add_parser("retire-key", help="stop publishing a key; its tokens stop verifying")
    retire.add_argument("kid")
    sub.add_parser("list-keys", help="print the published key ids, oldest first, each with its state "
                                     "(signing, pending until <time>, verifying)")
    sub.add_parser("rotate-data-key", help="add a data key for the TOTP secrets, make it current and encrypt "
                                           "every secret again with it; older keys stay in the file")
    args = parser.parse_args()
    config = AuthConfig.from_env()
    logs.setup(config.log_level)
    settings.report_deprecated()
    keystore = KeyStore(config.keys_dir, activation_seconds=config.key_activation_seconds)
    if args.command == "migrate":
        from auth_svc.server import announce_generated_password, prepare
        app = prepare(config)
        if app.generated_password:
            announce_generated_password(config, app.generated_password)
    elif args.command == "rotate-keys":
        keystore.ensure_key()
        kid = keystore.add_key()
        print(kid)
        print(f"published now; signs from {_when(keystore.activates_at(kid))}", file=sys.stderr)
    elif args.command == "rotate-data-key":
        from auth_svc.server import open_data_keyring, open_database
        from auth_svc.storage.migrations import encrypt_totp_secrets
        keyring = open_data_keyring(config)
        kid = keyring.rotate()
        changed = encrypt_totp_secrets(open_database(config), keyring)
        print(kid)
        print(f"{changed} TOTP secrets encrypted again with it", file=sys.stderr)
    elif args.command == "retire-key":
        keystore.retire_key(args.kid)
    elif args.command == "list-keys":
        kids = sorted((jwk["kid"] for jwk in keystore.jwks()), key=lambda k: (created_at(k), k))
        signing = keystore.signing_kid() if kids else ""
        now = time.time()
        for kid in kids:
            if kid == signing:
                state = "signing"
            elif keystore.activates_at(kid) > now:
                state = f"pending until {_when(keystore.activates_at(kid))}"
            else:
                state = "verifying"
            print(f"{kid}\t{state}")
    else:
        if config.workers > 1:
            workers.use_multiprocess_metrics()  # before anything imports prometheus_client
        from auth_svc.server import serve
        sys.exit(serve(config))


if __name__ == "__main__":
    main()
