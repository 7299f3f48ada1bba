"""deploy/k8s checks.

1. kubernetes-validate (pinned in pyproject.toml; the schemas ship in its wheel) in strict
   mode against the pinned Kubernetes version K8S_VERSION and the newest one the wheel knows.
2. `kubectl kustomize deploy/k8s` renders (kubectl's built-in kustomize needs no cluster); skipped
   when kubectl is absent.
3. The properties the operator guide promises, asserted in Python so a regression fails:
   replicas >= 2, gRPC/HTTP probes, requests+limits, non-root and read-only root filesystems,
   headless Services for the gRPC services, PDBs and CPU HPAs, Secret references that exist in
   secret.example.yaml, and the NetworkPolicy allow-matrix (evaluated by a small model below).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.deploy import INSTALL_HINT, K8S, load_all, run

try:
    from kubernetes_validate import utils as kv
except ImportError:  # pragma: no cover - a setup problem, reported as such
    pytest.fail(f"kubernetes-validate is missing: {INSTALL_HINT}", pytrace=False)

K8S_VERSION = "1.31.0"  # the oldest Kubernetes the manifests promise to support
NEWEST = kv.latest_version()
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
KUSTOMIZATION = yaml.safe_load((K8S / "kustomization.yaml").read_text())
NOT_APPLIED = {"secret.example.yaml", "migrations-job.yaml"}

DOCS = [(p.name, d) for p in MANIFESTS for d in load_all(p)]
APPLIED = [d for name, d in DOCS if name not in NOT_APPLIED]


def of_kind(kind: str, docs=None) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in (docs or [d for _, d in DOCS]) if d["kind"] == kind}


DEPLOYMENTS = of_kind("Deployment")
SERVICES = of_kind("Service")
GRPC_PORTS = {"auth": 50051, "master": 50052}


def pod_specs():
    for name, dep in DEPLOYMENTS.items():
        yield f"deployment/{name}", dep["spec"]["template"]
    for name, job in of_kind("Job").items():
        yield f"job/{name}", job["spec"]["template"]


@pytest.mark.parametrize("version", sorted({K8S_VERSION, NEWEST}))
@pytest.mark.parametrize("doc", DOCS, ids=[f"{n}:{d['kind']}/{d['metadata']['name']}" for n, d in DOCS])
def test_kubernetes_validate_strict(doc, version):
    fname, resource = doc
    try:
        kv.validate(resource, version, strict=True)  # raises on any schema violation
    except kv.ValidationError as exc:
        pytest.fail(f"{fname}: {exc.message} at {'.'.join(map(str, exc.path))}")


def test_validator_catches_an_unknown_field():
    bad = yaml.safe_load(yaml.safe_dump(DEPLOYMENTS["auth"]))
    bad["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(Exception, match="readinesProbe"):
        kv.validate(bad, K8S_VERSION, strict=True)


def test_kustomization_lists_every_applied_manifest():
    listed = set(KUSTOMIZATION["resources"])
    assert listed == {p.name for p in MANIFESTS} - NOT_APPLIED
    assert "Secret" not in {d["kind"] for d in APPLIED}, "real Secrets are created out of band"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kustomize_renders():
    res = run(["kubectl", "kustomize", str(K8S)])
    assert res.returncode == 0, res.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(res.stdout) if d]
    assert kinds.count("Deployment") == 3 and kinds.count("NetworkPolicy") >= 5


def test_everything_in_the_erp_namespace():
    for name, doc in DOCS:
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "erp", f"{name}: {doc['kind']}/{doc['metadata']['name']}"
    ns = of_kind("Namespace")["erp"]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_deployments_replicas_and_rollout():
    assert set(DEPLOYMENTS) == {"auth", "master", "edge"}
    for name, dep in DEPLOYMENTS.items():
        assert dep["spec"]["replicas"] >= 2, name
        assert dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
        pod_labels = dep["spec"]["template"]["metadata"]["labels"]
        assert dep["spec"]["selector"]["matchLabels"].items() <= pod_labels.items(), name


@pytest.mark.parametrize("name", sorted(GRPC_PORTS))
def test_grpc_services_use_native_grpc_probes(name):
    container = DEPLOYMENTS[name]["spec"]["template"]["spec"]["containers"][0]
    port = GRPC_PORTS[name]
    assert {"containerPort": port, "name": "grpc", "protocol": "TCP"} in container["ports"]
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"]:
        assert container[probe]["grpc"]["port"] == port, f"{name}.{probe}"
    env = {e["name"]: e for e in container["env"]}
    listen = env[f"ERP_{name.upper()}_LISTEN_ADDR"]["value"]
    assert listen == f"0.0.0.0:{port}", "the pod must listen on all interfaces for the kubelet probe"


def test_edge_uses_http_probes_on_api_health():
    container = DEPLOYMENTS["edge"]["spec"]["template"]["spec"]["containers"][0]
    assert {"containerPort": 8000, "name": "http", "protocol": "TCP"} in container["ports"]
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"]:
        assert container[probe]["httpGet"] == {"path": "/api/health", "port": "http"}, probe


@pytest.mark.parametrize("where,template", list(pod_specs()), ids=[w for w, _ in pod_specs()])
def test_pod_security_and_resources(where, template):
    spec = template["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True, where
    assert spec["securityContext"]["runAsUser"] != 0, where
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
    assert spec.get("automountServiceAccountToken") is False, where
    for c in spec["containers"] + spec.get("initContainers", []):
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False, f"{where}/{c['name']}"
        assert sc["readOnlyRootFilesystem"] is True, f"{where}/{c['name']}"
        assert sc["capabilities"]["drop"] == ["ALL"], f"{where}/{c['name']}"
        for kind in ["requests", "limits"]:
            assert {"cpu", "memory"} <= set(c["resources"][kind]), f"{where}/{c['name']} {kind}"
        image = c["image"]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
    mounts = {m["mountPath"] for c in spec["containers"] for m in c.get("volumeMounts", [])}
    assert "/tmp" in mounts, f"{where}: a writable /tmp next to the read-only root"


def test_services():
    for name in GRPC_PORTS:
        svc = SERVICES[name]["spec"]
        assert svc["clusterIP"] == "None", f"{name} must be headless (Envoy STRICT_DNS sees every pod)"
        assert svc["ports"][0]["port"] == GRPC_PORTS[name]
    edge = SERVICES["edge"]["spec"]
    assert edge.get("clusterIP") != "None" and edge["ports"][0]["port"] == 8000
    for name, svc in SERVICES.items():
        pod_labels = DEPLOYMENTS[name]["spec"]["template"]["metadata"]["labels"]
        assert svc["spec"]["selector"].items() <= pod_labels.items(), name


def test_clients_reach_auth_and_master_through_dns():
    data = of_kind("ConfigMap")["erp-config"]["data"]
    assert data["ERP_AUTH_UPSTREAMS"].split(".")[0] == "auth" and data["ERP_AUTH_UPSTREAMS"].endswith(":50051")
    assert data["ERP_MASTER_UPSTREAMS"].split(".")[0] == "master"
    assert data["ERP_MASTER_UPSTREAMS"].endswith(":50052")
    assert all(k.startswith("ERP_") for k in data)
    assert not [k for k in data if any(w in k for w in ("PASSWORD", "SECRET", "DB_URL", "TOKEN"))]


def test_pdbs_and_hpas():
    pdbs, hpas = of_kind("PodDisruptionBudget"), of_kind("HorizontalPodAutoscaler")
    for name, dep in DEPLOYMENTS.items():
        pod_labels = dep["spec"]["template"]["metadata"]["labels"]
        pdb = pdbs[name]
        assert pdb["apiVersion"] == "policy/v1" and pdb["spec"]["minAvailable"] >= 1
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        hpa = hpas[name]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["spec"]["minReplicas"] >= 2 and hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
        cpu = [m for m in hpa["spec"]["metrics"] if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
        assert cpu and 0 < cpu[0]["resource"]["target"]["averageUtilization"] <= 90


def test_secrets_are_references_that_the_example_defines():
    example = {}
    for doc in load_all(K8S / "secret.example.yaml"):
        example[doc["metadata"]["name"]] = doc["stringData"]
        for value in doc["stringData"].values():
            assert "CHANGE-ME" in value or "PLACEHOLDER" in value, "example values must be placeholders"
    assert "EXAMPLE ONLY" in (K8S / "secret.example.yaml").read_text()
    for where, template in pod_specs():
        spec = template["spec"]
        for c in spec["containers"] + spec.get("initContainers", []):
            for env in c.get("env", []):
                if any(w in env["name"] for w in ("PASSWORD", "SECRET", "DB_URL", "TOKEN")):
                    assert "value" not in env, f"{where}: {env['name']} must be a secretKeyRef"
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in example[ref["name"]], f"{where}: {ref}"
        for vol in spec.get("volumes", []):
            if "secret" in vol:
                assert vol["secret"]["secretName"] in example
    auth = DEPLOYMENTS["auth"]["spec"]["template"]["spec"]
    keys = [v for v in auth["volumes"] if "secret" in v]
    assert keys and keys[0]["secret"]["secretName"] == "erp-signing-keys"
    # auth_svc reads ERP_KEYS_DIR/active/*.pem; the init container copies the Secret there.
    install = " ".join(auth["initContainers"][0]["command"])
    assert "/var/lib/erp/keys/active" in install and "*.pem" in install


def test_migration_job():
    job = of_kind("Job")["erp-migrations"]
    spec = job["spec"]
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert 0 < spec["backoffLimit"] <= 5 and spec["activeDeadlineSeconds"] > 0
    env = {e["name"] for e in spec["template"]["spec"]["containers"][0]["env"]}
    assert {"ERP_AUTH_DB_URL", "ERP_MASTER_DB_URL"} <= env


# --- NetworkPolicy model -----------------------------------------------------------------------
# A small evaluator of the policies above, for pods of the erp namespace and a few outside peers.
# Peer = (namespace labels, pod labels) or "external" (an IP outside the cluster, e.g. managed DB).

POLICIES = list(of_kind("NetworkPolicy").values())
ERP_NS = {"kubernetes.io/metadata.name": "erp"}
DNS = ({"kubernetes.io/metadata.name": "kube-system"}, {"k8s-app": "kube-dns"})
MONITORING = ({"kubernetes.io/metadata.name": "monitoring"}, {"app": "prometheus"})
EXTERNAL = "external"


def pod(name: str):
    return (ERP_NS, {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "erp"})


def selects(selector: dict, labels: dict) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        present, value = expr["key"] in labels, labels.get(expr["key"])
        op = expr["operator"]
        if op == "In" and value not in expr["values"]:
            return False
        if op == "NotIn" and value in expr["values"]:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def peer_matches(peer: dict, other) -> bool:
    if other == EXTERNAL:
        return "ipBlock" in peer
    ns_labels, pod_labels = other
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        ns_ok = selects(peer["namespaceSelector"], ns_labels)
    else:
        ns_ok = ns_labels == ERP_NS
    return ns_ok and selects(peer.get("podSelector", {}), pod_labels)


def rule_allows(rule: dict, peers_key: str, other, port: int) -> bool:
    ports = rule.get("ports")
    if ports and not any(p.get("port") == port and p.get("protocol", "TCP") in {"TCP", "UDP"} for p in ports):
        return False
    peers = rule.get(peers_key)
    return not peers or any(peer_matches(p, other) for p in peers)


def direction_allows(target, direction: str, other, port: int) -> bool:
    if target == EXTERNAL or target[0] != ERP_NS:
        return True  # not governed by this namespace's policies
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    chosen = [p for p in POLICIES if selects(p["spec"]["podSelector"], target[1])
              and direction in p["spec"]["policyTypes"]]
    if not chosen:
        return True
    return any(rule_allows(r, peers_key, other, port) for p in chosen for r in p["spec"].get(key, []))


def allowed(src, dst, port: int) -> bool:
    return direction_allows(src, "Egress", dst, port) and direction_allows(dst, "Ingress", src, port)


@pytest.mark.parametrize("src,dst,port,expected", [
    (EXTERNAL, pod("edge"), 8000, True),
    (EXTERNAL, pod("edge"), 9901, False),
    (EXTERNAL, pod("auth"), 50051, False),
    (EXTERNAL, pod("master"), 50052, False),
    (pod("edge"), pod("auth"), 50051, True),
    (pod("edge"), pod("master"), 50052, True),
    (pod("master"), pod("auth"), 50051, True),
    (pod("auth"), pod("master"), 50052, False),
    (pod("edge"), pod("auth"), 9451, False),
    (pod("auth"), EXTERNAL, 3306, True),
    (pod("master"), EXTERNAL, 3306, True),
    (pod("migrations"), EXTERNAL, 3306, True),
    (pod("edge"), EXTERNAL, 3306, False),
    (pod("auth"), EXTERNAL, 443, False),
    (pod("edge"), EXTERNAL, 443, False),
    (pod("edge"), DNS, 53, True),
    (pod("auth"), DNS, 53, True),
    (pod("migrations"), DNS, 53, True),
    (pod("migrations"), pod("auth"), 50051, False),
    (MONITORING, pod("auth"), 9451, True),
    (MONITORING, pod("master"), 9452, True),
    (MONITORING, pod("auth"), 50051, False),
], ids=lambda v: v if isinstance(v, (int, bool)) else (v if v == EXTERNAL else v[1].get("app.kubernetes.io/name", next(iter(v[1].values())))))
def test_network_policy_matrix(src, dst, port, expected):
    assert allowed(src, dst, port) is expected


def test_default_deny_covers_every_pod():
    deny = [p for p in POLICIES if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")
            and not p["spec"].get("egress")]
    assert deny and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}


def test_manifests_dir_has_no_stray_files():
    allowed_names = {p.name for p in MANIFESTS} | {"kustomization.yaml"}
    assert {p.name for p in K8S.iterdir()} == allowed_names
    assert all(isinstance(p, Path) for p in MANIFESTS)


def test_edges_trust_the_one_balancer_in_front_and_auth_reads_the_data_keys_secret():
    """Issue 14: behind the Ingress the client is the address it appended; the TOTP keyring is a Secret."""
    config = of_kind("ConfigMap")["erp-config"]["data"]
    assert config["ERP_EDGE_TRUSTED_HOPS"] == "1"
    spec = DEPLOYMENTS["auth"]["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in spec["containers"][0]["env"]}
    assert env["ERP_DATA_KEYS_FILE"] == "/etc/erp/data-keys/data-keys.json"
    assert {"name": "data-keys", "secret": {"secretName": "erp-data-keys", "defaultMode": 0o440}} in spec["volumes"]
