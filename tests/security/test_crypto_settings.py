"""Cryptographic settings as shipped: bcrypt cost, the cost's floor, the modes of the files that hold
secrets, and no private key among the tracked files."""
from __future__ import annotations

import re
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from auth_svc.config import AuthConfig
from auth_svc.keystore import KeyStore
from erp_common.secrets import ensure_secret_file
from tests.support import ROOT

# A PEM private-key block (PKCS#8, PKCS#1, SEC1, OpenSSH, encrypted) and its body.
PEM_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END", re.DOTALL)
# The shortest real key (an Ed25519 PKCS#8 key) has 64 base64 characters; a placeholder has none.
KEY_BODY_CHARS = 64


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_bcrypt_cost_is_at_least_12(monkeypatch):
    monkeypatch.delenv("ERP_BCRYPT_ROUNDS", raising=False)
    assert AuthConfig.from_env().bcrypt_rounds >= 12


def test_a_service_run_with_defaults_stores_cost_12_hashes(default_mesh):
    db = sqlite3.connect(f"file:{default_mesh.state_dir / 'auth.sqlite3'}?mode=ro", uri=True)
    try:
        (stored,) = db.execute("SELECT password_hash FROM auth_user WHERE username = 'admin'").fetchone()
    finally:
        db.close()
    assert stored.startswith("$2b$12$"), stored[:7]


@pytest.mark.parametrize("rounds", ["3", "0", "-1", "32"])
def test_a_bcrypt_cost_outside_bcrypts_range_is_refused_at_start_up(monkeypatch, rounds):
    monkeypatch.setenv("ERP_BCRYPT_ROUNDS", rounds)
    with pytest.raises(ValueError, match="ERP_BCRYPT_ROUNDS"):
        AuthConfig.from_env()


def test_the_lowest_cost_is_only_accepted_when_asked_for(monkeypatch):
    """4 is bcrypt's floor and the test suite's cost; it is never a default."""
    monkeypatch.setenv("ERP_BCRYPT_ROUNDS", "4")
    assert AuthConfig.from_env().bcrypt_rounds == 4


def test_signing_keys_written_by_auth_svc_are_private(default_mesh):
    keys = default_mesh.state_dir / "keys"
    pems = sorted((keys / "active").glob("*.pem"))
    assert pems, "auth_svc wrote no signing key"
    assert {p.name: oct(mode(p)) for p in pems} == {p.name: oct(0o600) for p in pems}
    assert oct(mode(keys / "active")) == oct(0o700)
    assert oct(mode(keys)) == oct(0o700)
    assert oct(mode(keys / "edge-secret")) == oct(0o600)


def test_a_new_keys_directory_is_private_whoever_creates_it(tmp_path):
    """The key store and the secret-file helper each make a private directory when it is missing,
    whatever the umask lets mkdir do by default."""
    store = KeyStore(tmp_path / "deploy" / "keys")
    store.ensure_key()
    store.add_key()
    assert oct(mode(tmp_path / "deploy" / "keys")) == oct(0o700)
    assert oct(mode(tmp_path / "deploy" / "keys" / "active")) == oct(0o700)
    assert all(mode(p) == 0o600 for p in (tmp_path / "deploy" / "keys" / "active").glob("*.pem"))
    ensure_secret_file(tmp_path / "edge" / "edge-secret")
    assert oct(mode(tmp_path / "edge")) == oct(0o700)
    assert oct(mode(tmp_path / "edge" / "edge-secret")) == oct(0o600)


def holds_private_key(content: bytes) -> bool:
    return any(len(re.findall(rb"[A-Za-z0-9+/=]", body)) >= KEY_BODY_CHARS
               for body in PEM_PRIVATE_KEY.findall(content))


def test_the_private_key_scan_tells_a_key_from_a_placeholder(tmp_path):
    KeyStore(tmp_path).ensure_key()
    pem = next((tmp_path / "active").glob("*.pem")).read_bytes()
    assert holds_private_key(b"config: |\n    " + pem.replace(b"\n", b"\n    "))
    placeholder = b"-----BEGIN PRIVATE KEY-----\n    PLACEHOLDER\n    -----END PRIVATE KEY-----\n"
    assert not holds_private_key(placeholder)


def test_no_tracked_file_holds_a_private_key():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    paths = [ROOT / p for p in tracked.decode().split("\0") if p]
    assert len(paths) > 100, "git ls-files listed too little to be this repository"
    holding = []
    for path in paths:
        try:
            content = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue  # deleted in the work tree, or a submodule
        if holds_private_key(content):
            holding.append(str(path.relative_to(ROOT)))
    assert holding == []
