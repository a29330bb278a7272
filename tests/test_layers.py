"""The layers of DESIGN.md: nothing outside tui/ imports textual, and the headless
commands never load it (start-up cost in cron and over SSH)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONFIG_DIR
from .feedserver import closed_port, feed_server, no_proxy_env, rss  # noqa: F401

SRC = Path(__file__).resolve().parents[1] / "src" / "dealdesk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_outside_tui_imports_textual():
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "tui" not in p.relative_to(SRC).parts and "textual" in _imports(p)
    ]
    assert offenders == []


def test_core_does_not_reach_up_the_layers():
    # config and facts are the bottom: they know nothing of views, the store or the TUI.
    for path in (*sorted((SRC / "config").glob("*.py")), *sorted((SRC / "facts").glob("*.py"))):
        source = path.read_text(encoding="utf-8")
        assert "from .view" not in source and "from .tui" not in source
        assert "from ..view" not in source and "from ..tui" not in source
        assert "rich" not in _imports(path)


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["check"], 0), (["dump"], 0), (["dump", "--format", "json"], 0), (["refresh"], 3)],
)
def test_headless_commands_never_load_textual(tmp_path, argv, code):
    # A feed on a closed loopback port: refresh runs its whole path, and fails, offline.
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(
        f'[[feed]]\nname = "x"\nurl = "http://127.0.0.1:{closed_port()}/feed"\n'
    )
    script = (
        "import sys, io, contextlib\n"
        f"argv = [*{argv!r}, '--config', {str(cfg)!r}, '--data', {str(tmp_path / 'd')!r}]\n"
        "from dealdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(argv)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "print(code, loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == f"{code} []", result.stderr


def test_a_headless_refresh_loads_only_what_its_feeds_need(tmp_path, feed_server):
    """Start-up is most of a warm refresh: a 304 needs no parser, and figures, tags and the
    search index wait for the enrichment pass (dump, or the dashboard's refresh)."""
    url = feed_server.add("/wire.xml", body=rss([{"title": "Nvidia adds 10 GW", "guid": "1"}]),
                          etag='"v1"')
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "wire"\nurl = "{url}"\n')
    script = (
        "import sys, io, contextlib\n"
        f"argv = ['refresh', '--config', {str(cfg)!r}, '--data', {str(tmp_path / 'd')!r}]\n"
        "from dealdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(argv)\n"
        "analysis = ('dealdesk.news.parse', 'dealdesk.news.signals', 'dealdesk.news.entities',"
        " 'dealdesk.text.clean', 'feedparser', 'rich', 'click', 'pygments')\n"
        "print(code, [m for m in analysis if m in sys.modules])\n"
    )

    def run() -> str:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                timeout=60)
        return result.stdout.strip() + result.stderr

    assert run() == "0 ['dealdesk.news.parse', 'dealdesk.text.clean']"  # cold: 200, parsed
    assert run() == "0 []"  # warm: 304
    assert [r.headers.get("if-none-match") for r in feed_server.requests()] == [None, '"v1"']


# --- no import cycle among dealdesk modules ----------------------------------------------

def _module_name(path: Path) -> str:
    parts = ("dealdesk", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Every dealdesk module and the dealdesk modules it imports: at the top, under
    TYPE_CHECKING and inside functions alike (ast.walk sees them all)."""
    paths = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    module = f"{base}.{node.module}" if node.module else base
                else:
                    module = node.module or ""
                for alias in node.names:  # `from . import x`: x may be a module itself
                    sub = f"{module}.{alias.name}"
                    targets.add(sub if sub in paths else module)
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_type_checking_and_function_level_imports():
    graph = _import_graph()
    assert "dealdesk.store.schema" in graph["dealdesk.store.feeds"]  # under TYPE_CHECKING
    assert "dealdesk.config.story" in graph["dealdesk.config"]  # inside load()


def test_no_import_cycle_among_dealdesk_modules():
    assert _cycles(_import_graph()) == []


def test_the_store_imports_no_news_module():
    graph = _import_graph()
    offenders = {m: sorted(t for t in targets if t.startswith("dealdesk.news"))
                 for m, targets in graph.items() if m.startswith("dealdesk.store")}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_the_config_layer_imports_nothing_above_it():
    # The config loader builds the story's types; they live beside it (story_types), so no
    # module of config/ reaches up into facts/, news/, the store or the views.
    graph = _import_graph()
    above = ("dealdesk.facts", "dealdesk.news", "dealdesk.store", "dealdesk.view",
             "dealdesk.tui", "dealdesk.report", "dealdesk.history")
    offenders = {m: sorted(t for t in targets if t.startswith(above))
                 for m, targets in graph.items()
                 if m.startswith(("dealdesk.config", "dealdesk.story_types"))}
    assert {m: t for m, t in offenders.items() if t} == {}


def test_the_layer_contracts_ignore_no_import():
    # An `ignore_imports` entry is an upward import let through: the layers hold without one.
    import tomllib

    pyproject = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    assert contracts and all(not c.get("ignore_imports") for c in contracts)


def test_metric_names_are_written_once():
    # A metric is named by model.Metric everywhere else: a string literal equal to one of its
    # values, in any other module, is a name that a rename would miss.
    from dealdesk.model import Metric

    names = {m.value for m in Metric if m is not Metric.STATUS}  # "status" is also a word
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "model.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value}")
    assert offenders == []
