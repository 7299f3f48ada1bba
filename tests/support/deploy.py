"""Shared helpers for the deploy checks (Dockerfiles, compose, Kubernetes). All offline and fast.
Test modules import the helpers and fixtures by name."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

DEPLOY = ROOT / "deploy"
DOCKER = DEPLOY / "docker"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
BIN = Path(sys.executable).parent

INSTALL_HINT = "install the deploy check tools: make venv (pyproject.toml's test extra)"


def venv_tool(name: str) -> Path:
    """A console script of the running interpreter's venv (pyproject.toml's test extra)."""
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if not found:
            pytest.fail(f"{name} not found next to {sys.executable}: {INSTALL_HINT}")
        path = Path(found)
    return path


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    kw.setdefault("cwd", ROOT)
    kw.setdefault("timeout", 60)
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


def load_all(path: Path) -> list[dict]:
    with path.open() as f:
        return [d for d in yaml.safe_load_all(f) if d]


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="session")
def clean_env() -> dict:
    """Environment for subprocesses without the caller's ERP_* settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ERP_")}
