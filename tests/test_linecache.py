"""Opening and closing a screen leaves nothing behind (tui/linecache.py).

Textual 8.2.8's memo of StylesCache.get_inner_outer kept every removed widget's drawn lines
alive: each search opened and closed left 6,000-10,000 objects, which every full pass of the
collector then walked, in the middle of a key's frame."""

from __future__ import annotations

import gc
from collections import Counter

from textual._styles_cache import StylesCache

from .apps import make_app, wait_for
from .newsdata import fill_store


def _tracked() -> Counter[str]:
    gc.collect()
    return Counter(type(o).__qualname__ for o in gc.get_objects())


async def test_searches_opened_and_closed_leave_no_drawn_lines_behind(tmp_path, config):
    from dealdesk.tui.screens.search import SearchScreen

    app = make_app(fill_store(tmp_path / "store.sqlite3", config.feeds))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.news_items)
        dashboard = app.screen

        async def search_once() -> None:
            await pilot.press("slash")
            await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
            await pilot.press(*"openai", "enter")
            await wait_for(pilot, lambda: app.screen.query_one("#search-results").row_count)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is dashboard)
            await pilot.pause(0.1)

        for _ in range(2):  # styles, caches and the like made once
            await search_once()
        before = _tracked()
        for _ in range(6):
            await search_once()
        after = _tracked()
    # Without the release: ~6,000 more objects a search (Strips, their Segments and caches).
    grown = {kind: after[kind] - before[kind] for kind in ("Strip", "Segment", "FIFOCache")}
    assert all(n < 200 for n in grown.values()), grown


def test_the_release_empties_textuals_memo():
    from dealdesk.tui.linecache import release_line_caches

    StylesCache.get_inner_outer(StylesCache(), *_colours())
    assert StylesCache.get_inner_outer.cache_info().currsize
    release_line_caches()
    assert StylesCache.get_inner_outer.cache_info().currsize == 0


def _colours():
    from textual.color import Color

    return Color(0, 0, 0), Color(255, 255, 255)
