# Switchboard: `make run` starts the gateway on embedded defaults; `make test`
# installs what it needs and runs every test (Go, TypeScript, Python).
# Both are idempotent and never ask a question.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Pinned tool versions (the Go module proxy here refuses @latest).
BUF_VERSION                   := v1.75.0
PROTOC_GEN_GO_VERSION         := v1.36.12
PROTOC_GEN_CONNECT_GO_VERSION := v1.21.1

# Go tools are built once per version into the user's cache, so later clones
# on the same machine reuse them; .bin/ holds links to the pinned versions.
TOOLS_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/switchboard/tools
BIN         := $(CURDIR)/.bin
BUF         := $(BIN)/buf
VAULT       := $(BIN)/vault
VENV        := $(CURDIR)/.venv
PY          := $(VENV)/bin/python
SWITCHBOARD := $(CURDIR)/bin/switchboard
GO_TEST_FLAGS ?= -count=1
# grpcnotrace keeps gRPC (linked by the OTLP exporters) from importing
# golang.org/x/net/trace, whose html/template defeats the linker's dead-code
# elimination: about 15 MB less binary, nothing lost (docs/observability.md).
GO_BUILD_FLAGS ?= -tags grpcnotrace

export PATH := $(BIN):$(PATH)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- run

.PHONY: run
run: build ## build and start the gateway on 127.0.0.1:8080 (embedded defaults, no keys needed)
	$(SWITCHBOARD) serve

.PHONY: build
build: ## build bin/switchboard
	go build $(GO_BUILD_FLAGS) -o $(SWITCHBOARD) ./cmd/switchboard

# ---------------------------------------------------------------- test

.PHONY: test
test: deps lint checkgenerate test-go test-ts test-python ## install everything, then run every check and test
	@echo "make test: all checks passed"

.PHONY: test-go
test-go: vault deps-postgres deps-redis ## Go unit, integration and end-to-end tests (Vault, PostgreSQL and Redis tests start their own servers)
	SWITCHBOARD_TEST_VAULT_BIN=$(VAULT) scripts/postgres-test.sh run -- scripts/redis-test.sh run -- go test $(GO_TEST_FLAGS) ./...

.PHONY: test-ts
test-ts: build deps-ts ## TypeScript client, OpenAI and Anthropic Node SDK tests against the real binary
	cd clients/ts && SWITCHBOARD_BIN=$(SWITCHBOARD) npm test

.PHONY: test-python
test-python: build deps-python ## Python client, OpenAI and Anthropic Python SDK tests against the real binary
	SWITCHBOARD_BIN=$(SWITCHBOARD) $(PY) -m pytest -q clients/python/tests

# make bench runs the side-by-side load benchmark (docs/performance.md): the
# simulator direct, a bare reference proxy, and the real gateway, one after
# another, then prints one table. About three minutes on 2 cores. Pass
# LOADBENCH_FLAGS="-duration 5s -only unary-open" and the like to narrow it.
LOADBENCH       := $(CURDIR)/bin/loadbench
LOADBENCH_FLAGS ?=
BENCH_FLAGS     ?= -count=1

.PHONY: bench
bench: build deps-postgres deps-redis ## load benchmark: simulator direct vs through the gateway (embedded, PostgreSQL-backed, PostgreSQL and Redis limits), one table (a few minutes)
	go build -o $(LOADBENCH) ./internal/loadbench/cmd/loadbench
	scripts/postgres-test.sh run -- scripts/redis-test.sh run -- sh -c '"$$0" -bin "$$1" -postgres-dsn "$$SWITCHBOARD_TEST_POSTGRES_DSN" -redis-url "$$SWITCHBOARD_TEST_REDIS_URL" $$2' \
		$(LOADBENCH) $(SWITCHBOARD) "$(LOADBENCH_FLAGS)"

# make bench-peers is make bench with peer gateways beside Switchboard, in
# the same invocation and in front of the same simulator: the Portkey AI
# Gateway from npm and the LiteLLM proxy from PyPI, pinned here, installed
# once into the user's cache (never into the repository) by
# scripts/peers-install.sh. A peer that cannot be installed or started is
# reported and left out; the rest of the benchmark runs regardless.
PEERS_CACHE     := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/switchboard/peers
PORTKEY_VERSION := 1.15.2
LITELLM_VERSION := 1.100.5
PEERS_FLAGS     := -peers portkey,litellm \
	-portkey-bin $(PEERS_CACHE)/portkey-$(PORTKEY_VERSION)/node_modules/.bin/gateway \
	-litellm-bin $(PEERS_CACHE)/litellm-$(LITELLM_VERSION)/bin/litellm

.PHONY: bench-peers
bench-peers: build deps-postgres deps-redis ## make bench plus peer gateways (Portkey from npm, LiteLLM from PyPI) measured in the same invocation
	go build -o $(LOADBENCH) ./internal/loadbench/cmd/loadbench
	scripts/peers-install.sh $(PEERS_CACHE) portkey@$(PORTKEY_VERSION) litellm@$(LITELLM_VERSION)
	scripts/postgres-test.sh run -- scripts/redis-test.sh run -- sh -c '"$$0" -bin "$$1" -postgres-dsn "$$SWITCHBOARD_TEST_POSTGRES_DSN" -redis-url "$$SWITCHBOARD_TEST_REDIS_URL" $$2' \
		$(LOADBENCH) $(SWITCHBOARD) "$(PEERS_FLAGS) $(LOADBENCH_FLAGS)"

.PHONY: bench-micro
bench-micro: deps-redis ## Go micro-benchmarks of the hot path (BENCH_FLAGS=-count=10 for benchstat; Redis ones start a server)
	scripts/redis-test.sh run -- go test -run '^$$' -bench . -benchmem $(BENCH_FLAGS) ./llm/... ./auth/... ./providers/... ./router/... ./server/... ./telemetry/... ./billing/...

# ---------------------------------------------------------------- lint

.PHONY: lint
lint: tools ## gofmt, go vet, buf lint, buf breaking
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	$(BUF) lint
	@$(MAKE) --no-print-directory breaking

# buf breaking compares with the main branch as it was last landed: in a
# clone whose HEAD is main this is a no-op; on a feature branch it catches
# breaking API changes. Override with BUF_AGAINST=<input>.
.PHONY: breaking
breaking: tools
	@against="$${BUF_AGAINST:-}"; \
	if [ -z "$$against" ] && git rev-parse -q --verify main >/dev/null; then against=".git#branch=main"; fi; \
	if [ -z "$$against" ]; then echo "buf breaking: no main branch to compare with yet"; exit 0; fi; \
	if git cat-file -e main:buf.yaml 2>/dev/null; then $(BUF) breaking --against "$$against"; else echo "buf breaking: main has no API yet"; fi

# ---------------------------------------------------------------- generate

GEN_DIRS := gen clients/ts/src/gen clients/python/src/switchboard/v1

.PHONY: generate
generate: tools deps-ts deps-python ## regenerate gen/ and the clients' generated code
	rm -rf $(GEN_DIRS)
	$(BUF) generate
	scripts/python-gen-fixup.sh clients/python/src

.PHONY: checkgenerate
checkgenerate: tools deps-ts deps-python ## fail when generated code is stale
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BUF) generate -o "$$tmp"; \
	scripts/python-gen-fixup.sh "$$tmp/clients/python/src"; \
	status=0; for d in $(GEN_DIRS); do \
	  diff -r -x __pycache__ "$$tmp/$$d" "$$d" >/dev/null || { echo "stale generated code in $$d: run make generate"; diff -r -x __pycache__ "$$tmp/$$d" "$$d" | head -20; status=1; }; \
	done; exit $$status

# ---------------------------------------------------------------- dependencies

.PHONY: deps
deps: tools deps-apt deps-postgres deps-redis deps-ts deps-python ## install everything the tests need

.PHONY: tools
tools: $(BUF) $(BIN)/protoc-gen-go $(BIN)/protoc-gen-connect-go

# Vault is built from source (tools/vaultdev, its own go.mod) once per
# version into the tool cache: several minutes the first time on a machine.
.PHONY: vault
vault: ## build the Vault server the Go tests run (once per machine, cached)
	@scripts/vault-build.sh $(TOOLS_CACHE) $(BIN) >/dev/null

$(BUF):
	scripts/go-tool.sh $(TOOLS_CACHE) $(BIN) github.com/bufbuild/buf/cmd/buf $(BUF_VERSION)
$(BIN)/protoc-gen-go:
	scripts/go-tool.sh $(TOOLS_CACHE) $(BIN) google.golang.org/protobuf/cmd/protoc-gen-go $(PROTOC_GEN_GO_VERSION)
$(BIN)/protoc-gen-connect-go:
	scripts/go-tool.sh $(TOOLS_CACHE) $(BIN) connectrpc.com/connect/cmd/protoc-gen-connect-go $(PROTOC_GEN_CONNECT_GO_VERSION)

.PHONY: deps-apt
deps-apt: ## Debian packages: protoc (for the Python code generator)
	scripts/apt-install.sh protoc:protobuf-compiler

.PHONY: deps-postgres
deps-postgres: ## Debian packages: the PostgreSQL server the Go tests start (scripts/postgres-test.sh)
	scripts/apt-install.sh pg_ctlcluster:postgresql

.PHONY: deps-redis
deps-redis: ## Debian packages: the Redis server the Go tests start (scripts/redis-test.sh)
	scripts/apt-install.sh redis-server:redis-server

.PHONY: deps-ts
deps-ts: clients/ts/node_modules/.stamp
clients/ts/node_modules/.stamp: clients/ts/package.json clients/ts/package-lock.json
	cd clients/ts && npm ci --no-audit --no-fund
	touch $@

.PHONY: deps-python
deps-python: $(VENV)/.stamp
$(VENV)/.stamp: clients/python/requirements-dev.txt clients/python/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r clients/python/requirements-dev.txt -e clients/python
	touch $@

.PHONY: clean
clean: ## remove build outputs (not the tool cache)
	rm -rf bin .bin clients/ts/dist
