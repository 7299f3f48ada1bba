# syntax=docker/dockerfile:1.7
# ERP auth_svc image: `python -m auth_svc` (gRPC :50051, Prometheus metrics :9451).
# Build from the repo root:  docker build -f deploy/docker/auth_svc.Dockerfile -t erp/auth:0.1.0 .
# No secret is baked in: DB URL, admin password and signing keys arrive at run time (env / *_FILE / volume).

# Base images: build arguments defaulting to the public tags (pin the digest too when you publish);
# an air-gapped or mirror-only site points them at its own copies (`make images` passes the
# stand-ins of `make bases`). The optional build secret `ca-bundle` is a CA bundle for the package
# index (a TLS-intercepting proxy): used during the build, never stored in a layer.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

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

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ERP_AUTH_LISTEN_ADDR=0.0.0.0:50051 \
    ERP_AUTH_METRICS_ADDR=0.0.0.0:9451 \
    ERP_KEYS_DIR=/var/lib/erp/keys
RUN groupadd --system --gid 10001 erp \
 && useradd --system --uid 10001 --gid erp --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin erp \
 && install -d -o erp -g erp -m 0700 /var/lib/erp /var/lib/erp/keys
COPY --from=deps /opt/venv /opt/venv
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps --no-index /tmp/wheels/*.whl \
 && pip check \
 && rm -rf /tmp/wheels
COPY --chmod=0555 deploy/docker/entrypoint.sh /opt/erp/entrypoint.sh
COPY --chmod=0444 deploy/docker/healthcheck.py /opt/erp/healthcheck.py
# Byte-compile at build time (pip did the packages) so a read-only root filesystem costs nothing at start.
RUN python -m compileall -q /opt/erp
USER 10001:10001
EXPOSE 50051 9451
VOLUME ["/var/lib/erp/keys"]
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 \
  CMD ["python", "/opt/erp/healthcheck.py", "grpc", "127.0.0.1:50051"]
ENTRYPOINT ["/opt/erp/entrypoint.sh"]
CMD ["python", "-m", "auth_svc"]
