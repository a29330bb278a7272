"""config/views.toml: saved views of the news, read, checked and appended to.

```toml
[[view]]
name = "Stargate sites"
include = ["stargate", "abilene"]   # any of these (all news when absent)
exclude = ["opinion"]               # none of these
partners = ["Oracle"]               # about any of these partners
feeds = ["Google News: OpenAI"]     # from any of these feeds
```

Saving a search as a view appends a `[[view]]` table to the file's text (comments and
layout stay), checks the result like any config and replaces the file in one step.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import FeedSpec
from ..text.filters import SavedView
from .check import (
    ConfigError,
    Problem,
    filter_terms,
    nonempty_text,
    only_sections,
    read_toml,
    tables,
    text_list,
)

VIEWS_FILE = "views.toml"
MAX_VIEWS = 500


def load_views(path: Path, feeds: Sequence[FeedSpec], story: Any,
               problems: list[Problem]) -> tuple[SavedView, ...]:
    """Every `[[view]]` of `path` (none when the file is absent), problems with file:line."""
    if not path.exists():
        return ()
    doc = read_toml(path, problems)
    if doc is None:
        return ()
    only_sections(doc, ("view",), problems)
    feed_names = {f.name for f in feeds}
    partners = {p.name for p in story.partners} if story is not None else None
    views: list[SavedView] = []
    seen: dict[str, int] = {}
    for t in tables(doc, "view", problems):
        name = t.get("name", nonempty_text)
        include = t.get("include", filter_terms, ())
        exclude = t.get("exclude", filter_terms, ())
        view_partners = t.get("partners", text_list, ())
        view_feeds = t.get("feeds", text_list, ())
        t.finish()
        for partner in view_partners:
            if partners is not None and partner not in partners:
                t.problem("partners", f"view names unknown partner {partner!r}",
                          f"partners in the facts: {', '.join(sorted(partners)) or 'none'}")
        for feed in view_feeds:
            if feed not in feed_names:
                t.problem("feeds", f"view names unknown feed {feed!r}",
                          "use a feed's name as feeds.toml spells it")
        if name is None:
            continue
        if name in seen:
            t.problem("name", f"duplicate view name {name!r} (first at line {seen[name]})",
                      "give each view its own name")
            continue
        seen[name] = t.where("name")
        if len(views) >= MAX_VIEWS:
            t.problem(None, f"more than {MAX_VIEWS} views", "keep the views you use")
            break
        views.append(SavedView(name, include, exclude, tuple(view_partners), tuple(view_feeds)))
    return tuple(views)


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def view_toml(view: SavedView) -> str:
    lines = ["[[view]]", f"name = {_toml_string(view.name)}"]
    for key in ("include", "exclude", "partners", "feeds"):
        values = getattr(view, key)
        if values:
            lines.append(f"{key} = [{', '.join(_toml_string(v) for v in values)}]")
    return "\n".join(lines) + "\n"


def append_view(config_dir: Path, view: SavedView, feeds: Sequence[FeedSpec],
                story: Any) -> None:
    """Add `view` to views.toml, keeping what is there; raises ConfigError (nothing written)
    when the result would not pass `check` (a name taken, a term with no word...)."""
    path = config_dir / VIEWS_FILE
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    new = old + sep + view_toml(view)
    fd, tmp = tempfile.mkstemp(prefix=".views-", suffix=".toml", dir=config_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
        problems: list[Problem] = []
        # Checked under the real name, so a problem names views.toml and its line.
        load_views_text(Path(tmp), path, feeds, story, problems)
        if problems:
            raise ConfigError(problems)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_views_text(tmp: Path, shown_as: Path, feeds: Sequence[FeedSpec], story: Any,
                    problems: list[Problem]) -> tuple[SavedView, ...]:
    found: list[Problem] = []
    views = load_views(tmp, feeds, story, found)
    problems.extend(Problem(shown_as, p.line, p.message, p.hint) if p.path == tmp else p
                    for p in found)
    return views
