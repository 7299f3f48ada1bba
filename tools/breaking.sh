#!/usr/bin/env bash
# buf breaking: the working tree's protos against those committed at a git ref (default HEAD;
# e.g. BREAKING_AGAINST=origin/main on a branch). The third-party protos come from the same
# pinned wheel on both sides (var/proto-deps), so only our contracts are compared.
set -euo pipefail
cd "$(dirname "$0")/.."
REF="${BREAKING_AGAINST:-HEAD}"
BASE=$(mktemp -d)
trap 'rm -rf "$BASE"' EXIT
if ! git cat-file -e "$REF:protos" 2>/dev/null; then
  echo "no protos/ at $REF: nothing to compare against"
  exit 0
fi
git archive "$REF" protos buf.yaml | tar -x -C "$BASE"
mkdir -p "$BASE/var" && cp -r var/proto-deps "$BASE/var/"
.venv/bin/buf breaking --against "$BASE"
echo "buf breaking: no breaking change against $REF"
