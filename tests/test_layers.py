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
    for path in (*sorted((SRC / "config").glob("*.py")), SRC / "facts.py"):
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
        " 'dealdesk.news.clean', 'feedparser')\n"
        "print(code, [m for m in analysis if m in sys.modules])\n"
    )

    def run() -> str:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                timeout=60)
        return result.stdout.strip() + result.stderr

    assert run() == "0 ['dealdesk.news.parse', 'dealdesk.news.clean']"  # cold: 200, parsed
    assert run() == "0 []"  # warm: 304
    assert [r.headers.get("if-none-match") for r in feed_server.requests()] == [None, '"v1"']
