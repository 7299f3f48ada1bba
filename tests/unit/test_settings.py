"""The settings in one place: the README's Configuration table, erp_common/settings.py (through each
component's config.py), the Go gateway's config.go and the images' start scripts agree on every ERP_*
variable, who reads it and its default; and the deprecated address names still work, with one warning."""
from __future__ import annotations

import logging
import re

import pytest

from auth_svc.config import AuthConfig
from edge.config import EdgeConfig
from erp_common import settings
from erp_common.settings import Env
from master_svc.config import MasterConfig
from tests.support import ROOT

PYTHON_COMPONENTS = {"auth": AuthConfig, "master": MasterConfig, "Envoy": EdgeConfig}
# The images' own start scripts and the reader the table names for each.
SCRIPTS = {"edge-start.sh": "edge image", "migrate.sh": "migrations image", "entrypoint.sh": "images",
           "healthcheck.sh": "images"}
GROUPS = {"edges": {"Envoy", "gateway"}, "all": {"auth", "master", "Envoy", "gateway"}}
CHECKED_READERS = {"auth", "master", "Envoy", "gateway", *SCRIPTS.values()}
NAME = re.compile(r"^(?:ERP_[A-Z0-9_]+|OTEL_EXPORTER_OTLP_ENDPOINT)$")


def readme_table() -> dict[str, tuple[str, set[str]]]:
    """name -> (default cell, readers named) for each row of the Configuration table."""
    section = (ROOT / "README.md").read_text().split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        names = re.findall(r"`([A-Z_][A-Z0-9_]*)`", cells[0])
        readers = set()
        for reader in (r.strip() for r in cells[2].split(",")):
            readers |= GROUPS.get(reader, {reader})
        for name in names:
            rows[name if not name.startswith("_") else names[0] + name] = (cells[1], readers)
    return rows


def python_reads() -> dict[str, dict[str, str]]:
    """component -> {name: default} as each config.py reads an empty environment."""
    reads = {}
    for component, config in PYTHON_COMPONENTS.items():
        env = Env({})
        config.read(env)
        reads[component] = {name: default.replace(f"{ROOT}/", "") for name, default in env.defaults.items()}
    return reads


def go_reads() -> dict[str, str]:
    """name -> default for every ERP_* variable the gateway's (non-test) Go code names."""
    reads: dict[str, str] = {}
    for path in sorted((ROOT / "edge" / "gateway").glob("*.go")):
        if path.name.endswith("_test.go"):
            continue
        text = path.read_text()
        for name in re.findall(r'"(ERP_[A-Z0-9_]+)"', text):
            reads.setdefault(name, "")
        for call in re.finditer(r'\b(?:get|renamed|seconds)\(("ERP_[A-Z0-9_]+"(?:, "ERP_[A-Z0-9_]+")?), "([^"]*)"\)',
                                text):
            reads[re.findall(r"ERP_[A-Z0-9_]+", call.group(1))[0]] = call.group(2)
    return reads


def script_reads() -> dict[str, tuple[str, str]]:
    """name -> (reader, default) for every ERP_* variable an image's start script expands."""
    reads = {}
    for path in sorted((ROOT / "deploy").rglob("*.sh")):
        for name, default in re.findall(r"\$\{?(ERP_[A-Z0-9_]+)(?::-([^}]*))?", path.read_text()):
            if path.parent.name == "docker":
                assert path.name in SCRIPTS, f"{path}: name its reader in SCRIPTS"
                reads[name] = (SCRIPTS[path.name], default)
    return reads


def python_literals() -> set[str]:
    """Every ERP_* name written as a string literal in production Python."""
    found = set()
    for top in ("auth_svc", "master_svc", "erp_common", "edge", "tools"):
        for path in (ROOT / top).rglob("*.py"):
            found |= set(re.findall(r"""["'](ERP_[A-Z0-9_]+)["']""", path.read_text()))
    return found


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


def _literal(cell: str) -> str | None:
    """The default a table cell states exactly (`value` or unset), else None (prose)."""
    if cell == "unset":
        return ""
    match = re.fullmatch(r"`([^`]*)`", cell)
    return match.group(1) if match else None


def test_the_table_lists_every_variable_the_code_reads_and_only_those():
    table = readme_table()
    read = {n for names in python_reads().values() for n in names} | set(go_reads()) | set(script_reads())
    read |= python_literals()
    assert all(NAME.match(n) for n in table), [n for n in table if not NAME.match(n)]
    assert sorted(read - set(table)) == [], "read by the code but missing from the README table"
    assert sorted(set(table) - read) == [], "in the README table but read by no code"


def test_each_variable_is_read_by_the_components_the_table_names():
    readers: dict[str, set[str]] = {}
    for component, names in python_reads().items():
        for name in names:
            readers.setdefault(name, set()).add(component)
    for name in go_reads():
        readers.setdefault(name, set()).add("gateway")
    for name, (reader, _) in script_reads().items():
        readers.setdefault(name, set()).add(reader)
    documented = {name: named & CHECKED_READERS for name, (_, named) in readme_table().items()}
    assert {n: sorted(r) for n, r in readers.items() if r != documented.get(n)} == \
        {n: sorted(documented.get(n, ())) for n, r in readers.items() if r != documented.get(n)}


def test_defaults_agree_between_the_table_python_and_the_gateway():
    table = readme_table()
    python: dict[str, str] = {}
    for component, names in python_reads().items():
        for name, default in names.items():
            assert _same(python.setdefault(name, default), default), (name, component, python[name], default)
    gateway = go_reads()
    shared = sorted(set(python) & set(gateway))
    # The names the two languages parse alike: issuer, audience, secret, upstreams, limits, timeouts.
    assert {"ERP_JWT_ISSUER", "ERP_JWT_AUDIENCE", "ERP_EDGE_SHARED_SECRET", "ERP_EDGE_SHARED_SECRET_FILE",
            "ERP_AUTH_UPSTREAMS", "ERP_MASTER_UPSTREAMS", "ERP_EDGE_UPSTREAM_TIMEOUT"} <= set(shared)
    assert [(n, python[n], gateway[n]) for n in shared if not _same(python[n], gateway[n])] == []
    scripts = {name: default for name, (_, default) in script_reads().items() if name not in python}
    code = {**scripts, **gateway, **python}
    stated = {name: _literal(cell) for name, (cell, _) in table.items()}
    assert [(n, stated[n], code[n]) for n in code if stated.get(n) is not None and not _same(stated[n], code[n])] == []


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(settings, "_warned", set())
    monkeypatch.setattr(settings, "_pending", [])


def test_the_deprecated_address_names_still_work_with_one_warning_each(fresh_warnings, caplog):
    old = {"ERP_AUTH_GRPC_ADDR": "10.0.0.5:50051,10.0.0.6:50051", "ERP_MASTER_GRPC_ADDR": "10.0.0.7:50052"}
    assert AuthConfig.from_env(old).grpc_addr == "10.0.0.5:50051,10.0.0.6:50051"  # as auth_svc read it before
    master = MasterConfig.from_env(old)
    assert (master.grpc_addr, master.auth_addr) == ("10.0.0.7:50052", "10.0.0.5:50051")
    edge = EdgeConfig.from_env(old)
    assert (edge.auth_addrs, edge.master_addrs) == (["10.0.0.5:50051", "10.0.0.6:50051"], ["10.0.0.7:50052"])
    with caplog.at_level(logging.WARNING, logger="erp.settings"):
        settings.report_deprecated()
        settings.report_deprecated()
    assert [r.getMessage().split(" is deprecated")[0] for r in caplog.records] == [
        "ERP_AUTH_GRPC_ADDR", "ERP_MASTER_GRPC_ADDR"]
    assert "set ERP_AUTH_LISTEN_ADDR instead" in caplog.records[0].getMessage()


def test_the_new_names_win_over_the_deprecated_ones(fresh_warnings):
    env = {"ERP_AUTH_GRPC_ADDR": "old:1", "ERP_AUTH_LISTEN_ADDR": "0.0.0.0:50051", "ERP_AUTH_UPSTREAMS": "a:1,b:1",
           "ERP_MASTER_LISTEN_ADDR": "0.0.0.0:50052", "ERP_MASTER_UPSTREAMS": "m:2"}
    assert AuthConfig.from_env(env).grpc_addr == "0.0.0.0:50051"
    assert (MasterConfig.from_env(env).grpc_addr, MasterConfig.from_env(env).auth_addr) == ("0.0.0.0:50052", "a:1")
    assert (EdgeConfig.from_env(env).auth_addrs, EdgeConfig.from_env(env).master_addrs) == (["a:1", "b:1"], ["m:2"])
    assert settings._pending == [settings._pending[0]] and "ERP_AUTH_GRPC_ADDR" in settings._pending[0]
    assert settings._warned == {"ERP_AUTH_GRPC_ADDR"}


def test_without_any_setting_listen_and_dial_are_designs_ports(fresh_warnings):
    master = MasterConfig.from_env({})
    assert (AuthConfig.from_env({}).grpc_addr, master.grpc_addr, master.auth_addr) == \
        ("127.0.0.1:50051", "127.0.0.1:50052", "127.0.0.1:50051")
    assert EdgeConfig.from_env({}).master_addrs == ["127.0.0.1:50052"]
    assert settings._pending == []


@pytest.mark.parametrize("name", ["ERP_AUTH_UPSTREAMS", "ERP_MASTER_UPSTREAMS"])
def test_an_empty_upstream_list_is_refused(name):
    with pytest.raises(ValueError, match=f"{name} needs at least one address"):
        EdgeConfig.from_env({name: " , "})
