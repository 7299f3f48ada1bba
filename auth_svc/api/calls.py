"""The per-call plumbing the servicers share: the client of the call and running a use case."""
from __future__ import annotations

from typing import Callable, TypeVar

import peewee

from auth_svc.usecases import ClientInfo
from erp_common.db import run_in_worker
from erp_common.server import current_call

T = TypeVar("T")


def client() -> ClientInfo:
    call = current_call()
    return ClientInfo(ip=call.client_ip, user_agent=call.user_agent)


async def run(db: peewee.Database, fn: Callable[..., T], *args) -> T:
    """Runs a use case in a worker thread, on that thread's database connection."""
    return await run_in_worker(db, fn, *args)
