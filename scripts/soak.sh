#!/usr/bin/env bash
# Repeats the fault scenarios (tests/faults.rs) N times on the pinned
# nats-server and appends one summary line per run to soak.log:
#   <utc time> run=<i>/<n> nats=<version> passed=<p> failed=<f> scenarios=<s> lost=<l> duplicated=<d> filter=<expr>
# Each scenario's own line (`FAULTS {json}`) goes to soak-faults.jsonl.
# Usage: scripts/soak.sh [runs] [nextest filter expression]
#   make soak RUNS=20 FILTER='test(rolling_restart)'
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
FILTER=${2:-all()}
LOG=${SOAK_LOG:-soak.log}
REPORT=${SOAK_REPORT:-soak-faults.jsonl}
VERSION=$(nats-server --version 2>/dev/null | sed -n 's/^nats-server: v//p')
export WHARF_FAULTS_LONG=1
TEST_POSTGRES_URL="$(scripts/test-postgres.sh)"; export TEST_POSTGRES_URL
cargo nextest run -p wharf --test faults --no-run >/dev/null 2>&1 || { echo "soak: build failed" >&2; exit 1; }
failed_runs=0
for i in $(seq 1 "$RUNS"); do
  run_report=$(mktemp)
  out=$(WHARF_FAULTS_REPORT="$run_report" cargo nextest run -p wharf --test faults \
        --profile ci --no-fail-fast -E "$FILTER" 2>&1)
  passed=$(grep -cE '^\s+PASS \[' <<<"$out")
  failed=$(grep -cE '^\s+(FAIL|TIMEOUT|SIGSEGV|SIGABRT) \[' <<<"$out")
  read -r scenarios lost dup < <(python3 - "$run_report" <<'PY'
import json, sys
rows = [json.loads(l.split(" ", 1)[1]) for l in open(sys.argv[1]) if l.startswith("FAULTS ")]
print(len(rows), sum(r.get("lost", 0) for r in rows), sum(r.get("duplicates", 0) for r in rows))
PY
)
  cat "$run_report" >> "$REPORT"; rm -f "$run_report"
  line="$(date -u +%FT%TZ) run=$i/$RUNS nats=$VERSION passed=$passed failed=$failed scenarios=$scenarios lost=$lost duplicated=$dup filter=$FILTER"
  echo "$line" | tee -a "$LOG"
  if [ "$failed" -ne 0 ] || [ "$lost" -ne 0 ] || [ "$dup" -ne 0 ]; then
    failed_runs=$((failed_runs + 1))
    grep -E '^\s+(FAIL|TIMEOUT)' <<<"$out" | sed 's/^/    /' | tee -a "$LOG"
  fi
done
echo "soak: $RUNS runs, $failed_runs with a failure, loss or duplicate" | tee -a "$LOG"
[ "$failed_runs" -eq 0 ]
