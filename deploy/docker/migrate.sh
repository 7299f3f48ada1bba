#!/bin/sh
# Applies every ERP schema migration, then exits (the migrations image's CMD).
# Both `migrate` commands are idempotent: running this again on an up-to-date database is a no-op.
set -eu

# Wait (up to 120 s) until each MySQL URL's server accepts TCP connections: not every engine holds
# this job back until MariaDB is healthy (podman-compose on podman < 4.6 ignores `service_healthy`),
# and MariaDB listens only once its first-start initialisation is over.
for url in "${ERP_AUTH_DB_URL:-}" "${ERP_MASTER_DB_URL:-}"; do
    case "$url" in
        mysql://*) python -c '
import socket, sys, time, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
address = (url.hostname, url.port or 3306)
deadline = time.monotonic() + 120
while True:
    try:
        socket.create_connection(address, timeout=2).close()
        break
    except OSError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"migrate: database {address[0]}:{address[1]} unreachable for 120 s: {exc}")
        time.sleep(1)
' "$url" ;;
    esac
done

echo "migrate: auth_svc"
python -m auth_svc migrate
echo "migrate: master_svc"
python -m master_svc migrate

# Compose only: create the first signing key in the shared keys volume when it holds none
# (auth_svc signs with ERP_KEYS_DIR/active/*.pem and does not create keys by itself).
# In Kubernetes the keys come from the erp-signing-keys Secret (see deploy/README.md).
if [ "${ERP_BOOTSTRAP_KEYS:-0}" = "1" ]; then
    if [ -z "$(python -m auth_svc list-keys)" ]; then
        echo "migrate: no signing key in ${ERP_KEYS_DIR:-?}, running auth_svc rotate-keys"
        python -m auth_svc rotate-keys
    fi
fi
echo "migrate: done"
