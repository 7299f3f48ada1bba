"""Scrapes a `/metrics` endpoint into {(name, labels): value} for assertions on deltas."""
from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families


class Samples(dict):
    def value(self, name: str, **labels: str) -> float:
        """The sample with exactly these labels, 0 when absent (a counter not yet touched)."""
        return self.get((name, frozenset(labels.items())), 0.0)

    def has(self, name: str) -> bool:
        return any(key[0] == name for key in self)


def scrape(addr: str) -> Samples:
    with urllib.request.urlopen(f"http://{addr}/metrics", timeout=5) as resp:  # nosec B310 # always http://
        text = resp.read().decode()
    samples = Samples()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples
