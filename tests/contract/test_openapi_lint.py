"""The published OpenAPI document passes Redocly's lint with the committed ruleset (redocly.yaml)."""
import subprocess

from tests.support import ROOT

REDOCLY = ROOT / "var" / "clients-node" / "node_modules" / ".bin" / "redocly"


def test_redocly_lint_is_clean():
    assert REDOCLY.exists(), "run `make node-tools` (make test does)"
    result = subprocess.run(
        [str(REDOCLY), "lint", "gen/openapi/erp.openapi.json", "--config", "redocly.yaml", "--format", "summary"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [line for line in output.splitlines() if line.startswith(("error", "warning"))]
    assert "Your API description is valid" in output and not problems, output
