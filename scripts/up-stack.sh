# A throwaway `wharf up` for the scripts that test against one
# (api-fuzz.sh, client-examples.sh); source it, then:
#   up_start <wharf binary>        starts the stack in the background on free
#                                  ports in a new temp dir UP_DIR (data in
#                                  $UP_DIR/data, log $UP_DIR/up.log), sets UP_PID
#                                  and an EXIT trap that stops it and removes
#                                  the dir, even on failure
#   up_wait                        waits (60 s at most) for $UP_DIR/data/stack.json,
#                                  which `wharf up` writes once it is up; prints
#                                  the log and fails when it exits or times out
#   up_field <key>...              a value of stack.json (`up_field edges 0 url`)
up_start() {
  UP_DIR="$(mktemp -d)"
  trap up_stop EXIT
  env WHARF__UP__DATA_DIR="$UP_DIR/data" WHARF__DATABASE__URL="sqlite://$UP_DIR/data/wharf.db?mode=rwc" \
    WHARF__ADMIN__LISTEN=127.0.0.1:0 WHARF__UP__HUB_CLIENT_PORT=0 WHARF__UP__HUB_CLUSTER_PORT=0 \
    WHARF__UP__HUB_LEAFNODE_PORT=0 WHARF__UP__HUB_MONITOR_PORT=0 WHARF__UP__LEAF_CLIENT_PORT=0 \
    WHARF__UP__LEAF_MONITOR_PORT=0 WHARF__UP__EDGE_HTTP_PORT=0 WHARF__UP__SANDBOX_PORT=0 RUST_LOG=warn \
    "$1" up >"$UP_DIR/up.log" 2>&1 &
  UP_PID=$!
}

up_wait() {
  for _ in $(seq 1 300); do
    [ -f "$UP_DIR/data/stack.json" ] && return 0
    kill -0 "$UP_PID" 2>/dev/null || { cat "$UP_DIR/up.log"; return 1; }
    sleep 0.2
  done
  echo "wharf up did not come up within 60 s" >&2
  cat "$UP_DIR/up.log"
  return 1
}

up_field() {
  python3 -c 'import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2:]:
    value = value[int(key) if key.isdigit() else key]
print(value)' "$UP_DIR/data/stack.json" "$@"
}

up_stop() {
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null || true
  rm -rf "$UP_DIR"
}
