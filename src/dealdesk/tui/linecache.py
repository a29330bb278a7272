"""Let go of the drawn lines of widgets that are gone.

Textual 8.2.8 memoises `StylesCache.get_inner_outer` with an lru_cache of 1,024 entries on
the method itself, so each entry holds the StylesCache it was asked of, and with it every
line that widget last drew (Strips, their Segments, and the strips cached from them). A
widget removed (a screen popped, a toast gone, a footer rebuilt) is kept alive until 1,024
newer entries push it out: opening and closing search left 6,000-10,000 objects behind
each time (benchmarks/screen_churn.py), and every full pass of the collector walked them
(at a million stored items: 15 ms at the start of a session, 74 ms twenty searches later,
inside a key's frame). The entries are two styles computed from two colours: dropping them
costs their recomputation on the next frame, nothing else.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache


def release_line_caches() -> None:
    """Drop the memo that keeps removed widgets' lines alive (see the module's doc)."""
    StylesCache.get_inner_outer.cache_clear()
