"""The News panel over a real store and a loopback feed server: refresh in a worker, keys
that keep answering, a failing feed that hides nothing, search, items, feeds, a second
process writing to the store."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import Input, Static

from dealdesk.config import STORE_FILE, load
from dealdesk.model import FeedSpec, NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store
from dealdesk.tui.app import DealDeskApp
from dealdesk.tui.panels.linetable import LineTable
from dealdesk.tui.panels.news import NewsPanel
from dealdesk.tui.screens.details import DetailsScreen
from dealdesk.tui.screens.feeds import FeedsScreen
from dealdesk.tui.screens.search import SearchScreen

from .apps import help_shown, wait_for
from .conftest import CONFIG_DIR, fixed_clock
from .feedserver import Route, closed_port, feed_server, rss  # noqa: F401
from .newsdata import fill_store, with_feeds


def now_clock() -> datetime:
    return datetime.now(UTC)


def app_for(tmp_path, feeds, clock=now_clock) -> DealDeskApp:
    config = with_feeds(load(CONFIG_DIR), tuple(feeds))
    app = DealDeskApp(config, tmp_path / "store.sqlite3", clock, refresh_on_start=False)
    app.animation_level = "none"
    return app


def news_rows(app) -> list[str]:
    if not app.query(NewsPanel):  # mounted a frame after the first
        return []
    table = app.query_one(NewsPanel).table
    return [str(table.get_row_at(i)[2]) for i in range(table.row_count)]


def items(n: int, prefix: str) -> list[dict[str, str]]:
    base = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        {"title": f"{prefix} {i}: Nvidia and OpenAI", "link": f"https://example.com/{prefix}/{i}",
         "guid": f"{prefix}-{i}",
         "pubDate": (base + timedelta(hours=i)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
         "description": f"Story {i} about OpenAI and Oracle"}
        for i in range(n)
    ]


async def test_r_refreshes_in_the_background_and_a_broken_feed_hides_nothing(
    tmp_path, feed_server
):
    good = feed_server.add("/good.xml", body=rss(items(3, "Good")), etag='"v1"')
    slow = feed_server.add("/slow.xml", body=rss(items(2, "Slow")), delay_s=1.0)
    bad = feed_server.add("/bad.xml", kind="status", status=503, body=b"down")
    app = app_for(tmp_path, [FeedSpec("Good", good), FeedSpec("Slow", slow),
                             FeedSpec("Bad", bad)])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert news_rows(app) == []
        await pilot.press("r")
        await wait_for(pilot, lambda: app.desk.state.refresh_state is not None)
        # Keys keep answering while the slow feed is still on its way.
        await pilot.press("question_mark")
        await pilot.pause()
        assert help_shown(app)
        assert app.desk.state.refresh_state is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: (app.desk.state.refresh_state is None
                                       and len(news_rows(app)) == 5))
        status = str(app.query_one("#news-status").render())
        assert "1 failed: Bad (HTTP 503" in status
        assert news_rows(app)[0].startswith("Good 2")
        # The entity tags come from the config's partners and aliases.
        assert app.desk.state.news_items[0].entities == ("Nvidia", "OpenAI", "Oracle")

        # The good feed now fails too: its cached items stay on screen.
        feed_server.add("/good.xml", kind="status", status=500, body=b"oops")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.desk.state.refresh_state is None
                       and "2 failed" in str(app.query_one("#news-status").render()))
        assert len(news_rows(app)) == 5


async def test_enter_opens_an_item_and_marks_it_read(tmp_path, config):
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)
        await pilot.press("5", "j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen))
        details = app.screen.details
        assert details.title.startswith("ChatGPT reaches 1 billion")
        assert ("Link", "https://example.com/news/1") in [(k, str(v)) for k, v in details.facts]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.desk.state.news_items[1].read)


async def test_the_news_tables_scrollbar_comes_with_more_rows(tmp_path, config):
    """Tables skip Textual's scrollbar update on a layout that leaves their shape as it was
    (panels/table.py); more rows in the same box change the shape, and the bar comes."""
    from dataclasses import replace

    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)
        panel, table = app.query_one(NewsPanel), app.query_one("#news-table")
        items = app.desk.state.news_items
        panel.show_news(items[:2], fixed_clock())
        await pilot.pause()
        size = table.size
        assert not table.show_vertical_scrollbar
        panel.show_news([*items, *(replace(i, id=i.id + 1000) for i in items)], fixed_clock())
        await pilot.pause()
        assert table.size == size and table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == table.virtual_size.height == 15


async def test_slash_searches_the_archive(tmp_path, config):
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"vera rub")
        table = app.screen.query_one("#search-results")
        await wait_for(pilot, lambda: table.row_count == 1)
        # FTS syntax typed by a user is just text, never an error.
        for _ in range(8):
            await pilot.press("backspace")
        await pilot.press(*'"AND (* NEAR')
        await pilot.pause(0.3)
        assert isinstance(app.screen, SearchScreen)
        for _ in range(12):
            await pilot.press("backspace")
        await pilot.press(*"oracle", "enter")
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen))
        assert app.screen.details.title.startswith("Oracle")



async def test_slash_again_shows_the_same_search_screen_as_new(tmp_path, config):
    # The desk keeps one search screen (its widgets made once): opened again, nothing of the
    # last search shows, and emptying the query empties the results.
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        table = screen.query_one(LineTable)
        box = screen.query_one(Input)

        def status() -> str:
            return str(screen.query_one("#search-status", Static).render())

        await pilot.press(*"oracle", "enter")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert app.focused is table
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen))

        await pilot.press("slash")
        await pilot.pause()
        assert app.screen is screen
        assert (box.value, table.row_count, status()) == ("", 0, "Type to search.")
        assert app.focused is box
        await pilot.press(*"vera rub")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert status() == "1 item match 'vera rub'"
        for _ in range(8):
            await pilot.press("backspace")
        await wait_for(pilot, lambda: table.row_count == 0)
        assert status() == "Type to search."



def _stored(path, prefix: str, n: int, newest: datetime) -> None:
    """`n` items of one feed, the newest at `newest`, one minute apart, through the store."""
    news = [NewsItem(feed="Wire", guid=f"{prefix}-{k}", title=f"{prefix} {k}",
                     link=f"https://example.com/{prefix}/{k}", summary="",
                     published=newest - timedelta(minutes=n - 1 - k)) for k in range(n)]
    with Store.open(path) as store:
        store.record_result(FetchResult(name="Wire", url="https://example.com/wire.xml",
                                        status="ok", http_status=200), news, newest)


async def test_news_arriving_shows_at_the_top_unless_the_reader_moved_down(tmp_path, config):
    # Newest first: a reader on the first row sees what arrives (it used to push the view
    # down to the row that was first, every new item above the box); one who moved down
    # keeps the item they are on.
    path = tmp_path / "store.sqlite3"
    now = datetime.now(UTC)
    _stored(path, "Old", 30, now - timedelta(days=1))
    app = app_for(tmp_path, config.feeds)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 30)
        await pilot.press("5")
        table = app.query_one(NewsPanel).table
        assert table.cursor_row == 0 and table.row_count > table.size.height

        _stored(path, "New", 20, now - timedelta(hours=2))
        app.desk.news.load_news()  # what the store watcher does on the next commit
        await wait_for(pilot, lambda: len(news_rows(app)) == 50)
        await pilot.pause()
        assert (table.cursor_row, table.scroll_y) == (0, 0)
        assert news_rows(app)[0] == "New 19"

        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert news_rows(app)[table.cursor_row] == "New 16"
        _stored(path, "Newer", 5, now - timedelta(hours=1))
        app.desk.news.load_news()
        await wait_for(pilot, lambda: len(news_rows(app)) == 55)
        await pilot.pause()
        assert news_rows(app)[table.cursor_row] == "New 16"

async def test_enter_on_a_partner_filters_news_to_it(tmp_path, config):
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)
        await pilot.press("enter")  # Nvidia, the first partner
        await wait_for(pilot, lambda: len(news_rows(app)) == 2)
        assert all("Nvidia" in i.entities for i in app.desk.state.news_items)
        assert str(app.query_one(NewsPanel).border_title).startswith("5 News · Nvidia")
        await pilot.press("escape")  # closes the details
        await pilot.press("escape")  # clears the filter
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)


async def test_f_shows_each_feeds_state(tmp_path, config):
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.desk.state.feed_states) == len(config.feeds))
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        states = {s.name: s.status for s in app.screen.states}
        assert states["Numerama"] == "error" and states["OpenAI News"] == "ok"


async def test_a_cron_refresh_in_another_process_shows_without_restart(tmp_path, feed_server):
    url = feed_server.add("/cron.xml", body=rss(items(2, "Cron")))
    config_dir = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, config_dir)
    (config_dir / "feeds.toml").write_text(f'[[feed]]\nname = "Cron"\nurl = "{url}"\n')
    data = tmp_path / "data"
    Store.open(data / STORE_FILE).close()
    app = DealDeskApp(load(config_dir), data / STORE_FILE, now_clock, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)  # the watcher takes its first reading
        assert news_rows(app) == []
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dealdesk.cli", "refresh", "--config", str(config_dir),
            "--data", str(data), stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, out
        await wait_for(pilot, lambda: len(news_rows(app)) == 2, seconds=10)


async def test_a_cron_refreshs_items_are_enriched_by_the_dashboard(tmp_path, feed_server):
    """`dealdesk refresh` leaves tags, figures and search to later: a dashboard that runs
    its own refreshes does that pass when it notices the items, without fetching again."""
    url = feed_server.add("/cron.xml", body=rss([]))
    config_dir = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, config_dir)
    (config_dir / "feeds.toml").write_text(f'[[feed]]\nname = "Cron"\nurl = "{url}"\n')
    data = tmp_path / "data"
    app = DealDeskApp(load(config_dir), data / STORE_FILE, now_clock)  # refreshes on start
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.last_success is not None, seconds=20)
        feed_server.add("/cron.xml", body=rss([
            {"title": "Nvidia to invest up to $100 billion in OpenAI", "guid": "n1"}]))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "dealdesk.cli", "refresh", "--config", str(config_dir),
            "--data", str(data), stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, out
        await wait_for(pilot, lambda: app.desk.state.new_signals == 1, seconds=20)
        assert "1 new signal" in str(app.query_one("#titlebar").render())
    with Store.open(data / STORE_FILE) as store:
        assert store.count_pending() == 0
        assert [i.entities for i in store.search("invest")] == [("Nvidia", "OpenAI")]
    assert len(feed_server.requests("/cron.xml")) == 2  # the start-up refresh and cron's


def write_items_slowly(path, n: int, pause: float) -> None:
    """Another process committing one item at a time, as a refresh stores feed after feed."""
    for i in range(n):
        item = NewsItem(feed="Other", guid=f"w{i}", title=f"Written {i}",
                        link=f"https://example.com/w/{i}",
                        published=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i))
        with Store.open(path) as store:
            store.record(FetchResult("Other", "https://example.com/other", "ok", 200), [item],
                         datetime.now(UTC))
        time.sleep(pause)


async def test_news_still_shows_while_our_refresh_runs_read_less_often(tmp_path, monkeypatch):
    """While our own refresh writes, the store is re-read at most every BUSY_RELOAD_SECONDS
    (each read competes with the keys), yet new items still show, and all once it ends."""
    from dealdesk.tui import newsroom
    from dealdesk.tui.messages import RefreshFinished, RefreshProgress

    monkeypatch.setattr(newsroom, "WATCH_SECONDS", 0.05)
    monkeypatch.setattr(newsroom, "BUSY_RELOAD_SECONDS", 0.6)
    path = tmp_path / "store.sqlite3"
    Store.open(path).close()
    app = app_for(tmp_path, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)  # the watcher takes its first reading
        reads: list[float] = []
        read_store = app.desk.news._read_store

        def counted(inbox, read=0):
            # While the panel is still empty a read is never held back (the first items a
            # refresh stores show at once); once it shows items, reads are spaced.
            if app.desk.state.news_items:
                reads.append(time.monotonic())
            return read_store(inbox, read)

        monkeypatch.setattr(app.desk.news, "_read_store", counted)
        app.post_message(RefreshProgress(1, 20, "Other", "ok"))  # as if ours were running
        await wait_for(pilot, lambda: app.desk.state.refresh_state is not None)
        writer = asyncio.create_task(asyncio.to_thread(write_items_slowly, path, 20, 0.1))
        await wait_for(pilot, lambda: news_rows(app), seconds=5)
        assert not writer.done()  # items show while the writes go on
        await writer
        gaps = [b - a for a, b in itertools.pairwise(reads)]
        # Spaced from one decision to read (load_news) to the next; timed here where each
        # read starts, in its worker thread, whose start may lag by a few milliseconds.
        assert reads and all(gap >= 0.6 - 0.02 for gap in gaps), gaps
        app.post_message(RefreshFinished())
        await wait_for(pilot, lambda: len(news_rows(app)) == 20)


async def test_quitting_never_waits_out_the_store_watchers_pause(tmp_path, monkeypatch):
    """The process waits for every worker thread before it exits, and a thread worker only
    learns it was cancelled when it next looks: the store watcher, between two looks at the
    store, leaves when the dashboard does, not at its next look (`q` took up to 2 s)."""
    from dealdesk.tui import newsroom

    monkeypatch.setattr(newsroom, "WATCH_SECONDS", 30.0)
    started, left = threading.Event(), threading.Event()
    watch = newsroom.NewsRoom._watch_store

    def watched(self, stop):
        started.set()
        try:
            watch(self, stop)
        finally:
            left.set()

    monkeypatch.setattr(newsroom.NewsRoom, "_watch_store", watched)
    Store.open(tmp_path / "store.sqlite3").close()
    app = app_for(tmp_path, [])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, started.is_set)
        await pilot.pause(0.3)  # its first look taken: now in its pause
        assert not left.is_set()
        await pilot.press("q")
    quit_at = time.monotonic()
    assert await asyncio.to_thread(left.wait, 5.0)
    assert time.monotonic() - quit_at < 1.0


@pytest.mark.parametrize("size", [(120, 40)])
async def test_a_refused_connection_is_named(tmp_path, size):
    port = closed_port()
    app = app_for(tmp_path, [FeedSpec("Gone", f"http://127.0.0.1:{port}/feed")])
    async with app.run_test(size=size) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: "connection refused" in
                       str(app.query_one("#news-status").render()))


async def test_c_copies_the_link_of_an_item_and_the_quote_of_a_fact(tmp_path, config):
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen))
        await pilot.press("c")
        assert app.clipboard == "https://example.com/news/0"
        await pilot.press("escape", "1", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen))
        await pilot.press("c")
        assert app.clipboard.startswith("Nvidia s’engage à investir jusqu’à 100 milliards")


def _worker_children() -> list[int]:
    """Refresh processes whose parent is this test process."""
    import os
    from pathlib import Path as P

    found = []
    for proc in P("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"dealdesk.news.worker" in cmdline and ppid == os.getpid():
            found.append(int(proc.name))
    return found


async def test_quitting_mid_refresh_ends_the_refresh_process(tmp_path, feed_server):
    slow = feed_server.add("/slow.xml", body=rss(items(1, "Slow")), delay_s=5.0)
    app = app_for(tmp_path, [FeedSpec("Slow", slow)])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: _worker_children())
        await pilot.press("q")
        await pilot.pause()
    for _ in range(100):
        if not _worker_children():
            break
        await asyncio.sleep(0.05)
    assert _worker_children() == []


async def test_of_many_dashboards_only_the_lease_holder_enriches_a_crons_items(
        tmp_path, monkeypatch):
    """Each dashboard that notices a cron refresh's pending items would start the same
    enrichment; only the one holding the store's lease does, and another takes over once
    it lets go (quits)."""
    from dealdesk.store.lease import Lease
    from dealdesk.tui.newsroom import NewsRoom

    started: list[bool] = []

    def fake_refresh(self, force: bool) -> None:
        started.append(force)

    monkeypatch.setattr(NewsRoom, "run_refresh", fake_refresh)
    path = tmp_path / "store.sqlite3"
    config = with_feeds(load(CONFIG_DIR), ())
    app = DealDeskApp(config, path, now_clock)  # refreshes on start: enrichment is its job
    other_desk = Lease(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started.clear()
        assert other_desk.held()
        app.desk.news._enrich_if_pending(3)
        assert started == []  # the other desk enriches
        other_desk.release()
        app.desk.news._enrich_if_pending(3)
        assert started == [False]  # the lease is free: this one takes it over
        app.desk.news._enrich_if_pending(3)
        assert started == [False]  # asked once per count, as before
        assert not Lease(path).held()
    assert Lease(path).held()  # released when the dashboard quits
