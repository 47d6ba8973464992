#!/usr/bin/env bash
# The client packages, built and run as an integrator would (issue 23 part
# 6): fails when client/python or client/typescript drifted from
# admin/openapi.json (scripts/client-gen.sh --check), builds each package
# (a Python wheel, an npm tarball), installs it outside the tree, runs its
# verifier's unit tests, then runs each example program against a `wharf up`
# stack on free ports in a temp dir: a real signed `message.received`
# webhook verified, conversations listed, a reply, the stats. Everything is
# torn down, even on failure. Secrets go to the examples' environment only.
# Usage: scripts/client-examples.sh <wharf binary> [<Rust example binary>]
set -euo pipefail
WHARF="$(realpath "${1:?usage: $0 <wharf binary> [<rust example binary>]}")"
RUST_EXAMPLE="${2:+$(realpath "$2")}"
cd "$(dirname "$0")/.."
ROOT=$PWD
START=$SECONDS
step() { echo "client-examples: [$((SECONDS - START)) s] $*"; }
source scripts/up-stack.sh
# The stack starts while the packages build.
up_start "$WHARF"
DIR="$UP_DIR"

step "generated clients against admin/openapi.json"
scripts/client-gen.sh --check
scripts/ensure-verifier.sh
PY="$ROOT/.tools/python-client/bin/python"

step "Python: wheel, installed into $DIR/python, verifier tests"
cp -r client/python "$DIR/python-src"
"$PY" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w "$DIR/dist" "$DIR/python-src" >/dev/null
"$PY" -m pip install -q --disable-pip-version-check --no-deps --target "$DIR/python" "$DIR"/dist/wharf_client-*.whl
# httpx and attrs come from the pinned venv; standardwebhooks (pinned too)
# checks every delivery beside wharf_webhooks.
PYPATH="$DIR/python:$ROOT/.tools/standardwebhooks"
(cd "$DIR" && PYTHONPATH="$PYPATH" "$PY" -m unittest discover -q -s "$ROOT/client/python/tests")

step "TypeScript: build, tests, npm pack, installed into $DIR/ts"
(cd client/typescript && npm run -s build && npm test --silent >"$DIR/ts-test.log" 2>&1) \
  || { cat "$DIR/ts-test.log"; exit 1; }
(cd client/typescript && npm pack -q --ignore-scripts --pack-destination "$DIR" >/dev/null 2>&1)
mkdir -p "$DIR/ts" && echo '{"name": "example", "private": true, "type": "module"}' >"$DIR/ts/package.json"
(cd "$DIR/ts" && npm install -q --no-audit --no-fund --prefer-offline "$DIR"/wharf-client-*.tgz >/dev/null)
cp client/typescript/dist/examples/example.js "$DIR/ts/"

step "waiting for wharf up"
up_wait
export WHARF_ADMIN_URL WHARF_TOKEN WHARF_EDGE_URL WHARF_PHONE_NUMBER_ID WHARF_APP_SECRET
WHARF_ADMIN_URL=$(up_field admin_url)
WHARF_TOKEN=$(up_field credentials admin_token)
WHARF_EDGE_URL=$(up_field edges 0 url)
WHARF_PHONE_NUMBER_ID=$(up_field credentials phone_number_id)
WHARF_APP_SECRET=$(up_field credentials app_secret)

step "Python example"
(cd "$DIR" && PYTHONPATH="$PYPATH" timeout 60 "$PY" "$ROOT/client/python/examples/example.py")
step "TypeScript example"
(cd "$DIR/ts" && timeout 60 node example.js)
if [ -n "$RUST_EXAMPLE" ]; then
  step "Rust example"
  timeout 60 "$RUST_EXAMPLE"
fi
step "all examples passed"
