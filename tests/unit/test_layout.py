"""The package's layout holds: no import cycle between its modules (counting the imports made inside
functions too: a lazy import is for cold start, never to hide a cycle), and every module imports on
its own in a fresh interpreter."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from local_runtime.runtime import ROOT

PACKAGE = ROOT / "layers" / "shared" / "switchboard"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """Every switchboard module `name` imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for candidate in [f"{target}.{alias.name}" for alias in node.names] + [target]:
                if candidate in MODULES and candidate != name:
                    found.add(candidate)
                    break
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_cycle_check_finds_a_cycle():
    # given a graph with a two-module cycle and a chain
    graph = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    # then exactly the cycle is found
    assert cycles(graph) == [["a", "b"]]


def test_no_module_of_the_package_is_part_of_an_import_cycle():
    # given every switchboard module and what it imports (module level and inside functions)
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    assert len(graph) > 40 and graph["switchboard.workflow.resolve"]
    # then no two modules import each other, directly or around a loop
    assert cycles(graph) == []


_IMPORT_EACH = """
import importlib, json, sys
failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "switchboard" or m.startswith("switchboard.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:  # reported below, by module
        failed[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failed))
"""


def test_every_module_imports_on_its_own():
    # given every module of the package, each imported first into an interpreter without switchboard
    names = sorted(MODULES)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, json.dumps(names)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(PACKAGE.parent), "PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # then none fails to import
    assert json.loads(done.stdout.splitlines()[-1]) == {}


# Modules that read Chinese (the classifier, language detection, the code masker, the period parser
# with its period labels) rather than speak it; every sentence a customer reads lives in text/.
READS_CHINESE = {"nlp", "domain.masking", "domain.periods"}


def test_every_chinese_sentence_the_customer_reads_lives_in_text():
    """Given every module of the package, when its string literals are read, then Chinese appears only
    in text/ and in the modules that parse Chinese input: a prompt or notice written elsewhere fails."""
    speaking = []
    for name, path in MODULES.items():
        relative = name.removeprefix("switchboard.")
        if relative.startswith("text") or any(relative.startswith(reader) for reader in READS_CHINESE):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if any("\u4e00" <= ch <= "\u9fff" for ch in node.value):
                    speaking.append(f"{name}:{node.lineno}")
    assert speaking == []
