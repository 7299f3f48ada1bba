"""What a mesh started as `make run` starts it (tools.mesh, SQLite, default settings) leaves on disk is
for its own user only (issue 14): the databases with their -wal/-shm files, the logs, the keys (signing
and data keys) and the rendered Envoy config (it holds the edge secret) are 0600 in 0700 directories."""
from __future__ import annotations

import stat

from tests.support.http import Http


def _modes(root):
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_state_files_are_private(default_mesh, admin_password):
    # A login writes to the auth database, so its -wal and -shm files exist.
    Http(f"http://{default_mesh.edge_addr}").login(password=admin_password)
    state = default_mesh.state_dir
    modes = _modes(state)
    for name in ("auth.sqlite3", "auth.sqlite3-wal", "auth.sqlite3-shm", "master.sqlite3", "master.sqlite3-wal",
                 "keys/data-keys.json", "keys/edge-secret", "log/auth_svc.log", "log/envoy.log", "run/envoy.yaml"):
        assert name in modes, sorted(modes)
    loose = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (state / name).is_dir() else 0o600)}
    assert not loose, loose
