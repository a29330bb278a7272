"""Shared fixtures. A user's own config or data never leaks into a test: the search path
is pinned to the repo's config and every test gets its own data dir."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config"
SNAPSHOTS = ROOT / "snapshots"

# The SVGs live in top-level snapshots/, one folder per test module.
SVGImageExtension.dirname = classmethod(  # type: ignore[method-assign]
    lambda cls, *, test_location: str(SNAPSHOTS / test_location.basename)
)

FIXED_NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("DEALDESK_CONFIG", raising=False)
    monkeypatch.setenv("DEALDESK_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("DEALDESK_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def config():
    from dealdesk.config import load

    return load(CONFIG_DIR)
