"""The Textual internals DealDesk relies on are all listed in tui/internals.py, and all still
exist in the installed Textual: an upgrade that drops one fails here, pointing at the table."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import re
from functools import cache
from pathlib import Path

import pytest

from dealdesk.tui.internals import INTERNALS, TEXTUAL_VERSION, Internal

SRC = Path(__file__).resolve().parents[1] / "src" / "dealdesk"
TEXTUAL = Path(importlib.import_module("textual").__file__ or "").parent
SCANNED = [*sorted((SRC / "tui").rglob("*.py")), SRC / "cli.py"]
TABLE = "src/dealdesk/tui/internals.py"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _defined_names(paths: list[Path]) -> set[str]:
    """Names the code at `paths` defines: functions, classes, class attributes and
    `self.x = ...` attributes (and module-level assignments)."""
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id == "self"):
                names.add(node.attr)
    return names


@cache
def _textual_names() -> frozenset[str]:
    return frozenset(_defined_names(sorted(TEXTUAL.rglob("*.py"))))


def _on_textual_class(owner: type, name: str) -> bool:
    """Whether a Textual class in owner's MRO has `name`: as a class attribute, or as an
    instance attribute its source assigns."""
    for klass in owner.__mro__:
        if not klass.__module__.startswith("textual"):
            continue
        if name in vars(klass):
            return True
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if re.search(rf"\bself\.{re.escape(name)}\b", source):
            return True
    return False


def _listed(item: Internal) -> str:
    where = f"{item.module}.{item.owner}" if item.owner else item.module
    return f"{where}.{item.name} (used in {item.used_in})"


def test_textual_is_the_version_the_internals_table_was_checked_against():
    installed = importlib.metadata.version("textual")
    assert installed == TEXTUAL_VERSION, (
        f"textual {installed} installed, {TABLE} was checked against {TEXTUAL_VERSION}: "
        "check every row's `check` against the new source, then update TEXTUAL_VERSION")


@pytest.mark.parametrize("item", INTERNALS, ids=lambda item: f"{item.owner}.{item.name}")
def test_every_listed_textual_internal_still_exists(item: Internal):
    module = importlib.import_module(item.module)
    if item.owner is None:
        assert hasattr(module, item.name), f"gone from Textual: {_listed(item)}; see {TABLE}"
        return
    owner = getattr(module, item.owner, None)
    assert inspect.isclass(owner), f"gone from Textual: {_listed(item)}; see {TABLE}"
    assert _on_textual_class(owner, item.name), (
        f"gone from Textual: {_listed(item)}; see {TABLE}")


def test_every_row_of_the_internals_table_says_why_and_what_to_check():
    for item in INTERNALS:
        assert item.used_in and item.why and item.check, _listed(item)
    keys = [(item.module, item.owner, item.name) for item in INTERNALS]
    assert len(keys) == len(set(keys))


def _accesses(path: Path) -> set[str]:
    """Private names the module reaches for: `x._name`, getattr(x, "_name"), and the
    private Textual modules it imports from (`textual._x`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # `os._exit` and the like: names of other modules, not of Textual's objects.
    modules = {(alias.asname or alias.name).split(".")[0]
               for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in modules):
                found.add(node.attr)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
            found.add(node.args[1].value)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "textual" and any(_private(part) for part in parts):
                found.add(node.module)
    return found


def test_every_private_textual_name_our_code_reaches_for_is_listed():
    """`x._name` where Textual defines `_name` and our code does not (our own `self._name`
    attributes, methods and classes are ours), or an import from a private Textual module."""
    ours = _defined_names(sorted(SRC.rglob("*.py")))
    listed = {item.name for item in INTERNALS} | {item.module for item in INTERNALS}
    unlisted = sorted(
        f"{path.relative_to(SRC)}: {name}"
        for path in SCANNED for name in _accesses(path)
        if name not in listed
        and (name.startswith("textual.") or (name in _textual_names() and name not in ours)))
    assert not unlisted, f"private Textual names used but not listed in {TABLE}: {unlisted}"


def _module_name(path: Path) -> str:
    return "dealdesk." + ".".join(path.relative_to(SRC).with_suffix("").parts)


def _class_members(node: ast.ClassDef) -> set[str]:
    """What a class body defines: methods, class attributes, `self.x = ...` in its methods."""
    names: set[str] = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(item.name)
            names |= {n.attr for n in ast.walk(item)
                      if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)
                      and isinstance(n.value, ast.Name) and n.value.id == "self"}
        elif isinstance(item, ast.Assign):
            names |= {t.id for t in item.targets if isinstance(t, ast.Name)}
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
    return names


def test_every_private_textual_name_our_subclasses_override_is_listed():
    """A class of ours deriving from Textual's that defines a private name one of its Textual
    bases has, on purpose (an override) or not (a shadowed attribute), must be listed."""
    listed_names = {item.name for item in INTERNALS}
    unlisted: list[str] = []
    checked = 0
    for path in sorted((SRC / "tui").rglob("*.py")):
        module = importlib.import_module(_module_name(path))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            cls = getattr(module, node.name, None)
            if not inspect.isclass(cls) or not any(
                    k.__module__.startswith("textual") for k in cls.__mro__):
                continue
            checked += 1
            for name in sorted(_class_members(node)):
                if _private(name) and _on_textual_class(cls, name) and name not in listed_names:
                    unlisted.append(f"{path.relative_to(SRC)} {node.name}.{name}")
    assert checked >= 10  # the scan saw the app, its screens, widgets and driver
    assert not unlisted, f"private Textual names overridden but not listed in {TABLE}: {unlisted}"


# -- replaced by public API: the search field's paste (was an override of Input._on_paste) --

def _paste_into_search(value: str, paste: str, select: tuple[int, int] | None = None) -> str:
    import asyncio

    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets.input import Selection

    from dealdesk.tui.screens.search import MAX_QUERY, SearchInput

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield SearchInput(value, max_length=MAX_QUERY)  # as the screen does

    async def run() -> str:
        app = Host()
        async with app.run_test() as pilot:
            field = app.query_one(SearchInput)
            field.focus()
            await pilot.pause()  # focus selects all: then the cursor at the end, or `select`
            field.selection = Selection(*select) if select else Selection.cursor(len(value))
            field.post_message(events.Paste(paste))
            await pilot.pause()
            return field.value

    return asyncio.run(run())


def test_a_paste_longer_than_the_query_cap_fills_the_room_left():
    from dealdesk.tui.screens.search import MAX_QUERY

    value = _paste_into_search("ab", "x" * (MAX_QUERY * 3) + "\nsecond line")
    assert value == "ab" + "x" * (MAX_QUERY - 2)


def test_a_paste_into_search_goes_in_once_first_line_only_over_the_selection():
    """The old override of Input._on_paste let Textual's own handler run after it, with the
    whole paste: a paste that fit went in twice."""
    from dealdesk.tui.screens.search import MAX_QUERY

    assert _paste_into_search("nvidia", "oracle\nignored") == "nvidiaoracle"
    assert _paste_into_search("nvidia oracle", "amd", select=(0, 6)) == "amd oracle"
    full = "y" * MAX_QUERY
    assert _paste_into_search(full, "zzz") == full  # full is full, quietly
    assert _paste_into_search(full, "zzz", select=(0, 3)) == "zzz" + "y" * (MAX_QUERY - 3)
