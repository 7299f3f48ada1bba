"""bandit over our Python packages at every severity and confidence: no finding that is not fixed or
justified. Justifications are in place (`# nosec BXXX # reason`) or, for the two checks that are off
everywhere, in pyproject.toml's [tool.bandit] with their reasons."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support import ROOT

PACKAGES = ("auth_svc", "master_svc", "erp_common", "edge", "tools", "bench", "erp_testing")
BANDIT = Path(sys.executable).parent / "bandit"
# A suppression names its checks and says why, after it ("# nosec B105 # an audit event name") or in
# the comment line just above it, when the line would get too long.
NAMED_NOSEC = re.compile(r"#\s*nosec:?\s+B\d{3}(?:\s*,\s*B\d{3})*")
REASON_AFTER = re.compile(NAMED_NOSEC.pattern + r"\s+#\s*\w.{5,}")


def python_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_bandit_finds_nothing_unjustified():
    run = subprocess.run([str(BANDIT), "-c", "pyproject.toml", "-r", *PACKAGES, "-f", "json", "-q"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    assert report["errors"] == [], report["errors"]
    scanned = {Path(name).parts[0] for name in report["metrics"] if name != "_totals"}
    assert scanned == set(PACKAGES), f"bandit scanned {sorted(scanned)}"
    assert report["metrics"]["_totals"]["loc"] > 5000, "bandit read too little to be these packages"
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}/"
                f"{r['issue_confidence']}: {r['issue_text']}" for r in report["results"]]
    assert findings == [], "fix these, or justify each in place with `# nosec BXXX # reason`:\n" + "\n".join(findings)
    assert run.returncode == 0, run.stderr


def test_every_nosec_names_its_check_and_says_why():
    bare = []
    for path in python_files():
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if not re.search(r"#\s*nosec\b", line) or REASON_AFTER.search(line):
                continue
            above = lines[number - 2].strip() if number > 1 else ""
            if not (NAMED_NOSEC.search(line) and above.startswith("#") and len(above) > 12):
                bare.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bare == []


def test_checks_off_everywhere_are_few_and_each_has_its_reason():
    text = (ROOT / "pyproject.toml").read_text()
    skips = tomllib.loads(text)["tool"]["bandit"].get("skips", [])
    assert set(skips) <= {"B404", "B603"}, "a check switched off for all code needs its reason here and a review"
    for check in skips:
        assert re.search(rf"^#\s+{check}\s+\S.{{20,}}", text, re.MULTILINE), f"{check} is skipped without a reason"
