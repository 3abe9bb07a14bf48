"""The simulator is a test oracle: it shares no code with the integration, in small rooms."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import REPO

MODULES = sorted((REPO / "simulator").rglob("*.py"))


def _imported(path: Path) -> set[str]:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module)
    return imported


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(REPO)))
def test_imports_nothing_from_the_integration(path: Path) -> None:
    """Its counting, parsing and checks are its own, so an integration bug cannot hide."""
    assert not {name for name in _imported(path) if name.split(".")[0] == "custom_components"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(REPO)))
def test_no_module_over_400_lines(path: Path) -> None:
    """Every module stays readable in one sitting."""
    assert len(path.read_text().splitlines()) <= 400
