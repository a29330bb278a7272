"""store/alerts.py: one row per (watch, key) whoever offers it and however often, delivered
marks set only on request, the status column guarded, and an older store migrated."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from dealdesk import store as store_module
from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _item(store: Store) -> int:
    item = NewsItem(feed="wire", guid="g", title="Nvidia signs", link="https://e.com/g",
                    published=NOW)
    ((item_id, _),) = store.record(FetchResult("wire", "https://e.com/w", "ok", 200), [item], NOW)
    return item_id


def test_alerts_are_stored_once_across_reopen_and_both_paths(tmp_path):
    path = tmp_path / "s.sqlite3"
    alert = {"watch": "w", "key": "signal:1", "kind": "status", "news_id": None,
             "title": "t", "subject": "Nvidia", "metric": "status", "old": "replaced",
             "new": "definitive"}
    with Store.open(path) as store:
        assert [a.watch for a in store.add_alerts([alert, dict(alert)], NOW)] == ["w"]
    with Store.open(path) as store:  # a restart, or the other refresh path
        assert store.add_alerts([alert], NOW) == []
        (stored,) = store.alerts()
        assert not stored.delivered and stored.old == "replaced"
        assert store.mark_alerts_delivered([stored.id], NOW) == 1
        assert store.mark_alerts_delivered([stored.id], NOW) == 0  # once
        assert store.alerts(undelivered_only=True) == []


def test_status_signals_need_a_known_status(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as store:
        news_id = _item(store)
        added = store.add_signals(news_id, [
            {"metric": "status", "value": 0.0, "subject": "Nvidia", "status": "definitive"},
            {"metric": "status", "value": 0.0, "subject": "Oracle", "status": "expanded"},
            {"metric": "status", "value": 0.0, "subject": "AMD"},
            {"metric": "capacity_gw", "value": 1.0, "subject": "AMD", "status": "ended"},
        ])
        assert added == 1
        (signal,) = store.signals()
        assert (signal.subject, signal.status) == ("Nvidia", "definitive")


def test_a_store_of_the_previous_schema_is_migrated(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(store_module.MIGRATIONS) - 1)
    with Store.open(path) as store:
        news_id = _item(store)
    monkeypatch.undo()
    conn = sqlite3.connect(path)  # a signal as the previous version wrote it
    conn.execute("INSERT INTO signals(news_id, metric, value, subject, created_at) "
                 "VALUES (?, 'capacity_gw', 2.0, 'AMD', '2026-12-01T00:00:00+00:00')",
                 (news_id,))
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        (signal,) = store.signals()
        assert signal.status is None
        assert store.alerts() == []
    (version,) = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()
    assert version == store_module.SCHEMA_VERSION
