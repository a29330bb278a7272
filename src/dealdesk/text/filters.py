"""Exclude filters and saved views: which news items a reader never wants to see.

Terms are phrases in any language, matched case- and accent-insensitively (EN/FR: "Élysée"
matches "elysee") on whole words: "ai" does not match "said", "open ai" matches "Open-AI".
Two matchers that agree: `matches` in Python, and `fts_any` for the store, which runs
the same test in SQL over its full-text index (tokenizer `unicode61 remove_diacritics 2`:
the same words, folded the same way), so hiding stays fast with 100,000 items.

Nothing here touches the store or textual: the store receives MATCH expressions as text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from typing import Protocol

from ..value import Value

# A word as FTS5's unicode61 tokenizer sees one: letters and digits; `_` and punctuation
# separate words.
_WORD = re.compile(r"[^\W_]+")
MAX_TERM_WORDS = 16  # a phrase longer than that is not a filter, it is a paragraph


def fold(text: str) -> str:
    """`text` casefolded and without accents: NFKD, combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return _WORD.findall(fold(text))


def term_words(term: str) -> tuple[str, ...]:
    """A term's words (at most MAX_TERM_WORDS); () for a term with no word at all."""
    return tuple(words(term)[:MAX_TERM_WORDS])


def matches(text: str, terms: Iterable[str]) -> bool:
    """Whether `text` holds any of `terms` as whole words (a phrase: its words in a row)."""
    padded = f" {' '.join(words(text))} "
    return any(f" {' '.join(w)} " in padded for w in map(term_words, terms) if w)


def fts_any(terms: Iterable[str]) -> str | None:
    """An FTS5 MATCH expression true for an item holding any of `terms` (phrases), or None
    when no term has a word. Each phrase is quoted: FTS5 syntax in a term is just text."""
    phrases = dict.fromkeys(" ".join(w) for w in map(term_words, terms) if w)
    if not phrases:
        return None
    return " OR ".join(f'"{p}"' for p in phrases)


class Exclusions(Value):
    """`[news] exclude` (every feed) and each feed's own `exclude` in feeds.toml."""

    everywhere: tuple[str, ...] = ()
    by_feed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def hides(self, title: str, summary: str, feed: str) -> bool:
        text = f"{title}\n{summary}"
        return matches(text, self.everywhere) or matches(text, self.by_feed.get(feed, ()))

    def rules(self) -> tuple[tuple[str | None, str], ...]:
        """(feed or None for every feed, MATCH expression) pairs, as the store takes them."""
        rules: list[tuple[str | None, str]] = []
        everywhere = fts_any(self.everywhere)
        if everywhere:
            rules.append((None, everywhere))
        for feed, terms in sorted(self.by_feed.items()):
            expression = fts_any(terms)
            if expression:
                rules.append((feed, expression))
        return tuple(rules)


class ExcludingFeed(Protocol):
    """What exclusions() reads of a feed (model.FeedSpec, which this layer does not import)."""

    @property
    def name(self) -> str: ...
    @property
    def exclude(self) -> Sequence[str]: ...


def exclusions(news_exclude: Sequence[str], feeds: Iterable[ExcludingFeed]) -> Exclusions:
    """From the config: the global terms and every feed spec's `exclude`."""
    by_feed = {f.name: tuple(f.exclude) for f in feeds if f.exclude}
    return Exclusions(tuple(news_exclude), by_feed)


class SavedView(Value):
    """A `[[view]]` of views.toml: news holding any `include` term (all when none), none
    of its `exclude` terms, about any of its `partners`, from any of its `feeds`."""

    name: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()

    def rules(self, base: Exclusions) -> tuple[tuple[str | None, str], ...]:
        own = fts_any(self.exclude)
        return base.rules() + (((None, own),) if own else ())

    def include_match(self) -> str | None:
        return fts_any(self.include)

    def shows(self, title: str, summary: str, feed: str, entities: Sequence[str],
              base: Exclusions) -> bool:
        """The same test as the store's, in Python (for tests and small lists)."""
        text = f"{title}\n{summary}"
        if base.hides(title, summary, feed) or matches(text, self.exclude):
            return False
        if self.include and not matches(text, self.include):
            return False
        if self.partners and not set(self.partners) & set(entities):
            return False
        return not self.feeds or feed in self.feeds
