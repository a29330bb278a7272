"""The dashboard's state lives in the Desk (tui.desk), not on the App, and reaches the screens
through the Desk's Textual Signal (issue 15, item 4): screens never read app attributes, and
the desk asks of the app only what Textual's App offers."""

from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App

from dealdesk.config import load
from dealdesk.store import FeedState
from dealdesk.tui.deskstate import ReadCounts
from dealdesk.tui.messages import NewsLoaded
from dealdesk.tui.screens.feeds import FeedsScreen

from .apps import wait_for
from .conftest import CONFIG_DIR, fixed_clock
from .newsdata import fill_store
from .test_tui_news import app_for

TUI = Path(__file__).resolve().parent.parent / "src" / "dealdesk" / "tui"
# The desk and its parts: they reach the app only as Textual's App.
DESK_MODULES = ("desk.py", "deskstate.py", "newsroom.py", "reader.py", "alerting.py",
                "sincelast.py", "timetravel.py")


def _app_attributes(path: Path) -> list[tuple[int, str]]:
    """Every `<something>.app.<name>` and `app.<name>` (a local bound to the app) read in
    the module, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "app") or (
                isinstance(owner, ast.Name) and owner.id == "app"):
            found.append((node.lineno, node.attr))
    return found


def test_screens_read_no_app_attributes_beyond_textuals_own():
    """A screen gets what it shows from the desk's Signal or its constructor; `self.app.x`
    is only ever Textual's API (pop_screen, copy_to_clipboard...)."""
    screens = sorted((TUI / "screens").glob("*.py"))
    assert screens
    wrong = [f"{path.name}:{line} app.{name}" for path in screens
             for line, name in _app_attributes(path) if not hasattr(App, name)]
    assert wrong == []


def test_the_desk_uses_only_textuals_app_api_and_never_searches_the_screen_stack():
    """The desk pushes screens and runs workers through App's public API; it never finds a
    screen by isinstance over the stack to push data into it (screens subscribe)."""
    assert _app_attributes(TUI / "newsroom.py")  # the check sees the desk's app calls
    wrong = []
    for name in DESK_MODULES:
        path = TUI / name
        for line, attr in _app_attributes(path):
            if not hasattr(App, attr) or attr.startswith("_"):
                wrong.append(f"{name}:{line} app.{attr}")
        if "screen_stack" in path.read_text(encoding="utf-8"):
            wrong.append(f"{name}: screen_stack")
    assert wrong == []


def test_no_attr_defined_ignores_left_in_the_dashboard():
    hits = [f"{path.relative_to(TUI)}:{n}" for path in sorted(TUI.rglob("*.py"))
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if "type: ignore[attr-defined]" in line]
    assert hits == []


def _feeds_table(app) -> dict[str, list[str]]:
    table = app.screen.query_one("#feeds-table")
    labels = [str(c.label) for c in table.columns.values()]
    return {str(table.get_row_at(i)[0]): dict(zip(labels, map(str, table.get_row_at(i)),
                                                   strict=True))
            for i in range(table.row_count)}


async def test_an_open_feeds_screen_shows_what_a_finished_refresh_read_through_the_signal(
        tmp_path):
    """The Feeds screen, open while a refresh ends and the store is read again, shows the new
    states and unread counts: the desk publishes them, the screen subscribed when mounted."""
    config = load(CONFIG_DIR)
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.store_read)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
        screen = app.screen
        name = config.feeds[0].name
        assert "Broken now" not in str(_feeds_table(app).get(name))
        failed = FeedState(name=name, url=config.feeds[0].url, status="error",
                           error="Broken now", failures=1)
        # What the read after a refresh brings (newsroom._read_store posts the same).
        app.post_message(NewsLoaded(list(app.desk.state.news_items), 0, [failed],
                                    reading=ReadCounts(unread=7, by_feed={name: 7})))
        await wait_for(pilot, lambda: "Broken now" in str(_feeds_table(app).get(name)))
        assert app.screen is screen  # updated in place, not reopened
        row = _feeds_table(app)[name]
        assert row["Unread"] == "7"
        assert app.desk.state.feed_states == [failed]
        await pilot.press("escape")
        await pilot.pause()
        # Closed: unsubscribed with it, and the next change reaches only the dashboard.
        app.post_message(NewsLoaded([], 0, []))
        await wait_for(pilot, lambda: app.desk.state.feed_states == [])
        assert not isinstance(app.screen, FeedsScreen)
