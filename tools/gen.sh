#!/usr/bin/env bash
# Regenerates everything under gen/ from protos/. Run through `make gen`.
#   tools/gen.sh               regenerate gen/
#   tools/gen.sh --out DIR     generate into DIR/gen instead (the staleness test compares the two)
#   tools/gen.sh --deps-only   only lay out the third-party protos buf needs (var/proto-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=.
DEPS_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --deps-only) DEPS_ONLY=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

SITE=$($PY -c 'import google.api.http_pb2 as m, os; print(os.path.dirname(os.path.dirname(os.path.dirname(m.__file__))))')
WKT=$($PY -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')

# Third-party contracts come from the pinned googleapis-common-protos wheel, never from git.
rm -rf var/proto-deps && mkdir -p var/proto-deps/google
cp -r "$SITE/google/api" "$SITE/google/rpc" var/proto-deps/google/
find var/proto-deps -type f ! -name '*.proto' -delete
find var/proto-deps -depth -type d -empty -delete
[ "$DEPS_ONLY" = 1 ] && exit 0

# Generate into a scratch tree, then copy over only what changed: unchanged files keep their
# mtimes, so make does not rebuild what depends on them (the docs assets) on every `make run`.
TARGET="$OUT/gen"
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
GEN="$SCRATCH/gen"
mkdir -p "$GEN/python" "$GEN/envoy" "$GEN/openapi" "$GEN/go"
mapfile -t PROTOS < <(cd protos && find erp -name '*.proto' | sort)

$PY -m grpc_tools.protoc -Iprotos -Ivar/proto-deps -I"$WKT" \
  --python_out="$GEN/python" --pyi_out="$GEN/python" --grpc_python_out="$GEN/python" "${PROTOS[@]}"
# Namespace packages would do, but explicit __init__.py files keep tools and pytest simple.
find "$GEN/python/erp" -type d -exec touch {}/__init__.py \;
# Typed (PEP 561): the .pyi files beside the messages, for clients/python's package.
touch "$GEN/python/erp/py.typed"

# The descriptor set for Envoy's transcoder: our protos plus every google/api and google/rpc file, so the
# transcoder can render any google.rpc error detail (convert_grpc_status).
.venv/bin/buf build -o "$GEN/envoy/erp.binpb"
.venv/bin/buf generate -o "$SCRATCH"
# The Go gateway's table of handler registrations, by service (Go cannot look a function up by name).
$PY -m tools.gateway_handlers "$GEN/envoy/erp.binpb" "$GEN/gateway/handlers/handlers.go"
gofmt -l "$GEN/gateway/handlers" | { ! grep .; } || { echo "tools/gateway_handlers.py wrote unformatted Go" >&2; exit 1; }
# gen/go is a Go module of its own (tools/gen-go.mod says why).
cp tools/gen-go.mod "$GEN/go/go.mod"
cp tools/gen-go.sum "$GEN/go/go.sum"
# The published document is OpenAPI 3.1 (tools/openapi.py says what it changes); the Swagger 2.0
# output it is made from is not kept.
$PY -m tools.openapi "$GEN/openapi/erp.swagger.json" "$GEN/openapi/erp.openapi.json"
rm "$GEN/openapi/erp.swagger.json"

$PY - "$GEN" "$TARGET" <<'SYNC'
import filecmp, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for root, _, files in os.walk(src):
    for name in files:
        a = os.path.join(root, name)
        b = os.path.join(dst, os.path.relpath(a, src))
        if not (os.path.exists(b) and filecmp.cmp(a, b, shallow=False)):
            os.makedirs(os.path.dirname(b), exist_ok=True)
            shutil.copy2(a, b)
for root, dirs, files in os.walk(dst, topdown=False):
    for name in files:
        b = os.path.join(root, name)
        if "__pycache__" not in b and not os.path.exists(os.path.join(src, os.path.relpath(b, dst))):
            os.remove(b)
    for name in dirs:
        d = os.path.join(root, name)
        if name != "__pycache__" and not os.listdir(d):
            os.rmdir(d)
SYNC
