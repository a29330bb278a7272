"""Every panel fits its frame at every size (issue 20): no horizontal scrollbar, columns that
give way by priority, cut cells that end in "…", nothing wider than its box, and panel
heights that follow their rows (the ten partners whole at 120x40 and above)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.cells import cell_len

from dealdesk import view as V
from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store
from dealdesk.tui.panels.figure import BigFigure, big_lines
from dealdesk.tui.panels.fit import fit_columns, natural_widths, table_width
from dealdesk.tui.panels.grid import MIN_ROW, row_heights
from dealdesk.tui.panels.table import Panel, PanelTable

from .apps import make_app, wait_for
from .conftest import FIXED_NOW

SIZES = [(80, 24), (100, 30), (120, 40), (160, 50)]
PANELS = ["1", "2", "3", "4", "5"]
NEWS_ITEMS = 10_000

# Headlines of every shape a feed sends: short, long, wide (CJK), with emoji.
TITLES = [
    "Short",
    "OpenAI and NVIDIA sign definitive agreement for the first gigawatt of Vera Rubin systems "
    "to be deployed in the second half of 2026, with more to follow " * 3,
    "オープンAIとエヌビディアが最初のギガワットで最終合意に署名、二〇二六年後半に配備開始",
    "📈 ChatGPT reaches 1 billion weekly active users 🚀 " * 4,
]


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    """10,000 stored items across a few feeds, of every title shape."""
    from dealdesk.config import load

    from .conftest import CONFIG_DIR

    feeds = load(CONFIG_DIR).feeds
    path = tmp_path_factory.mktemp("fit") / "store.sqlite3"
    with Store.open(path) as store:
        outcomes = []
        per_feed = NEWS_ITEMS // len(feeds)
        for f, feed in enumerate(feeds):
            items = [
                NewsItem(feed=feed.name, guid=f"{f}-{i}", title=f"{TITLES[i % len(TITLES)]} {i}",
                         link=f"https://example.com/{f}/{i}",
                         published=FIXED_NOW - timedelta(minutes=f * per_feed + i),
                         entities=("OpenAI", "Nvidia", "Microsoft")[: i % 4])
                for i in range(per_feed if f < len(feeds) - 1
                               else NEWS_ITEMS - per_feed * (len(feeds) - 1))
            ]
            outcomes.append((FetchResult(feed.name, feed.url, "ok", 200), items,
                             FIXED_NOW - timedelta(minutes=30)))
        store.record_many(outcomes)
    return path


def _rendered(app, cell, width: int) -> str:
    """A cell as the DataTable draws it in a column `width` cells wide (one line)."""
    console = app.console
    lines = console.render_lines(cell, console.options.update(width=width, no_wrap=True),
                                 pad=False)
    return "".join(segment.text for segment in lines[0])


def _assert_panel_fits(app, panel: Panel, where: str) -> None:
    table: PanelTable = panel.table
    if not table.display:
        return
    box = table.scrollable_content_region
    assert table.virtual_size.width <= box.width, f"{where}: table wider than its box"
    assert not table.show_horizontal_scrollbar, f"{where}: horizontal scrollbar"
    view = panel._shown_view
    for column in table.ordered_columns:
        assert cell_len(_rendered(app, column.label, column.width)) <= column.width
    for row_index in range(table.row_count):
        for column, cell in zip(table.ordered_columns, table.get_row_at(row_index)):
            drawn = _rendered(app, cell, column.width)
            assert cell_len(drawn) <= column.width, f"{where}: {drawn!r} past its column"
            if cell.cell_len > column.width:
                assert drawn.rstrip().endswith("…"), f"{where}: {drawn!r} cut without …"
    # Every widget in the panel inside the panel's frame (the border stays whole).
    frame = panel.content_region
    for widget in panel.query("*"):
        if widget.display and widget.region.area:
            assert frame.contains_region(widget.region), f"{where}: {widget} past the border"
    for figure in panel.query(BigFigure):
        if figure.region.area:  # hidden on short screens
            for line in figure.render().plain.split("\n"):
                assert cell_len(line) <= figure.size.width, f"{where}: big figure past its box"
    assert view is not None


async def _walk(app, size: tuple[int, int], news: bool) -> None:
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.panels_ready)
        if news:
            await wait_for(pilot, lambda: len(app.desk.state.news_items) > 100)
        await pilot.pause()
        for key in PANELS:
            await pilot.press(key)
            await pilot.pause()
            await pilot.pause()
            for panel in app.query(Panel):
                if panel.region.area:  # shown: all at once, or the active tab
                    _assert_panel_fits(app, panel, f"{size} panel {panel.id} after {key}")
        if size[0] >= 120 and size[1] >= 40:
            partners = app.query_one("#partners", Panel).table
            assert partners.row_count == 10
            assert partners.row_count + partners.header_height <= partners.size.height, \
                f"{size}: partners do not show whole"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_panel_fits_its_frame_default_story(size):
    await _walk(make_app(), size, news=False)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_panel_fits_its_frame_with_10000_news_items(size, big_store):
    await _walk(make_app(big_store), size, news=True)


async def test_columns_fit_again_when_the_terminal_resizes():
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.panels_ready)
        await pilot.pause()
        for size in [(120, 40), (90, 28), (200, 60), (61, 20)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            for panel in app.query(Panel):
                if panel.region.area:
                    _assert_panel_fits(app, panel, f"{size} {panel.id}")


# -- the arithmetic -------------------------------------------------------------------------


def _views():
    from dealdesk.config import load
    from dealdesk.facts import snapshot

    from .conftest import CONFIG_DIR

    config = load(CONFIG_DIR)
    snap = snapshot(config.story, FIXED_NOW.date())
    line = V.NewsLine(1, TITLES[1], "A feed with a long name", FIXED_NOW, False,
                      ("OpenAI", "Nvidia"))
    return [V.partners_view(snap), V.compute_view(snap, 10), V.users_view(snap).table,
            V.risks_view(snap), V.news_view([line], FIXED_NOW)]


@pytest.mark.parametrize("width", range(1, 200, 3))
def test_fitted_columns_never_need_a_horizontal_scrollbar(width):
    for view in _views():
        widths = fit_columns(view.columns, natural_widths(view), width)
        shown = [w for w in widths if w is not None]
        assert shown, "at least the most important column shows"
        if len(shown) > 1 or shown[0] + 2 <= width:
            assert table_width(widths) <= width, (view.title, width, widths)
        for column, w, natural in zip(view.columns, widths, natural_widths(view)):
            if w is not None and w < natural:  # cut: only a column that may be cut
                assert column.min_width is not None or len(shown) == 1


def test_least_important_columns_hide_first():
    view = _views()[0]  # partners
    widths = fit_columns(view.columns, natural_widths(view), 80)
    hidden = [c.label for c, w in zip(view.columns, widths) if w is None]
    assert hidden and "Partner" not in hidden and "Status" not in hidden
    by_priority = sorted(view.columns, key=lambda c: c.priority)
    kept = [c.label for c, w in zip(view.columns, widths) if w is not None]
    # Whatever shows is at least as important as whatever hides.
    worst_kept = max(c.priority for c in by_priority if c.label in kept)
    best_hidden = min(c.priority for c in by_priority if c.label in hidden)
    assert worst_kept <= best_hidden


def test_a_wide_box_shows_every_column_whole():
    for view in _views():
        natural = natural_widths(view)
        widths = fit_columns(view.columns, natural, table_width(natural) + 5)
        assert list(widths) == natural


def test_row_heights_give_partners_their_rows_and_leave_room_below():
    assert row_heights([14, 16], 38, 12) == (14, 12)  # 120x40
    assert row_heights([14, 16], 48, 12) == (14, 16)  # 160x50: everyone whole
    first, second = row_heights([40, 40], 30, 20)
    assert first >= MIN_ROW and second >= MIN_ROW and first + second < 30


@pytest.mark.parametrize("figure, middle", [
    ("> 900M", "M"), ("1.2B", "B"), ("~ 1,234.5M", "M"), ("≥ 250M", "M"),
])
def test_big_figure_says_what_the_figure_says(figure, middle):
    lines = big_lines(figure)
    assert lines is not None and len({cell_len(line) for line in lines}) == 1
    mark = figure.split(" ")[0] if " " in figure else ""
    assert lines[1].startswith(mark) and lines[1].endswith(middle)


async def test_users_big_figure_shows_the_hedge_and_unit():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.panels_ready)
        await pilot.pause()
        figure = app.query_one("#users-digits", BigFigure)
        assert figure.figure == "> 900M"  # config: more_than 900e6
        assert big_lines("> 900M") is not None
        assert figure.size.width >= cell_len(big_lines("> 900M")[0])
