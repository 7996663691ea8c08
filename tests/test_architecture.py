"""The shape of the package: layers that import only downwards, no cycle, complete `__all__`s."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "search"

#: The layers, lowest first: a module imports only from its own layer or lower ones (and
#: within a layer, without cycles). `_whoosh.*`, `cli.*` and `tui.*` name sub-packages.
LAYERS = [
    ["errors", "schema", "ranking", "results", "i18n"],
    ["clock", "french", "quick_test", "analysis", "corpus.*", "_query_lexer", "query_syntax"],
    ["words", "vocabulary", "highlight", "spelling"],
    ["storage"],
    ["backend"],
    ["_whoosh.*", "_sphinx.*"],
    ["indexer", "hits"],
    ["pipeline"],
    ["index"],
    ["userfiles", "config", "wording", "query_help", "timeline", "export", "alerts", "ingest.*"],
    ["__init__"],
    ["cli.*", "tui.*", "__main__"],
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        out[".".join(parts)] = path
    return out


def _rank(module: str) -> int:
    for rank, layer in enumerate(LAYERS):
        for name in layer:
            if module == name or (name.endswith(".*") and module.split(".")[0] == name[:-2]):
                return rank
    raise AssertionError(f"search.{module} is in no layer: place it in LAYERS ({__file__})")


def _imports(module: str, path: Path) -> set[str]:
    """The package modules `module` imports, lazily (inside functions) too, except under
    `if TYPE_CHECKING:` (annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    if module == "__init__":
        package = []
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
            target = [*base, *(node.module.split(".") if node.module else [])]
            names = [".".join(target)] if node.module else [".".join([*target, a.name]) for a in node.names]
            for name in names:
                found.add(name or "__init__")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found.update(m.removeprefix("search.") for m in mods if m == "search" or m.startswith("search."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    known = _modules()
    resolved = set()
    for name in found:
        name = "__init__" if name in ("", "search") else name
        if name in known:
            resolved.add(name)
        elif f"{name}.__init__" in known:
            resolved.add(f"{name}.__init__")
    resolved.discard(module)
    return resolved


def test_every_module_imports_only_from_its_layer_or_below() -> None:
    wrong = []
    for module, path in _modules().items():
        for target in _imports(module, path):
            if _rank(target) > _rank(module):
                wrong.append(f"search.{module} imports search.{target} (a higher layer)")
    assert wrong == []


def test_the_import_graph_has_no_cycle() -> None:
    graph = {module: _imports(module, path) for module, path in _modules().items()}
    for module in graph:  # a package's __init__ may import its own modules: not a cycle
        if module.endswith("__init__"):
            prefix = module.removesuffix("__init__")
            for other in graph:
                graph[other] = {t for t in graph[other] if t != module or not other.startswith(prefix)}
    state: dict[str, int] = {}
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    names = ["search" + ("" if m == "__init__" else "." + m.removesuffix(".__init__"))
             for m in _modules() if m != "__main__"]
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module(name)\n"
            "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0 and proc.stdout == "ok\n", proc.stderr
    proc = subprocess.run([sys.executable, "-c", "import sys, search; print(sorted(m for m in sys.modules "
                           "if m.split('.')[0] in ('textual', 'rich', 'search') and m.startswith(("
                           "'textual', 'rich', 'search.cli', 'search.tui', 'search._whoosh'))))"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip() == "[]", "import search must not load the UI, the CLI or an engine"


def test_a_search_loads_none_of_the_imports_it_does_not_need(tmp_path: Path) -> None:
    """A CLI query is a cold process: whoosh's `cached_property` (which imports asyncio), its
    English morphology and `urllib.request` stay unloaded; asked for, they are the real ones."""
    lazy = ('asyncio', 'cached_property', 'http.client', 'urllib.request', 'whoosh.lang.morph_en')
    code = ("import sys\n"
            "from search import Article, Index\n"
            "articles = [Article(id='a', title='Le prix', body='Le prix monte.')]\n"
            f"ix = Index.rebuild(articles, {str(tmp_path / 'ix')!r})\n"
            "assert ix.search('prix').total == 1\n"
            f"print(sorted(m for m in {lazy!r} if m in sys.modules),"
            " type(sys.modules['cached_property']).__name__)\n"
            "from cached_property import threaded_cached_property\n"
            "from whoosh.lang.morph_en import variations\n"
            "print(threaded_cached_property.__module__, sorted(variations('rendering'))[:2])\n"
            "import whoosh.compat, urllib.request\n"
            "print(whoosh.compat.urlretrieve.__module__, urllib.request.urlopen.__module__)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.splitlines() == ["['cached_property', 'whoosh.lang.morph_en'] _StandIn",
                                        "cached_property ['render', 'rendering']",
                                        "search._whoosh._lazy_deps urllib.request"], proc.stderr


def _isort(name: str) -> tuple[int, str]:
    """isort's (and ruff's) order of `__all__`: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("module", sorted(m for m in _modules() if not m.startswith("__main__")))
def test_all_is_complete_and_sorted(module: str) -> None:
    name = "search" + ("" if module == "__init__" else "." + module.removesuffix(".__init__"))
    mod = importlib.import_module(name)
    exported = getattr(mod, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert exported == sorted(exported, key=_isort), f"{name}.__all__: not CONSTANTS, Classes, functions"
    assert all(hasattr(mod, n) for n in exported), f"{name}.__all__ names what it lacks"
    tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    public = {n for n in defined if not n.startswith("_")}
    assert public <= set(exported), f"{name}: public but not in __all__: {sorted(public - set(exported))}"
