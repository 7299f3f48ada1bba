"""deploy/k8s with `podman kube play`: the Deployments (two replicas each), the ConfigMap and the
migration Job's pod, through a local overlay made here from the manifests as they are, then the
smoke test against the pods (login, create and list through Envoy's REST and native gRPC).

The overlay changes only what a podman host lacks and says why for each:
  * images: the local builds (`make images`) instead of the registry placeholders;
  * Secrets: podman secrets (secretKeyRef) holding deploy/make-secrets.sh's values; Secret volumes
    (signing keys, data keys) become host directories, as podman 4.3 cannot mount Secret volumes;
  * no Services under podman: the ConfigMap's addresses list the pods by name (auth-pod-0, ...),
    which podman's network DNS resolves; its values become each container's env (podman 4.3 lets
    envFrom override env, the opposite of Kubernetes);
  * MariaDB, outside the manifests on purpose, runs as one more pod from the stand-in base;
  * auth's init container runs at every start of its pod (podman 4.3 fails to remove a run-once
    init container that has not yet exited);
  * the Job runs as a pod (restartPolicy Never); podman 4.3 publishes every containerPort on the
    host, so only the edge keeps its port (on a loopback hostPort) and runs one replica (two would
    claim the same host port).
Kinds podman ignores (Namespace, Service, PDB, HPA, NetworkPolicy) are left out."""
from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml

from tests.support.containers import (DEPLOY, ROOT, SECRETS, VERSION, base_images, free_port, grpc_list_continents, logs_since,
                                podman)
from tests.support.http import Http
from tests.support.waiting import wait_until

K8S = DEPLOY / "k8s"
NETWORK = "erp-kube-test"
DB_VOLUME = "erp-kube-test-mariadb"
PLAYED = ["configmap.yaml", "auth.yaml", "master.yaml", "edge.yaml", "migrations-job.yaml"]



def secret(name: str) -> str:
    return (SECRETS / name).read_text().strip()


def k8s_secrets() -> dict[str, dict[str, str]]:
    """The Secrets the manifests reference (secret.example.yaml names them), from make-secrets.sh."""
    return {
        "erp-db": {"auth-db-url": secret("auth_db_url"), "master-db-url": secret("master_db_url")},
        "erp-admin": {"admin-password": secret("admin_password")},
        "erp-edge": {"shared-secret": secret("edge_shared_secret")},
    }


def key_dirs(tmp: Path) -> dict[str, Path]:
    """Host directories for the Secret volumes: the signing keys and the data keyring, made by the
    project's own commands, readable by the pods' user."""
    keys = tmp / "keys"
    env = dict(os.environ, ERP_KEYS_DIR=str(keys))
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "auth_svc", "rotate-keys"], env=env, check=True,
                   capture_output=True)
    data = tmp / "data-keys"
    data.mkdir()
    subprocess.run([str(ROOT / ".venv/bin/python"), "-c",
                    "import sys, pathlib; from erp_common.secrets import DataKeyring; "
                    "DataKeyring.open(pathlib.Path(sys.argv[1]), create=True)", str(data / "data-keys.json")],
                   check=True, capture_output=True)
    for path in [keys / "active", data]:
        path.chmod(0o755)
        for f in path.iterdir():
            f.chmod(0o644)
    return {"erp-signing-keys": keys / "active", "erp-data-keys": data}


def mariadb_pod() -> dict:
    files = ["mariadb_root_password", "auth_db_password", "master_db_password"]
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "mariadb"},
        "spec": {"containers": [{
            "name": "mariadb", "image": base_images()["MARIADB_IMAGE"],
            "env": [{"name": "MARIADB_ROOT_PASSWORD_FILE", "value": "/run/secrets/mariadb_root_password"}],
            "volumeMounts": [{"name": "data", "mountPath": "/var/lib/mysql"},
                             {"name": "initdb", "mountPath": "/docker-entrypoint-initdb.d", "readOnly": True}]
            + [{"name": f.replace("_", "-"), "mountPath": f"/run/secrets/{f}", "readOnly": True} for f in files],
        }],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": DB_VOLUME}},
                        {"name": "initdb", "hostPath": {"path": str(DEPLOY / "mariadb/initdb.d"),
                                                        "type": "Directory"}}]
            + [{"name": f.replace("_", "-"), "hostPath": {"path": str(SECRETS / f), "type": "File"}}
               for f in files]},
    }


def overlay(tmp: Path, edge_port: int) -> list[Path]:
    dirs = key_dirs(tmp)
    docs = [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": DB_VOLUME},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
            mariadb_pod()]
    for name in PLAYED:
        for doc in yaml.safe_load_all((K8S / name).read_text()):
            if doc["kind"] not in {"ConfigMap", "Deployment", "Job"}:
                continue
            doc = copy.deepcopy(doc)
            if doc["kind"] == "ConfigMap":
                config = doc["data"]
                config["ERP_AUTH_UPSTREAMS"] = "auth-pod-0:50051,auth-pod-1:50051"
                config["ERP_MASTER_UPSTREAMS"] = "master-pod-0:50052,master-pod-1:50052"
                # The test reaches the edge directly, with no proxy in front appending a hop.
                config["ERP_EDGE_TRUSTED_HOPS"] = "0"
                continue
            spec = doc["spec"]["template"]["spec"]
            if doc["kind"] == "Job":
                doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "migrations"},
                       "spec": dict(spec, restartPolicy="Never")}
                spec = doc["spec"]
            for container in spec.get("initContainers", []) + spec["containers"]:
                if container.pop("envFrom", None):
                    # podman 4.3 lets envFrom win over env (Kubernetes does the opposite), so the
                    # listen addresses would be the ConfigMap's client addresses: spell it out.
                    own = {e["name"] for e in container.get("env", [])}
                    container["env"] = [{"name": k, "value": v} for k, v in config.items() if k not in own] + \
                        container.get("env", [])
                image = container["image"].rsplit("/", 1)[1].split(":")[0]
                container["image"] = f"localhost/erp/{image}:{VERSION}"
                if doc["metadata"]["name"] != "edge":
                    container.pop("ports", None)  # podman 4.3 publishes a containerPort on the host
            if spec.get("initContainers"):
                # podman 4.3 removes a run-once init container right after starting it and fails
                # when it is still running: run it at every pod start instead (a copy of the keys).
                for meta in [doc["metadata"], doc["spec"]["template"]["metadata"]]:
                    meta.setdefault("annotations", {})["io.podman.annotations.init.container.type"] = "always"
            for volume in spec.get("volumes", []):
                if "secret" in volume:
                    volume["hostPath"] = {"path": str(dirs[volume.pop("secret")["secretName"]]),
                                          "type": "Directory"}
            if doc["metadata"]["name"] == "edge":
                doc["spec"]["replicas"] = 1
                port = spec["containers"][0]["ports"][0]
                port.update(hostPort=edge_port, hostIP="127.0.0.1")
            docs.append(doc)
    # In the order of deploy/README.md: the database and the migration Job first, the Deployments
    # once it has completed (they apply pending migrations at start too, and racing the Job on an
    # empty database fails it).
    first = [d for d in docs if d["kind"] != "Deployment"]
    paths = [tmp / "local-overlay-1-database-migrations.yaml", tmp / "local-overlay-2-deployments.yaml"]
    paths[0].write_text(yaml.safe_dump_all(first, sort_keys=False))
    paths[1].write_text(yaml.safe_dump_all([d for d in docs if d not in first], sort_keys=False))
    return paths


def leftovers() -> dict[str, list[str]]:
    pods = podman("pod", "ps", "--format", "{{.Name}}").stdout.split()
    return {"pods": [p for p in pods if p == "mariadb" or p == "migrations" or p.split("-pod-")[0] in
                     {"auth", "master", "edge"}],
            "volume": [v for v in podman("volume", "ls", "--format", "{{.Name}}").stdout.split() if v == DB_VOLUME],
            "network": [n for n in podman("network", "ls", "--format", "{{.Name}}").stdout.split() if n == NETWORK],
            "secret": [s for s in podman("secret", "ls", "--format", "{{.Name}}").stdout.split()
                       if s in k8s_secrets()]}


def diagnosis() -> str:
    """What each container of the pods did, for a failure message."""
    lines = [podman("ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout]
    for name in podman("ps", "-a", "--format", "{{.Names}}").stdout.split():
        if not name.endswith("-infra") and "-" in name:
            lines.append(f"--- {name}\n" + "\n".join(logs_since(name, "10m").splitlines()[-8:]))
    return "\n".join(lines)


def teardown(manifests: list[Path]) -> None:
    for manifest in reversed(manifests):
        podman("kube", "down", str(manifest), check=False, timeout=300)
    for pod in leftovers()["pods"]:
        podman("pod", "rm", "--force", pod, check=False)
    podman("volume", "rm", "--force", DB_VOLUME, check=False)
    podman("network", "rm", "--force", NETWORK, check=False)
    for name in k8s_secrets():
        podman("secret", "rm", name, check=False)


@pytest.fixture(scope="module")
def pods(tmp_path_factory):
    subprocess.run([str(DEPLOY / "make-secrets.sh")], check=True, capture_output=True)
    teardown([])  # an aborted earlier run
    tmp = tmp_path_factory.mktemp("kube")
    edge_port = free_port()
    manifests = overlay(tmp, edge_port)
    try:
        for name, data in k8s_secrets().items():
            # podman 4.3 reads a secretKeyRef's Secret as JSON {key: base64 value}.
            doc = tmp / f"{name}.json"
            doc.write_text(json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in data.items()}))
            podman("secret", "create", name, str(doc))
        podman("network", "create", NETWORK)
        edge = Http(f"http://127.0.0.1:{edge_port}")
        try:
            podman("kube", "play", "--network", NETWORK, str(manifests[0]), timeout=600)
            wait_until(lambda: podman("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}",
                                      "migrations-migrations").stdout.split() == ["exited", "0"],
                       180, "the migrations pod has run", interval=1.0)
            podman("kube", "play", "--network", NETWORK, str(manifests[1]), timeout=600)
            wait_until(lambda: edge.get("/api/health")[0] == 200, 180, "the edge answers", interval=1.0)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{diagnosis()}") from None
        yield {"edge": edge, "edge_addr": f"127.0.0.1:{edge_port}", "manifests": manifests}
    finally:
        teardown(manifests)


def test_the_deployments_run_two_replicas(pods):
    names = podman("pod", "ps", "--format", "{{.Name}}").stdout.split()
    for deployment, replicas in [("auth", 2), ("master", 2), ("edge", 1)]:
        assert sorted(n for n in names if n.startswith(f"{deployment}-pod-")) == \
            [f"{deployment}-pod-{i}" for i in range(replicas)]
    for pod in ["auth-pod-0", "master-pod-1", "edge-pod-0"]:
        user = podman("inspect", "--format", "{{.Config.User}}", f"{pod}-{pod.split('-')[0]}"
                      if not pod.startswith("edge") else f"{pod}-envoy").stdout.strip()
        assert user.split(":")[0] == "10001"


def test_smoke_through_the_edge_pod(pods):
    edge = pods["edge"]

    def login() -> str:
        status, _, body = edge.post("/api/auth/login/", {"username": "admin", "password": secret("admin_password")})
        assert status == 200, body
        return body["access_token"]

    token = wait_until(login, 120, "the admin can log in through the edge pod", interval=2)
    name = f"Kube {uuid.uuid4().hex[:10]}"
    status, _, row = edge.post("/api/master/continents/", {"name": name, "code": "KP"}, token=token)
    assert status == 200, row
    marker = name.split()[1]
    status, _, listing = edge.get(f"/api/master/continents/?search={marker}", token=token)
    assert status == 200 and [r["id"] for r in listing["continents"]] == [row["id"]], listing
    assert grpc_list_continents(pods["edge_addr"], token, marker) == [name]


def test_teardown_leaves_nothing(pods):
    # podman 4.3's `kube down` stops everything but may fail to remove a container it just stopped
    # (busy shm mount, emptyDir volume still in use); the teardown then removes the pods by force.
    assert all(leftovers()[kind] for kind in ["pods", "volume", "network", "secret"])
    teardown(pods["manifests"])
    assert leftovers() == {"pods": [], "volume": [], "network": [], "secret": []}
