"""The dashboard's keys: one table drives the bindings, the footer and the help screen.

Default keys come from `config.DEFAULT_KEYS` (what `[keys]` in dealdesk.toml may remap);
the app applies the user's keymap over them, and help shows the keys actually in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.binding import Binding, BindingType

from ..config import DEFAULT_KEYS

PANELS = ("partners", "compute", "users", "risks", "news")
PANEL_TITLES = {
    "partners": "Partners",
    "compute": "Compute",
    "users": "Users",
    "risks": "Risks",
    "news": "News",
}

_PANEL_GROUP = Binding.Group("Panel", compact=True)
_DISPLAY = {"slash": "/", "question_mark": "?", "at": "@"}


def _binding(binding_id: str, action: str, description: str, **kwargs: Any) -> Binding:
    key = DEFAULT_KEYS[binding_id]
    return Binding(key, action, description, id=binding_id,
                   key_display=_DISPLAY.get(key), **kwargs)


APP_BINDINGS: list[BindingType] = [
    *(
        _binding(f"focus_{name}", f"focus_panel('{name}')", PANEL_TITLES[name],
                 group=_PANEL_GROUP)
        for name in PANELS
    ),
    _binding("next_panel", "cycle_panel(1)", "Next panel", show=False, priority=True),
    _binding("previous_panel", "cycle_panel(-1)", "Previous panel", show=False, priority=True),
    _binding("refresh", "refresh", "Refresh"),
    _binding("feeds", "feeds", "Feeds"),
    _binding("signals", "signals", "Signals"),
    _binding("alerts", "alerts", "Alerts", show=False),
    _binding("copy", "copy", "Copy", show=False),
    _binding("theme", "next_theme", "Theme", show=False),
    _binding("clear_filter", "clear_filter", "All news"),
    _binding("search", "search", "Search"),
    _binding("help", "help", "Help"),
    _binding("as_of", "pick_date", "As of", show=False),
    _binding("open_link", "open_link", "Open", show=False),
    _binding("toggle_read", "toggle_read", "Read", show=False),
    _binding("mark_all_read", "mark_all_read", "All read", show=False),
    _binding("unread_only", "unread_only", "Unread", show=False),
    _binding("views", "views", "Views", show=False),
    _binding("since_last", "since_last", "Since last", show=False),
    _binding("quit", "quit", "Quit"),
    # Raw mode turns the terminal's own ctrl+z off: Textual suspends (SIGTSTP) on request.
    Binding("ctrl+z", "suspend_process", "Suspend", show=False),
]

# What the help screen lists, in order: (binding ids or fixed keys, what they do).
HELP: list[tuple[tuple[str, ...], str]] = [
    (("focus_partners", "focus_compute", "focus_users", "focus_risks", "focus_news"),
     "Focus Partners, Compute, Users, Risks, News"),
    (("next_panel", "previous_panel"), "Next / previous panel"),
    (("=up", "=down", "=j", "=k"), "Move in the focused panel"),
    (("=pgup", "=pgdn", "=home", "=end"), "Move a page / to the ends"),
    (("=enter",), "Open details: every fact, its timeline, quotes and sources"),
    (("clear_filter",), "Go back (details, help, search); on the dashboard, show all news"),
    (("refresh",), "Refresh all feeds (in the background; keys keep working)"),
    (("feeds",), "Feeds: each feed's status, last success, items, error, next retry"),
    (("signals",), "Signals inbox: figures in the news vs the facts; a accept, d dismiss, u undo"),
    (("alerts",), "Alerts: what the watches matched (old → new, source)"),
    (("copy",), "Copy the selected link (news) or quote (facts), by OSC 52; works over SSH"),
    (("open_link",), "Open the highlighted link; over SSH, copy it (OSC 52) instead"),
    (("toggle_read",), "Mark the highlighted news item read / unread"),
    (("mark_all_read",), "Mark every news item shown read"),
    (("unread_only",), "News: unread items only, or all again"),
    (("views",), "Saved views of the news (config/views.toml)"),
    (("since_last",), "Since you last looked: facts, signals, alerts, news"),
    (("search",), "Search the news archive; ctrl+s saves it as a view"),
    (("theme",), "Next theme: dark, light, high contrast (remembered)"),
    (("as_of",), "The story as of a past day: facts, news, signals as known then"),
    (("help",), "This help"),
    (("=ctrl+p",), "Command palette: every action by name"),
    (("=ctrl+z",), "Suspend to the shell; fg in the shell brings it back"),
    (("quit",), "Quit"),
]


def help_rows(keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """HELP with the keys in force: the user's `[keys]` where set, else the defaults."""
    rows = []
    for ids, what in HELP:
        keys = []
        for i in ids:
            key = i[1:] if i.startswith("=") else keymap.get(i, DEFAULT_KEYS[i])
            keys.append(_DISPLAY.get(key, key))
        rows.append(("  ".join(keys), what))
    return rows
