#!/usr/bin/env bash
# Builds the dashboard (web/dist) when it is missing or older than its
# sources: `npm ci` when node_modules does not match package-lock.json, then
# `npm run build`. Needs Node.js 20.19+ and npm.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "node and npm are needed to build the dashboard (Node.js 20.19 or newer)" >&2
  exit 1
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# Rebuild when any source is newer than the built index.html.
stale=0
if [ ! -f dist/index.html ]; then
  stale=1
elif [ -n "$(find src index.html package-lock.json vite.config.ts tsconfig.json ../admin/openapi.json -newer dist/index.html -print -quit)" ]; then
  stale=1
fi
if [ "$stale" -eq 1 ]; then
  npm run build
fi
