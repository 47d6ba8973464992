#!/usr/bin/env bash
# Installs Debian's nats-server (2.9.10, the version Wharf targets) when missing.
set -euo pipefail
if command -v nats-server >/dev/null 2>&1; then
  exit 0
fi
echo "nats-server not found: installing Debian's package" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nats-server >/dev/null
# The package may start a system service on 4222; Wharf runs its own servers.
$SUDO systemctl disable --now nats-server >/dev/null 2>&1 || true
command -v nats-server >/dev/null
