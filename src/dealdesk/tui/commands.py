"""The dashboard's actions by name in the command palette (ctrl+p), beside Textual's own.

Imported when the palette first opens: the first frame does not need it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.app import SystemCommand

from .keys import PANEL_TITLES, PANELS

Action = Callable[..., object]


def desk_commands(action: Callable[[str], Action],
                  news_filter: str | None) -> Iterator[SystemCommand]:
    """`action(name)` is the app's action_<name> (this module does not import the app)."""
    for number, name in enumerate(PANELS, start=1):
        yield SystemCommand(f"Focus {PANEL_TITLES[name]}", f"Panel {number}",
                            partial(action("focus_panel"), name))
    yield SystemCommand("Refresh all feeds", "Fetch every feed now, in the background",
                        action("refresh"))
    yield SystemCommand("Feeds", "Each feed's status, last success, error, next retry",
                        action("feeds"))
    yield SystemCommand("Search news", "Search the news archive", action("search"))
    yield SystemCommand("Signals inbox", "Figures in the news beside the facts they would "
                        "change: accept or dismiss", action("signals"))
    if news_filter:
        yield SystemCommand("Show all news", f"Clear the filter on {news_filter}",
                            action("clear_filter"))
    yield SystemCommand("Copy link or quote", "The highlighted news link or fact quote, "
                        "by OSC 52", action("copy"))
    yield SystemCommand("Open link", "Open the highlighted news link (over SSH: copy it)",
                        action("open_link"))
    yield SystemCommand("Mark read / unread", "The highlighted news item",
                        action("toggle_read"))
    yield SystemCommand("Mark all shown read", "Every unread item News shows",
                        action("mark_all_read"))
    yield SystemCommand("Unread only", "News shows unread items only, or all again",
                        action("unread_only"))
    yield SystemCommand("Saved views", "Show News through a view of views.toml",
                        action("views"))
    yield SystemCommand("Next theme", "Dark, light, high contrast (remembered)",
                        action("next_theme"))
    yield SystemCommand("Since you last looked", "What changed since the last session",
                        action("since_last"))
    yield SystemCommand("As of a date", "Show the story as known on a past day (@)",
                        action("pick_date"))
    yield SystemCommand("Help: keys", "Every key and what it does",
                        partial(action("help"), close=False))
