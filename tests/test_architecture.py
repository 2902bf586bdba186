"""The layout holds: no import cycle among the project's modules, and the floors import downward only.

Floors, top to bottom: front doors (`api/`, `tutor/cli/`), then `evals/`, then `ingest/`, then the core
(`tutor/` without its CLI). A module may import from its own floor or below, never above. Imports
inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tutor", "ingest", "api", "evals")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in the file)."""

    def owner(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        graph[name] = {o for t in targets if (o := owner(t)) and o != name}
    return graph


def floor(module: str) -> int:
    if module.startswith(("api", "tutor.cli", "tutor.__main__")):
        return 3
    if module.startswith("evals"):
        return 2
    if module.startswith("ingest"):
        return 1
    return 0


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph[node]):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_no_import_cycle_anywhere():
    cycle = find_cycle(imports(modules()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_each_floor_imports_only_its_own_floor_or_below():
    upward = [
        f"{module} imports {target}"
        for module, targets in imports(modules()).items()
        for target in sorted(targets)
        if floor(target) > floor(module)
    ]
    assert not upward, "imports that go up a floor:\n" + "\n".join(upward)


def test_the_checks_can_fail():
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert floor("tutor.chain") < floor("ingest.pipeline") < floor("evals.run") < floor("api.app")
    assert floor("tutor.cli.ask") == floor("api.routes.chat")
