"""Whether gigawatts in a sentence are deployed (online, in service) rather than planned.

"1.2 GW online", "2 GW now operational", "Oracle has deployed 1 GW", "1 GW mis en service",
"a mis en service 1 GW", "1 GW came online": capacity that runs today, which moves the
Compute panel's deployed bars and unlocks per-GW tranches. Gigawatts promised, planned, to be
deployed or online "by 2028" stay planned capacity (``capacity_gw``).

Reads a case- and accent-folded copy of the sentence (text.fold keeps offsets).
"""

from __future__ import annotations

import re

from ..text.fold import fold

__all__ = ["is_deployed"]

_STATE = (
    r"(?:online|on-?line|operational|deployed|in service|in operation|live|energi[sz]ed"
    r"|up and running|commissioned|mis en service|en service|operationnels?|deployes?"
    r"|en exploitation|en fonctionnement|raccordes?|en production)"
)
_BEING = (
    r"(?:(?:is|are|was|were|now|already|currently|has been|have been|came|come|comes|went"
    r"|go|goes|gone|brought|switched|sont|est|deja|desormais|actuellement|ont ete|a ete"
    r"|deviennent|devenus?)\s+)*"
)
# A few words may sit between the figure and its state ("of capacity", "de capacité"), but
# no digit, comma or clause word: "10 GW planned, 1 GW online" gives the first one nothing.
_GAP = r"(?:\s+(?!(?:planned|prevus?|promised|promis|targeted|and|et|but|mais)\b)[^\W\d]+){0,3}?"
_AFTER_RE = re.compile(rf"{_GAP}\s+{_BEING}{_STATE}(?![\w-])")
_BEFORE_RE = re.compile(
    r"(?<![\w'])(?:has|have|had|already|now|a|ont|avait|avaient|deja)\s+(?:\w+\s+)?"
    r"(?:deployed|brought|switched on|energi[sz]ed|commissioned|put into service"
    r"|deploye|mis en service|raccorde|mis en exploitation)"
    r"\s+(?:(?:about|around|some|nearly|over|more than|environ|plus de|pres de)\s+)?\Z"
)
# The state is a plan: "to be deployed", "online by 2028", "will come online".
_FUTURE_AFTER_RE = re.compile(
    r"\s+(?:by|in|from|starting|d'ici|en|a partir de|des)\s+(?:(?:early|late|mid|the end of"
    r"|la fin|fin|debut|mi-?)\s*)?(?:\w+\s+)?20\d\d"
)
_HEDGE_RE = re.compile(
    r"(?<![\w'])(?:will|would|could|may|might|should|to be|plans?|planned|planning|expected"
    r"|expects?|aims?|target\w*|goal|sera|seront|serait|doit|doivent|devrait|devraient"
    r"|pourrait|pourraient|prevu\w*|objectif|vise|visent|once|when|lorsque|quand|if|si)(?![\w'])"
)
_WINDOW = 80  # characters read on each side of the figure


def is_deployed(sentence: str, start: int, end: int) -> bool:
    """Whether the gigawatts written at sentence[start:end] are said to be running now."""
    folded = fold(sentence)
    after = _AFTER_RE.match(folded, end, min(len(folded), end + _WINDOW))
    before = _BEFORE_RE.search(folded, max(0, start - _WINDOW), start)
    if after is None and before is None:
        return False
    if after is not None and _FUTURE_AFTER_RE.match(folded, after.end()):
        return False
    # A hedge in the words leading to the figure, or between it and its state.
    lead = folded[max(0, start - _WINDOW):start]
    lead = re.split(r"[,;:]|\s(?:and|et|but|mais)\s", lead)[-1]
    tail = folded[end:after.end()] if after is not None else ""
    return _HEDGE_RE.search(lead) is None and _HEDGE_RE.search(tail) is None
