"""What the dashboard looks like, on fixed data, a fixed clock and fixed sizes.

Update with `make snapshots` and look at every changed SVG before committing it.
"""

from __future__ import annotations

import pytest

from .apps import make_app


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size)


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5"])
def test_each_panel_focused_80x24(snap_compare, number):
    """5 also shows News in its empty state: how news arrives."""
    assert snap_compare(make_app(), press=[number], terminal_size=(80, 24))


def test_compute_focused_120x40(snap_compare):
    assert snap_compare(make_app(), press=["2"], terminal_size=(120, 40))


def test_partner_details(snap_compare):
    assert snap_compare(make_app(), press=["enter"], terminal_size=(100, 40))


def test_risk_details(snap_compare):
    assert snap_compare(make_app(), press=["4", "enter"], terminal_size=(100, 40))


def test_user_point_details(snap_compare):
    assert snap_compare(make_app(), press=["3", "j", "j", "enter"], terminal_size=(100, 30))


def test_help(snap_compare):
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=(100, 30))


def test_help_scrolled_80x24(snap_compare):
    """Taller than the terminal: the box scrolls (here to its end) over the dashboard."""
    assert snap_compare(make_app(), press=["question_mark", "end"], terminal_size=(80, 24))


def test_60x20_degrades(snap_compare):
    assert snap_compare(make_app(), press=["3"], terminal_size=(60, 20))


# -- with a store of fixed news ---------------------------------------------------------------


@pytest.fixture
def news_app(tmp_path, config):
    from .newsdata import fill_store

    path = fill_store(tmp_path / "store.sqlite3", config.feeds)
    return make_app(path)


async def _until(pilot, condition) -> None:
    """Wait (boundedly) for a worker's result to reach the screen."""
    for _ in range(200):
        if condition():
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def _settle(pilot) -> None:
    await _until(pilot, lambda: pilot.app.desk.state.news_items)


def test_news_with_a_failing_feed_120x40(snap_compare, news_app):
    assert snap_compare(news_app, terminal_size=(120, 40), run_before=_settle)


def test_news_focused_80x24(snap_compare, news_app):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("5")

    assert snap_compare(news_app, terminal_size=(80, 24), run_before=before)


def test_refresh_in_progress(snap_compare, news_app):
    from dealdesk.tui.messages import RefreshProgress

    async def before(pilot):
        await _settle(pilot)
        await pilot.press("5")
        pilot.app.post_message(RefreshProgress(3, 7, "OpenAI News", "ok"))
        await pilot.pause()

    assert snap_compare(news_app, terminal_size=(80, 24), run_before=before)


def test_news_item_details(snap_compare, news_app):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("5", "enter")
        await _until(pilot, lambda: pilot.app.screen.__class__.__name__ == "DetailsScreen")

    assert snap_compare(news_app, terminal_size=(100, 30), run_before=before)


def test_feeds_screen(snap_compare, news_app):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("f")
        await pilot.pause()

    assert snap_compare(news_app, terminal_size=(120, 30), run_before=before)


def test_search_results(snap_compare, news_app):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("slash", *"openai")
        table = pilot.app.screen.query_one("#search-results")
        status = pilot.app.screen.query_one("#search-status")
        # The whole query's results: on a loaded machine a pause while typing may have
        # searched a part of it first ("open").
        await _until(pilot, lambda: table.row_count and "'openai'" in str(status.render()))

    assert snap_compare(news_app, terminal_size=(100, 24), run_before=before)


def test_news_filtered_to_a_partner(snap_compare, news_app):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("enter", "escape")  # Nvidia's details, then back: News is filtered
        await _until(pilot, lambda: len(pilot.app.desk.state.news_items) == 2)
        await pilot.press("5")
        await pilot.pause()

    assert snap_compare(news_app, terminal_size=(80, 24), run_before=before)


# -- signals, timelines, staleness, conflicts ---------------------------------------------------


def test_signals_inbox(snap_compare, news_app):
    async def before(pilot):
        await pilot.press("s")
        await _until(pilot, lambda: pilot.app.desk.signal_lines)
        await pilot.press("j")
        await pilot.pause()

    assert snap_compare(news_app, terminal_size=(120, 30), run_before=before)


def test_partner_timeline_with_an_accepted_signal(snap_compare, news_app):
    async def before(pilot):
        app = pilot.app
        await pilot.press("s")
        await _until(pilot, lambda: app.desk.signal_lines)
        line = next(s for s in app.desk.signal_lines if s.subject == "AMD" and s.value == 6)
        app.desk.set_signal_state(line.id, "accepted")
        await _until(pilot, lambda: app.desk.state.accepted)
        await pilot.press("escape", "1", "j", "j", "j", "j", "j", "j", "enter")  # inbox closed
        await pilot.pause()

    assert snap_compare(news_app, terminal_size=(100, 36), run_before=before)


def test_stale_users_figure(snap_compare):
    """The latest ChatGPT figure is from 2026-02-27, 275 days before the fixed clock."""
    assert snap_compare(make_app(), press=["3", "enter"], terminal_size=(100, 30))


def test_conflicting_sources(snap_compare, tmp_path):
    """Two recent sources disagree on Nvidia's commitment: both stand, marked ≠."""
    import shutil

    from dealdesk.config import load
    from dealdesk.tui.app import DealDeskApp

    from .conftest import CONFIG_DIR, fixed_clock

    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "facts" / "zz_conflict.toml").write_text(
        '[[source]]\nid = "wire-2026-03-10"\ntitle = "Nvidia said to raise its OpenAI stake"\n'
        'publisher = "a wire service"\npublished = 2026-03-10\n\n'
        '[[event]]\ndate = 2026-03-10\nsubject = "Nvidia"\nfield = "commitment_usd"\n'
        'value = 40e9\nsource = "wire-2026-03-10"\n',
        encoding="utf-8",
    )
    app = DealDeskApp(load(cfg), None, fixed_clock, refresh_on_start=False)
    app.animation_level = "none"
    assert snap_compare(app, press=["enter"], terminal_size=(100, 36))


# -- themes and NO_COLOR at 80x24 -------------------------------------------------------------


@pytest.mark.parametrize("theme", ["textual-light", "dealdesk-high-contrast"])
@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5"])
def test_each_panel_in_each_theme_80x24(snap_compare, theme, number):
    app = make_app()
    app.theme = theme
    assert snap_compare(app, press=[number], terminal_size=(80, 24))


def test_no_color_80x24(snap_compare, monkeypatch):
    """NO_COLOR: Textual renders in monochrome; symbols still tell status and severity."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), press=["4"], terminal_size=(80, 24))


def test_scrollbars_in_runs_draw_the_same_cells():
    """RunsScrollBarRender: Textual's cells, fewer segments (fewer bytes to the terminal)."""
    from textual.scrollbar import ScrollBarRender

    from dealdesk.tui.scrollbar import RunsScrollBarRender

    def cells(bar):
        return [(ch, seg.style) for seg in bar.segments for ch in seg.text]

    for args in [dict(size=100, virtual_size=150, window_size=100, position=10),
                 dict(size=40, virtual_size=40, window_size=40, position=0)]:
        ours = RunsScrollBarRender.render_bar(vertical=False, **args)
        theirs = ScrollBarRender.render_bar(vertical=False, **args)
        assert cells(ours) == cells(theirs)
        assert len(ours.segments) < 10 <= len(theirs.segments)
        vertical = RunsScrollBarRender.render_bar(vertical=True, **args)
        assert cells(vertical) == cells(ScrollBarRender.render_bar(vertical=True, **args))
