"""The house rules of docs/architecture.md, checked on the source."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "custom_components" / "benelux_sms"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(part for part in parts if part != "__init__") or "__init__"


def _imports(path: Path) -> set[str]:
    """Return the absolute and package-relative names a module imports."""
    package = _module_name(path).rpartition(".")[0] if path.name != "__init__.py" else ""
    if path.name == "__init__.py" and path.parent != PACKAGE:
        package = _module_name(path)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                names.add(node.module or "")
                continue
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            module = ".".join([*base, node.module] if node.module else base)
            names.update(f"local:{name}" for name in _imported_modules(module, node.names))
    return names


def _imported_modules(module: str, aliases: list[ast.alias]) -> list[str]:
    """``from . import errors`` imports the submodule ``errors``, not the package's init."""
    submodules = [
        f"{module}.{alias.name}" if module else alias.name
        for alias in aliases
        if (PACKAGE / Path(*module.split("."), f"{alias.name}.py")).exists()
    ]
    return submodules or [module or "__init__"]


def _local_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        graph[_module_name(path)] = {
            name.removeprefix("local:") for name in _imports(path) if name.startswith("local:")
        }
    return graph


def test_no_import_cycle_inside_the_integration() -> None:
    """Every module's imports point one way: a cycle would mean two rooms that need each other."""
    graph = {module: deps - {module} for module, deps in _local_graph().items()}
    # A package's __init__ imports its modules; the modules never import it back for that.
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as err:
        pytest.fail(f"import cycle: {' -> '.join(err.args[1])}")


def test_gateways_import_no_home_assistant() -> None:
    """The gateway clients are a plain asyncio library."""
    for path in (PACKAGE / "gateways").rglob("*.py"):
        assert not any(name.startswith("homeassistant") for name in _imports(path)), path


def test_nothing_shipped_imports_the_simulator() -> None:
    """The simulator is test and demo infrastructure."""
    for path in PACKAGE.rglob("*.py"):
        assert not any(name.startswith("simulator") for name in _imports(path)), path


@pytest.mark.parametrize("folder", ["custom_components/benelux_sms", "simulator"])
def test_no_module_over_the_size_limit(folder: str) -> None:
    """Small modules with one reason to change."""
    too_long = {
        str(path.relative_to(REPO)): lines
        for path in (REPO / folder).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert too_long == {}
