"""Derived values: tranches unlocked per GW, totals, growth, status as of a day, staleness."""

from __future__ import annotations

from datetime import date

import pytest

from dealdesk import facts as F
from dealdesk import view as V

SRC = {"s": F.Source("s", "a source", date(2025, 1, 1))}


def story(partners=(), users=(), risks=(), events=(), stale=90) -> F.Story:
    return F.Story("t", "OpenAI", SRC, tuple(partners), tuple(users), tuple(risks),
                   tuple(events), stale)


NV = F.Partner("Nvidia", "chips", "letter-of-intent", date(2025, 9, 22), "s", capacity_gw=10,
               deployed_gw=0, commitment_usd=100e9, commitment_qualifier="up_to",
               investment_max_usd=100e9, tranche_per_gw_usd=10e9)


@pytest.mark.parametrize(("deployed", "unlocked"), [(0, 0), (1, 10e9), (2.5, 25e9), (12, 100e9)])
def test_investment_unlocked_per_gw_deployed(deployed, unlocked):
    s = story([NV], events=[F.Event(date(2026, 1, 1), "Nvidia", "deployed_gw", deployed, "s")])
    (state,) = F.partner_states(s, date(2026, 6, 1))
    assert state.investment_unlocked_usd == unlocked


def test_no_tranches_means_unknown_not_zero():
    ms = F.Partner("Microsoft", "investor", "definitive", date(2019, 7, 22), "s",
                   commitment_usd=13e9)
    assert F.partner_states(story([ms]), date(2026, 1, 1))[0].investment_unlocked_usd is None


def test_status_as_of_today_follows_the_timeline():
    events = [
        F.Event(date(2026, 1, 30), "Nvidia", "status", "stalled", "s"),
        F.Event(date(2026, 2, 27), "Nvidia", "status", "replaced", "s"),
        F.Event(date(2026, 2, 27), "Nvidia", "commitment_usd", 30e9, "s"),
    ]
    s = story([NV], events=events)
    assert F.partner_as_of(s, NV, date(2025, 12, 31)).status == "letter-of-intent"
    assert F.partner_as_of(s, NV, date(2026, 2, 1)).status == "stalled"
    later = F.partner_as_of(s, NV, date(2026, 3, 1))
    assert later.status == "replaced"
    # A new figure drops the old hedge: "$30B", not "up to $30B".
    assert later.commitment_usd == 30e9 and later.commitment_qualifier is None
    assert V.money(later.commitment_usd, later.commitment_qualifier) == "$30B"


def test_compute_totals_by_partner():
    amd = F.Partner("AMD", "gpus", "definitive", date(2025, 10, 6), "s", capacity_gw=6,
                    deployed_gw=1)
    gone = F.Partner("Gone", "x", "ended", date(2025, 1, 1), "s", capacity_gw=5)
    ms = F.Partner("Microsoft", "x", "definitive", date(2019, 1, 1), "s")
    totals = F.snapshot(story([NV, amd, gone, ms]), date(2026, 1, 1)).compute
    assert totals.planned_gw == 16  # the ended partnership no longer counts
    assert totals.deployed_gw == 1
    assert [s.partner.name for s in totals.by_partner] == ["Nvidia", "AMD", "Gone"]


def test_user_growth_between_points_and_per_week():
    users = [
        F.UserCount("ChatGPT", date(2025, 9, 15), 700e6, "s"),
        F.UserCount("ChatGPT", date(2025, 10, 6), 800e6, "s"),
        F.UserCount("ChatGPT", date(2025, 3, 31), 500e6, "s"),
    ]
    points = F.user_points(story(users=users), "ChatGPT", date(2026, 1, 1))
    assert [p.count.weekly_active_users for p in points] == [500e6, 700e6, 800e6]
    assert points[0].growth is None
    assert points[2].growth == 100e6
    assert points[2].growth_ratio == pytest.approx(1 / 7)
    assert points[2].per_week == pytest.approx(100e6 / 3)  # 21 days
    assert V.growth_text(points[2]) == "+100M (+14%)"
    # A point after "today" is not known yet.
    assert len(F.user_points(story(users=users), "ChatGPT", date(2025, 10, 1))) == 2


def test_staleness_counts_from_the_last_confirmation():
    s = story([NV], events=[F.Event(date(2025, 12, 1), "Nvidia", "note", "confirmed", "s")])
    (state,) = F.partner_states(s, date(2026, 2, 28))  # 89 days after the event
    assert not state.stale and state.confirmed == date(2025, 12, 1)
    (state,) = F.partner_states(s, date(2026, 3, 2))  # 91 days
    assert state.stale
    assert F.partner_states(story([NV], stale=400), date(2026, 3, 2))[0].stale is False


def test_risks_sorted_live_first_then_severity():
    r = [
        F.Risk("a", "A", "X", "low", "open", date(2025, 1, 1), "s"),
        F.Risk("b", "B", "X", "high", "resolved", date(2025, 1, 1), "s"),
        F.Risk("c", "C", "X", "high", "open", date(2025, 1, 1), "s"),
        F.Risk("d", "D", "X", "medium", "open", date(2025, 1, 1), "s"),
    ]
    assert [s.risk.id for s in F.risk_states(story(risks=r), date(2026, 1, 1))] == list("cdab")


def test_timeline_is_oldest_first_and_filters_by_subject(config):
    today = date(2026, 11, 29)
    entries = F.timeline(config.story, today)
    assert [e.date for e in entries] == sorted(e.date for e in entries)
    nvidia = F.timeline(config.story, today, "Nvidia")
    assert nvidia[0].date == date(2025, 9, 22) and nvidia[-1].date == date(2026, 2, 27)
    assert {e.subject for e in nvidia} == {"Nvidia"}


def test_default_story_as_of_today(config):
    snap = F.snapshot(config.story, date(2026, 11, 29))
    nvidia = next(s for s in snap.partners if s.partner.name == "Nvidia")
    assert nvidia.partner.status == "replaced"
    assert nvidia.investment_unlocked_usd == 0
    assert nvidia.source == "openai-round-2026-02-27"
    before = F.snapshot(config.story, date(2025, 9, 25))
    nvidia = next(s for s in before.partners if s.partner.name == "Nvidia")
    assert nvidia.partner.status == "letter-of-intent" and not nvidia.stale
    assert snap.users["ChatGPT"][-1].count.weekly_active_users == 900e6


@pytest.mark.parametrize(
    ("value", "qualifier", "text"),
    [(100e9, "up_to", "≤ $100B"), (22.4e9, None, "$22.4B"), (1.4e12, None, "$1.4T"),
     (13e9, "more_than", "> $13B"), (None, None, "—")],
)
def test_money_format(value, qualifier, text):
    assert V.money(value, qualifier) == text


def test_bars_show_any_nonzero_value():
    assert V.bar(0.1, 10, 10) == "█" + "░" * 9
    assert V.bar(0, 10, 10) == "░" * 10
    assert V.bar(10, 10, 4) == "████"
