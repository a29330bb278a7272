"""`dealdesk.toml` (the settings, the fetch limits, the keys) and `feeds.toml`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from ..model import FeedSpec, FetchLimits
from ..value import Value, value
from .check import (
    Document,
    Problem,
    Table,
    _type_name,
    feed_url,
    filter_terms,
    header_text,
    int_in,
    nonempty_text,
    one_of,
    only_sections,
    open_argv,
    read_toml,
    seconds_in,
    tables,
    text_list,
)


@value
class AlertSettings(Value):
    """`[alerts]`: how new alerts reach the user (alerts_deliver)."""

    command: tuple[str, ...] = ()  # argv run once per alert, the alert as JSON on stdin
    timeout_seconds: float = 30.0
    bell: bool = True  # the dashboard rings the terminal bell
    notify: bool = False  # the dashboard sends OSC 9 / OSC 777 desktop notifications


@value
class Settings(Value):
    title: str = "OpenAI's compute build-out"
    company: str = "OpenAI"
    stale_after_days: int = 90
    limits: FetchLimits = field(default_factory=FetchLimits)
    keys: Mapping[str, str] = field(default_factory=dict)
    # Retention: items published more than this many days ago are pruned at each refresh
    # (0 keeps everything). Two years: the deals followed here run for years.
    keep_days: int = 730
    alerts: AlertSettings = field(default_factory=lambda: AlertSettings())
    # `[news] exclude`: items holding any of these terms are hidden everywhere (text.filters).
    news_exclude: tuple[str, ...] = ()
    # `[open] command`: what `o` runs on a link (argv, never a shell); () for the default.
    open_command: tuple[str, ...] = ()


SETTINGS_SECTIONS = ("dealdesk", "fetch", "archive", "alerts", "news", "open", "keys")
MAX_PER_HOST = 6
# Intervals and backoff: up to a year. Past that a date overflows (datetime ends in 9999),
# and no feed is worth polling less often.
MINUTES = int_in(1, 365 * 24 * 60)

# The dashboard's remappable keys: binding id -> default key (Textual key names). The TUI
# builds its bindings from this table, so `[keys]` can only name real actions.
DEFAULT_KEYS = {
    "focus_partners": "1",
    "focus_compute": "2",
    "focus_users": "3",
    "focus_risks": "4",
    "focus_news": "5",
    "next_panel": "tab",
    "previous_panel": "shift+tab",
    "refresh": "r",
    "feeds": "f",
    "signals": "s",
    "alerts": "A",
    "copy": "c",
    "theme": "t",
    "clear_filter": "escape",
    "search": "slash",
    "help": "question_mark",
    "as_of": "at",  # show the story as of a date (tui.timetravel)
    "open_link": "o",  # open the highlighted link (tui.links)
    "toggle_read": "m",
    "mark_all_read": "M",
    "unread_only": "u",
    "views": "v",  # saved views (views.toml)
    "since_last": "L",  # what changed since the last session (tui.sincelast)
    "quit": "q",
}
_KEY_NAME = re.compile(r"^(?:(?:ctrl|shift|alt|meta)\+)*(?:[a-zA-Z0-9]|f[0-9]{1,2}|[a-z_]{2,})$")


def key_list(value: Any) -> str:
    """One key or several separated by commas, in Textual's names: r, f5, ctrl+r, slash."""
    keys = [k.strip() for k in nonempty_text(value).split(",")]
    for key in keys:
        if not _KEY_NAME.match(key):
            raise ValueError(f"{key!r} is not a key name (use names like r, f5, ctrl+r, slash)")
    return ",".join(keys)


def _load_settings(path: Path, problems: list[Problem]) -> Settings:
    doc = read_toml(path, problems)
    if doc is None:
        return Settings()
    for key in doc.data:
        if key not in SETTINGS_SECTIONS:
            problems.append(Problem(path, doc.lines.key("", 0, key) if key in doc.data else 1,
                                    f"unknown section [{key}]",
                                    f"known sections: {', '.join(SETTINGS_SECTIONS)}"))
    main = _section(doc, "dealdesk", problems)
    title = main.get("title", nonempty_text, Settings.title)
    company = main.get("company", nonempty_text, Settings.company)
    # A century at most: a date that far back or ahead still exists (datetime ends in 9999).
    stale = main.get("stale_after_days", int_in(1, 36_500), Settings.stale_after_days)
    refresh = main.get("refresh_minutes", MINUTES, FetchLimits.refresh_minutes)
    main.finish()
    fetch = _section(doc, "fetch", problems)
    limits = FetchLimits(
        concurrency=fetch.get("concurrency", int_in(1, 256), FetchLimits.concurrency),
        # Six at most, as browsers: more makes a feed reader a burden to the servers it reads.
        per_host=fetch.get("per_host", int_in(1, MAX_PER_HOST), FetchLimits.per_host),
        deadline_s=fetch.get("deadline_seconds", seconds_in(3600), FetchLimits.deadline_s),
        connect_timeout_s=fetch.get("connect_timeout_seconds", seconds_in(600),
                                    FetchLimits.connect_timeout_s),
        read_timeout_s=fetch.get("read_timeout_seconds", seconds_in(600),
                                 FetchLimits.read_timeout_s),
        max_bytes=fetch.get("max_bytes", int_in(1, 1 << 30), FetchLimits.max_bytes),
        max_redirects=fetch.get("max_redirects", int_in(1, 20), FetchLimits.max_redirects),
        user_agent=fetch.get("user_agent", header_text, FetchLimits.user_agent),
        refresh_minutes=refresh,
        backoff_base_minutes=fetch.get("backoff_base_minutes", MINUTES,
                                       FetchLimits.backoff_base_minutes),
        backoff_max_minutes=fetch.get("backoff_max_minutes", MINUTES,
                                      FetchLimits.backoff_max_minutes),
    )
    if limits.backoff_base_minutes > limits.backoff_max_minutes:
        fetch.problem("backoff_base_minutes",
                      f"backoff_base_minutes ({limits.backoff_base_minutes:,}) is above "
                      f"backoff_max_minutes ({limits.backoff_max_minutes:,})",
                      "the first wait after a failure cannot be longer than the longest")
    fetch.finish()
    archive = _section(doc, "archive", problems)
    # A century at most, as stale_after_days: the window's start is still a date.
    keep_days = archive.get("keep_days", int_in(0, 36_500), Settings.keep_days)
    archive.finish()
    news_exclude, open_command = _load_reader_sections(doc, problems)
    keys_table = _section(doc, "keys", problems)
    keys = {}
    for action in DEFAULT_KEYS:
        if action in keys_table.values:
            keys[action] = keys_table.get(action, key_list, DEFAULT_KEYS[action],
                                          hint="a key name, or several separated by commas")
    keys_table.finish()
    _check_key_clashes(keys_table, keys, problems)
    alerts_table = _section(doc, "alerts", problems)
    alerts = AlertSettings(
        command=alerts_table.get("command", _argv, (),
                                 hint='a program and its arguments, e.g. ["notify-send"]'),
        timeout_seconds=alerts_table.get("timeout_seconds", seconds_in(3600),
                                         AlertSettings.timeout_seconds),
        bell=alerts_table.get("bell", _flag, True),
        notify=alerts_table.get("notify", _flag, False),
    )
    alerts_table.finish()
    return Settings(title, company, stale, limits, keys, keep_days, alerts, news_exclude,
                    open_command)


def _argv(value: Any) -> tuple[str, ...]:
    """A command as argv (never a shell line): a non-empty list of strings."""
    if isinstance(value, str):
        raise ValueError("expected a list (argv, never a shell line), e.g. "
                         '["notify-send", "DealDesk"]')
    argv = text_list(value)
    if not argv:
        raise ValueError("expected at least the program to run")
    if "\0" in "".join(argv):
        raise ValueError("an argument holds a NUL character")
    return argv


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_type_name(value)}")
    return value


def _check_key_clashes(table: Table, keys: dict[str, str], problems: list[Problem]) -> None:
    owner: dict[str, str] = {}
    for action, default in DEFAULT_KEYS.items():
        for key in keys.get(action, default).split(","):
            if key in owner:
                culprit = action if action in keys else owner[key]
                table.problem(culprit, f"key {key!r} is given to both {owner[key]} and {action}",
                              "give each action its own key")
            owner.setdefault(key, action)


def _section(doc: Document, name: str, problems: list[Problem]) -> Table:
    value = doc.data.get(name, {})
    if not isinstance(value, dict):
        problems.append(Problem(doc.path, doc.lines.key("", 0, name), f"[{name}] must be a table",
                                f"write it as a [{name}] section"))
        value = {}
    return Table(doc, name, 0, value, problems)


def load_feeds(path: Path, problems: list[Problem]) -> tuple[FeedSpec, ...]:
    doc = read_toml(path, problems)
    if doc is None:
        return ()
    only_sections(doc, ("feed",), problems)
    feeds: list[FeedSpec] = []
    names: dict[str, int] = {}
    for t in tables(doc, "feed", problems):
        name = t.get("name", nonempty_text)
        url = t.get("url", feed_url)
        minutes = t.get("refresh_minutes", MINUTES, None)
        lang = t.get("lang", one_of(("en", "fr")), None)
        exclude = t.get("exclude", filter_terms, (),
                        hint='a list of words or phrases, e.g. ["sponsored", "webinar"]')
        t.finish()
        if name in names:
            t.problem("name", f"duplicate feed name {name!r} (first at line {names[name]})",
                      "give each feed its own name")
            continue
        if name and url:
            names[name] = t.where("name")
            feeds.append(FeedSpec(name, url, minutes, lang, exclude))
    return tuple(feeds)


def _load_reader_sections(doc: Document, problems: list[Problem]
                          ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    news = _section(doc, "news", problems)
    exclude = news.get("exclude", filter_terms, (),
                       hint='a list of words or phrases, e.g. ["sponsored", "webinar"]')
    news.finish()
    opener = _section(doc, "open", problems)
    command = opener.get("command", open_argv, (),
                         hint='a list: the program, then its arguments; "{url}" is the link')
    opener.finish()
    return exclude, command
