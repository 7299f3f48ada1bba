"""Second factors (TOTP secrets, recovery codes) and API keys."""
from __future__ import annotations

import datetime
from typing import Optional, Sequence

import peewee

from auth_svc.domain.apikeys import ApiKeyRecord
from auth_svc.domain.mfa import TotpDevice
from auth_svc.storage import models
from auth_svc.storage.models import utcnow
from erp_common.secrets import DataKeyring


def _api_key(row: models.ApiKey) -> ApiKeyRecord:
    return ApiKeyRecord(row.id, row.name, row.prefix, tuple(row.scopes or ()), row.owner_id, row.expire_time,
                        row.created_at, row.revoked_at, row.last_used_at, row.secret_hash)


def _secret_context(user_id: int) -> bytes:
    """Binds a sealed secret to its row: copied to another user's row, it does not decrypt."""
    return f"auth_mfa_totp:{user_id}".encode()


def seal_secret(keyring: DataKeyring, user_id: int, secret: str) -> tuple[str, str]:
    return keyring.encrypt(secret, _secret_context(user_id))


def open_secret(keyring: DataKeyring, user_id: int, kid: str, sealed: str) -> str:
    return keyring.decrypt(kid, sealed, _secret_context(user_id))


class CredentialRepository:
    def __init__(self, db: peewee.Database, keyring: DataKeyring):
        self.db = db
        self.keyring = keyring

    # --- TOTP ------------------------------------------------------------------------------
    def totp(self, user_id: int) -> Optional[TotpDevice]:
        row = models.MfaTotp.get_or_none(models.MfaTotp.user == user_id)
        if row is None:
            return None
        secret = open_secret(self.keyring, user_id, row.secret_key_id, row.secret) if row.secret_key_id else row.secret
        return TotpDevice(secret, row.confirmed_at is not None, row.last_used_step)

    def start_enrolment(self, user_id: int, secret: str) -> bool:
        """Stores a pending secret, replacing an earlier pending one; False when MFA is already on."""
        with self.db.atomic():
            (models.MfaTotp.delete()
             .where((models.MfaTotp.user == user_id) & models.MfaTotp.confirmed_at.is_null()).execute())
            try:
                with self.db.atomic():
                    kid, sealed = seal_secret(self.keyring, user_id, secret)
                    models.MfaTotp.create(user=user_id, secret=sealed, secret_key_id=kid)
            except peewee.IntegrityError:
                return False
        return True

    def confirm(self, user_id: int, step: int, recovery_code_hashes: Sequence[str]) -> bool:
        """Turns MFA on with the step of the first code and stores the recovery codes; False when
        there is no pending enrolment (or the step was used meanwhile)."""
        with self.db.atomic():
            confirmed = (models.MfaTotp.update(confirmed_at=utcnow(), last_used_step=step)
                         .where((models.MfaTotp.user == user_id) & models.MfaTotp.confirmed_at.is_null()
                                & (models.MfaTotp.last_used_step < step)).execute())
            if confirmed != 1:
                return False
            models.MfaRecoveryCode.delete().where(models.MfaRecoveryCode.user == user_id).execute()
            models.MfaRecoveryCode.insert_many([{"user": user_id, "code_hash": h} for h in recovery_code_hashes]).execute()
        return True

    def use_step(self, user_id: int, step: int) -> bool:
        """Records a TOTP step as used; False when it (or a later one) was used already."""
        return (models.MfaTotp.update(last_used_step=step)
                .where((models.MfaTotp.user == user_id) & (models.MfaTotp.last_used_step < step)).execute()) == 1

    def use_recovery_code(self, user_id: int, code_hash: str) -> bool:
        return (models.MfaRecoveryCode.update(used_at=utcnow())
                .where((models.MfaRecoveryCode.user == user_id) & (models.MfaRecoveryCode.code_hash == code_hash)
                       & models.MfaRecoveryCode.used_at.is_null()).execute()) == 1

    def remaining_recovery_codes(self, user_id: int) -> int:
        return (models.MfaRecoveryCode.select()
                .where((models.MfaRecoveryCode.user == user_id) & models.MfaRecoveryCode.used_at.is_null()).count())

    def delete_totp(self, user_id: int) -> None:
        with self.db.atomic():
            models.MfaRecoveryCode.delete().where(models.MfaRecoveryCode.user == user_id).execute()
            models.MfaTotp.delete().where(models.MfaTotp.user == user_id).execute()

    # --- API keys --------------------------------------------------------------------------
    def create_api_key(self, name: str, prefix: str, secret_hash: str, scopes: Sequence[str], owner_id: int,
                       expire_time: Optional[datetime.datetime]) -> ApiKeyRecord:
        row = models.ApiKey.create(name=name, prefix=prefix, secret_hash=secret_hash, scopes=sorted(scopes),
                                   owner=owner_id, expire_time=expire_time)
        return _api_key(models.ApiKey.get_by_id(row.id))

    def api_keys(self, owner_id: Optional[int], show_revoked: bool) -> list[ApiKeyRecord]:
        query = models.ApiKey.select().order_by(models.ApiKey.created_at.desc(), models.ApiKey.id.desc())
        if owner_id is not None:
            query = query.where(models.ApiKey.owner == owner_id)
        if not show_revoked:
            query = query.where(models.ApiKey.revoked_at.is_null())
        return [_api_key(r) for r in query]

    def api_key(self, key_id: int) -> Optional[ApiKeyRecord]:
        row = models.ApiKey.get_or_none(models.ApiKey.id == key_id)
        return _api_key(row) if row else None

    def api_key_by_prefix(self, prefix: str) -> Optional[ApiKeyRecord]:
        row = models.ApiKey.get_or_none(models.ApiKey.prefix == prefix)
        return _api_key(row) if row else None

    def revoke_api_key(self, key_id: int) -> bool:
        return (models.ApiKey.update(revoked_at=utcnow())
                .where((models.ApiKey.id == key_id) & models.ApiKey.revoked_at.is_null()).execute()) == 1

    def touch_api_key(self, key_id: int) -> None:
        models.ApiKey.update(last_used_at=utcnow()).where(models.ApiKey.id == key_id).execute()

    def live_api_key_ids(self, owner_id: int) -> list[int]:
        return [k.id for k in models.ApiKey.select(models.ApiKey.id)
                .where((models.ApiKey.owner == owner_id) & models.ApiKey.revoked_at.is_null())]
