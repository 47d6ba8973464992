#!/usr/bin/env bash
# Generates the Python and TypeScript clients from the committed spec
# admin/openapi.json: client/python/wharf_client (openapi-python-client,
# pinned in tools/openapi-python-client.txt) and client/typescript/src/schema.ts
# (openapi-typescript, pinned in client/typescript/package-lock.json). The
# Rust client (client/build.rs) is generated at build time and cannot drift.
# With --check, writes nothing and fails with a diff when the committed
# code differs from what the spec generates, or when a package's version
# is not Wharf's (the workspace Cargo.toml).
# Usage: scripts/client-gen.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
scripts/ensure-python-client.sh
VENV=$PWD/.tools/python-client
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

# Versions: Wharf's, in every package.
WHARF_VERSION=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
PY_VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' client/python/pyproject.toml)
TS_VERSION=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' client/typescript/package.json)
for pair in "client/python/pyproject.toml:$PY_VERSION" "client/typescript/package.json:$TS_VERSION"; do
  if [ "${pair##*:}" != "$WHARF_VERSION" ]; then
    echo "client-gen: ${pair%%:*} has version ${pair##*:}, Wharf is $WHARF_VERSION (Cargo.toml)" >&2
    failed=1
  fi
done

# Python: generated into a scratch folder, then compared or moved in place.
(cd "$TMP" && PATH="$VENV/bin:$PATH" RUFF_NO_CACHE=true "$VENV/bin/openapi-python-client" generate \
  --path "$OLDPWD/admin/openapi.json" --meta none --output-path wharf_client >gen.log 2>&1) \
  || { cat "$TMP/gen.log" >&2; exit 1; }
find "$TMP/wharf_client" \( -name __pycache__ -o -name .ruff_cache \) -prune -exec rm -rf {} +
if [ "$CHECK" = 1 ]; then
  if diff -ru --exclude=__pycache__ --exclude=.ruff_cache client/python/wharf_client "$TMP/wharf_client"; then
    echo "client/python/wharf_client matches admin/openapi.json"
  else
    echo "client-gen: client/python/wharf_client differs from what admin/openapi.json generates (make client-gen)" >&2
    failed=1
  fi
else
  rm -rf client/python/wharf_client
  mv "$TMP/wharf_client" client/python/wharf_client
  echo "generated client/python/wharf_client"
fi

# TypeScript: the same openapi-typescript as web/ (npm ci when missing).
if [ ! -x client/typescript/node_modules/.bin/openapi-typescript ]; then
  (cd client/typescript && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ "$CHECK" = 1 ]; then
  (cd client/typescript && npm run -s check-gen) || failed=1
else
  (cd client/typescript && npm run -s gen >/dev/null 2>&1)
  echo "generated client/typescript/src/schema.ts"
fi
exit "$failed"
