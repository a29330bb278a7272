"""Help hidden is erased from the terminal, whatever Textual's layout makes of it (screens.base).

Textual 8.2.8 repaints where a widget was hidden only where its next layout finds the
screen's map changed; after a widget is first mounted (a toast) that map is rebuilt lazily,
so a look-up of a widget between the hide and the layout rebuilds it with the box already
hidden, and the layout repaints nothing (a widget shown repaints itself). In a pty, `?`
then left help drawn on the terminal, at rest for good (benchmarks/run.py's key probe:
about one close in 600). These tests set up that state with Textual's private names (the
compositor's map flag, its dirty regions): should they change, tui/internals.py's rows are
read again anyway.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.geometry import Region
from textual.widget import Widget

from dealdesk.tui.screens.base import HELP_ID

from .apps import help_shown, make_app


def _record_repaints(screen: Any) -> list[Region]:
    """Every region the screen's compositor repaints from now on."""
    compositor = screen._compositor
    painted: list[Region] = []
    render_update = compositor.render_update

    def recording(*args: Any, **kwargs: Any) -> Any:
        painted.extend(compositor._dirty_regions)
        return render_update(*args, **kwargs)

    compositor.render_update = recording
    return painted


def _look_up_when_hidden(monkeypatch: Any, box: Any) -> None:
    """Whenever the box is hidden, ask where it is before the layout runs, on a map left
    stale by a newly mounted widget (as a toast's mount leaves it)."""
    screen = box.screen
    visible = Widget.visible

    def set_visible(widget: Any, value: bool) -> None:
        screen._compositor._full_map_invalidated = True
        visible.fset(widget, value)
        try:
            screen.find_widget(widget)
        except Exception:  # not in the map once hidden (the look-up rebuilt it all the same)
            pass

    monkeypatch.setattr(type(box), "visible", property(visible.fget, set_visible))


@pytest.mark.parametrize("close", ["question_mark", "escape"])
async def test_closing_help_repaints_what_it_covered(monkeypatch, close):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one(f"#{HELP_ID}")
        covered = box.region
        assert help_shown(app) and covered
        painted = _record_repaints(app.screen)
        _look_up_when_hidden(monkeypatch, box)
        await pilot.press(close)
        for _ in range(3):
            await pilot.pause()
        assert not help_shown(app)
        assert any(region.contains_region(covered) for region in painted), painted
