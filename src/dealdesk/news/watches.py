"""Evaluate the watches (config/watches.py) against the store: what each one matches now.

`matches` reads the stored items and signals and returns one Alert per match; the store
keeps each (watch, key) once, so evaluating again after every refresh, from the dashboard and
from cron alike, adds only what is new. Keys: `item:<news id>` for a phrase watch (one alert
per item, whichever terms it holds), `signal:<signal id>` for a figure or status watch.

A figure watch compares a signal with the facts as they stand without that signal (the
config's facts plus the other accepted signals), so accepting it does not make it agree
with itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .. import facts as F

if TYPE_CHECKING:
    from ..config.watches import Watch
    from ..store import Store

PHRASE_LIMIT = 200  # items per term and evaluation: the newest ones
SCAN_LIMIT = 2000  # items read for a term the search index cannot find (see _unspaced)


@dataclass(frozen=True)
class Alert:
    watch: str
    kind: str  # phrase | figure | status
    key: str
    news_id: int | None
    title: str
    link: str | None
    published: datetime | None
    subject: str | None = None
    metric: str | None = None
    value: float | None = None
    old: str | None = None  # the facts' value before, as text ("" when they had none)
    new: str | None = None  # what the news says
    quote: str = ""


def matches(store: Store, story: F.Story, watches: Sequence[Watch], today: date) -> list[Alert]:
    """Every match of `watches` in the store as it is."""
    found: list[Alert] = []
    phrase = [w for w in watches if w.kind == "phrase"]
    figure = [w for w in watches if w.kind == "figure"]
    for w in phrase:
        found += _phrase_matches(store, w)
    if figure:
        # Only what a figure watch judges (its pairs, and the accepted signals the facts
        # add), never every signal of the archive.
        watched = store.signals_watched([(w.metric, w.subject or "") for w in figure
                                         if w.metric])
        found += figure_matches(story, watched, figure, today)
    return found


def evaluate(store: Store, story: F.Story, watches: Sequence[Watch], today: date,
             now: datetime | None = None) -> list[Any]:
    """Store every match; the alerts that are new (store.StoredAlert)."""
    if not watches:
        return []
    return store.add_alerts(matches(store, story, watches, today), now)


def _unspaced(term: str) -> bool:
    """Whether `term` is written in a script without spaces between words (Chinese,
    Japanese, Thai...), which the search index keeps as one token per run of letters."""
    import unicodedata

    return any(unicodedata.east_asian_width(c) in ("W", "F") or "\u0e00" <= c <= "\u0eff"
               for c in term)


def _scan(store: Store, term: str, partner: str | None) -> list[Any]:
    """The newest items holding `term` as a substring, case and accents folded."""
    from ..text.fold import fold

    wanted = fold(term)
    return [i for i in store.latest_items(limit=SCAN_LIMIT, entity=partner)
            if wanted in fold(f"{i.title}\n{i.summary}")][:PHRASE_LIMIT]


def _phrase_matches(store: Store, w: Watch) -> list[Alert]:
    seen: dict[int, Alert] = {}
    for term in w.terms:
        found = (_scan(store, term, w.partner) if _unspaced(term)
                 else store.phrase_items(term, w.partner, PHRASE_LIMIT))
        for item in found:
            if item.id not in seen:
                seen[item.id] = Alert(
                    watch=w.name, kind="phrase", key=f"item:{item.id}", news_id=item.id,
                    title=item.title, link=item.link, published=item.published,
                    subject=w.partner, new=term,
                )
    return list(seen.values())


def figure_matches(story: F.Story, signals: Iterable[Any], watches: Sequence[Watch],
                   today: date) -> list[Alert]:
    """The signals each figure watch matches (signals: store.StoredSignal or alike)."""
    signals = list(signals)
    accepted = F.accepted_from(signals)
    everything = F.with_accepted(story, accepted)
    # What the facts say of each fact, looked up once: all but the accepted signals are
    # judged against the same facts (tens of thousands in a year of news).
    known: dict[tuple[str, Any], Any] = {}
    found: list[Alert] = []
    for s in signals:
        wanted = [w for w in watches if w.metric == s.metric and w.subject == s.subject]
        if not wanted:
            continue
        is_accepted = any(a.signal_id == s.id for a in accepted)
        facts = (F.with_accepted(story, [a for a in accepted if a.signal_id != s.id])
                 if is_accepted else everything)
        for w in wanted:
            alert = _judge(w, s, facts, today, known if facts is everything else None)
            if alert is not None:
                found.append(alert)
    return found


def _before(known: dict[tuple[str, Any], Any] | None, key: tuple[str, Any],
            look_up: Callable[[], Any]) -> Any:
    if known is None:
        return look_up()
    if key not in known:
        known[key] = look_up()
    return known[key]


def _judge(w: Watch, s: Any, facts: F.Story, today: date,
           known: dict[tuple[str, Any], Any] | None = None) -> Alert | None:
    """Whether `s` is an alert of `w` against `facts`; `known` caches their answers."""
    if s.metric == "status":
        status = getattr(s, "status", None)
        if status is None:
            return None
        before = _before(known, ("status", s.subject),
                         lambda: F.current_status(facts, s.subject, today))
        old = before.status if before else None
        if old == status:
            return None  # the news says what the facts say: no move
        return _alert(w, s, "status", None, old or "", status)
    before_fig = _before(known, (s.metric, s.subject),
                         lambda: F.current(facts, s.metric, s.subject, today))
    old_value = before_fig.value if before_fig else None
    value = float(s.value)
    if w.when == "above":
        hit = w.value is not None and value > w.value
    elif w.when == "below":
        hit = w.value is not None and value < w.value
    elif w.when == "changes":
        hit = old_value is None or not _same(value, old_value)
    else:  # disagrees
        tolerance = w.value or 0.0
        hit = old_value is not None and (
            abs(value - old_value) > tolerance * max(abs(old_value), 1e-12)
            and not _same(value, old_value))
    if not hit:
        return None
    return _alert(w, s, "figure", value, "" if old_value is None else _num(old_value),
                  _num(value))


def _alert(w: Watch, s: Any, kind: str, value: float | None, old: str, new: str) -> Alert:
    return Alert(
        watch=w.name, kind=kind, key=f"signal:{s.id}", news_id=s.news_id,
        title=s.news_title, link=getattr(s, "link", None), published=s.published,
        subject=s.subject, metric=s.metric, value=value, old=old, new=new, quote=s.quote,
    )


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def _num(value: float) -> str:
    return repr(float(value))
