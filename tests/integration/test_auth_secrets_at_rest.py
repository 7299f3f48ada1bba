"""TOTP secrets at rest (issue 14): AES-GCM under a data key kept beside the signing keys (0600), a key
id on every row, rows from before encrypted at start-up, and `python -m auth_svc rotate-data-key`
(as the README runs it) moving every secret to a new key that the running service picks up."""
from __future__ import annotations

import base64
import dataclasses
import json
import os
import stat
import subprocess
import sys

import pytest
from cryptography.exceptions import InvalidTag

from auth_svc.config import AuthConfig
from auth_svc.domain import mfa
from auth_svc.server import prepare
from auth_svc.storage import models
from erp_common.secrets import DataKeyring
from tests.support import ROOT



@pytest.fixture
def auth_state(mariadb, tmp_path):
    config = dataclasses.replace(AuthConfig.from_env(), db_url=mariadb.create_database("atrest"),
                                 keys_dir=tmp_path / "keys", data_keys_file=None, bcrypt_rounds=4,
                                 admin_password="At-Rest-Passw0rd!")
    return config, prepare(config)


def _row(app, user_id: int) -> models.MfaTotp:
    with app.usecases.stores.db.connection_context():
        return models.MfaTotp.get(models.MfaTotp.user == user_id)


def test_totp_secrets_are_sealed_and_rotated(auth_state):
    config, app = auth_state
    credentials, db = app.usecases.stores.credentials, app.usecases.stores.db
    keyring_file = config.keys_dir / "data-keys.json"
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.keys_dir.stat().st_mode) == 0o700
    secret = mfa.new_secret()
    with db.connection_context():
        admin_id = models.User.get(models.User.username == "admin").id
        assert credentials.start_enrolment(admin_id, secret)
    row = _row(app, admin_id)
    assert row.secret_key_id == credentials.keyring.current and secret not in row.secret
    assert len(base64.b64decode(row.secret)) == 12 + len(secret) + 16  # nonce, ciphertext, GCM tag
    # Sealed to its row: the same value under another user id does not open.
    with pytest.raises(InvalidTag):
        credentials.keyring.decrypt(row.secret_key_id, row.secret, f"auth_mfa_totp:{admin_id + 1}".encode())

    # A row as issue 14 found it (clear text, no key id) is encrypted at the next start.
    with db.connection_context():
        models.MfaTotp.update(secret=secret, secret_key_id="").where(models.MfaTotp.id == row.id).execute()
    restarted = prepare(config)
    row = _row(restarted, admin_id)
    assert row.secret_key_id == credentials.keyring.current and row.secret != secret
    with db.connection_context():
        assert credentials.totp(admin_id).secret == secret

    env = {**os.environ, "ERP_AUTH_DB_URL": config.db_url, "ERP_KEYS_DIR": str(config.keys_dir),
           "ERP_LOG_LEVEL": "WARNING"}
    env.pop("ERP_DATA_KEYS_FILE", None)
    rotated = subprocess.run([sys.executable, "-m", "auth_svc", "rotate-data-key"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert rotated.returncode == 0, rotated.stderr
    new_kid = rotated.stdout.strip()
    assert "1 TOTP secrets encrypted again" in rotated.stderr
    doc = json.loads(keyring_file.read_text())
    assert doc["current"] == new_kid and len(doc["keys"]) == 2
    assert stat.S_IMODE(keyring_file.stat().st_mode) == 0o600
    assert _row(app, admin_id).secret_key_id == new_kid
    # The running service read the file again on meeting the new key id.
    with db.connection_context():
        assert credentials.totp(admin_id).secret == secret


def test_a_named_keyring_file_must_exist(auth_state, tmp_path):
    config, _ = auth_state
    with pytest.raises(FileNotFoundError):
        prepare(dataclasses.replace(config, data_keys_file=tmp_path / "missing.json"))
    assert not (tmp_path / "missing.json").exists()
    made = DataKeyring.open(tmp_path / "made.json", create=True)
    assert DataKeyring(tmp_path / "made.json").current == made.current
