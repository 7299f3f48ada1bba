# syntax=docker/dockerfile:1.7
# ERP migrations job image: applies the auth and master schema migrations, then exits.
#   docker build -f deploy/docker/migrations.Dockerfile -t erp/migrations:0.1.0 .
# Runs deploy/docker/migrate.sh = `python -m auth_svc migrate && python -m master_svc migrate`
# (each step is idempotent; a non-zero exit fails the compose service / Kubernetes Job).
# Needs ERP_AUTH_DB_URL and ERP_MASTER_DB_URL (or their *_FILE twins). With ERP_BOOTSTRAP_KEYS=1
# and an empty, writable ERP_KEYS_DIR it also creates the first signing key (compose only).
# No secret is baked in.

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
COPY --chmod=0555 deploy/docker/migrate.sh /opt/erp/migrate.sh
USER 10001:10001
# A one-shot job has no steady state to probe: its exit code is its health.
HEALTHCHECK NONE
ENTRYPOINT ["/opt/erp/entrypoint.sh"]
CMD ["/opt/erp/migrate.sh"]
