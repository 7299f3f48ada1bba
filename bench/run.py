"""`make bench`: bench/edge_bench.py (echo ceiling, services, edges; 1 and N workers), bounded and on
loopback only.

    .venv/bin/python -m bench.run [edge_bench options, e.g. --seconds 5 --sqlite]

The per-service benchmarks run on their own: `python -m bench.master_bench`, `python -m bench.auth_bench`,
`python -m bench.revocation_delay`.
"""
from __future__ import annotations

import sys

from bench import edge_bench


def main() -> None:
    edge_bench.main(sys.argv[1:])


if __name__ == "__main__":
    main()
