"""Known vulnerabilities in the pinned requirements (pyproject.toml: the runtime dependencies and every
extra), from PyPI's advisory data (the OSV database, as PyPI publishes it), with pip-audit.

pip-audit asks PyPI for each pin's release document (/pypi/<name>/<version>/json). A registry that
serves only the project document (/pypi/<name>/json, as the one this machine reaches does) answers
404 there, and pip-audit then reports the pin as "not found on PyPI" and exits 0 having audited
nothing. So this test reads pip-audit's JSON report, never its exit status alone, and audits every
pin that pip-audit could not from the project document, whose `vulnerabilities` are PyPI's
advisories for the latest release: exact for a pin that is the latest release. A pin behind the
latest release cannot be audited that way; those are named in a warning, and the test fails when
they are more than a quarter of the pins (an audit of a few pins says little). Offline, the test
is skipped and says why. A finding is fixed by upgrading the pin, or listed in IGNORED with the
reason it does not apply.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support import ROOT

PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
PYPI = "https://pypi.org/pypi"
# Advisory id (PYSEC-..., GHSA-..., CVE-...) -> why it does not apply to this project. Empty: no finding.
IGNORED: dict[str, str] = {}
MIN_AUDITED_SHARE = 0.75


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> list[str]:
    """Every requirement of the project: its dependencies and those of each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]


def pins() -> dict[str, str]:
    found = {}
    for line in requirements():
        match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;#]+)", line)
        if match:
            found[canonical(match.group(1))] = match.group(2)
    return found


def test_every_requirement_is_pinned():
    """An unpinned requirement would be neither reproducible nor audited by the tests below."""
    unpinned = [r for r in requirements() if canonical(r.split("==")[0]) not in pins()]
    assert unpinned == [] and len(pins()) == len(requirements())


def project_document(name: str) -> dict:
    with urllib.request.urlopen(f"{PYPI}/{name}/json", timeout=30) as response:  # nosec B310 # a fixed https URL
        return json.load(response)


@pytest.fixture(scope="module")
def reachable():
    try:
        project_document("pip-audit")
    except (urllib.error.URLError, OSError) as exc:
        pytest.skip(f"PyPI's JSON API is unreachable ({exc}): pip-audit fetches its advisory data from there, "
                    "and without it pip-audit stops with a connection error; nothing can be audited offline")


@pytest.fixture(scope="module")
def pip_audit_report(reachable, tmp_path_factory) -> dict:
    pinned = tmp_path_factory.mktemp("pip-audit") / "requirements.txt"
    pinned.write_text("".join(f"{name}=={version}\n" for name, version in pins().items()))
    args = [str(PIP_AUDIT), "--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json", "--timeout", "30",
            "-r", str(pinned)]
    for advisory in IGNORED:
        args += ["--ignore-vuln", advisory]
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.stdout.strip(), f"pip-audit wrote no report (exit {run.returncode}): {run.stderr[-2000:]}"
    return json.loads(run.stdout)


def ignored(advisory: dict) -> bool:
    return bool({advisory.get("id"), *advisory.get("aliases", ())} & set(IGNORED))


def test_the_registry_publishes_advisories_at_all(reachable):
    """Else the fallback below would pass on empty lists: pycrypto's last release (2.6.1, abandoned)
    has known vulnerabilities (CVE-2013-7459, CVE-2018-6594) that will never be fixed."""
    document = project_document("pycrypto")
    assert document["info"]["version"] == "2.6.1"
    assert {"CVE-2013-7459", "CVE-2018-6594"} <= {alias for a in document["vulnerabilities"] for alias in a["aliases"]}


def test_every_requirement_is_in_pip_audits_report(pip_audit_report):
    reported = {canonical(d["name"]) for d in pip_audit_report["dependencies"]}
    assert reported == set(pins()), sorted(reported ^ set(pins()))


def test_pip_audit_finds_no_known_vulnerability(pip_audit_report):
    found = [f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release'})"
             for d in pip_audit_report["dependencies"] for v in d.get("vulns", ())]
    assert found == [], "upgrade these pins, or justify each in IGNORED: " + "; ".join(found)


def test_pins_pip_audit_could_not_query_have_no_advisory_either(pip_audit_report):
    pinned = pins()
    unqueried = sorted(canonical(d["name"]) for d in pip_audit_report["dependencies"] if d.get("skip_reason"))
    with ThreadPoolExecutor(8) as pool:
        documents = dict(zip(unqueried, pool.map(project_document, unqueried)))
    found, behind = [], []
    for name, document in documents.items():
        latest = document["info"]["version"]
        if pinned[name] != latest:
            behind.append(f"{name} {pinned[name]} (latest {latest})")
            continue
        found += [f"{name} {latest}: {a['id']} (fixed in {', '.join(a.get('fixed_in') or ()) or 'no release'})"
                  for a in document.get("vulnerabilities") or () if not a.get("withdrawn") and not ignored(a)]
    assert found == [], "upgrade these pins, or justify each in IGNORED: " + "; ".join(found)
    audited = len(pinned) - len(behind)
    if behind:
        warnings.warn(f"{len(behind)} pins are behind their latest release and this registry serves advisories "
                      f"for the latest release only, so they were not audited: {', '.join(behind)}")
    assert audited >= MIN_AUDITED_SHARE * len(pinned), (
        f"only {audited} of {len(pinned)} pins could be audited; upgrade these: {', '.join(behind)}")
