"""Figure watches judge only what they watch: the store hands them the signals on their
(metric, subject) pairs that are not dismissed and the accepted ones, never all 100,000
signals of a year of news, and the alerts are the same as judging every signal."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from dealdesk.config import load
from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.news.watches import figure_matches, matches
from dealdesk.store import Store

from .conftest import CONFIG_DIR

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PAIRS = [("weekly_active_users", "ChatGPT", 1e8), ("capacity_gw", "Stargate", 1.0),
         ("deployed_gw", "Nvidia", 0.5), ("capacity_gw", "Oracle", 1.0),
         ("commitment_usd", "AMD", 1e9)]


def _store(tmp_path, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store.open(tmp_path / "dealdesk.db")
    items = [NewsItem(feed="wire", guid=f"g{k}", title=f"item {k}", link=None,
                      published=NOW - timedelta(hours=k)) for k in range(120)]
    stored = store.record(FetchResult(name="wire", url="https://e.com/wire", status="ok",
                                      http_status=200), items, NOW)
    for item_id, _ in stored:
        metric, subject, step = rng.choice(PAIRS)
        store.add_signals(item_id, [{"metric": metric, "subject": subject,
                                     "value": step * rng.randint(1, 30)}], NOW)
        if rng.random() < 0.1:
            store.add_signals(item_id, [{"metric": "status", "subject": "Nvidia", "value": 0,
                                         "status": rng.choice(("definitive", "stalled"))}],
                              NOW)
    for signal in store.signals():
        roll = rng.random()
        if roll < 0.15:
            store.set_signal_state(signal.id, "accepted", NOW)
        elif roll < 0.35:
            store.set_signal_state(signal.id, "dismissed", NOW)
    return store


def test_figure_watches_give_the_alerts_judging_every_signal_would(tmp_path):
    config = load(CONFIG_DIR)
    figure = [w for w in config.watches if w.kind == "figure"]
    today = date(2026, 6, 1)
    with _store(tmp_path, 1) as store:
        every = [s for s in store.signals() if s.state != "dismissed"]
        want = figure_matches(config.story, every, figure, today)
        got = [a for a in matches(store, config.story, config.watches, today)
               if a.kind != "phrase"]
    assert want and got == want


def test_signals_watched_are_the_pairs_not_dismissed_and_every_accepted(tmp_path):
    pairs = [("weekly_active_users", "ChatGPT"), ("status", "Nvidia")]
    with _store(tmp_path, 2) as store:
        every = store.signals()
        got = store.signals_watched(pairs)
        none = store.signals_watched([])
    want = [s for s in every if s.state == "accepted"
            or (s.state != "dismissed" and (s.metric, s.subject or "") in pairs)]
    assert [s.id for s in got] == [s.id for s in want]
    assert [s.id for s in none] == [s.id for s in every if s.state == "accepted"]
    assert len(got) < len(every)
