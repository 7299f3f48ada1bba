"""The docs pages in a real browser: headless Chromium renders /api/docs/swagger/ and /api/docs/redoc/
from the running Envoy edge. Screenshots go to var/screenshots/; the rendered DOM proves the
JavaScript ran and loaded the schema. `make test` installs Chromium (`make chromium`)."""
from __future__ import annotations

import subprocess
import tempfile

import pytest

from tests.support import ROOT
from tests.support.browser import CHROMIUM, png_colours

SCREENSHOTS = ROOT / "var" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: `make chromium` (apt-get install chromium)"),
    pytest.mark.skipif(not (ROOT / "var" / "docs" / "schema.json").exists(),
                       reason="API docs not built: run `make docs-assets` (make test does)"),
]

PAGES = {
    # page: (screenshot name, texts the rendered DOM must contain)
    "swagger": ("docs-swagger.png", ["ERP API", "Authorize", "/api/master/countries/", "/api/auth/login/",
                                     "Lists country rows"]),
    "redoc": ("docs-redoc.png", ["ERP API", "CountryService", "/api/master/countries/", "Lists country rows"]),
}


def chromium(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="erp-chromium-") as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=10000", *args],
            capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("page", PAGES)
def test_docs_page_renders_in_headless_chromium(mesh, page):
    name, texts = PAGES[page]
    url = f"http://{mesh.edge_addr}/api/docs/{page}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / name
    shot.unlink(missing_ok=True)

    result = chromium(f"--screenshot={shot}", "--window-size=1280,900", url)
    assert shot.exists(), result.stderr[-2000:]
    png = shot.read_bytes()
    assert len(png) > 30_000, f"{shot} is only {len(png)} bytes"
    colours, tinted = png_colours(png)
    assert colours > 300 and tinted > 50, f"{shot} looks blank or like plain text ({colours}, {tinted} colours)"

    dom = chromium("--dump-dom", url).stdout
    missing = [t for t in texts if t not in dom]
    assert not missing, f"rendered {page} page lacks {missing} (did its JavaScript run?)"
