"""Find the integration's uses of what a Home Assistant release marks deprecated.

Reads the release's source (not its running code) and the integration's, both with ``ast``.
Deprecated in the release, found mechanically:

- functions, methods, properties and classes under ``@deprecated_function``,
  ``@deprecated_class`` or ``@deprecated_hass_argument``;
- properties that ``@deprecated_substitute("old")`` replaces (``old`` is the deprecated name);
- module constants ``_DEPRECATED_X = DeprecatedConstant(...)`` / ``DeprecatedConstantEnum``
  / ``DeprecatedAlias`` / ``DeferredDeprecatedAlias`` (``X`` is the deprecated name);
- entity members declared ``DeprecatedEntityProperty`` / ``DeprecatedEntityAttr``;
- functions whose body calls ``report_usage(..., breaks_in_ha_version=...)`` as one of its
  own statements, or calls a module function that does (not under a condition);
- parameters listed in a module-level ``_DEPRECATED_..._PARAMETERS`` dict with versions;
- keyword parameters whose being passed (``if param is not UNDEFINED:``) leads straight to
  a ``report_usage`` with a ``breaks_in_ha_version``.

A ``report_usage`` with a ``breaks_in_ha_version`` under a condition is a run-time report,
not a deprecated name: ``--runtime`` lists those in the functions the integration calls.

The integration's branches for older releases (the ``else`` of ``if FLAG:`` where the
release's mypy settings take ``FLAG`` as always true) are not read: they never run there.

Usage: ha_deprecations.py HA_SRC INTEGRATION_DIR [--always-true FLAG ...] [--runtime]
Exits 1, naming file, line, the deprecated name and the version it breaks in, on any use.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_DECORATORS = {"deprecated_function", "deprecated_class", "deprecated_hass_argument"}
_CONSTANT_KINDS = {
    "DeprecatedConstant": 2,
    "DeprecatedConstantEnum": 1,
    "DeprecatedAlias": 2,
    "DeferredDeprecatedAlias": 2,
}
_MEMBER_KINDS = {"DeprecatedEntityProperty", "DeprecatedEntityAttr"}
_CONSTANT_PREFIX = "_DEPRECATED_"
# Python 3.14 (PEP 758) allows ``except A, B:``; this may run on an older Python.
_BARE_EXCEPT_TUPLE = re.compile(r"^(\s*except\*?\s+)([^():\n]+,[^():\n]+):", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Deprecation:
    """One deprecated name of the release."""

    module: str  # dotted, e.g. homeassistant.data_entry_flow
    qualname: str  # e.g. FlowHandler.show_advanced_options
    kind: str  # "name" (module or class member), "argument", "keyword" (of qualname's callable)
    breaks_in: str | None
    source: str  # file:line in the release

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]


@dataclass(frozen=True, slots=True)
class Use:
    """A use of a deprecated name in the integration."""

    path: str
    line: int
    deprecation: Deprecation

    def __str__(self) -> str:
        dep = self.deprecation
        breaks = f"breaks in Home Assistant {dep.breaks_in}" if dep.breaks_in else "no version"
        what = "name" if dep.kind == "name" else "argument"
        return (
            f"{self.path}:{self.line}: uses deprecated {what} "
            f"{dep.module}.{dep.qualname} ({breaks}; {dep.source})"
        )


@dataclass(frozen=True, slots=True)
class RuntimeReport:
    """A conditional report_usage in a function of the release."""

    module: str
    qualname: str
    breaks_in: str | None
    source: str


def _module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _call_name(node: ast.expr) -> str | None:
    """The last name of what is called or decorates: ``a.b.c(...)`` -> ``c``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _keyword(call: ast.Call, name: str, position: int | None = None) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value) if keyword.value.value is not None else None
    if position is not None and len(call.args) > position:
        arg = call.args[position]
        if isinstance(arg, ast.Constant) and arg.value is not None:
            return str(arg.value)
    return None


def _version_in(node: ast.expr) -> str | None:
    """The first string that looks like a release (``2027.8.0``) in a literal."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            head = sub.value.split(".")
            if len(head) >= 2 and head[0].isdigit() and len(head[0]) == 4 and head[1].isdigit():
                return sub.value
    return None


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements a function always runs: those before its first branch or return."""
    for stmt in body:
        if not isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)):
            return
        yield stmt


def _passed_parameter(test: ast.expr, params: set[str]) -> str | None:
    """The parameter of ``param is not UNDEFINED``, else None."""
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id in params
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.IsNot)
        and isinstance(test.comparators[0], ast.Name)
        and test.comparators[0].id == "UNDEFINED"
    ):
        return test.left.id
    return None


def _report_version(node: ast.AST) -> tuple[bool, str | None] | None:
    """(found, version) when node calls report_usage with a breaks_in_ha_version."""
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and _call_name(sub.func) == "report_usage"
            and any(k.arg == "breaks_in_ha_version" for k in sub.keywords)
        ):
            return True, _keyword(sub, "breaks_in_ha_version")
    return None


class _ReleaseReader(ast.NodeVisitor):
    """Collects one release module's deprecations."""

    def __init__(self, module: str, path: str) -> None:
        self.module = module
        self.path = path
        self.scope: list[str] = []
        self.found: list[Deprecation] = []
        self.runtime: list[RuntimeReport] = []
        self.reporters: dict[str, str | None] = {}  # module functions that always report
        self.calls: dict[str, tuple[list[str], int]] = {}  # qualname -> callees always run
        self.defined: set[str] = set()  # every Class.member a class here defines

    def _add(self, qualname: str, breaks_in: str | None, line: int, kind: str = "name") -> None:
        self.found.append(
            Deprecation(self.module, qualname, kind, breaks_in, f"{self.path}:{line}")
        )

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._decorated(node)
        self.scope.append(node.name)
        qualname = ".".join(self.scope)
        self.defined.update(f"{qualname}.{name}" for name in _defined_members(node))
        for stmt in node.body:
            value = getattr(stmt, "value", None)
            target: ast.expr | None = stmt.target if isinstance(stmt, ast.AnnAssign) else None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
            if (
                isinstance(value, ast.Call)
                and _call_name(value.func) in _MEMBER_KINDS
                and isinstance(target, ast.Name)
            ):
                self._add(
                    ".".join([*self.scope, target.id]),
                    _keyword(value, "breaks_in_ha_version", 1),
                    stmt.lineno,
                )
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._decorated(node)
        qualname = ".".join([*self.scope, node.name])
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and _call_name(decorator.func) == "deprecated_substitute"
            ) and (old := _keyword(decorator, "substitute_name", 0)) is not None:
                self._add(".".join([*self.scope, old]), None, node.lineno)
        always = list(_own_statements(node.body))
        reports_always = next((r for s in always if (r := _report_version(s))), None)
        if reports_always:
            self._add(qualname, reports_always[1], node.lineno)
            if not self.scope:
                self.reporters[node.name] = reports_always[1]
        elif (reported := _report_version(node)) is not None:
            self.runtime.append(
                RuntimeReport(self.module, qualname, reported[1], f"{self.path}:{node.lineno}")
            )
        self._deprecated_keywords(node, qualname)
        callees = [
            name
            for stmt in always
            for sub in ast.walk(stmt)
            if isinstance(sub, ast.Call) and (name := _call_name(sub.func))
        ]
        self.calls[qualname] = (callees, node.lineno)
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 (ast.NodeVisitor's name)

    def _deprecated_keywords(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str
    ) -> None:
        """``if a is not UNDEFINED or b is not UNDEFINED: report_usage(...)``: a and b."""
        params = {arg.arg for arg in (*node.args.args, *node.args.kwonlyargs)}
        for branch in ast.walk(node):
            if not isinstance(branch, ast.If):
                continue
            reported = next((r for s in branch.body if (r := _report_version(s))), None)
            if reported is None:
                continue
            tests = (
                branch.test.values
                if isinstance(branch.test, ast.BoolOp) and isinstance(branch.test.op, ast.Or)
                else [branch.test]
            )
            passed = [_passed_parameter(test, params) for test in tests]
            # Only when being passed is the whole condition: not "passed and different".
            if all(passed):
                for name in passed:
                    self._add(f"{qualname}.{name}", reported[1], branch.lineno, "keyword")

    def _decorated(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and _call_name(decorator.func) in _DECORATORS:
                qualname = ".".join([*self.scope, node.name])
                kind = (
                    "argument"
                    if _call_name(decorator.func) == "deprecated_hass_argument"
                    else "name"
                )
                position = 0 if kind == "argument" else None
                self._add(
                    qualname,
                    _keyword(decorator, "breaks_in_ha_version", position),
                    node.lineno,
                    kind,
                )

    def visit_Module(self, node: ast.Module) -> None:
        for stmt in node.body:
            if not (isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None):
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.startswith(_CONSTANT_PREFIX):
                    self._module_constant(target.id, stmt.value, stmt.lineno)
        self.generic_visit(node)
        # A function that always calls a module function which always reports is deprecated
        # with it (e.g. a property whose body is one call to a _report_deprecated_... helper).
        for qualname, (callees, line) in self.calls.items():
            for callee in callees:
                if callee in self.reporters and callee != qualname:
                    self._add(qualname, self.reporters[callee], line)
                    break

    def _module_constant(self, name: str, value: ast.expr, line: int) -> None:
        kind = _call_name(value) if isinstance(value, ast.Call) else None
        if kind in _CONSTANT_KINDS and isinstance(value, ast.Call):
            self._add(
                name.removeprefix(_CONSTANT_PREFIX),
                _keyword(value, "breaks_in_ha_version", _CONSTANT_KINDS[kind]),
                line,
            )
        elif isinstance(value, ast.Dict) and name.endswith("_PARAMETERS"):
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    self._add(key.value, _version_in(item), line, "argument")


def _parse_release(path: Path) -> ast.Module:
    text = path.read_text(encoding="utf-8")
    try:
        return ast.parse(text, str(path))
    except SyntaxError:
        return ast.parse(_BARE_EXCEPT_TUPLE.sub(r"\1(\2):", text), str(path))


def _defined_members(node: ast.ClassDef) -> set[str]:
    """The names a class defines: methods, class attributes, ``self.x = ...`` in methods."""
    names: set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(stmt.name)
            for sub in ast.walk(stmt):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.ctx, ast.Store)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self"
                ):
                    names.add(sub.attr)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
        elif isinstance(stmt, ast.Assign):
            names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return names


@dataclass(slots=True)
class Release:
    """What a release marks deprecated, and what it only reports at run time."""

    deprecations: list[Deprecation]
    runtime: list[RuntimeReport]
    # Deprecated member names that a class of the release also defines without deprecation
    # (``DeletedDeviceEntry.config_entries`` beside ``HomeAssistant.config_entries``): an
    # attribute of that name cannot be told apart by name alone, so it is not matched.
    ambiguous: list[Deprecation]


def read_release(src: Path, packages: Iterable[str]) -> Release:
    """Every deprecation in the release's modules under the given package paths."""
    found: list[Deprecation] = []
    runtime: list[RuntimeReport] = []
    plain: set[str] = set()
    root = src.parent
    for package in packages:
        base = src / package if package else src
        paths = sorted(base.rglob("*.py")) if package else sorted(base.glob("*.py"))
        if base.with_suffix(".py").is_file():
            paths = [base.with_suffix(".py")]
        for path in paths:
            reader = _ReleaseReader(_module_name(root, path), str(path.relative_to(root)))
            reader.visit(_parse_release(path))
            found.extend(reader.found)
            runtime.extend(reader.runtime)
            deprecated_here = {dep.qualname for dep in reader.found}
            plain.update(name.rpartition(".")[2] for name in reader.defined - deprecated_here)
    ambiguous = [
        dep for dep in found if dep.kind != "keyword" and "." in dep.qualname and dep.name in plain
    ]
    kept = [dep for dep in found if dep not in ambiguous]
    return Release(kept, runtime, ambiguous)


class _UseFinder(ast.NodeVisitor):
    """Finds one integration module's uses of the release's deprecated names."""

    def __init__(self, path: str, deprecations: list[Deprecation], always_true: set[str]) -> None:
        self.path = path
        self.always_true = always_true
        self.by_module: dict[tuple[str, str], Deprecation] = {}
        self.members: dict[str, Deprecation] = {}
        self.arguments: dict[str, Deprecation] = {}
        self.keywords: dict[tuple[str, str], Deprecation] = {}  # (callable, keyword)
        for dep in deprecations:
            if dep.kind == "keyword":
                callable_name = dep.qualname.rpartition(".")[0].rpartition(".")[2]
                self.keywords.setdefault((callable_name, dep.name), dep)
            elif dep.kind == "argument" and "." not in dep.qualname:
                self.arguments.setdefault(dep.name, dep)
            elif "." in dep.qualname:
                self.members.setdefault(dep.name, dep)
            else:
                self.by_module[(dep.module, dep.qualname)] = dep
        self.modules: dict[str, str] = {}  # local alias -> release module
        self.uses: list[Use] = []

    def _use(self, node: ast.AST, dep: Deprecation) -> None:
        self.uses.append(Use(self.path, getattr(node, "lineno", 0), dep))

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        name = test.operand if isinstance(test, ast.UnaryOp) and negated else test
        if isinstance(name, ast.Name) and name.id in self.always_true:
            # Only the branch this release runs.
            for stmt in node.orelse if negated else node.body:
                self.visit(stmt)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.startswith("homeassistant"):
                self.modules[alias.asname or alias.name] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if not module.startswith("homeassistant"):
            return
        for alias in node.names:
            if dep := self.by_module.get((module, alias.name)):
                self._use(node, dep)
            else:
                # ``from homeassistant.helpers import device_registry as dr``
                self.modules[alias.asname or alias.name] = f"{module}.{alias.name}"

    def visit_Attribute(self, node: ast.Attribute) -> None:
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in self.modules:
            if dep := self.by_module.get((self.modules[owner.id], node.attr)):
                self._use(node, dep)
        elif not node.attr.startswith("__") and (dep := self.members.get(node.attr)):
            self._use(node, dep)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        called = _call_name(node.func)
        for keyword in node.keywords:
            if not keyword.arg:
                continue
            if dep := self.arguments.get(keyword.arg) or self.keywords.get(
                (called or "", keyword.arg)
            ):
                self._use(keyword.value, dep)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # A subclass that still provides a deprecated member name (entity attributes).
        for stmt in node.body:
            names: list[str] = []
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [stmt.name]
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                names = [stmt.target.id]
            elif isinstance(stmt, ast.Assign):
                names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            for name in names:
                if (dep := self.members.get(name)) and not name.startswith("__"):
                    self._use(stmt, dep)
        self.generic_visit(node)


def find_uses(
    integration: Path, deprecations: list[Deprecation], always_true: Iterable[str] = ()
) -> list[Use]:
    """Every use in the integration's modules, in file and line order."""
    uses: list[Use] = []
    flags = set(always_true)
    for path in sorted(integration.rglob("*.py")):
        finder = _UseFinder(str(path), deprecations, flags)
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        uses.extend(finder.uses)
    return uses


def release_packages(integration: Path) -> list[str]:
    """The release's core modules, helpers and util, and the components the integration imports."""
    packages = ["", "helpers", "util"]
    for path in sorted(integration.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[:2] == ["homeassistant", "components"]:
                    names = [parts[2]] if len(parts) > 2 else [a.name for a in node.names]
                    packages.extend(f"components/{name}" for name in names)
    return sorted(set(packages))


def called_names(integration: Path) -> set[str]:
    """The last names of everything the integration calls or reads as an attribute."""
    names: set[str] = set()
    for path in sorted(integration.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.Call) and (name := _call_name(node.func)):
                names.add(name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ha_src", type=Path, help="the release's homeassistant/ directory")
    parser.add_argument("integration", type=Path)
    parser.add_argument("--always-true", action="append", default=[], metavar="FLAG")
    parser.add_argument(
        "--runtime", action="store_true", help="list conditional run-time reports too"
    )
    args = parser.parse_args(argv)
    release = read_release(args.ha_src, release_packages(args.integration))
    uses = find_uses(args.integration, release.deprecations, args.always_true)
    for use in uses:
        print(use)
    print(
        f"ha_deprecations: {len(release.deprecations)} deprecated names read "
        f"({len(release.ambiguous)} more share a name with a live member), {len(uses)} used"
    )
    if args.runtime:
        names = called_names(args.integration)
        for dep in release.ambiguous:
            if dep.name in names:
                print(
                    f"not matched by name (also a live member): {dep.module}.{dep.qualname}"
                    f" (breaks in {dep.breaks_in}; {dep.source})"
                )
        for report in release.runtime:
            if report.qualname.rpartition(".")[2] in names:
                print(
                    f"run-time report (conditional) in {report.module}.{report.qualname}"
                    f" (breaks in {report.breaks_in}; {report.source})"
                )
    return 1 if uses else 0


if __name__ == "__main__":
    sys.exit(main())
