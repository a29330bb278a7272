"""The dashboard's keys: one table drives the bindings, the footer and the help screen."""

from __future__ import annotations

from textual.binding import Binding

PANELS = ("partners", "compute", "users", "risks", "news")
PANEL_TITLES = {
    "partners": "Partners",
    "compute": "Compute",
    "users": "Users",
    "risks": "Risks",
    "news": "News",
}

_PANEL_GROUP = Binding.Group("Panel", compact=True)

APP_BINDINGS = [
    *(
        Binding(str(i), f"focus_panel('{name}')", PANEL_TITLES[name], group=_PANEL_GROUP,
                id=f"focus_{name}")
        for i, name in enumerate(PANELS, start=1)
    ),
    Binding("tab", "cycle_panel(1)", "Next panel", show=False, priority=True, id="next_panel"),
    Binding("shift+tab", "cycle_panel(-1)", "Previous panel", show=False, priority=True,
            id="previous_panel"),
    Binding("r", "refresh", "Refresh", id="refresh"),
    Binding("f", "feeds", "Feeds", id="feeds"),
    Binding("s", "signals", "Signals", id="signals"),
    Binding("escape", "clear_filter", "All news", id="clear_filter"),
    Binding("slash", "search", "Search", key_display="/", id="search"),
    Binding("question_mark", "help", "Help", key_display="?", id="help"),
    Binding("q", "quit", "Quit", id="quit"),
]

# What the help screen lists, in order: (keys, what they do). Kept beside the bindings so a
# new key cannot be added without being documented.
HELP = [
    ("1 … 5", "Focus Partners, Compute, Users, Risks, News"),
    ("tab / shift+tab", "Next / previous panel"),
    ("↑ ↓  j k", "Move in the focused panel"),
    ("pgup pgdn  home end", "Move a page / to the ends"),
    ("enter", "Open details: every fact, its timeline, quotes and sources"),
    ("escape", "Go back (close details, help or search); clear the News filter"),
    ("r", "Refresh all feeds (in the background; keys keep working)"),
    ("f", "Feeds: each feed's status, last success, items, error, next retry"),
    ("s", "Signals inbox: figures in the news vs the facts; a accept, d dismiss, u undo"),
    ("c", "Copy the link (news) or quote (facts) on a details screen, by OSC 52"),
    ("/", "Search the news archive"),
    ("?", "This help"),
    ("ctrl+p", "Command palette: every action by name"),
    ("q", "Quit"),
]
