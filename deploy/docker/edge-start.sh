#!/bin/sh
# Renders the Envoy config from the ERP_* environment, then replaces itself with envoy.
# Extra arguments go to envoy (e.g. `--log-level debug`).
set -eu

out="${ERP_EDGE_CONFIG_OUT:-/tmp/envoy.yaml}"
python "${ERP_APP_DIR:-/app}/edge/render.py" --out "$out"
# One Envoy per container: no hot restart, so no shared-memory region to coordinate.
exec envoy -c "$out" --disable-hot-restart --log-level "${ERP_EDGE_LOG_LEVEL:-info}" "$@"
