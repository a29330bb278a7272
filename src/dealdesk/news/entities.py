"""Which tracked names (partners, products, aliases) a piece of text mentions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


class EntityMatcher:
    """Compiles every name and alias once; `find` is then one regex pass.

    `entities` maps the canonical name to its aliases (the name itself is always matched).
    Matching is case-insensitive on word boundaries, except for all-caps aliases of up to
    four letters (NVDA, OCI, AMD) which must match case, so "oci" in a word never counts.
    """

    def __init__(self, entities: Mapping[str, Sequence[str]]):
        self._canonical: dict[str, str] = {}
        exact: list[str] = []
        folded: list[str] = []
        for name, aliases in entities.items():
            for alias in (name, *aliases):
                alias = alias.strip()
                if not alias:
                    continue
                if alias.isupper() and len(alias) <= 4:
                    self._canonical[alias] = name
                    exact.append(alias)
                else:
                    self._canonical[alias.casefold()] = name
                    folded.append(alias)
        self._exact = _compile(exact, 0)
        self._folded = _compile(folded, re.IGNORECASE)

    def find(self, text: str) -> tuple[str, ...]:
        """Canonical names in order of first mention, each once."""
        hits: list[tuple[int, str]] = []
        if self._exact is not None:
            hits += [(m.start(), self._canonical[m.group(0)]) for m in self._exact.finditer(text)]
        if self._folded is not None:
            hits += [
                (m.start(), self._canonical[m.group(0).casefold()])
                for m in self._folded.finditer(text)
            ]
        seen: dict[str, None] = {}
        for _, name in sorted(hits):
            seen.setdefault(name, None)
        return tuple(seen)


def _compile(words: list[str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first so "Microsoft Azure" wins over "Microsoft".
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", flags)
