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
source "$(dirname "$0")/up-stack.sh"
up_start "$WHARF"
up_wait
ADMIN=$(up_field admin_url)
TOKEN=$(up_field credentials admin_token)
# Streams, logout and token revocation are left out: one never ends, the
# others would revoke the token the run uses.
timeout 300 $ST run "$ADMIN/api/openapi.json" \
  -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --exclude-path /api/v1/events --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/login \
  --exclude-operation-id revokeToken \
  --phases examples,coverage,fuzzing --max-examples 15 --request-timeout 10 --workers 1 --seed 1
