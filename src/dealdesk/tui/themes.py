"""The dashboard's themes: Textual's dark and light, and a high-contrast one of its own."""

from __future__ import annotations

from textual.theme import Theme

THEMES = ("textual-dark", "textual-light", "dealdesk-high-contrast")
HIGH_CONTRAST = Theme(
    name="dealdesk-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#202020",
    success="#00ff00",
    warning="#ffff00",
    error="#ff6060",
    dark=True,
)
