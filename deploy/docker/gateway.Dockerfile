# syntax=docker/dockerfile:1.7
# ERP grpc-gateway edge (Go): REST on ERP_GATEWAY_HTTP_ADDR (:8080) in front of auth/master gRPC.
#   docker build -f deploy/docker/gateway.Dockerfile -t erp/gateway:0.1.0 .
# Static binary (CGO off) on distroless/static:nonroot: no shell, no package manager, uid 65532.
# Two stdlib-only helpers from deploy/docker/gotools (its own module, never part of the repo's ./...):
#   fileenv   entrypoint: ERP_*_FILE -> ERP_* (e.g. ERP_EDGE_SHARED_SECRET_FILE), then exec the gateway
#   httpprobe HEALTHCHECK: GET /api/health, exit 0 on 2xx
# No secret is baked in.

# Base images: build arguments defaulting to the public tags (pin the digest too when you publish);
# an air-gapped or mirror-only site points them at its own copies (`make images` passes the
# stand-ins of `make bases`). The optional build secret `ca-bundle` is a CA bundle for the package
# index (a TLS-intercepting proxy): used during the build, never stored in a layer.
ARG GOLANG_IMAGE=golang:1.26.8-bookworm
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm
ARG STATIC_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GOLANG_IMAGE} AS build
ENV CGO_ENABLED=0 \
    GOFLAGS=-trimpath \
    GOTOOLCHAIN=local
WORKDIR /src
COPY go.mod go.sum ./
COPY gen/go/go.mod gen/go/go.sum gen/go/
RUN --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export SSL_CERT_FILE=/run/secrets/ca-bundle; fi \
 && go mod download && go mod verify
COPY gen/go gen/go
COPY gen/gateway gen/gateway
COPY edge/gateway edge/gateway
# The compiler's cache is a build cache mount: a rebuild after a source change recompiles only what
# changed (the dependencies' packages stay compiled), and nothing of it lands in a layer.
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags="-s -w" -o /out/erp-gateway ./edge/gateway
COPY deploy/docker/gotools /src/gotools
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -C /src/gotools -ldflags="-s -w" -o /out/ ./fileenv ./httpprobe

# The API docs pages, built exactly as for the Envoy edge image (pinned npm UI bundles + edge/docs.py).
FROM ${NODE_IMAGE} AS docs-node
WORKDIR /docs
COPY edge/docs/package.json edge/docs/package-lock.json ./
RUN --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-bundle; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

# edge.docs imports edge.config and erp_common (PyYAML, cryptography, ...): the services' runtime pins
# (pyproject.toml's dependencies) and the project's wheel, installed as in their images (the same
# instructions, so podman/BuildKit share the layers).
FROM ${PYTHON_IMAGE} AS deps
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml ./
RUN --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
    > requirements.runtime.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps -r requirements.runtime.txt \
 && /opt/venv/bin/pip check

# The project's wheel (pyproject.toml: the packages and their data files), the same in every image.
FROM deps AS wheel
COPY gen/python gen/python
COPY erp_common erp_common
COPY auth_svc auth_svc
COPY master_svc master_svc
COPY edge edge
RUN --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && /opt/venv/bin/pip wheel --no-deps --wheel-dir /wheels .

FROM deps AS docs
COPY --from=wheel /wheels /wheels
RUN /opt/venv/bin/pip install --no-deps --no-index /wheels/*.whl
COPY --from=docs-node /docs/node_modules /docs/node_modules
COPY gen/openapi/erp.openapi.json /build/erp.openapi.json
RUN /opt/venv/bin/python -m edge.docs build --openapi /build/erp.openapi.json --node-modules /docs/node_modules \
    --out /build/docs

FROM ${STATIC_IMAGE} AS runtime
ENV ERP_GATEWAY_HTTP_ADDR=0.0.0.0:8080 \
    ERP_AUTH_UPSTREAMS=auth:50051 \
    ERP_MASTER_UPSTREAMS=master:50052 \
    ERP_DOCS_DIR=/srv/erp/docs
COPY --from=docs /build/docs /srv/erp/docs
COPY --from=build /out/erp-gateway /usr/local/bin/erp-gateway
COPY --from=build /out/fileenv /out/httpprobe /usr/local/bin/
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=4s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/httpprobe", "http://127.0.0.1:8080/api/health"]
ENTRYPOINT ["/usr/local/bin/fileenv", "/usr/local/bin/erp-gateway"]
