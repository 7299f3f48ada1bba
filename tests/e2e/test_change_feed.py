"""The change feed's one framing at both edges (application/x-ndjson, one WatchChangesResponse a line),
its heartbeats on a quiet stream, and a browser reading it: headless Chromium runs a page that reads
the feed with fetch's stream reader, from another origin (CORS), and must receive a create made by
this test while it waits. The mesh is this module's own, with a 1 s heartbeat."""
from __future__ import annotations

import http.client
import http.server
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

import grpc
import pytest

from erp.master.v1 import master_service_pb2 as pb
from erp.master.v1 import master_service_pb2_grpc as pb_grpc
from tests.support import EDGES
from tests.support.edge import addr, edge_http, own_mesh, running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGE_ADDR = addr()
pytestmark = pytest.mark.e2e

PAGE = """<!doctype html><html><body><pre id="change">waiting</pre><script>
(async () => {
  const out = document.getElementById("change");
  try {
    const response = await fetch("%(edge)s/api/master/changes/?cursor=-1&entities=continent&max_changes=1",
                                 {headers: {Authorization: "Bearer %(token)s"}});
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "", heartbeats = 0;
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, {stream: true});
      for (let end = buffered.indexOf("\\n"); end >= 0; end = buffered.indexOf("\\n")) {
        const line = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        if (line.heartbeat_time) heartbeats += 1;
        if (line.change) {
          out.textContent = JSON.stringify({type: response.headers.get("content-type"), heartbeats, change: line.change});
          return;
        }
      }
    }
    out.textContent = "ended without a change";
  } catch (error) {
    out.textContent = "error " + error;
  }
})();
</script></body></html>
"""


@pytest.fixture(scope="module")
def feed_mesh():
    with running(own_mesh(ERP_CHANGE_FEED_HEARTBEAT_SECONDS="1", ERP_CORS_ORIGINS=f"http://{PAGE_ADDR}")) as mesh:
        yield mesh


def edge_base(mesh, kind: str) -> str:
    return edge_http(mesh, kind).base


@pytest.mark.parametrize("kind", EDGES)
def test_a_quiet_feed_sends_heartbeats_as_ndjson(feed_mesh, kind):
    http_ = edge_http(feed_mesh, kind)
    token = http_.login()["access_token"]
    host, port = http_.base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        started = time.monotonic()
        conn.request("GET", "/api/master/changes/?cursor=-1&entities=equipment_type",
                     headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        assert response.status == 200 and response.getheader("content-type") == "application/x-ndjson"
        lines = [json.loads(response.readline()) for _ in range(2)]
        took = time.monotonic() - started
    finally:
        conn.close()
    assert all(set(line) == {"heartbeat_time"} for line in lines), lines
    assert 1.5 <= took <= 6, took  # two heartbeats a second apart


def test_grpc_callers_get_the_heartbeats_too(feed_mesh):
    """The heartbeats come from master_svc itself, so a direct gRPC watcher gets them as well."""
    token = edge_http(feed_mesh, "envoy").login()["access_token"]
    with grpc.insecure_channel(feed_mesh.master_addr.split(",")[0]) as channel:
        stream = pb_grpc.ChangeFeedServiceStub(channel).WatchChanges(
            pb.WatchChangesRequest(cursor=-1, entities=["equipment_type"]),
            metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        first = next(iter(stream))
        stream.cancel()
    assert first.HasField("heartbeat_time") and not first.HasField("change"), first


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: `make chromium` (apt-get install chromium)")
@pytest.mark.parametrize("kind", EDGES)
def test_a_browser_reads_a_create_from_the_feed(feed_mesh, kind, tmp_path):
    http_ = edge_http(feed_mesh, kind)
    token = http_.login()["access_token"]
    (tmp_path / "index.html").write_text(PAGE % {"edge": http_.base, "token": token})
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **kw)  # noqa: E731
    host, port = PAGE_ADDR.rsplit(":", 1)
    server = http.server.ThreadingHTTPServer((host, int(port)), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    created = []
    try:
        with tempfile.TemporaryDirectory(prefix="erp-chromium-") as profile:
            browser = subprocess.Popen(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=60000",
                 "--dump-dom", f"http://{PAGE_ADDR}/index.html"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            deadline = time.monotonic() + 90
            while browser.poll() is None and time.monotonic() < deadline:
                time.sleep(1.0)  # the page starts reading first; every create after that may be the one
                status, _, row = http_.post("/api/master/continents/", {"name": f"Feed {uuid.uuid4().hex[:8]}"},
                                            token=token)
                assert status == 200, row
                created.append(row["id"])
            dom = browser.communicate(timeout=30)[0]
    finally:
        server.shutdown()
        server.server_close()
    shown = re.search(r'<pre id="change">(.*?)</pre>', dom, re.S).group(1)
    seen = json.loads(shown.replace("&quot;", '"'))
    assert seen["type"] == "application/x-ndjson", seen
    assert seen["change"]["kind"] == "KIND_CREATED" and seen["change"]["id"] in created, (seen, created)
