"""What the dashboard remembers between runs (focused panel, theme, News filter and view).

A small JSON file in the data dir, replaced atomically. It is a convenience: a missing,
unreadable or foreign file means the defaults, never an error that stops the dashboard.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .value import Value

STATE_FILE = "ui-state.json"


class UiState(Value):
    panel: str = "partners"
    theme: str = "textual-dark"
    news_filter: str | None = None
    news_view: str | None = None  # the saved view News shows (views.toml), by name


def load_state(data_dir: Path) -> UiState:
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    if not isinstance(raw, dict):
        return UiState()
    # A string where the field holds one; null only where the field may be None (a null
    # panel or theme, from a hand-edited file, means that field's default).
    may_be_none = {f.name: f.default is None for f in fields(UiState)}
    values: dict[str, Any] = {  # Any: each checked against its own field just here
        k: v for k, v in raw.items()
        if k in may_be_none and (isinstance(v, str) or (v is None and may_be_none[k]))
    }
    return UiState(**values)


def save_state(data_dir: Path, state: UiState) -> None:
    """Write to a temporary file and rename it over the old one: a crash never leaves half."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".ui-state-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(state), out)
        os.replace(tmp, data_dir / STATE_FILE)
    except OSError:
        pass  # a read-only data dir costs the memory of the last panel, nothing else


# When the reader last looked: `dealdesk diff --since last` starts there. The dashboard
# writes it when it closes and `diff` when it has shown the changes up to today; one ISO
# timestamp in a text file, so `cat` shows it and deleting it is harmless.
LAST_SEEN_FILE = "last-seen"


def load_last_seen(data_dir: Path) -> datetime | None:
    try:
        raw = (data_dir / LAST_SEEN_FILE).read_text(encoding="ascii").strip()
        when = datetime.fromisoformat(raw)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def save_last_seen(data_dir: Path, when: datetime) -> None:
    """Atomically, like the UI state; a data dir that cannot be written loses only this."""
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, as the store's
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".last-seen-")
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(when.astimezone(UTC).isoformat(timespec="seconds") + "\n")
        os.replace(tmp, data_dir / LAST_SEEN_FILE)
    except OSError:
        pass
