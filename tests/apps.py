"""Apps on fixed data and a fixed clock, for Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from dealdesk.config import load
from dealdesk.tui.app import DealDeskApp

from .conftest import CONFIG_DIR, fixed_clock


def make_app(store_path: Path | None = None, **kwargs) -> DealDeskApp:
    app = DealDeskApp(load(CONFIG_DIR), store_path, fixed_clock, refresh_on_start=False,
                      **kwargs)
    app.animation_level = "none"
    return app


async def wait_for(pilot, condition, seconds: float = 10.0) -> None:
    """Wait (boundedly) for a worker's result to reach the app."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


def help_shown(app: DealDeskApp) -> bool:
    """Help is a box over the current screen (tui.help), shown or hidden."""
    return getattr(app.screen, "shown_help", None) is not None


async def press_help(pilot) -> None:
    """`?`, and the frame it makes."""
    await pilot.press("question_mark")
    await pilot.pause()
