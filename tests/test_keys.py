"""Every key of DESIGN.md, driven through Textual's Pilot."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from dealdesk.tui.panels.table import Panel, PanelTable
from dealdesk.tui.screens.details import DetailsScreen
from dealdesk.tui.screens.help import HelpScreen

from .apps import make_app, wait_for

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
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from dealdesk.tui.keys import help_rows

        listed = " ".join(k for k, _ in help_rows({}))
        for key in ("1", "5", "tab", "shift+tab", "j", "k", "enter", "escape", "r", "/", "?",
                    "ctrl+p", "q"):
            assert key in listed
        # Panel keys do nothing behind the help screen.
        await pilot.press("3")
        assert app.active_panel == "partners"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_is_built_once_and_closing_it_keeps_the_footer():
    """Closing help shows the dashboard as it was: same help screen next time, same keys
    in the footer (Textual would rebuild them every time the dashboard comes back)."""
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        keys = list(app.screen_stack[0].query(FooterKey))
        await pilot.press("question_mark")
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == keys and keys
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is help_screen


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
