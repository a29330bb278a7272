"""The dashboard's alerts: a match stored by another process (cron) rings the bell once and
shows a toast; the Alerts screen (A) lists news item, watch and old → new; a restart does
not ring again for what was already announced; desktop notifications are safe text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dealdesk.config import load
from dealdesk.model import NewsItem
from dealdesk.news.enrich import figure_finder
from dealdesk.news.entities import EntityMatcher
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store
from dealdesk.tui.alerting import desktop_sequences
from dealdesk.tui.app import DealDeskApp
from dealdesk.tui.screens.alerts import AlertsScreen

from .apps import wait_for
from .conftest import CONFIG_DIR, fixed_clock


def _store_item(path, title: str, guid: str) -> None:
    config = load(CONFIG_DIR)
    item = NewsItem(feed="wire", guid=guid, title=title, link=f"https://example.com/{guid}",
                    published=datetime(2026, 11, 28, tzinfo=UTC))
    matcher = EntityMatcher(config.story.entities())
    find = figure_finder(matcher, "OpenAI", [p.name for p in config.story.partners])
    with Store.open(path) as store:
        stored = store.record(FetchResult("wire", "https://example.com/wire", "ok", 200),
                              [item], datetime(2026, 11, 28, tzinfo=UTC))
        for item_id, new in stored:
            store.add_signals(item_id, find(new.title, ""))


def _app(path, notify: bool = False) -> DealDeskApp:
    config = load(CONFIG_DIR)
    if notify:
        config = replace(config, settings=replace(
            config.settings, alerts=replace(config.settings.alerts, notify=True)))
    app = DealDeskApp(config, path, fixed_clock, refresh_on_start=False)
    app.animation_level = "none"
    return app


async def test_new_alert_rings_bell_once_and_shows_toast_and_alerts_screen(tmp_path):
    path = tmp_path / "store.sqlite3"
    Store.open(path).close()
    app = _app(path)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        assert bells == []  # nothing matched yet
        # A cron refresh stores a status move; the dashboard notices the commit.
        _store_item(path, "Nvidia signs definitive agreement with OpenAI", "n1")
        await wait_for(pilot, lambda: bells, seconds=10)
        assert len(bells) == 1
        toasts = [n for n in app._notifications if n.title == "Alert"]
        assert any("Nvidia deal status" in n.message and "replaced → definitive" in n.message
                   for n in toasts)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen))
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        table = screen.query_one("#alerts-table")
        cells = [str(c) for c in table.get_row_at(0)]
        assert "Nvidia deal status" in cells
        assert any("replaced → definitive" in c for c in cells)
        assert any("Nvidia signs definitive agreement" in c for c in cells)
        await pilot.pause(1.0)
        assert len(bells) == 1  # the same alert never rings twice
    # A restart: what was announced is not announced again.
    app2 = _app(path)
    bells2: list[int] = []
    app2.bell = lambda: bells2.append(1)  # type: ignore[method-assign]
    async with app2.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app2.desk.state.alerts, seconds=10)
        await pilot.pause(0.8)
        assert bells2 == []


def test_desktop_notification_is_safe_osc_9_and_777():
    class A:
        watch = "W;x"
        kind = "phrase"
        new = "abilene"
        subject = None
        title = "Evil \x1b]52;c;AAAA\x07 title; more"

    plain_seqs = desktop_sequences(A(), in_tmux=False)
    assert plain_seqs[0].startswith("\x1b]9;") and plain_seqs[1].startswith("\x1b]777;notify;")
    bodies = [plain_seqs[0].removeprefix("\x1b]9;"),
              plain_seqs[1].removeprefix("\x1b]777;notify;DealDesk alert;")]
    for body in bodies:
        assert body.endswith("\x07")
        body = body[:-1]
        assert "\x1b" not in body and "\x07" not in body and ";" not in body
        assert "Evil" in body and "title, more" in body
    wrapped = desktop_sequences(A(), in_tmux=True)
    assert all(s.startswith("\x1bPtmux;\x1b\x1b]") and s.endswith("\x1b\\") for s in wrapped)
