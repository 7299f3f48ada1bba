#!/usr/bin/env bash
# Regenerates everything under gen/ from protos/. Run through `make gen`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
SITE=$($PY -c 'import google.api.http_pb2 as m, os; print(os.path.dirname(os.path.dirname(os.path.dirname(m.__file__))))')
WKT=$($PY -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')

# Third-party contracts come from the pinned googleapis-common-protos wheel, never from git.
rm -rf var/proto-deps && mkdir -p var/proto-deps/google
cp -r "$SITE/google/api" "$SITE/google/rpc" var/proto-deps/google/
find var/proto-deps -type f ! -name '*.proto' -delete
find var/proto-deps -type d -empty -delete

rm -rf gen && mkdir -p gen/python gen/envoy gen/openapi gen/go
mapfile -t PROTOS < <(cd protos && find erp -name '*.proto' | sort)

$PY -m grpc_tools.protoc -Iprotos -Ivar/proto-deps -I"$WKT" \
  --python_out=gen/python --pyi_out=gen/python --grpc_python_out=gen/python "${PROTOS[@]}"
# Namespace packages would do, but explicit __init__.py files keep tools and pytest simple.
find gen/python/erp -type d -exec touch {}/__init__.py \;

# The descriptor set for Envoy's transcoder: our protos plus every google/api and google/rpc file, so the
# transcoder can render any google.rpc error detail (convert_grpc_status).
.venv/bin/buf build -o gen/envoy/erp.binpb
.venv/bin/buf generate
