"""The login page as a person uses it: headless Chromium, driven over the DevTools protocol like a
keyboard, types a username and password and presses Enter, with JavaScript on and off, at both
edges. The form must post (never put the password in the URL), the answer must say who signed in
and offer the token (a copy button when JavaScript runs), and a wrong password must read as a
sentence. Screenshots go to var/screenshots/login-*.png."""
from __future__ import annotations

import base64
import itertools
import json
import re
import subprocess
import tempfile
import time
import urllib.request

import pytest

from tests.support import ADMIN_PASSWORD
from tests.support import ROOT
from tests.support.browser import CHROMIUM, png_colours

websocket = pytest.importorskip("websocket")

SCREENSHOTS = ROOT / "var" / "screenshots"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: `make chromium` (apt-get install chromium)"),
]


class Page:
    """One Chromium tab over the DevTools protocol (just the commands these tests need)."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                assert "error" not in message, (method, message["error"])
                return message["result"]
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            assert time.monotonic() < deadline, f"no {event}"
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.ws.recv()))
        self.events.clear()

    def open(self, url: str) -> None:
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def type_into(self, selector: str, text: str) -> None:
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        assert node, f"no {selector} on the page"
        self.send("DOM.focus", nodeId=node)
        self.send("Input.insertText", text=text)

    def press_enter(self) -> None:
        """Submits the focused form the way a person does; the next page's load is awaited."""
        self.events.clear()
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                      text="\r" if kind == "keyDown" else "")
        self.wait_for("Page.loadEventFired")

    def html(self) -> str:
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        return self.send("DOM.getOuterHTML", nodeId=root)["outerHTML"]

    def url(self) -> str:
        history = self.send("Page.getNavigationHistory")
        return history["entries"][history["currentIndex"]]["url"]

    def screenshot(self, name: str) -> bytes:
        png = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / name).write_bytes(png)
        return png


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium with the DevTools protocol on a free port (it picks one and says which)."""
    # Chromium's helper processes may still write to the profile as it exits.
    with tempfile.TemporaryDirectory(prefix="erp-chromium-", ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage",
             "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={profile}", "about:blank"],
            stderr=subprocess.PIPE, text=True)
        try:
            for line in proc.stderr:
                match = re.search(r"DevTools listening on ws://([^/]+)/", line)
                if match:
                    yield match.group(1)
                    break
            else:
                pytest.fail("chromium did not start its DevTools endpoint")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(params=["js-on", "js-off"])
def page(request, browser):
    with urllib.request.urlopen(urllib.request.Request(f"http://{browser}/json/new?about:blank", method="PUT"),
                                timeout=10) as response:
        target = json.load(response)
    tab = Page(target["webSocketDebuggerUrl"])
    tab.send("Page.enable")
    tab.send("Emulation.setDeviceMetricsOverride", width=900, height=800, deviceScaleFactor=1, mobile=False)
    tab.send("Emulation.setScriptExecutionDisabled", value=request.param == "js-off")
    tab.js = request.param
    yield tab
    tab.ws.close()
    urllib.request.urlopen(f"http://{browser}/json/close/{target['id']}", timeout=10).close()


def test_signing_in_through_the_login_page(edge, page, mesh):
    name = "envoy" if edge.base.endswith(mesh.edge_addr) else "gateway"
    prefix = f"login-{name}-{page.js}"
    page.open(f"{edge.base}/api/auth/login_page/")
    form = page.screenshot(f"{prefix}-1-form.png")
    assert png_colours(form)[0] > 50

    page.type_into("#username", "admin")
    page.type_into("#password", "not the password")
    page.press_enter()
    html = page.html()
    assert 'role="alert">Invalid username or password.</p>' in html, html[-2000:]
    assert "not the password" not in page.url() and "password" not in page.url()
    page.screenshot(f"{prefix}-2-failed.png")

    page.type_into("#password", ADMIN_PASSWORD)
    page.press_enter()
    assert page.url() == f"{edge.base}/api/auth/login_page/"  # posted: nothing of the form in the URL
    html = page.html()
    assert "signed in as <strong>admin</strong>" in html, html[-2000:]
    token = re.search(r'<textarea id="token"[^>]*>([^<]+)</textarea>', html).group(1)
    assert edge.get("/api/auth/sessions/", token=token)[0] == 200
    copy_button = re.search(r'<button type="button" id="copy"[^>]*>', html).group(0)
    # The copy button exists only where the page's script ran (CSP allows exactly that script).
    assert ("hidden" in copy_button) == (page.js == "js-off"), copy_button
    done = page.screenshot(f"{prefix}-3-signed-in.png")
    assert png_colours(done)[1] > 5  # the green "signed in" box and the blue link are there
