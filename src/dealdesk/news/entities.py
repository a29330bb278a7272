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
        # The same patterns as zero-width lookaheads, to find every offset a name begins at.
        self._probes = [re.compile(f"(?={p.pattern})", p.flags)
                        for p in (self._exact, self._folded) if p is not None]
        self.longest = max(map(len, exact + folded), default=0)

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

    def begins(self, text: str, endpos: int) -> list[int]:
        """Sorted offsets where a name matches in `text` cut at `endpos`, overlaps included."""
        return sorted({m.start() for p in self._probes for m in p.finditer(text, 0, endpos)})


def _compile(words: list[str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    # Longest first so "Microsoft Azure" wins over "Microsoft".
    ordered = sorted(set(words), key=len, reverse=True)
    if flags & re.IGNORECASE:
        # A class of first letters (folded like the names) checked before the lookbehind
        # lets most positions fail before the engine tries every name in turn.
        firsts = "".join(sorted({re.escape(w[0]) for w in ordered}))
        names = "|".join(map(re.escape, ordered))
        return re.compile(rf"(?=[{firsts}])(?<![\w-])(?:{names})(?![\w-])", flags)
    # Matched as written, names can be grouped by first character (only one group can match
    # at a position, and each keeps longest first); a pattern that starts with a character
    # lets the engine skip straight to the next one of them.
    groups: dict[str, list[str]] = {}
    for w in ordered:
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    names = "|".join(
        rf"{re.escape(c)}(?<![\w-]{re.escape(c)})(?:{'|'.join(rests)})"
        for c, rests in groups.items()
    )
    return re.compile(rf"(?:{names})(?![\w-])", flags)
