"""erp_common.workers without forking: the ERP_WORKERS setting and the metrics directories of
parents that were killed before they could remove theirs."""
import os
import subprocess
import sys

import pytest

from erp_common import workers


def test_worker_count_defaults_to_the_usable_cores_and_refuses_nonsense():
    assert workers.parse_count("") == len(os.sched_getaffinity(0))
    assert workers.parse_count("3") == 3
    with pytest.raises(ValueError):
        workers.parse_count("0")


def test_only_the_metrics_directories_of_dead_parents_are_removed(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    mine = tmp_path / f"erp-metrics-{os.getpid()}-abc"
    orphan = tmp_path / f"erp-metrics-{gone}-def"
    other = tmp_path / "erp-metrics-notapid"
    for d in (mine, orphan, other):
        d.mkdir()
        (d / "counter_1.db").write_bytes(b"x")
    assert workers.remove_orphaned_metrics_dirs(str(tmp_path)) == [str(orphan)]
    assert mine.exists() and other.exists() and not orphan.exists()
