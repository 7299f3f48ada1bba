"""The architecture as a test: no import runs up a floor, and production code never imports test code.

Each service is layered `api -> usecases -> storage -> domain` (STYLE.md); a module may import its own
layer or a lower one, never a higher one, and no layer imports the service's composition root
(`server`, `__main__`). The API reaches storage only through the use cases (it may name domain types,
never a repository). The domain is plain Python: no gRPC, no database driver. Storage errors become
domain errors inside storage, so neither an API layer nor the shared interceptor (`erp_common.server`)
imports the database driver. `erp_common` serves
both services and depends on neither; the services do not import each other; and nothing that runs in
production (`auth_svc`, `master_svc`, `erp_common`, `edge`, `tools`) imports the test harness.
Every import counts, including those inside functions.

The installed packages (pyproject.toml's distribution) stand alone: they import nothing the wheel does
not ship (`tools`, `bench`), touch no `sys.path` and find no file through the repository root
(`Path(__file__).parent.parent`); their data files sit beside their modules.

The test suites share code through `tests.support` only: no test module imports another test module
(of its own suite or another), and `tests.support` imports no suite.
"""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.support import ROOT

SERVICES = ("auth_svc", "master_svc")
LAYERS = ("domain", "storage", "usecases", "api")
COMPOSITION_ROOTS = ("server", "__main__")
INSTALLED = (*SERVICES, "erp_common", "edge")
PRODUCTION = (*INSTALLED, "tools")
NOT_INSTALLED = ("tools", "bench")
TEST_ONLY = ("erp_testing", "tests")
DATABASE_DRIVER = ("peewee", "pymysql", "playhouse")
DOMAIN_FORBIDDEN = ("grpc", *DATABASE_DRIVER)
# Modules that see no database driver besides the API layers.
ABOVE_STORAGE = ("erp_common.server",)


def imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of every module `path` imports (relative imports resolved against `package`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] in SERVICES and parts[1] in LAYERS:
        return parts[0], LAYERS.index(parts[1])
    return None


def violations(root: Path) -> list[str]:
    """Every import in the production packages under `root` that breaks the layering (one line per
    module and kind: `from a.b import c` names both `a.b` and `a.b.c`)."""
    found: dict[tuple[Path, str], str] = {}
    for top in PRODUCTION:
        for path in sorted((root / top).rglob("*.py")):
            module = module_name(root, path)
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            own = _layer(module)
            for target in sorted(imported_modules(path, package)):
                head = target.split(".")[0]
                def flag(reason: str) -> None:
                    found.setdefault((path, reason), f"{path.relative_to(root)} imports {target}: {reason}")

                if head in TEST_ONLY:
                    flag("production code imports the test harness")
                elif head in DATABASE_DRIVER and (module in ABOVE_STORAGE or (own and LAYERS[own[1]] == "api")):
                    flag("storage errors are domain errors before they reach the API")
                elif top in INSTALLED and head in NOT_INSTALLED:
                    flag("an installed package imports what the distribution does not ship")
                elif top == "erp_common" and head in (*SERVICES, "edge", "tools"):
                    flag("erp_common depends on no service or edge")
                elif top in SERVICES and head in SERVICES and head != top:
                    flag("the services do not import each other")
                elif top in SERVICES and head in ("edge", "tools"):
                    flag("a service does not import the edge or the runner")
                elif own is not None:
                    service, rank = own
                    theirs = _layer(target)
                    if theirs is not None and theirs[0] == service and theirs[1] > rank:
                        flag(f"{LAYERS[rank]} imports the higher layer {LAYERS[theirs[1]]}")
                    if LAYERS[rank] == "api" and theirs == (service, LAYERS.index("storage")):
                        flag("api reaches storage past the use cases")
                    if target.split(".")[:2] in ([service, name] for name in COMPOSITION_ROOTS):
                        flag("a layer imports the composition root")
                    if LAYERS[rank] == "domain" and head in DOMAIN_FORBIDDEN:
                        flag("the domain is plain Python")
    for top in INSTALLED:
        for path in sorted((root / top).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                reason = _path_hack(node)
                if reason:
                    found.setdefault((path, reason), f"{path.relative_to(root)}:{node.lineno}: {reason}")
    return list(found.values())


def _path_hack(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name) \
            and node.value.id == "sys":
        return "an installed package touches sys.path"
    above_own_package = (isinstance(node, ast.Attribute) and node.attr == "parent"
                         and isinstance(node.value, ast.Attribute) and node.value.attr == "parent") or (
        isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents")
    if above_own_package and any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node)):
        return "an installed package finds files through the repository root"
    return None


def suite_violations(root: Path) -> list[str]:
    """Every import under tests/ of anything in tests/ but tests.support."""
    found: dict[tuple[Path, str], str] = {}
    for path in sorted((root / "tests").rglob("*.py")):
        module = module_name(root, path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for target in sorted(imported_modules(path, package)):
            parts = target.split(".")
            if parts[0] != "tests" or len(parts) < 2 or parts[1] == "support":
                continue
            found.setdefault((path, ".".join(parts[:2])),
                             f"{path.relative_to(root)} imports {target}: suites share code through tests.support only")
    return list(found.values())


def test_the_codebase_keeps_its_layers():
    assert violations(ROOT) == []


def test_the_suites_share_code_through_tests_support_only():
    assert suite_violations(ROOT) == []


@pytest.mark.parametrize("name, text", [
    ("tests/e2e/test_a.py", "from tests.integration.test_b import helper\n"),
    ("tests/support/edge.py", "from tests.e2e.test_a import helper\n"),
    ("tests/e2e/test_b.py", "from tests.e2e.test_a import helper\n"),
])
def test_the_suite_checker_catches_an_import_across_suites(tmp_path, name, text):
    tree = _tree(tmp_path, {name: text, "tests/e2e/test_ok.py": "from tests.support.edge import x\nimport pytest\n"})
    (found,) = suite_violations(tree)
    assert name in found


def test_the_installed_packages_are_the_distributions():
    """INSTALLED above is what pyproject.toml packages (beside the generated stubs `erp`)."""
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {name.rstrip("*").split(".")[0] for name in found["include"]} == {*INSTALLED, "erp"}


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for top in PRODUCTION:
        (tmp_path / top).mkdir(exist_ok=True)
    return tmp_path


@pytest.mark.parametrize(
    "name, text, reason",
    [
        ("master_svc/storage/repo.py", "from master_svc.api import servicer\n", "higher layer api"),
        ("auth_svc/domain/rules.py", "import peewee\n", "plain Python"),
        ("auth_svc/usecases/x.py", "def f():\n    from auth_svc.server import serve\n", "composition root"),
        ("auth_svc/storage/x.py", "from ..api.calls import unary\n", "higher layer api"),
        ("tools/mesh.py", "from erp_testing.ports import free_port\n", "test harness"),
        ("erp_common/db.py", "import master_svc.config\n", "erp_common depends on no service"),
        ("master_svc/api/s.py", "from auth_svc.domain import tokens\n", "do not import each other"),
        ("auth_svc/api/calls.py", "import peewee\n", "domain errors before they reach the API"),
        ("erp_common/server.py", "def f():\n    from peewee import OperationalError\n", "before they reach the API"),
        ("master_svc/api/s.py", "from master_svc.storage.repository import Repo\n", "past the use cases"),
        ("edge/render.py", "from tools.mesh import ROOT\n", "does not ship"),
        ("edge/render.py", "import sys\nsys.path.insert(0, '..')\n", "sys.path"),
        ("auth_svc/config.py", "from pathlib import Path\nROOT = Path(__file__).resolve().parent.parent\n",
         "repository root"),
        ("edge/docs.py", "from pathlib import Path\nROOT = Path(__file__).resolve().parents[1]\n", "repository root"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(tmp_path, name, text, reason):
    (found,) = violations(_tree(tmp_path, {name: text}))
    assert reason in found and name in found


def test_the_checker_allows_imports_down_and_within_a_layer(tmp_path):
    tree = _tree(tmp_path, {
        "master_svc/api/s.py": "from master_svc.usecases import catalogue\nfrom master_svc.domain import x\n",
        "master_svc/usecases/catalogue.py": "from . import other\nfrom master_svc.storage import repo\n",
        "master_svc/storage/repo.py": "import peewee\nfrom master_svc.domain.entities import E\n",
        "tests/unit/test_x.py": "from erp_testing.ports import free_port\n",
    })
    assert violations(tree) == []
