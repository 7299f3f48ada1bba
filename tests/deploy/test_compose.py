"""deploy/compose.yaml checks.

1. Schema: the compose-spec JSON schema vendored in check-jsonschema (pinned in
   pyproject.toml), fully offline.
2. `docker compose config` when a Compose v2 CLI is on this machine (the `docker compose` plugin,
   a v2 `docker-compose`, or $ERP_DOCKER_COMPOSE); `config` needs no engine. Skipped otherwise.
   (Debian bookworm's docker-compose 1.29 predates the spec's top-level `name:` and is not used.)
3. The stack's contract, in Python: start order, healthchecks, file-based secrets only.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.deploy import COMPOSE, DEPLOY, DOCKER, ROOT, compose, run, venv_tool  # noqa: F401 (fixture)

SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|DB_URL|PRIVATE", re.I)


def compose_cli() -> list[str] | None:
    candidates = []
    if os.environ.get("ERP_DOCKER_COMPOSE"):
        candidates.append([os.environ["ERP_DOCKER_COMPOSE"]])
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    for cmd in candidates:
        try:
            res = subprocess.run(cmd + ["version", "--short"], capture_output=True, text=True, timeout=20)
        except OSError:
            continue
        if res.returncode == 0 and re.match(r"v?2\.", res.stdout.strip()):
            return cmd
    return None


def test_schema():
    res = run([venv_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", COMPOSE])
    assert res.returncode == 0, res.stdout + res.stderr


def test_schema_check_catches_a_typo(tmp_path: Path):
    bad = tmp_path / "compose.yaml"
    bad.write_text(COMPOSE.read_text().replace("    healthcheck:", "    healthchek:", 1))
    res = run([venv_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", bad])
    assert res.returncode != 0 and "healthchek" in res.stdout


@pytest.mark.skipif(compose_cli() is None, reason="no Docker Compose v2 CLI here (schema test still runs)")
@pytest.mark.parametrize("profile", [[], ["--profile", "gateway"]], ids=["default", "gateway"])
def test_docker_compose_config(profile: list[str]):
    res = run(compose_cli() + ["-f", COMPOSE, *profile, "config", "-q"])
    assert res.returncode == 0, res.stderr


def test_services_and_start_order(compose: dict):
    svc = compose["services"]
    assert set(svc) == {"mariadb", "migrations", "auth", "master", "envoy", "gateway"}
    assert svc["migrations"]["depends_on"]["mariadb"]["condition"] == "service_healthy"
    for name in ["auth", "master"]:
        assert svc[name]["depends_on"]["migrations"]["condition"] == "service_completed_successfully"
    assert svc["master"]["depends_on"]["auth"]["condition"] == "service_healthy"
    for edge in ["envoy", "gateway"]:
        for upstream in ["auth", "master"]:
            assert svc[edge]["depends_on"][upstream]["condition"] == "service_healthy"
    assert svc["gateway"]["profiles"] == ["gateway"]
    assert "profiles" not in svc["envoy"]


def test_migrations_run_both_services():
    script = (DOCKER / "migrate.sh").read_text()
    assert "python -m auth_svc migrate" in script and "python -m master_svc migrate" in script
    assert "set -eu" in script


def test_mariadb(compose: dict):
    db = compose["services"]["mariadb"]
    # A variable for mirrors and the stand-in of `make bases`, defaulting to an exact public tag.
    assert re.fullmatch(r"\$\{ERP_MARIADB_IMAGE:-mariadb:\d+\.\d+\.\d+\}", db["image"])
    data = [v for v in db["volumes"] if v.endswith(":/var/lib/mysql")]
    assert data and data[0].split(":")[0] in compose["volumes"], "named volume for the data"
    assert db["healthcheck"]["test"][0] == "CMD"
    assert "ports" not in db, "the database is not published"
    assert compose["networks"]["backend"]["internal"] is True
    init = DEPLOY / "mariadb/initdb.d/10-erp-databases.sh"
    assert run(["bash", "-n", init]).returncode == 0
    body = init.read_text()
    for db_name in ["erp_auth", "erp_master"]:
        assert f"CREATE DATABASE IF NOT EXISTS {db_name}" in body
        assert f"'{db_name}'@'%'" in body


def test_every_long_running_service_has_a_healthcheck(compose: dict):
    for name, svc in compose["services"].items():
        if name == "migrations":
            continue
        assert svc.get("healthcheck", {}).get("test"), name


def test_built_images_are_pinned_and_dockerfiles_exist(compose: dict):
    for name, svc in compose["services"].items():
        assert not svc["image"].endswith(":latest") and ":" in svc["image"], name
        if "build" in svc:
            assert (DEPLOY / svc["build"]["context"] / svc["build"]["dockerfile"]).is_file(), name


def test_hardening(compose: dict):
    for name in ["auth", "master", "envoy", "gateway", "migrations"]:
        svc = compose["services"][name]
        assert svc.get("read_only") is True, name
        assert svc.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in svc.get("security_opt", []), name


def test_no_inline_secrets(compose: dict):
    declared = compose["secrets"]
    for name, spec in declared.items():
        assert set(spec) == {"file"} and spec["file"].startswith("./secrets/"), name
    for name, svc in compose["services"].items():
        env = svc.get("environment", {})
        assert isinstance(env, dict), f"{name}: use the mapping form for environment"
        used = set(svc.get("secrets", []))
        for key, value in env.items():
            if SECRET_NAME.search(key):
                assert key.endswith("_FILE"), f"{name}: {key} must come from a secret file"
                secret = str(value).removeprefix("/run/secrets/")
                assert str(value).startswith("/run/secrets/") and secret in used, f"{name}: {key}={value}"
        assert used <= set(declared), name
    text = COMPOSE.read_text()
    assert not re.search(r"(?i)(password|secret)\s*[:=]\s*['\"]?[A-Za-z0-9]{8,}", text.replace("_FILE", ""))


def test_secrets_dir_is_git_ignored():
    res = run(["git", "check-ignore", "-q", "deploy/secrets/admin_password"])
    assert res.returncode == 0, "deploy/secrets/* must be git-ignored"
    res = run(["git", "check-ignore", "-q", "deploy/secrets/README.md"])
    assert res.returncode == 1


def test_make_secrets(tmp_path: Path, compose: dict):
    script = tmp_path / "make-secrets.sh"
    shutil.copy(DEPLOY / "make-secrets.sh", script)
    assert run([script]).returncode == 0
    out = tmp_path / "secrets"
    files = {p.name: p for p in out.iterdir()}
    assert set(files) == set(compose["secrets"])
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    pw = files["auth_db_password"].read_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", pw)  # what the MariaDB init script accepts
    assert files["auth_db_url"].read_text().strip() == f"mysql://erp_auth:{pw}@mariadb:3306/erp_auth"
    before = {n: p.read_text() for n, p in files.items()}
    assert run([script]).returncode == 0
    assert before == {n: p.read_text() for n, p in files.items()}, "a second run keeps the secrets"


def test_compose_is_at_the_documented_path():
    assert COMPOSE == ROOT / "deploy" / "compose.yaml" and COMPOSE.is_file()


def test_both_edges_trust_the_tls_terminator_in_front(compose: dict):
    """Issue 14: ERP_EDGE_TRUSTED_HOPS is 1 unless the operator says otherwise."""
    for name in ("envoy", "gateway"):
        assert compose["services"][name]["environment"]["ERP_EDGE_TRUSTED_HOPS"] == "${ERP_EDGE_TRUSTED_HOPS:-1}"
