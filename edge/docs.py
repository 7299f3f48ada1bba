"""Routes of the API docs pages (filled in by the docs work; none yet)."""
from __future__ import annotations


def routes(config) -> str:
    return ""
