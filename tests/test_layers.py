"""The import graph keeps its layers: texts < domain < storage < services < channels and
handlers. Every module under bot/, handlers/ and storage/ is parsed (not imported), and
every import in it counts, at the top or inside a function."""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot.domain", "storage", "bot.services", "bot.channels", "handlers", "bot.desk")

# Edges still to be removed by another part of issue #12, each with its reason. The
# integrator deletes an entry when the branch that removes the edge is merged.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for top in ("bot", "handlers", "storage"):
        for path in sorted((ROOT / top).rglob("*.py")):
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path) -> Iterator[str]:
    """Every module `module` imports, absolute (relative imports resolved)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target
            # `from bot import texts` imports the module bot.texts
            yield from (f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _edges() -> set[tuple[str, str]]:
    """(importing module, imported module) for every import in bot/, handlers/, storage/."""
    return {(m, target) for m, path in MODULES.items() for target in _imports(m, path)}


EDGES = _edges()


def _violations(source: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{m} imports {target}"
        for m, target in EDGES
        if _within(m, source)
        and any(_within(target, f) for f in forbidden)
        and (m, target) not in ALLOWED
    )


def test_the_domain_imports_no_io_and_nothing_above_it() -> None:
    forbidden = (
        "bot.config",
        "storage",
        "bot.services",
        "bot.channels",
        "bot.desk",
        "bot.app",
        "handlers",
        "telegram",
        "twilio",
        "sqlalchemy",
        "aiosqlite",
        "starlette",
        "httpx",
        "aiohttp",
    )
    assert _violations("bot.domain", forbidden) == []


def test_storage_imports_only_the_domain_texts_and_clock_from_bot() -> None:
    outside = sorted(
        f"{m} imports {target}"
        for m, target in EDGES
        if _within(m, "storage")
        and (_within(target, "bot") or _within(target, "handlers"))
        and not any(_within(target, ok) for ok in ("bot.domain", "bot.texts", "bot.clock"))
        and target != "bot"
        and (m, target) not in ALLOWED
    )
    assert outside == []


def test_services_import_no_channel_handler_or_desk() -> None:
    forbidden = ("bot.channels", "handlers", "bot.desk", "bot.app", "telegram", "twilio")
    assert _violations("bot.services", forbidden) == []


def _package(module: str) -> str | None:
    return next((p for p in PACKAGES if _within(module, p)), None)


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for m, target in EDGES:
        a, b = _package(m), _package(target)
        if a and b and a != b and (m, target) not in ALLOWED:
            graph[a].add(b)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(graph[node])
        return False

    cycles = [
        (a, b) for a, b in itertools.permutations(PACKAGES, 2) if b in graph[a] and reaches(b, a)
    ]
    assert cycles == []


def test_the_graph_is_read() -> None:
    """The parser finds the edges that must exist, so an empty result above means something."""
    assert ("bot.services.deps", "storage.outbox") in EDGES
    assert ("bot.channels.dispatcher", "bot.services.fallback") in EDGES
    assert len(MODULES) > 100
