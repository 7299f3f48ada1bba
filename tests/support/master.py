"""The master_svc command line, run as an operator runs it: `python -m master_svc ...` on a database."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.support import ROOT


def master_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ERP_MASTER_DB_URL": url, "ERP_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "master_svc", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
