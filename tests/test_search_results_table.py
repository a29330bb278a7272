"""The search results (screens/search.py) in a LineTable (tui/panels/linetable.py): every
result in order with its key and link, cut to columns that fit the box, reachable by keys
and by a click, and a search overtaken by a newer one never shows its rows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App

from dealdesk import view as V
from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import NewsQuery, Store
from dealdesk.tui.links import link_column
from dealdesk.tui.panels.fit import table_width
from dealdesk.tui.panels.linetable import LineTable
from dealdesk.tui.screens.search import SearchScreen

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def fill(path: Path, n: int) -> None:
    """`n` items holding "stargate" (feeds of different name lengths: the Feed column's
    width comes from a row far down the list), and one holding "abilene"."""
    items = [NewsItem(feed="f" if k < n - 1 else "a much longer feed name", guid=f"g{k}",
                      title=f"Stargate site {k}", link=f"https://example.com/{k}",
                      published=NOW - timedelta(hours=k), summary="stargate")
             for k in range(n)]
    items.append(NewsItem(feed="f", guid="solo", title="Abilene", link="https://example.com/a",
                          published=NOW, summary="abilene"))
    by_feed: dict[str, list[NewsItem]] = {}
    for it in items:
        by_feed.setdefault(it.feed, []).append(it)
    with Store.open(path) as store:
        store.record_many([(FetchResult(name=f, url=f"https://example.com/{len(f)}.xml",
                                        status="ok", http_status=200), its, NOW)
                           for f, its in by_feed.items()])


def results(path: Path, query: str) -> list[V.NewsLine]:
    with Store.open(path) as store:
        return [V.news_line(i) for i in store.search_shown(query, NewsQuery(), limit=200)]


def drawn(table: LineTable) -> list[str]:
    """The table's lines as drawn now (header first)."""
    return [table.render_line(y).text for y in range(table.size.height)]


async def _wait(pilot, predicate, tries: int = 400) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never met")


async def test_all_200_results_are_in_order_linked_and_reachable_by_keys(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 260)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    chosen: list[int | None] = []
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen, chosen.append)
        await pilot.pause()
        await pilot.press(*"stargate", "enter")
        table = screen.query_one(LineTable)
        await _wait(pilot, lambda: table.row_count == 200)
        await pilot.pause()
        assert "200 items match 'stargate'" in str(screen.query_one("#search-status").render())
        assert app.focused is table

        lines = results(path, "stargate")
        reference = link_column(V.news_view(lines, NOW), "Title",
                                {str(i.id): i.link for i in lines})
        assert [table.row(i).key for i in range(200)] == [r.key for r in reference.rows]
        assert [[c.plain for c in table.row(i).cells] for i in range(200)] == [
            [c.plain for c in r.cells] for r in reference.rows]
        # Every title links to its item, the last one's as the first one's.
        for index in (0, 199):
            title = table.row(index).cells[2]
            assert [s.style.link for s in title.spans] == [lines[index].link]
        screen_lines = drawn(table)
        assert screen_lines[0].split() == ["Age", "Title", "Feed", "About"]
        assert "Stargate site 0" in screen_lines[1]

        # Every result reachable by keys: page by page to the last row, which is then on
        # screen, and enter on it opens that item.
        for _ in range(20):
            await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row == 199
        assert any(f"Stargate site {lines[-1].title.split()[-1]}" in line
                   for line in drawn(table))
        await pilot.press("k", "j", "enter")
        await _wait(pilot, lambda: app.screen is not screen)
        assert chosen == [lines[-1].id]  # dismissed with the chosen item's id


async def test_only_the_lines_on_screen_are_drawn_and_then_kept(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 260)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(LineTable)
        built: list[int] = []
        line = table._line

        def counting(*args):
            built.append(1)
            return line(*args)

        table._line = counting
        await pilot.press(*"stargate", "enter")
        await _wait(pilot, lambda: table.row_count == 200)
        await pilot.pause()
        assert 0 < len(built) <= table.size.height  # a screenful, not 200 rows
        before = len(built)
        table.refresh()
        await pilot.pause()
        assert len(built) == before  # drawn again from the kept lines
        await pilot.press("j")
        await pilot.pause()
        assert len(built) == before + 2  # the row the cursor left, the one it reached


async def test_a_search_overtaken_by_a_newer_one_never_shows_its_rows(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 120)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    release = threading.Event()
    real = Store.search_shown

    def slow_for_stargate(self, text, query, limit=100):
        if text == "stargate":
            release.wait(10)
        return real(self, text, query, limit)

    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        Store.search_shown = slow_for_stargate  # type: ignore[method-assign]
        try:
            screen.search("stargate")
            await pilot.pause(0.05)
            screen.search("abilene")
            table = screen.query_one(LineTable)
            await _wait(pilot, lambda: table.row_count == 1)
            release.set()
            await pilot.pause(0.3)
        finally:
            Store.search_shown = real  # type: ignore[method-assign]
        assert [table.row(i).key for i in range(table.row_count)] == [
            str(results(path, "abilene")[0].id)]
        assert "1 item match 'abilene'" in str(screen.query_one("#search-status").render())


async def test_the_cursor_stays_on_its_item_when_the_results_come_again(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 120)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one(LineTable)
        screen.search("stargate")
        await _wait(pilot, lambda: table.row_count == 120)
        table.move_cursor(100)
        await pilot.pause()
        key = table.row(100).key
        screen.search("stargate site")  # the same items again
        await _wait(pilot, lambda: "match 'stargate site'" in str(
            screen.query_one("#search-status").render()))
        assert table.row(table.cursor_row).key == key
        assert any(table.row(100).cells[2].plain in line for line in drawn(table))


async def test_columns_fit_the_box_and_a_cut_cell_ends_in_an_ellipsis(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 120)
    for width in (100, 70, 50):
        screen = SearchScreen(path, NOW)
        app: App[None] = App()
        async with app.run_test(size=(width, 24)) as pilot:
            await app.push_screen(screen)
            await pilot.pause()
            table = screen.query_one(LineTable)
            screen.search("stargate")
            await _wait(pilot, lambda t=table: t.row_count == 120)
            await pilot.pause()
            room = table.scrollable_content_region.width
            assert table_width(table.widths) <= room
            assert table.virtual_size.width <= room
            assert not table.show_horizontal_scrollbar
            lines = drawn(table)
            assert all(len(line) <= table.size.width for line in lines)
            # The long feed name (last row) is cut to its column, or its column is hidden.
            table.move_cursor(119)
            await pilot.pause()
            last = next(line for line in drawn(table) if "Stargate site 119" in line)
            feed = table.widths[3]
            if feed is not None and feed < len("a much longer feed name"):
                assert "…" in last


async def test_a_click_on_a_row_opens_it(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 20)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    chosen: list[int | None] = []
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen, chosen.append)
        await pilot.pause()
        table = screen.query_one(LineTable)
        screen.search("stargate")
        await _wait(pilot, lambda: table.row_count == 20)
        await pilot.pause()
        await pilot.click(LineTable, offset=(10, 3))  # the header, then rows 0 and 1
        await _wait(pilot, lambda: chosen)
        assert chosen == [int(table.row(2).key)]


async def test_a_search_overtaken_just_after_its_cancelled_check_never_shows(tmp_path,
                                                                            monkeypatch):
    # The window the cancelled check cannot close: the older search found itself current,
    # then the newer one started and showed first. Only the latest search's rows show.
    from types import SimpleNamespace

    from dealdesk.tui.screens import search as search_screen

    monkeypatch.setattr(search_screen, "get_current_worker",
                        lambda: SimpleNamespace(is_cancelled=False))
    await test_a_search_overtaken_by_a_newer_one_never_shows_its_rows(tmp_path)
