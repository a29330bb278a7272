"""The layers of DESIGN.md: nothing outside tui/ imports textual, and the headless
commands never load it (start-up cost in cron and over SSH)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CONFIG_DIR

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
    for name in ("config.py", "facts.py"):
        source = (SRC / name).read_text(encoding="utf-8")
        assert "from .view" not in source and "from .tui" not in source
        assert "rich" not in _imports(SRC / name)


@pytest.mark.parametrize("argv", [["check"], ["dump"], ["dump", "--format", "json"]])
def test_headless_commands_never_load_textual(argv):
    code = (
        "import sys, runpy, io, contextlib\n"
        f"sys.argv = ['dealdesk', *{argv!r}, '--config', {str(CONFIG_DIR)!r}]\n"
        "from dealdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(sys.argv[1:])\n"
        "assert code == 0, code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
