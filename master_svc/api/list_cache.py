"""List responses remembered per master-data version.

Master data is read far more often than it changes, and a page of 50 rows costs milliseconds of
Python to decode and encode. Every write of any replica advances the change sequence (the outbox's
cursor, in the same transaction), so a cached page is reused only while the sequence still has the
value it had when the page was read: one indexed one-row read instead of the page's queries. There
is no staleness window, across replicas included.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class ListCache:
    def __init__(self, max_entries: int = 512):
        self._entries: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_load(self, key: Hashable, version: int, load: Callable[[], T]) -> T:
        """The value cached under `key` for `version`, else `load()` (cached for `version`).

        `version` must be read before `load` runs: a write committed in between then makes the
        entry outdated at once instead of being hidden by it."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return hit[1]  # type: ignore[return-value]
            self.misses += 1
        value = load()
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value
