#!/usr/bin/env bash
# Installs the pinned Standard Webhooks verifier (tools/standardwebhooks.txt:
# version + sha256) into .tools/standardwebhooks when missing; the webhook
# tests verify Wharf's signatures with it (PYTHONPATH=.tools/standardwebhooks).
set -euo pipefail
cd "$(dirname "$0")/.."
REQ=tools/standardwebhooks.txt
DEST=.tools/standardwebhooks
WANT=$(sed -n 's/^standardwebhooks==\([0-9.]*\).*/\1/p' "$REQ")
[ -n "$WANT" ] || { echo "ensure-verifier: no version pinned in $REQ" >&2; exit 1; }
if [ ! -d "$DEST/standardwebhooks-$WANT.dist-info" ]; then
  echo "installing standardwebhooks $WANT (pinned by sha256 in $REQ) into $DEST" >&2
  rm -rf "$DEST"
  PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install -q \
    --require-hashes --only-binary :all: --no-deps --target "$DEST" -r "$REQ"
fi
PYTHONPATH="$DEST" python3 -c 'import standardwebhooks' \
  || { echo "ensure-verifier: $DEST does not import" >&2; exit 1; }
