"""The docs pages in a real browser: headless Chromium renders /api/docs/swagger/ and /api/docs/redoc/
from the running Envoy edge. Screenshots go to var/screenshots/; the rendered DOM proves the
JavaScript ran and loaded the schema. `make test` installs Chromium (`make chromium`)."""
from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib

import pytest

from tests.e2e.edge_support import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
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


def png_colours(data: bytes) -> tuple[int, int]:
    """(distinct colours, distinct non-grey colours) of an 8-bit RGB/RGBA PNG, without an imaging
    library. A blank page has a handful; a plain-text error page, antialiased greys only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6), (depth, colour_type)
            bpp = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    previous, colours = bytearray(stride), set()
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        colours.update(bytes(row[i:i + 3]) for i in range(0, stride, bpp))
        previous = row
    return len(colours), sum(1 for c in colours if max(c) - min(c) > 40)


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
