"""What the dashboard remembers between runs (focused panel, theme, News filter).

A small JSON file in the data dir, replaced atomically. It is a convenience: a missing,
unreadable or foreign file means the defaults, never an error that stops the dashboard.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path

from .value import Value, value

STATE_FILE = "ui-state.json"


@value
class UiState(Value):
    panel: str = "partners"
    theme: str = "textual-dark"
    news_filter: str | None = None


def load_state(data_dir: Path) -> UiState:
    try:
        raw = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    if not isinstance(raw, dict):
        return UiState()
    known = {f.name: f.type for f in fields(UiState)}
    values = {k: v for k, v in raw.items() if k in known and (v is None or isinstance(v, str))}
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
