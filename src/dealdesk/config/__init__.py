"""Find, read and validate the config: `dealdesk.toml`, `feeds.toml` and `facts/*.toml`.

Where the config and data live, and loading it all: check.py is the TOML checker (every
problem as `path:line: message`), settings.py reads `dealdesk.toml` and `feeds.toml`, story.py
the facts. Their public names are re-exported here (`from dealdesk.config import load, ...`).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import FeedSpec
from ..text.filters import SavedView
from ..value import Value
from .check import (
    Check, ConfigError, Document, LineIndex, Problem, Table, a_date, feed_url, header_text,
    http_url, int_in, metric_number, nonempty_text, number, one_of, only_sections,
    positive_int, positive_number, read_toml, seconds_in, tables, text, text_list,
)
from .settings import (
    DEFAULT_KEYS, MAX_PER_HOST, MINUTES, SETTINGS_SECTIONS, Settings, load_feeds,
    _load_settings, key_list,
)

if TYPE_CHECKING:
    from ..story_types import Story

SETTINGS_FILE = "dealdesk.toml"
FEEDS_FILE = "feeds.toml"
FACTS_DIR = "facts"
STORE_FILE = "dealdesk.sqlite3"
PASSED_FILE = "config-passed"  # in the cache dir: fingerprints of configs that passed


# ---------------------------------------------------------------------------------------------
# Where things are


def packaged_config_dir() -> Path:
    """The `config/` installed with the package (a wheel), or the repo's own in a checkout."""
    here = Path(__file__).resolve().parents[1]  # dealdesk/, above this package
    installed = here / "_config"
    if (installed / SETTINGS_FILE).is_file():
        return installed
    return here.parents[1] / "config"


def resolve_config_dir(cli_value: str | None = None, cwd: Path | None = None) -> Path:
    """`--config` > `$DEALDESK_CONFIG` > `./config` holding dealdesk.toml > the packaged copy."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("DEALDESK_CONFIG")
    if env:
        return Path(env).expanduser()
    local = (cwd or Path.cwd()) / "config"
    if (local / SETTINGS_FILE).is_file():
        return local
    return packaged_config_dir()


def resolve_cache_dir() -> Path:
    """`$DEALDESK_CACHE` > the platform's user cache dir: what can be lost and rebuilt."""
    env = os.environ.get("DEALDESK_CACHE")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("linux"):
        # platformdirs' own answer here, without its import (a few ms of every refresh).
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(xdg or Path.home() / ".cache") / "dealdesk"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dealdesk", appauthor=False))


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """`--data` > `$DEALDESK_DATA` > the platform's user data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("DEALDESK_DATA")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("dealdesk", appauthor=False))


class Config(Value):
    dir: Path
    settings: Settings
    feeds: tuple[FeedSpec, ...]
    story: Story
    watches: tuple[Any, ...] = ()  # config.watches.Watch: watches.toml and risks' watch_terms
    views: tuple[SavedView, ...] = ()  # config/views.toml (config.saved_views)


def load(config_dir: Path) -> Config:
    """Read and validate everything; raises ConfigError listing every problem found."""
    problems: list[Problem] = []
    if not config_dir.is_dir():
        raise ConfigError([Problem(config_dir, 0, "config directory not found",
                                   "pass --config DIR or set DEALDESK_CONFIG")])
    settings = _load_settings(config_dir / SETTINGS_FILE, problems)
    feeds = load_feeds(config_dir / FEEDS_FILE, problems)
    from .story import load_story  # the story and its types load only when a story is read

    story = load_story(config_dir / FACTS_DIR, settings, problems)
    from .watches import WATCHES_FILE, load_watches, risk_watches

    partners = [story.company, *(p.name for p in story.partners)] if story else []
    subjects = [*partners, *(u.product for u in story.users)] if story else []
    watches = load_watches(config_dir / WATCHES_FILE, problems, subjects, partners)
    from .saved_views import VIEWS_FILE, load_views

    views = load_views(config_dir / VIEWS_FILE, feeds, story, problems)
    if problems:
        raise ConfigError(problems)
    assert story is not None
    return Config(config_dir, settings, feeds, story, (*watches, *risk_watches(story.risks)),
                  views)


def load_fetch(config_dir: Path, passed: Path) -> tuple[Settings, tuple[FeedSpec, ...]]:
    """The settings and feeds, for a command that fetches but never shows the story.

    The whole config is still checked, so that a broken one stops `refresh` as it stops
    every other command, but only when it changed since it last passed: reading and checking
    every fact would otherwise take a tenth of a warm refresh. `passed` is the cache file
    of fingerprints of configs that passed.
    """
    stamp = fingerprint(config_dir)
    if stamp in _read_passed(passed):
        problems: list[Problem] = []
        settings = _load_settings(config_dir / SETTINGS_FILE, problems)
        feeds = load_feeds(config_dir / FEEDS_FILE, problems)
        if not problems:
            return settings, feeds
    config = load_remembering(config_dir, passed, stamp)
    return config.settings, config.feeds


def load_remembering(config_dir: Path, passed: Path, stamp: str | None = None) -> Config:
    """`load`, then add the config's fingerprint to `passed` if no file changed meanwhile
    (since `stamp`, its fingerprint taken before, when the caller has one)."""
    stamp = stamp or fingerprint(config_dir)
    config = load(config_dir)
    if fingerprint(config_dir) == stamp:
        _remember_passed(passed, stamp)
    return config


PASSED_KEEP = 8  # configs remembered: one per --config directory in use


def fingerprint(config_dir: Path) -> str:
    """A digest of every file `load` reads, of its directory and of this version."""
    try:
        # hashlib would load OpenSSL first (~3 ms), before a refresh's first request.
        from _blake2 import blake2b
    except ImportError:  # not CPython
        from hashlib import blake2b

    from .. import __version__

    digest = blake2b(digest_size=16)
    digest.update(f"{__version__}\0{config_dir.resolve()}\0".encode())
    facts_dir = config_dir / FACTS_DIR
    # watches.toml and views.toml too: a watch or a view broken since the last pass is news.
    paths = [config_dir / SETTINGS_FILE, config_dir / FEEDS_FILE, config_dir / "watches.toml",
             config_dir / "views.toml"]
    paths += sorted(facts_dir.glob("*.toml")) if facts_dir.is_dir() else []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        size = -1 if data is None else len(data)
        digest.update(f"{path.relative_to(config_dir)}\0{size}\0".encode())
        digest.update(data or b"")
    return digest.hexdigest()


def _read_passed(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return []


def _remember_passed(path: Path, stamp: str) -> None:
    """Remember a config that passed. Best effort: without it the next run checks again."""
    kept = [stamp, *[s for s in _read_passed(path) if s != stamp][: PASSED_KEEP - 1]]
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text("\n".join(kept) + "\n", encoding="ascii")
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):  # a cache we cannot write is no error
            temp.unlink(missing_ok=True)


__all__ = [
    "Check", "Config", "ConfigError", "DEFAULT_KEYS", "Document", "FACTS_DIR", "FEEDS_FILE",
    "LineIndex", "MAX_PER_HOST", "MINUTES", "PASSED_FILE", "PASSED_KEEP", "Problem",
    "SETTINGS_FILE", "SETTINGS_SECTIONS", "STORE_FILE", "Settings", "Table", "a_date",
    "feed_url", "fingerprint", "header_text", "http_url", "int_in", "key_list", "load",
    "load_feeds", "load_fetch", "load_remembering", "metric_number", "nonempty_text", "number",
    "one_of", "only_sections", "packaged_config_dir", "positive_int", "positive_number",
    "read_toml", "resolve_cache_dir", "resolve_config_dir", "resolve_data_dir", "seconds_in",
    "tables", "text", "text_list",
]
