"""Who imports whom inside a package, read from the source: the graph and its cycles.

An edge is every import a module can run: at the top, inside a function (a lazy import still
runs, and still ties the two modules together), under `if TYPE_CHECKING:`, relative
(`from . import x`, `from .x import y`, resolved to absolute names), and by string
(`importlib.import_module("pkg.mod")`, `__import__("pkg.mod")`). A string import whose name is
built at run time (`import_module(f"pkg.cli.{name}")`) is tied to every module that the constant
prefix and a string constant in the package name together, so a handler table of
"module:function" strings counts as imports of those modules by the code that imports them.
Importing `pkg.sub` is an edge to `pkg.sub` only, not to `pkg` (whose `__init__` Python runs
first, but which would otherwise make every package that re-exports a submodule a cycle).
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class UnreadableImport(Exception):
    """A dynamic import this reader cannot name: the graph would silently miss an edge."""


@dataclass(frozen=True)
class _Dynamic:
    """`import_module(f"<prefix>{...}")`: a module whose name starts with `prefix`."""

    prefix: str


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Each module under the package folder `root` (named `package`) by its dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((package, *parts))] = path
    return found


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _resolve_relative(module: str, is_pkg: bool, level: int, name: str | None) -> str:
    """`from .x import y` (level 1, name x) in `module`, as an absolute module name."""
    parts = module.split(".")
    base = parts if is_pkg else parts[:-1]
    if level - 1 > len(base) - 1:
        raise UnreadableImport(f"{module}: a relative import (level {level}) reaches above the top package")
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _constant_text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_import_call(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in ("import_module", "__import__")
    return (isinstance(func, ast.Attribute) and func.attr == "import_module"
            and isinstance(func.value, ast.Name) and func.value.id == "importlib")


def _string_import(call: ast.Call, module: str, is_pkg: bool) -> str | _Dynamic:
    where = f"{module} line {call.lineno}"
    if not call.args:
        raise UnreadableImport(f"{where}: an import call without a module name")
    arg = call.args[0]
    text = _constant_text(arg)
    if text is None:
        if isinstance(arg, ast.JoinedStr) and arg.values and _constant_text(arg.values[0]):
            return _Dynamic(str(_constant_text(arg.values[0])))
        raise UnreadableImport(f"{where}: an import by a name made at run time, with no constant prefix; "
                               "name the module in the source (or start the f-string with its package)")
    if text.startswith("."):
        package_arg = next((k.value for k in call.keywords if k.arg == "package"),
                           call.args[1] if len(call.args) > 1 else None)
        if not (isinstance(package_arg, ast.Name) and package_arg.id == "__package__") \
                and _constant_text(package_arg) is None:
            raise UnreadableImport(f"{where}: a relative import by string without a readable package")
        anchor = _constant_text(package_arg) or (module if is_pkg else module.rpartition(".")[0])
        level = len(text) - len(text.lstrip("."))
        return _resolve_relative(anchor, True, level, text[level:] or None)
    return text


def _imports(tree: ast.AST, module: str, is_pkg: bool) -> Iterator[tuple[str, ...] | _Dynamic]:
    """Each import as (module,) or, for `from base import name`, (base, name): name may be a
    submodule or an attribute of base."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name,) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (_resolve_relative(module, is_pkg, node.level, node.module) if node.level
                    else str(node.module))
            yield from ((base, alias.name) if alias.name != "*" else (base,) for alias in node.names)
        elif isinstance(node, ast.Call) and _is_import_call(node):
            found = _string_import(node, module, is_pkg)
            yield found if isinstance(found, _Dynamic) else (found,)


def _read(path: Path, module: str) -> list[tuple[str, ...] | _Dynamic]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return list(_imports(tree, module, is_package(path)))


def imports_of(path: Path, module: str) -> set[str]:
    """Every absolute name `module` (the file at `path`) imports, inside the package or not.

    `from a import b` gives both `a` and `a.b` (b may be a module or an attribute);
    `import_module(f"a.{x}")` gives `a.*`."""
    found: set[str] = set()
    for item in _read(path, module):
        if isinstance(item, _Dynamic):
            found.add(f"{item.prefix}*")
        else:
            found.update(".".join(item[:i + 1]) for i in range(len(item)))
    return found


def _string_constants(paths: Iterable[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = _constant_text(node) if isinstance(node, ast.expr) else None
            if text:
                head = text.split(":")[0]  # "module:function", as a handler table names one
                if _MODULE_NAME.fullmatch(head):
                    found.add(head)
    return found


def _owner(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module a dotted name lives in: itself, or the longest prefix that is a module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in its body, see the docstring)."""
    modules = module_files(root, package)
    constants: set[str] | None = None
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for item in _read(path, module):
            if isinstance(item, _Dynamic):
                if constants is None:
                    constants = _string_constants(modules.values())
                hits = {item.prefix + c for c in constants if item.prefix + c in modules}
                if not hits and item.prefix.split(".")[0] == package:
                    raise UnreadableImport(f"{module}: imports `{item.prefix}...` by string, but no string "
                                           f"in {package} names such a module")
                targets |= hits
            elif item[0].split(".")[0] == package:
                name = ".".join(item)  # `from a import b`: the module a.b, else an attribute of a
                owner = name if name in modules else _owner(item[0], modules)
                if owner:
                    targets.add(owner)
        targets.discard(module)  # `from pkg import sub` inside pkg/__init__ names itself first
        graph[module] = targets
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one module, each sorted (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def cycle_through(graph: Mapping[str, Iterable[str]], component: list[str]) -> list[str]:
    """One shortest cycle inside a strongly connected component, as a path that ends where it starts."""
    members = set(component)
    start = component[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt in members and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"{component} is not strongly connected")


def by_layer(graph: Mapping[str, Iterable[str]], depth: int = 2) -> dict[str, set[str]]:
    """The graph between layers: each module counted as the first `depth` parts of its name
    (with depth 2, medtrack.core.rules is medtrack.core; medtrack.monograph is itself)."""
    def layer(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    layers: dict[str, set[str]] = {}
    for module, targets in graph.items():
        layers.setdefault(layer(module), set()).update(layer(t) for t in targets)
    for name, targets in layers.items():
        targets.discard(name)
    return layers


def import_cycles(root: Path, package: str) -> list[list[str]]:
    """One cycle path per strongly connected component of the package's import graph."""
    graph = import_graph(root, package)
    return [cycle_through(graph, component) for component in strongly_connected(graph)]


def describe(graph: Mapping[str, Iterable[str]], components: list[list[str]]) -> str:
    """Each component in words: one cycle through it, then all its members."""
    return "\n".join(f"{len(c)} import each other, e.g. {' -> '.join(cycle_through(graph, c))}\n"
                     f"  all of them: {', '.join(c)}" for c in components)
