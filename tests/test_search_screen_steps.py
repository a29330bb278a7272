"""The search screen shows a screenful of results first and the rest a frame later
(screens/search.py `_show`): once both steps are in, the table is what one fill of every
result makes of it (rows, order, keys, widths, links), every result is reachable by keys,
and a second step left over from an older search never lands in a newer one's table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.text import Text
from textual.app import App

from dealdesk import view as V
from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import NewsQuery, Store
from dealdesk.tui.links import link_column
from dealdesk.tui.panels.table import PanelTable, fill_table
from dealdesk.tui.screens.search import SearchScreen

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def fill(path: Path, n: int) -> None:
    """`n` items holding "stargate" (feeds of different name lengths: the Feed column's
    width comes from a row far down the list), and one holding "abilene"."""
    items = [NewsItem(feed="f" if k < n - 1 else "a much longer feed name", guid=f"g{k}",
                      title=f"Stargate site {k}", link=f"https://e.com/{k}",
                      published=NOW - timedelta(hours=k), summary="stargate")
             for k in range(n)]
    items.append(NewsItem(feed="f", guid="solo", title="Abilene", link="https://e.com/a",
                          published=NOW, summary="abilene"))
    by_feed: dict[str, list[NewsItem]] = {}
    for it in items:
        by_feed.setdefault(it.feed, []).append(it)
    with Store.open(path) as store:
        store.record_many([(FetchResult(name=f, url=f"https://e.com/{len(f)}.xml",
                                        status="ok", http_status=200), its, NOW)
                           for f, its in by_feed.items()])


def cells(table: PanelTable) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """Every row: its key, and each cell's text and styles (links included)."""
    out = []
    for row_key in table.rows:
        row = table.get_row(row_key)
        out.append((row_key.value, [(c.plain, repr(c.spans) + repr(c.style))
                                    for c in row if isinstance(c, Text)]))
    return out


def widths(table: PanelTable) -> list[int]:
    return [c.get_render_width(table) for c in table.ordered_columns]


async def _wait(pilot, predicate, tries: int = 400) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never met")


async def test_all_200_results_land_in_two_steps_as_one_fill_would_show_them(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 260)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    results: list[int | None] = []
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen, results.append)
        await pilot.pause()
        await pilot.press(*"stargate", "enter")
        table = screen.query_one(PanelTable)
        await _wait(pilot, lambda: table.row_count == 200)
        await pilot.pause()
        assert "200 items match 'stargate'" in str(screen.query_one("#search-status").render())
        assert app.focused is table

        # The reference: the same results put in a table in one go.
        with Store.open(path) as store:
            lines = [V.news_line(i) for i in store.search_shown("stargate", NewsQuery(),
                                                                 limit=200)]
        reference = PanelTable(cursor_type="row")
        await screen.mount(reference)
        fill_table(reference, link_column(V.news_view(lines, NOW), "Title",
                                          {str(i.id): i.link for i in lines}))
        await pilot.pause()
        assert cells(table) == cells(reference)
        assert widths(table) == widths(reference)
        assert table.virtual_size.height == reference.virtual_size.height
        # Every title links to its item, the last one's as the first one's.
        for index in (0, 199):
            title = table.get_row_at(index)[2]
            assert [s.style.link for s in title.spans] == [lines[index].link]

        # Every result reachable by keys: page by page to the last row, and enter on it
        # opens that item.
        for _ in range(20):
            await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row == 199
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert chosen == str(lines[-1].id)
        await pilot.press("enter")
        await _wait(pilot, lambda: app.screen is not screen)
        assert results == [lines[-1].id]  # dismissed with the chosen item's id


async def test_a_newer_search_is_never_joined_by_an_older_ones_second_step(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 120)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        stargate = [V.news_line(i) for i in Store.open(path).search_shown(
            "stargate", NewsQuery(), limit=200)]
        abilene = [V.news_line(i) for i in Store.open(path).search_shown(
            "abilene", NewsQuery(), limit=200)]
        # Two results back to back, before any frame: the first one's rest must not follow.
        screen._show("stargate", stargate)
        screen._show("abilene", abilene)
        await pilot.pause()
        await pilot.pause()
        table = screen.query_one(PanelTable)
        assert [k.value for k in table.rows] == [str(abilene[0].id)]
        assert "1 item match 'abilene'" in str(screen.query_one("#search-status").render())


async def test_the_cursor_stays_on_its_item_when_it_comes_in_the_second_step(tmp_path):
    path = tmp_path / "store.sqlite3"
    fill(path, 120)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        lines = [V.news_line(i) for i in Store.open(path).search_shown(
            "stargate", NewsQuery(), limit=200)]
        table = screen.query_one(PanelTable)
        screen._show("stargate", lines)
        await _wait(pilot, lambda: table.row_count == len(lines))
        table.move_cursor(row=100, animate=False)
        await pilot.pause()
        screen._show("stargate", lines)  # the same results again (a refresh of them)
        await _wait(pilot, lambda: table.row_count == len(lines))
        await pilot.pause()
        assert table.cursor_row == 100


async def test_the_columns_have_their_final_widths_from_the_first_step(tmp_path):
    # The widest feed name is on the last row, which comes in the second step: the first
    # frame's columns are already as wide as it needs, so nothing moves a frame later.
    path = tmp_path / "store.sqlite3"
    fill(path, 120)
    screen = SearchScreen(path, NOW)
    app: App[None] = App()
    async with app.run_test(size=(100, 24)) as pilot:
        await app.push_screen(screen)
        await pilot.pause()
        lines = [V.news_line(i) for i in Store.open(path).search_shown(
            "stargate", NewsQuery(), limit=200)]
        table = screen.query_one(PanelTable)
        screen._show("stargate", lines)
        assert table.row_count < len(lines)  # the first step only
        first = widths(table)
        await _wait(pilot, lambda: table.row_count == len(lines))
        await pilot.pause()
        assert widths(table) == first
        assert first[3] == len("a much longer feed name") + 2
