"""Accepted status and deployed_gw signals become facts: the partner's status moves with the
news item as its source (timeline, dump), deployed gigawatts move the Compute panel and the
per-GW tranches unlocked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from dealdesk import facts as F


@dataclass
class _Signal:  # the fields of store.StoredSignal that facts reads
    id: int
    metric: str
    value: float
    subject: str
    state: str = "accepted"
    status: str | None = None
    published: datetime = datetime(2026, 12, 1, tzinfo=UTC)
    news_title: str = "Nvidia signs definitive agreement with OpenAI"
    feed: str = "wire"
    quote: str = ""
    qualifier: str | None = None
    link: str | None = "https://example.com/n"
    news_id: int = 1


TODAY = date(2026, 12, 4)


def test_accepted_status_moves_partner_status_with_news_source(config):
    story = config.story
    accepted = F.accepted_from([_Signal(7, "status", 0.0, "Nvidia", status="definitive")])
    moved = F.with_accepted(story, accepted)
    snap = F.snapshot(moved, TODAY)
    nvidia = next(s for s in snap.partners if s.partner.name == "Nvidia")
    assert nvidia.partner.status == "definitive"
    assert nvidia.source == "news-7" and nvidia.confirmed == date(2026, 12, 1)
    assert not nvidia.stale
    last = [e for e in F.timeline(moved, TODAY) if e.subject == "Nvidia"][-1]
    assert (last.field, last.value, last.source) == ("status", "definitive", "news-7")
    assert moved.source("news-7").title.startswith("Nvidia signs")


def test_status_signal_with_unknown_status_is_never_a_fact(config):
    bad = [_Signal(8, "status", 0.0, "Nvidia", status="expanded"),
           _Signal(9, "status", 0.0, "Nvidia", status=None)]
    assert F.accepted_from(bad) == []


def test_accepted_deployed_gw_moves_deployed_bars_and_tranches(config):
    story = config.story
    before = F.snapshot(story, TODAY)
    accepted = F.accepted_from([_Signal(11, "deployed_gw", 2.0, "Nvidia")])
    after = F.snapshot(F.with_accepted(story, accepted), TODAY)
    nv_before = next(s for s in before.compute.by_partner if s.partner.name == "Nvidia")
    nv_after = next(s for s in after.compute.by_partner if s.partner.name == "Nvidia")
    assert nv_after.partner.deployed_gw == 2.0
    assert after.compute.deployed_gw == before.compute.deployed_gw - (
        nv_before.partner.deployed_gw or 0) + 2.0
    # Planned capacity is not touched by a deployed figure.
    assert nv_after.partner.capacity_gw == nv_before.partner.capacity_gw
    # Tranches: $10B per GW deployed, as of a day the per-GW schedule still stood.
    early = date(2026, 1, 15)
    signal = _Signal(12, "deployed_gw", 1.5, "Nvidia", published=datetime(2026, 1, 10, tzinfo=UTC))
    then = F.snapshot(F.with_accepted(story, F.accepted_from([signal])), early)
    nv_then = next(s for s in then.partners if s.partner.name == "Nvidia")
    assert nv_then.investment_unlocked_usd == 1.5 * 10e9
    assert next(s for s in F.snapshot(story, early).partners
                if s.partner.name == "Nvidia").investment_unlocked_usd in (0.0, None)


def test_current_status_reads_events(config):
    now = F.current_status(config.story, "Nvidia", TODAY)
    assert now is not None and now.status == "replaced"
    assert F.current_status(config.story, "Nobody", TODAY) is None


def test_inbox_shows_status_signal_beside_partner_current_status(config):
    from dealdesk import view as V

    signal = _Signal(21, "status", 0.0, "Nvidia", state="new", status="definitive")
    (line,) = V.signal_lines(config.story, [signal], [], TODAY)
    assert line.news_says == "definitive"
    assert line.facts_say is not None and line.facts_say.startswith("replaced · ")
    row = V.signals_view([line]).rows[0]
    cells = [str(c) for c in row.cells]
    assert cells[1] == "Nvidia status" and cells[2].startswith("definitive · 2026-12-01")
    assert cells[3].startswith("replaced") and cells[4] == "moves"
    assert "Nvidia status: definitive (news item, 2026-12-01) vs replaced" in V.comparison(line)
    # Accepted, it is compared with the facts without itself, and moves the partner.
    accepted = F.accepted_from([replace_state(signal, "accepted")])
    (line,) = V.signal_lines(config.story, [replace_state(signal, "accepted")], accepted, TODAY)
    assert line.facts_say.startswith("replaced")


def replace_state(signal: _Signal, state: str) -> _Signal:
    from dataclasses import replace

    return replace(signal, state=state)
