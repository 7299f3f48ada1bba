#!/bin/sh
# Renders the Envoy config from the ERP_* environment, then replaces itself with envoy.
# Extra arguments go to envoy (e.g. `--log-level debug`).
set -eu

out="${ERP_EDGE_CONFIG_OUT:-/tmp/envoy.yaml}"
python -m edge.render --out "$out"
# One Envoy per container: no hot restart, so no shared-memory region to coordinate.
# jwt:error: the first JWKS fetch at start fails by construction (edge/envoy.yaml.tmpl says why).
exec envoy -c "$out" --disable-hot-restart --log-level "${ERP_EDGE_LOG_LEVEL:-info}" --component-log-level jwt:error "$@"
