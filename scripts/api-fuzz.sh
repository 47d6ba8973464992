#!/usr/bin/env bash
# Fuzzes the admin API against its own spec with schemathesis: starts a
# `wharf up` stack on free ports in a temp dir, runs bounded examples per
# operation with the stack's admin token, and fails on any 5xx or any answer
# that breaks the spec. Usage: scripts/api-fuzz.sh <path to wharf binary>
set -euo pipefail
WHARF="${1:?usage: $0 <wharf binary>}"
# schemathesis lives in its own venv, outside the clone, made on first use.
VENV="${WHARF_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wharf}/schemathesis-4.32.5"
if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
ST="$VENV/bin/st"
DIR="$(mktemp -d)"
cleanup() {
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
env WHARF__UP__DATA_DIR="$DIR/data" WHARF__DATABASE__URL="sqlite://$DIR/data/wharf.db?mode=rwc" \
  WHARF__ADMIN__LISTEN=127.0.0.1:0 WHARF__UP__HUB_CLIENT_PORT=0 WHARF__UP__HUB_CLUSTER_PORT=0 \
  WHARF__UP__HUB_LEAFNODE_PORT=0 WHARF__UP__HUB_MONITOR_PORT=0 WHARF__UP__LEAF_CLIENT_PORT=0 \
  WHARF__UP__LEAF_MONITOR_PORT=0 WHARF__UP__EDGE_HTTP_PORT=0 WHARF__UP__SANDBOX_PORT=0 RUST_LOG=warn \
  "$WHARF" up >"$DIR/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 300); do
  [ -f "$DIR/data/stack.json" ] && break
  kill -0 "$UP_PID" 2>/dev/null || { cat "$DIR/up.log"; exit 1; }
  sleep 0.2
done
ADMIN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin_url"])' "$DIR/data/stack.json")
TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["credentials"]["admin_token"])' "$DIR/data/stack.json")
# Streams, logout and token revocation are left out: one never ends, the
# others would revoke the token the run uses.
timeout 300 $ST run "$ADMIN/api/openapi.json" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /api/v1/events --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/login \
  --exclude-operation-id revokeToken \
  --phases examples,coverage,fuzzing --max-examples 15 --request-timeout 10 --workers 1 --seed 1
