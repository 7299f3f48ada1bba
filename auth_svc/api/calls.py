"""The per-call plumbing the servicers share: the client of the call."""
from __future__ import annotations

from auth_svc.usecases import ClientInfo
from erp_common.server import current_call


def client() -> ClientInfo:
    call = current_call()
    return ClientInfo(ip=call.client_ip, user_agent=call.user_agent)
