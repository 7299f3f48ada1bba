"""Schema versions of the auth database, applied in order by erp_common.migrations.migrate."""
from __future__ import annotations

import logging

import peewee
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as playhouse_migrate

from auth_svc.domain.accounts import email_key, role_name_key, username_key
from auth_svc.storage import credentials, models, schema_v1, schema_v2
from erp_common.db_connect import is_mysql
from erp_common.migrations import create_frozen_tables
from erp_common.secrets import DataKeyring

log = logging.getLogger(__name__)


def _initial(db, migrator) -> None:
    create_frozen_tables(db, schema_v1.SQLITE, schema_v1.MYSQL)


def _hardening(db, migrator) -> None:
    """Revocation feed, login throttling, MFA and API keys (issue 4)."""
    create_frozen_tables(db, schema_v2.SQLITE, schema_v2.MYSQL)


def _exact_caseless_keys(db, migrator) -> None:
    """Unique keys become NFKC caseless (erp_common.text) and, on MySQL, compared byte for byte
    (`utf8mb4_bin`) like SQLite compares them: under the database's `utf8mb4_unicode_ci` "jose" and
    "josé" collided on MariaDB only, and a login matched either. Recomputes every key; a row whose
    new key would collide keeps its old one, and is logged, so valid data never fails the step."""
    if is_mysql(db):
        db.execute_sql("ALTER TABLE `auth_user` "
                       "MODIFY `username_key` VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, "
                       "MODIFY `email_key` VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL")
        db.execute_sql("ALTER TABLE `auth_role` "
                       "MODIFY `name_key` VARCHAR(150) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL")
    rekey = ((models.User, "username", models.User.username_key, username_key),
             (models.User, "email", models.User.email_key, email_key),
             (models.Role, "name", models.Role.name_key, role_name_key))
    for model, source, column, key_of in rekey:
        for row in model.select(model.id, getattr(model, source), column):
            key = key_of(getattr(row, source))
            if key == getattr(row, column.name):
                continue
            try:
                with db.atomic():
                    model.update({column: key}).where(model.id == row.id).execute()
            except peewee.IntegrityError:
                log.warning("%s %s keeps its old %s: %r now collides", model._meta.table_name, row.id,
                            column.name, getattr(row, source))


def _authorization_feed(db, migrator) -> None:
    """Authorization changes on the revocation feed (issue 13): a row per user whose rights changed."""
    have = {c.name for c in db.get_columns(models.Revocation._meta.table_name)}
    steps = [migrator.add_column(models.Revocation._meta.table_name, field.column_name, field)
             for field in (models.Revocation.user_id, models.Revocation.permissions) if field.column_name not in have]
    if steps:
        playhouse_migrate(*steps)


def _encrypted_totp_secrets(db, migrator: SchemaMigrator) -> None:
    """Room for TOTP secrets encrypted with a data key, and the key's id (issue 14). The rows are
    encrypted by `encrypt_totp_secrets` right after the migrations, which has the keyring."""
    if is_mysql(db):
        db.execute_sql("ALTER TABLE `auth_mfa_totp` MODIFY `secret` VARCHAR(255) NOT NULL")
    # A database made between issues 14 and 19 has the column already: migration 2 then created the
    # table from the live model.
    if "secret_key_id" not in {c.name for c in db.get_columns("auth_mfa_totp")}:
        playhouse_migrate(migrator.add_column("auth_mfa_totp", "secret_key_id", peewee.CharField(max_length=64, default="")))


def encrypt_totp_secrets(db, keyring: DataKeyring) -> int:
    """Every TOTP secret not under the keyring's current key (clear text from before issue 14, or an
    older key after `rotate-data-key`) encrypted again under it; returns how many rows changed.
    Idempotent, one row at a time, so replicas starting together or a rerun do no harm."""
    changed = 0
    with db.connection_context():
        stale = (models.MfaTotp.select(models.MfaTotp.id)
                 .where(models.MfaTotp.secret_key_id != keyring.current))
        for row_id in [row.id for row in stale]:
            with db.atomic():
                row = (models.MfaTotp.select().where(models.MfaTotp.id == row_id).for_update().get_or_none()
                       if is_mysql(db) else models.MfaTotp.get_or_none(models.MfaTotp.id == row_id))
                if row is None or row.secret_key_id == keyring.current:
                    continue
                secret = (credentials.open_secret(keyring, row.user_id, row.secret_key_id, row.secret)
                          if row.secret_key_id else row.secret)
                kid, sealed = credentials.seal_secret(keyring, row.user_id, secret)
                models.MfaTotp.update(secret=sealed, secret_key_id=kid).where(models.MfaTotp.id == row_id).execute()
                changed += 1
    return changed


MIGRATIONS = [
    (1, "initial schema", _initial),
    (2, "revocations, throttling, mfa, api keys", _hardening),
    (3, "exact NFKC caseless unique keys", _exact_caseless_keys),
    (4, "authorization changes on the revocation feed", _authorization_feed),
    (5, "encrypted TOTP secrets", _encrypted_totp_secrets),
]
