# Wharf: the two commands of the README, and the pieces they are made of.
#   make up    the whole stack on this machine (NATS cluster, edges, router, admin)
#   make test  every test: unit, integration on real NATS, SQLite and PostgreSQL,
#              the admin API fuzzed against its spec (make api-fuzz), the
#              client packages' examples against `wharf up` (make client-examples),
#              and the dashboard's unit and browser tests (make web-test)

SHELL := /bin/bash
CARGO_TARGET_DIR ?= $(if $(CI),/var/cache/wharf-target,$(CURDIR)/target)
export CARGO_TARGET_DIR
# The pinned nats-server (scripts/ensure-nats.sh) first on the path.
export PATH := $(CURDIR)/.tools/nats/bin:$(PATH)
WHARF := $(CARGO_TARGET_DIR)/release/wharf
WHARF_BENCH := $(CARGO_TARGET_DIR)/release/wharf-bench

.PHONY: up test deps build lint fmt openapi web web-test api-fuzz client-gen client-examples bench soak rehearsal

deps:
	@scripts/ensure-nats.sh
	@scripts/ensure-verifier.sh

build:
	cargo build --release --bin wharf

up: deps build web
	$(WHARF) up $(ARGS)

# The dashboard (web/dist): npm ci + build when missing or older than its sources.
web:
	@scripts/ensure-web.sh

# The dashboard's tests: generated client in sync with admin/openapi.json,
# Vitest unit tests, then Playwright (Debian's Chromium) against `wharf up`.
web-test: deps
	@scripts/ensure-chromium.sh
	@scripts/ensure-web.sh
	cd web && npm run check-gen && npm test
	cargo build --bin wharf
	cd web && WHARF_BIN=$(CARGO_TARGET_DIR)/debug/wharf npm run e2e

# The benchmarks of docs/benchmarks.md: a release build of `wharf-bench`
# (its own binary; it runs the `wharf` beside it for the roles), local NATS
# servers, SQLite and the local PostgreSQL test cluster; prints the tables.
# Rounds in a multiple of three: the direct edge and the two forwarders take
# turns at going first, which cancels the order only over whole turns.
bench: deps build
	cargo build --release --bin wharf-bench
	WHARF_BENCH_POSTGRES_URL="$$(scripts/test-postgres.sh)" $(WHARF_BENCH) --seconds 10 --rounds 6 --json bench.json

# The admin API fuzzed against its own committed spec (schemathesis):
# no 5xx, every answer conforms to the spec.
api-fuzz: deps
	cargo build --bin wharf
	scripts/api-fuzz.sh $(CARGO_TARGET_DIR)/debug/wharf

# The client packages (client/: Rust, client/python, client/typescript):
# client-gen regenerates the Python and TypeScript code from admin/openapi.json;
# client-examples fails on drift, builds and installs each package, runs
# its verifier's tests and its example program against `wharf up`
# (scripts/client-examples.sh).
client-gen:
	scripts/client-gen.sh

client-examples: deps
	cargo build --bin wharf
	cargo build -p wharf-client --example example
	scripts/client-examples.sh $(CARGO_TARGET_DIR)/debug/wharf $(CARGO_TARGET_DIR)/debug/examples/example

# The README's "Deploying multi-region" on hosts that are apart (network
# namespaces, as root): TLS, per-role users, PostgreSQL, a region cut off,
# a hub host powered off; the audit. scripts/rehearsal.sh.
rehearsal: deps
	cargo build --bin wharf
	scripts/rehearsal.sh $(CARGO_TARGET_DIR)/debug/wharf

# The fault scenarios repeated (docs/reliability.md): one summary line per
# run appended to soak.log, each scenario's figures to soak-faults.jsonl.
RUNS ?= 20
FILTER ?= all()
soak: deps
	scripts/soak.sh $(RUNS) '$(FILTER)'

lint:
	python3 scripts/check-structure.py
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

test: deps
	@set -e; \
	TEST_POSTGRES_URL="$$(scripts/test-postgres.sh)"; export TEST_POSTGRES_URL; \
	WHARF_FAULTS_LONG=1; export WHARF_FAULTS_LONG; \
	if cargo nextest --version >/dev/null 2>&1; then \
	  cargo nextest run --workspace --profile $(if $(CI),ci,default); \
	else \
	  cargo test --workspace; \
	fi
	$(MAKE) rehearsal
	$(MAKE) api-fuzz
	$(MAKE) client-examples
	$(MAKE) web-test

fmt:
	cargo fmt --all

# The spec from the code, and the Python and TypeScript clients from the spec.
openapi:
	cargo run -q --bin wharf -- openapi > admin/openapi.json
	scripts/client-gen.sh
