"""The list cache serves a page only for the data version it was read at."""
from master_svc.api.list_cache import ListCache


def test_a_page_is_reused_while_the_version_holds_and_reloaded_after_a_write():
    cache, loads = ListCache(), []

    def load(value):
        loads.append(value)
        return value

    assert cache.get_or_load("countries?page=1", 7, lambda: load("v7")) == "v7"
    assert cache.get_or_load("countries?page=1", 7, lambda: load("again")) == "v7"
    assert cache.get_or_load("countries?page=1", 8, lambda: load("v8")) == "v8"  # a write happened
    assert loads == ["v7", "v8"] and (cache.hits, cache.misses) == (1, 2)


def test_the_cache_is_bounded_least_recently_used_first():
    cache = ListCache(max_entries=2)
    for key in ("a", "b"):
        cache.get_or_load(key, 1, lambda k=key: k)
    cache.get_or_load("a", 1, lambda: "reloaded a")  # hit: "a" becomes the most recent
    cache.get_or_load("c", 1, lambda: "c")           # evicts "b"
    assert cache.get_or_load("a", 1, lambda: "reloaded a") == "a"
    assert cache.get_or_load("b", 1, lambda: "reloaded b") == "reloaded b"
