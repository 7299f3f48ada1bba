"""The contracts: gen/ matches protos/, buf lint and buf breaking pass."""
import filecmp
import subprocess
from pathlib import Path

from tests.support import ROOT


def _diff(a: Path, b: Path) -> list[str]:
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__"])
    out = [f"only in {cmp.left}: {n}" for n in cmp.left_only] + [f"only in {cmp.right}: {n}" for n in cmp.right_only]
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    out += [f"differs: {a / n}" for n in mismatch + errors]
    for sub in cmp.common_dirs:
        out += _diff(a / sub, b / sub)
    return out


def test_generated_code_is_not_stale(tmp_path):
    subprocess.run([str(ROOT / "tools" / "gen.sh"), "--out", str(tmp_path)], check=True, cwd=ROOT)
    stale = _diff(ROOT / "gen", tmp_path / "gen")
    assert not stale, "gen/ is stale; run `make gen`:\n" + "\n".join(stale)


def test_buf_lint_passes():
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "buf"), "lint"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_buf_breaking_against_head_passes():
    result = subprocess.run([str(ROOT / "tools" / "breaking.sh")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
