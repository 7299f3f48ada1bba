"""What the edge e2e tests share besides the session mesh: meshes of their own (SQLite, free ports),
edges in front of a stub or a dead upstream, and tokens minted with a mesh's own signing keys."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent import futures
from contextlib import contextmanager
from pathlib import Path

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from auth_svc.keystore import KeyStore
from erp.master.v1 import master_service_pb2 as master_pb
from erp.master.v1 import master_service_pb2_grpc as master_grpc
from tests.support import ADMIN_PASSWORD, EDGES, ROOT
from tests.support.http import Http
from tools.mesh import GATEWAY_BIN, Mesh
from tools.ports import free_port

CORS_ORIGINS = "http://localhost:3000,https://app.example.com"
ISSUER, AUDIENCE = "auth_service", "erp"


def addr() -> str:
    return f"127.0.0.1:{free_port()}"


def own_mesh(edges: tuple[str, ...] = EDGES, **env: str) -> Mesh:
    """A whole mesh for one test module, on SQLite and free ports, so it may be broken on purpose."""
    return Mesh.on_free_ports("erp-edge-test-", edges=edges,
                extra_env={"ERP_ADMIN_PASSWORD": ADMIN_PASSWORD, "ERP_BCRYPT_ROUNDS": "4",
                           "ERP_CORS_ORIGINS": CORS_ORIGINS, "ERP_REVOCATION_POLL_SECONDS": "1", **env})


@contextmanager
def running(mesh: Mesh):
    try:
        mesh.start()
        yield mesh
    finally:
        mesh.stop()
        shutil.rmtree(mesh.state_dir, ignore_errors=True)


def edge_http(mesh: Mesh, kind: str) -> Http:
    return Http(f"http://{mesh.edge_addr if kind == 'envoy' else mesh.gateway_addr}")


class EdgesOnly:
    """Envoy and the gateway, configured like `base`'s but with master_svc's address replaced (a stub in
    the test process, or a port nobody listens on). auth_svc is `base`'s, so its tokens work here."""

    def __init__(self, base: Mesh, master_addr: str, edges: tuple[str, ...] = EDGES, **env: str):
        self.dir = Path(tempfile.mkdtemp(prefix="erp-edges-"))
        self.addrs = {"envoy": addr(), "gateway": addr()}
        self.edges = edges
        self.env = dict(base.env(), ERP_MASTER_UPSTREAMS=master_addr, ERP_EDGE_HTTP_ADDR=self.addrs["envoy"],
                        ERP_EDGE_ADMIN_ADDR=addr(), ERP_GATEWAY_HTTP_ADDR=self.addrs["gateway"], **env)
        self.procs: list[subprocess.Popen] = []

    def http(self, kind: str) -> Http:
        return Http(f"http://{self.addrs[kind]}")

    def log(self, kind: str) -> str:
        return (self.dir / f"{kind}.log").read_text(errors="replace")

    def start(self, timeout: float = 30.0) -> "EdgesOnly":
        for kind in self.edges:
            if kind == "envoy":
                config = self.dir / "envoy.yaml"
                subprocess.run([sys.executable, "-m", "edge.render", "--out", str(config)],
                               env=self.env, cwd=ROOT, check=True)
                argv = [str(Path(sys.executable).parent / "envoy"), "-c", str(config), "--log-level", "warn",
                        "--use-dynamic-base-id", "--drain-time-s", "1"]
            else:
                argv = [str(GATEWAY_BIN)]
            self.procs.append(subprocess.Popen(argv, env=self.env, cwd=ROOT, stderr=subprocess.STDOUT,
                                               stdout=open(self.dir / f"{kind}.log", "wb")))
        for kind, proc in zip(self.edges, self.procs):
            _wait_answering(f"http://{self.addrs[kind]}/api/health", proc, timeout)
        return self

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def _wait_answering(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Until the URL answers at all: a dead upstream makes /api/health a 503, which is an answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


def post_large(base: str, path: str, body: bytes, token: str) -> tuple[int, dict, dict]:
    """POSTs `body` as curl does for large bodies, with `Expect: 100-continue`: the body goes only
    after the edge's "100 Continue", so an edge that refuses it by Content-Length alone answers
    413 before any of it is sent (writing it anyway can end in a reset instead of the answer)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                      "Expect: 100-continue\r\nConnection: close\r\n\r\n").encode())
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += sock.recv(65536) or b"\r\n\r\n"
        if raw.startswith(b"HTTP/1.1 100"):
            raw = raw.partition(b"\r\n\r\n")[2]
            try:
                sock.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, payload = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        payload = _unchunk(payload)
    return int(lines[0].split()[1]), headers, json.loads(payload)


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, rest = data.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        out, data = out + rest[:n], rest[n + 2:]
    return out


def wait_for(check, timeout: float = 15.0, interval: float = 0.2):
    """Polls `check` until it returns something truthy; returns that, or the last value on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# --- a stub master_svc ---------------------------------------------------------------------------

STUB_DETAILS = {
    code_pb2.INVALID_ARGUMENT: [error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="name", description="This field is required.")])],
    code_pb2.FAILED_PRECONDITION: [error_details_pb2.PreconditionFailure(violations=[
        error_details_pb2.PreconditionFailure.Violation(type="PROTECTED", subject="continent/x",
                                                        description="has children")])],
    code_pb2.RESOURCE_EXHAUSTED: [error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=7))],
}


class StubContinents(master_grpc.ContinentServiceServicer):
    """ListContinents answers `search="status:<CODE>"` with that status (and typical details); any
    other search succeeds. Every call's metadata is kept, to see what the edge forwards."""

    def __init__(self):
        self.metadata: list[dict[str, str]] = []

    def ListContinents(self, request, context):
        md = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
        self.metadata.append(md)
        if request.search.startswith("status:"):
            code = code_pb2.Code.Value(request.search.split(":", 1)[1])
            details = [error_details_pb2.ErrorInfo(reason=f"STUB_{code_pb2.Code.Name(code)}", domain="erp.test")]
            details += STUB_DETAILS.get(code, [])
            status = status_pb2.Status(code=code, message=f"stub says {code_pb2.Code.Name(code)}")
            for d in details:
                status.details.add().Pack(d)
            context.abort_with_status(rpc_status.to_status(status))
        return master_pb.ListContinentsResponse(
            continents=[master_pb.Continent(id="stub", unique_id="stub", name=request.search or "stub")],
            total_size=1)


@contextmanager
def stub_master():
    """A gRPC server with the stub ContinentService and grpc.health.v1 (so the edges route to it)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    servicer = StubContinents()
    master_grpc.add_ContinentServiceServicer_to_server(servicer, server)
    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}", servicer
    finally:
        server.stop(grace=None)


# --- tokens ----------------------------------------------------------------------------------------

def mint(keys_dir: Path, *, ttl: int = 600, age: int = 0, key=None, kid: str | None = None,
         **claims) -> str:
    """An RS256 token like auth_svc's, signed with the mesh's signing key unless `key` is given.
    `age` moves iat/nbf/exp into the past; `claims` override or add claims."""
    if key is None:
        kid, key = KeyStore(keys_dir).signing_key()
    now = int(time.time()) - age
    body = {"sub": "1", "username": "admin", "groups": ["administrators"], "permissions": [],
            "sid": uuid.uuid4().hex, "type": "access", "iat": now, "nbf": now, "exp": now + ttl,
            "iss": ISSUER, "aud": AUDIENCE, "jti": uuid.uuid4().hex, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid or "unknown"})


def foreign_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signing_kid(keys_dir: Path) -> str:
    return KeyStore(keys_dir).signing_kid()


def assert_error(response, http: int, status: str):
    code, headers, body = response
    assert code == http, body
    assert headers.get("content-type", "").startswith("application/json"), (headers, body)
    assert isinstance(body, dict), body
    assert body["code"] == http and body["status"] == status, body
    assert isinstance(body["message"], str) and isinstance(body["details"], list), body
    text = str(body).lower()
    assert "traceback" not in text and "<html" not in text and 'file "' not in text, body
    return body
