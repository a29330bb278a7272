"""Every key of DESIGN.md, driven through Textual's Pilot."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from dealdesk.tui.panels.table import Panel, PanelTable
from dealdesk.tui.screens.details import DetailsScreen

from .apps import help_shown, make_app, press_help, wait_for

PANELS = ["partners", "compute", "users", "risks", "news"]


def focused_panel(app) -> str | None:
    node = app.focused
    while node is not None and not isinstance(node, Panel):
        node = node.parent
    return node.id if node else None


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_number_keys_focus_each_panel(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert focused_panel(app) == "partners"
        for number, name in reversed(list(enumerate(PANELS, start=1))):
            await pilot.press(str(number))
            await pilot.pause()
            assert focused_panel(app) == name
            assert app.active_panel == name
            # On a small screen only the active panel is on screen.
            if size == (80, 24):
                shown = [p.id for p in app.query(Panel) if p.display and p.region.height]
                assert shown == [name]


async def test_tab_and_shift_tab_cycle_panels():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        seen = []
        for _ in range(5):
            await pilot.press("tab")
            await pilot.pause()
            seen.append(focused_panel(app))
        assert seen == ["compute", "users", "risks", "news", "partners"]
        await pilot.press("shift+tab")
        await pilot.pause()
        assert focused_panel(app) == "news"


@pytest.mark.parametrize(("down", "up"), [("j", "k"), ("down", "up")])
async def test_arrows_and_jk_move(down, up):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.query_one("#partners-table", PanelTable)
        assert table.cursor_row == 0
        await pilot.press(down, down)
        assert table.cursor_row == 2
        await pilot.press(up)
        assert table.cursor_row == 1


async def test_enter_opens_partner_details_and_escape_goes_back():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.details.title == "Microsoft"
        text = "\n".join(str(line) for line in app.screen.details.timeline)
        assert "msft-recap-2025-10-28" in text
        await press_help(pilot)  # over the details; escape closes it, then the details
        assert isinstance(app.screen, DetailsScreen) and help_shown(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen) and not help_shown(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsScreen)
        assert focused_panel(app) == "partners"


@pytest.mark.parametrize(
    ("number", "title"),
    [("2", "Nvidia"), ("3", "ChatGPT: > 900M weekly users"), ("4", "Nvidia deal not final")],
)
async def test_enter_in_other_panels(number, title):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(number)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.details.title == title


async def test_question_mark_lists_every_key():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press_help(pilot)
        assert help_shown(app)
        from dealdesk.tui.keys import help_rows

        listed = " ".join(k for k, _ in help_rows({}))
        for key in ("1", "5", "tab", "shift+tab", "j", "k", "enter", "escape", "r", "/", "?",
                    "ctrl+p", "q"):
            assert key in listed
        await pilot.press("escape")
        await pilot.pause()
        assert not help_shown(app)


async def test_help_over_the_dashboard_takes_the_keys_and_leaves_the_focus():
    """Help is a box over the dashboard: while it is open, panel keys do nothing unseen
    under it, the moving keys scroll it, and escape or `?` closes it. The focus never leaves
    the table it was on, so closing help finds everything as it was."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:  # help is taller than 80x24: it scrolls
        await pilot.pause()
        await pilot.press("j")
        table = app.query_one("#partners-table", PanelTable)
        assert table.cursor_row == 1 and app.focused is table
        await press_help(pilot)
        box = app.screen.shown_help
        assert box is not None and box.region.height < box.virtual_size.height
        assert app.focused is table
        await pilot.press("3", "tab", "c")
        await pilot.pause()
        assert app.active_panel == "partners" and help_shown(app)
        await pilot.press("j", "j", "down")
        await pilot.pause()
        assert box.scroll_y == 3 and table.cursor_row == 1
        await pilot.press("end")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y > 3
        await pilot.press("k")
        await pilot.pause()
        assert box.scroll_y == box.max_scroll_y - 1
        await pilot.press("enter")  # the table under the box would open details
        await pilot.pause()
        assert not isinstance(app.screen, DetailsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not help_shown(app) and app.focused is table and table.cursor_row == 1
        await press_help(pilot)
        assert box.scroll_y == 0  # opens at the top again
        await press_help(pilot)
        assert not help_shown(app)
        await pilot.press("j")  # the keys are the table's again
        assert table.cursor_row == 2


async def test_a_click_outside_help_closes_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press_help(pilot)
        box = app.screen.shown_help
        await pilot.click(offset=(box.region.x + 5, box.region.y + 5))
        assert help_shown(app)
        await pilot.click(offset=(1, 1))
        await pilot.pause()
        assert not help_shown(app)


async def test_help_is_made_once_and_opening_it_keeps_the_footer():
    """The box is made at start-up and shown and hidden after that; the footer's keys stay
    as they are (Textual would rebuild them whenever the keys in force may have changed)."""
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await wait_for(pilot, lambda: app.screen.query("#help"))
        box = app.screen.query_one("#help")
        keys = list(app.screen.query(FooterKey))
        assert keys
        for _ in range(2):
            await press_help(pilot)
            assert app.screen.shown_help is box
            assert list(app.screen.query(FooterKey)) == keys
            await press_help(pilot)
            assert list(app.screen.query(FooterKey)) == keys
        assert len(app.screen.query("#help")) == 1


async def test_a_modal_leaves_the_footer_under_it_as_it_is(tmp_path, config):
    """Search or details opened and closed: the dashboard's footer keeps its keys (built
    again under the modal's tint, they would lay the dashboard out again and paint the
    modal's backdrop in the very frame that shows the search results)."""
    from textual.widgets._footer import FooterKey

    from dealdesk.tui.screens.search import SearchScreen

    from .newsdata import fill_store

    app = make_app(fill_store(tmp_path / "store.sqlite3", config.feeds))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.news_items)
        dashboard = app.screen
        keys = list(dashboard.query(FooterKey))
        assert keys
        for _ in range(2):
            await pilot.press("slash")
            await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
            await pilot.press(*"openai", "enter")
            await wait_for(pilot, lambda: app.screen.query_one("#search-results").row_count > 0)
            assert list(dashboard.query(FooterKey)) == keys
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is dashboard)
            await pilot.pause()
            assert list(dashboard.query(FooterKey)) == keys


async def test_the_palette_opens_help_and_never_closes_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        help_command = next(c for c in app.get_system_commands(app.screen)
                            if c.title == "Help: keys")
        for _ in range(2):
            await help_command.callback()
            await pilot.pause()
            assert help_shown(app)


async def test_the_first_frame_runs_without_the_collector_and_the_app_restores_it():
    """gc is paused for the first frame only; a test process is never frozen."""
    import gc

    frozen = gc.get_freeze_count()
    app = make_app()
    collecting = []
    show_facts = app._show_facts

    def spy() -> None:
        collecting.append(gc.isenabled())
        show_facts()

    app._show_facts = spy
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.panels_ready)
        assert collecting[0] is False and gc.isenabled()
    assert gc.get_freeze_count() == frozen


async def test_the_footer_follows_keys_that_come_and_go():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def footer() -> list[str]:
            from textual.widgets._footer import FooterKey

            return [k.description for k in app.screen_stack[0].query(FooterKey)]

        assert "All news" not in footer()
        await pilot.press("enter", "escape")  # Nvidia's details filter the news
        await wait_for(pilot, lambda: "All news" in footer())


async def test_keys_pressed_before_the_other_panels_arrive_still_land():
    """The first frame holds Partners alone; the rest is mounted a frame later."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("4")
        await wait_for(pilot, lambda: focused_panel(app) == "risks")
        assert [p.id for p in app.query(Panel)] == PANELS
        assert app.query_one("#risks-table").row_count


async def test_ctrl_p_opens_the_command_palette():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")


async def test_q_quits():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_small_terminal_degrades_without_crashing():
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        for key in ["1", "2", "3", "4", "5", "tab", "enter", "escape", "question_mark", "escape"]:
            await pilot.press(key)
            await pilot.pause()
        assert app.is_running


async def test_command_palette_offers_every_action():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Focus Partners", "Focus News", "Refresh all feeds", "Feeds",
                      "Search news", "Help: keys"):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"focus risks")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.active_panel == "risks"


async def test_the_mouse_works_where_there_is_one():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.click("#tab-risks")
        await pilot.pause()
        assert app.active_panel == "risks" and focused_panel(app) == "risks"
