#!/usr/bin/env bash
# Makes the venv .tools/python-client with the pinned openapi-python-client
# and its dependencies (tools/openapi-python-client.txt: version + sha256
# of every package, pip --require-hashes) when missing or when the pins
# changed. It generates client/python (`openapi-python-client`, with its
# `ruff` on the path) and runs the Python example (httpx and attrs, the
# generated client's dependencies, are among the pins). Prints nothing
# when the venv is current.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=tools/openapi-python-client.txt
VENV=.tools/python-client
STAMP="$VENV/pins.sha256"
WANT=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "installing openapi-python-client (pinned by sha256 in $REQ) into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install -q \
    --require-hashes --only-binary :all: --no-deps -r "$REQ"
  echo "$WANT" >"$STAMP"
fi
"$VENV/bin/openapi-python-client" --version >/dev/null \
  || { echo "ensure-python-client: $VENV/bin/openapi-python-client does not run" >&2; exit 1; }
