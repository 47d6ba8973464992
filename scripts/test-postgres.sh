#!/usr/bin/env bash
# Makes a PostgreSQL available for the tests and prints its URL on stdout:
# TEST_POSTGRES_URL when set; otherwise the local Debian cluster (installed and
# started when needed) with a `wharf_test` role that may create databases.
# Each test creates and drops its own database there.
set -euo pipefail
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  echo "$TEST_POSTGRES_URL"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "PostgreSQL not found: installing Debian's package" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
cluster=$(pg_lsclusters --no-header | head -n1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  $SUDO pg_createcluster "$version" main >/dev/null
  cluster=$(pg_lsclusters --no-header | head -n1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  $SUDO pg_ctlcluster "$version" "$name" start >&2
fi
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else $SUDO -u postgres "$@" 2>/dev/null || su postgres -c "$(printf '%q ' "$@")"; fi; }
for _ in $(seq 1 50); do
  as_postgres psql -p "$port" -qtAc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done
as_postgres psql -p "$port" -qtAc "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wharf_test') THEN
    CREATE ROLE wharf_test LOGIN CREATEDB PASSWORD 'wharf_test';
  END IF;
END \$\$;" >/dev/null
echo "postgres://wharf_test:wharf_test@127.0.0.1:${port}/postgres"
