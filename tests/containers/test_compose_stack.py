"""deploy/compose.yaml for real: podman-compose starts MariaDB, the migrations job, two replicas of
auth and of master, Envoy and the Go gateway from the images of `make images`, on the compose file's
private networks. The tests run in order on one stack: health, the seed flow through both edges,
native gRPC through Envoy, a master replica killed under load, a restart that keeps the data, and a
teardown that leaves no container, network or volume behind."""
from __future__ import annotations

import datetime
import os
import shlex
import signal
import subprocess
import time
import uuid

import pytest

from tests.support.containers import (DEPLOY, ROOT, SECRETS, VERSION, Load, RetryingHttp, base_images, containers, env,
                                free_port, grpc_list_continents, logs_since, podman, wait_healthy)
from tests.support.waiting import wait_until

PROJECT = "erp-ct"
# deploy/README.md "Run on one host with podman" gives these commands; the tests run them as written
# (the project name, COMPOSE_PROJECT_NAME, and the published ports come from the environment).
COMPOSE = ".venv/bin/podman-compose -f deploy/compose.yaml --profile gateway"
DB_UP = f"{COMPOSE} up -d --no-build --no-deps mariadb"
MIGRATE = f"{COMPOSE} run --rm --no-deps migrations"
UP = f"{COMPOSE} up -d --no-build --no-deps auth master envoy gateway"
DOWN = f"{COMPOSE} down --volumes"
LABEL = f"io.podman.compose.project={PROJECT}"
SERVICES = {"mariadb": 1, "auth": 2, "master": 2, "envoy": 1, "gateway": 1}
START_TIMEOUT = 300



class Stack:
    def __init__(self):
        self.edge_addr = f"127.0.0.1:{free_port()}"
        self.gateway_addr = f"127.0.0.1:{free_port()}"
        self.env = dict(env(), ERP_VERSION=VERSION, ERP_MARIADB_IMAGE=base_images()["MARIADB_IMAGE"],
                        COMPOSE_PROJECT_NAME=PROJECT,
                        ERP_EDGE_PUBLISH=self.edge_addr, ERP_GATEWAY_PUBLISH=self.gateway_addr)
        self.envoy = RetryingHttp(f"http://{self.edge_addr}")
        self.gateway = RetryingHttp(f"http://{self.gateway_addr}")
        self.admin_password = (SECRETS / "admin_password").read_text().strip()

    def compose(self, command: str, timeout: float = 600) -> subprocess.CompletedProcess:
        res = subprocess.run(shlex.split(command), cwd=ROOT, capture_output=True, text=True, env=self.env,
                             timeout=timeout, stdin=subprocess.DEVNULL)
        assert res.returncode == 0, f"{command}: {res.stdout[-3000:]}\n{res.stderr[-3000:]}"
        return res

    def up(self) -> None:
        self.compose(DB_UP)
        migrated = self.compose(MIGRATE)  # waits for MariaDB, then exits 0 (or the assertion fails)
        self.migrate_log = migrated.stdout + migrated.stderr
        self.compose(UP)
        wait_healthy([c.name for c in containers(LABEL)], START_TIMEOUT)
        wait_until(lambda: self.envoy.get("/api/health")[0] == 200 and self.gateway.get("/api/health")[0] == 200,
                   60, "both edges answer", interval=1.0)
        # Health says the processes serve, not that every replica reaches the database yet (a
        # replica's database breaker closes at its next probe): wait until a login and ten lists in
        # a row, balanced over both master replicas, succeed.
        token = wait_until(lambda: self.login(self.envoy), 60, "a login succeeds", interval=1.0)
        wait_until(lambda: all(self.envoy.get("/api/master/continents/?page_size=1", token=token)[0] == 200
                               for _ in range(10)), 60, "ten lists in a row succeed", interval=1.0)

    def down(self, volumes: bool) -> None:
        self.compose(DOWN if volumes else f"{COMPOSE} down")

    def login(self, edge: RetryingHttp) -> str:
        status, _, body = edge.post("/api/auth/login/", {"username": "admin", "password": self.admin_password})
        assert status == 200, body
        return body["access_token"]

    def by_service(self, service: str) -> list[str]:
        return sorted(c.name for c in containers(LABEL) if c.service == service)


def leftovers() -> dict[str, list[str]]:
    return {kind: podman(kind, "ls", "--filter", f"label={LABEL}", "--format", fmt).stdout.split()
            for kind, fmt in [("network", "{{.Name}}"), ("volume", "{{.Name}}")]} | {
        "container": [c.name for c in containers(LABEL)]}


@pytest.fixture(scope="module")
def stack():
    # The README's command: random secrets in deploy/secrets/ (kept if they exist).
    subprocess.run([str(DEPLOY / "make-secrets.sh")], check=True, capture_output=True)
    s = Stack()
    if any(leftovers().values()):  # an aborted earlier run
        s.down(volumes=True)
    try:
        s.up()
        yield s
    finally:
        if any(leftovers().values()):
            s.down(volumes=True)


@pytest.fixture(scope="module")
def created(stack) -> dict:
    """A continent created through Envoy, read back everywhere below."""
    token = stack.login(stack.envoy)
    name = f"Container {uuid.uuid4().hex[:10]}"
    status, _, row = stack.envoy.post("/api/master/continents/", {"name": name, "code": "CT"}, token=token)
    assert status == 200, row
    return {"name": name, "id": row["id"], "token": token}


def test_the_readme_gives_the_commands_run_here():
    guide = (DEPLOY / "README.md").read_text()
    mariadb = base_images()["MARIADB_IMAGE"]
    for line in ["deploy/make-secrets.sh", f"export ERP_MARIADB_IMAGE={mariadb}", DB_UP, MIGRATE, UP, DOWN,
                 "export CONTAINERS_CONF=$PWD/deploy/podman/containers.conf"]:
        assert f"\n{line}" in guide, line


def test_every_service_runs_healthy_and_non_root(stack):
    running = {service: len(stack.by_service(service)) for service in SERVICES}
    assert running == SERVICES
    assert "migrate: done" in stack.migrate_log
    assert {c.state for c in containers(LABEL)} == {"running"}
    for service, user in [("auth", "10001"), ("master", "10001"), ("envoy", "10001"), ("gateway", "65532")]:
        for name in stack.by_service(service):
            assert podman("inspect", "--format", "{{.Config.User}}", name).stdout.split(":")[0].strip() == user
            assert podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", name).stdout.strip() == "true"


def test_seed_flow_through_envoy_and_the_gateway(stack, created):
    marker = created["name"].split()[1]
    for edge in (stack.envoy, stack.gateway):
        token = stack.login(edge)
        status, _, listing = edge.get(f"/api/master/continents/?search={marker}", token=token)
        assert status == 200, listing
        assert [row["name"] for row in listing["continents"]] == [created["name"]]
    token = stack.login(stack.gateway)
    name = f"Gateway {uuid.uuid4().hex[:10]}"
    status, _, row = stack.gateway.post("/api/master/continents/", {"name": name, "code": "GW"}, token=token)
    assert status == 200 and row["created_by"] == "admin", row
    status, _, read = stack.envoy.get(f"/api/master/continents/{row['id']}/", token=token)
    assert status == 200 and read["name"] == name, read
    assert stack.envoy.get("/api/master/continents/")[0] == 401


def test_native_grpc_through_envoy(stack, created):
    marker = created["name"].split()[1]
    assert grpc_list_continents(stack.edge_addr, created["token"], marker) == [created["name"]]


def test_a_killed_master_replica_leaves_the_other_serving(stack, created):
    victim, survivor = stack.by_service("master")
    since = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with Load(stack.envoy, created["token"]) as load:
        time.sleep(3)
        killed_at = time.monotonic()
        # A crash, not `podman kill` (which counts as stopped by the user, so no restart): SIGKILL
        # the replica's main process from the host.
        os.kill(int(podman("inspect", "--format", "{{.State.Pid}}", victim).stdout), signal.SIGKILL)
        time.sleep(10)
    after = [call for call in load.calls if call[0] > killed_at + 2]
    failures = [call for call in after if not call[1]]
    assert len(after) > 20 and not failures, (len(after), failures[:5])
    assert "ListContinents" in logs_since(survivor, since)
    # `restart: unless-stopped` brings the killed replica back by itself.
    wait_until(lambda: podman("inspect", "--format", "{{.State.Running}}", victim).stdout.strip() == "true",
               60, f"{victim} is restarted", interval=1.0)
    wait_healthy([victim], 120)


def test_data_and_signing_keys_survive_a_restart(stack, created):
    stack.down(volumes=False)
    assert not leftovers()["container"]
    stack.up()
    marker = created["name"].split()[1]
    # The token issued before the restart still verifies: the signing key is in the auth_keys volume.
    status, _, listing = stack.envoy.get(f"/api/master/continents/?search={marker}", token=created["token"])
    assert status == 200, listing
    assert [row["id"] for row in listing["continents"]] == [created["id"]]
    assert stack.login(stack.envoy)


def test_teardown_removes_containers_networks_and_volumes(stack):
    assert leftovers()["volume"], "the stack has named volumes before the teardown"
    stack.down(volumes=True)
    assert leftovers() == {"network": [], "volume": [], "container": []}
