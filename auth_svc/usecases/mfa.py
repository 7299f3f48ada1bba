"""Turning TOTP on (enrol, then confirm with a first code) and off (with a code)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from auth_svc.domain import audit, mfa
from auth_svc.usecases.common import Auditor, ClientInfo, Stores, audits_refusals, require_user_session
from erp_common.errors import FailedPrecondition, Unauthenticated, invalid
from erp_common.tokens import Principal


@dataclass(frozen=True)
class Enrolment:
    otpauth_uri: str
    qr_svg: str
    secret: str


def _precondition(message: str, reason: str) -> FailedPrecondition:
    return FailedPrecondition(message, reason=reason, violations=[(reason, "mfa", message)])


class MfaEnrolment:
    def __init__(self, stores: Stores, auditor: Auditor, clock: Callable[[], float] = time.time):
        self.stores = stores
        self.auditor = auditor
        self.clock = clock

    @audits_refusals
    def enroll(self, principal: Principal, client: ClientInfo) -> Enrolment:
        require_user_session(principal, client, "MFA enrolment")
        user = self.stores.accounts.get_user(principal.user_id)
        secret = mfa.new_secret()
        if not self.stores.credentials.start_enrolment(user.id, secret):
            raise _precondition("MFA is already enabled; disable it first.", "MFA_ALREADY_ENABLED")
        self.auditor.record(audit.MFA_ENROLLMENT_STARTED, client, user_id=user.id, username=user.username,
                            actor=principal.username)
        uri = mfa.provisioning_uri(secret, user.username)
        return Enrolment(uri, mfa.qr_svg(uri), secret)

    @audits_refusals
    def confirm(self, principal: Principal, code: str, client: ClientInfo) -> list[str]:
        require_user_session(principal, client, "MFA confirmation")
        if not (code or "").strip():
            raise invalid("code", "This field is required.")
        credentials = self.stores.credentials
        device = credentials.totp(principal.user_id)
        if device is None or device.confirmed:
            raise _precondition("There is no pending MFA enrolment; call enroll first.", "MFA_NOT_PENDING")
        check = mfa.check_code(device.secret, code, self.clock(), device.last_used_step)
        codes = mfa.new_recovery_codes()
        if not check.accepted or not credentials.confirm(principal.user_id, check.step,
                                                          [mfa.recovery_code_hash(c) for c in codes]):
            self.auditor.record(audit.LOGIN_MFA_FAILED, client, user_id=principal.user_id,
                                username=principal.username, failure_reason="INVALID_CODE",
                                metadata={"during": "confirm"})
            raise Unauthenticated("Invalid code.", reason="MFA_CODE_INVALID")
        self.auditor.record(audit.MFA_ENROLLED, client, user_id=principal.user_id, username=principal.username,
                            actor=principal.username, target_type="user", target_id=str(principal.user_id))
        return codes

    @audits_refusals
    def disable(self, principal: Principal, code: str, client: ClientInfo) -> None:
        """Needs a current TOTP code (not replayed) or an unused recovery code."""
        require_user_session(principal, client, "disabling MFA")
        if not (code or "").strip():
            raise invalid("code", "This field is required.")
        credentials = self.stores.credentials
        device = credentials.totp(principal.user_id)
        if device is None or not device.confirmed:
            raise _precondition("MFA is not enabled.", "MFA_NOT_ENABLED")
        check = mfa.check_code(device.secret, code, self.clock(), device.last_used_step)
        accepted = ((check.accepted and credentials.use_step(principal.user_id, check.step))
                    or credentials.use_recovery_code(principal.user_id, mfa.recovery_code_hash(code)))
        if not accepted:
            self.auditor.record(audit.LOGIN_MFA_FAILED, client, user_id=principal.user_id,
                                username=principal.username, failure_reason="INVALID_CODE",
                                metadata={"during": "disable"})
            raise Unauthenticated("Invalid code.", reason="MFA_CODE_INVALID")
        credentials.delete_totp(principal.user_id)
        self.auditor.record(audit.MFA_DISABLED, client, user_id=principal.user_id, username=principal.username,
                            actor=principal.username, target_type="user", target_id=str(principal.user_id))
