"""The dashboard evaluates the watches again only when what they read has changed
(Store.watch_inputs, tui.alerting): half a second of Python in a year of news, after every
store read, spent finding nothing new. A pass that skips still reads and shows the stored
alerts (a cron refresh stores its own), and no change is missed: one landing while a pass
evaluates makes the next pass evaluate again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dealdesk.news.watches as watches_module
from dealdesk.config import load
from dealdesk.model import NewsItem
from dealdesk.news.enrich import figure_finder
from dealdesk.news.entities import EntityMatcher
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store
from dealdesk.text.filters import exclusions
from dealdesk.tui.alerting import Alerting, AlertsLoaded

from .conftest import CONFIG_DIR

NOW = datetime(2026, 11, 30, tzinfo=UTC)
WIRE = FetchResult("wire", "https://example.com/wire", "ok", 200)


def store_item(path: Path, title: str, guid: str, pending: bool = False) -> list[int]:
    """One item, with the figures and status moves its title holds (as a refresh would
    store them); the new signals' ids."""
    config = load(CONFIG_DIR)
    item = NewsItem(feed="wire", guid=guid, title=title, link=f"https://example.com/{guid}",
                    published=datetime(2026, 11, 28, tzinfo=UTC))
    matcher = EntityMatcher(config.story.entities())
    find = figure_finder(matcher, "OpenAI", [p.name for p in config.story.partners])
    with Store.open(path) as store:
        stored = store.record(WIRE, [item], NOW, pending=pending)
        if pending:
            return []
        for item_id, new in stored:
            store.add_signals(item_id, find(new.title, ""))
        return [s.id for s in store.signals() if s.news_id in {i for i, _ in stored}]


@dataclass
class FakeApp:
    posted: list[AlertsLoaded] = field(default_factory=list)

    def post_message(self, message: AlertsLoaded) -> None:
        self.posted.append(message)


@dataclass
class FakeDesk:
    """What Alerting reads of the Desk."""

    store_path: Path
    config: Any
    app: FakeApp = field(default_factory=FakeApp)
    state: Any = field(default_factory=lambda: type("State", (), {"alerts": []})())

    def publish(self, *changes: Any) -> None:
        pass

    def clock(self) -> datetime:
        return NOW

    def open_store(self) -> Store:
        return Store.open(self.store_path)

    @property
    def exclusions(self) -> Any:
        return exclusions(self.config.settings.news_exclude, self.config.feeds)


def counting(monkeypatch) -> list[int]:
    """Count the evaluations of the watches (Alerting imports `evaluate` at each pass)."""
    calls: list[int] = []
    real = watches_module.evaluate

    def evaluate(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(watches_module, "evaluate", evaluate)
    return calls


def alerting(path: Path) -> tuple[Alerting, FakeDesk]:
    desk = FakeDesk(path, load(CONFIG_DIR))
    return Alerting(desk), desk  # type: ignore[arg-type]


def stored_keys(path: Path) -> list[tuple[str, str]]:
    with Store.open(path) as store:
        return sorted((a.watch, a.key) for a in store.alerts())


def test_an_unchanged_store_is_not_evaluated_again_but_its_alerts_still_shown(
        tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite3"
    store_item(path, "Nvidia signs definitive agreement with OpenAI", "n1")
    calls = counting(monkeypatch)
    al, desk = alerting(path)
    al._evaluate_alerts()
    assert len(calls) == 1 and stored_keys(path)
    with Store.open(path) as store:  # read flags are no input of the watches
        store.mark_read(store.latest_items(limit=1)[0].id)
    al._evaluate_alerts()
    al._evaluate_alerts()
    assert len(calls) == 1
    assert [len(m.alerts) for m in desk.app.posted] == [1, 1, 1]


def test_a_new_matching_item_after_skipped_passes_alerts_once(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite3"
    Store.open(path).close()
    calls = counting(monkeypatch)
    al, desk = alerting(path)
    al._evaluate_alerts()
    al._evaluate_alerts()
    assert len(calls) == 1 and stored_keys(path) == []
    signal_ids = store_item(path, "Nvidia signs definitive agreement with OpenAI", "n1")
    assert signal_ids
    al._evaluate_alerts()
    al._evaluate_alerts()
    assert len(calls) == 2
    assert stored_keys(path) == [("Nvidia deal status", f"signal:{signal_ids[0]}")]
    # Announced once: of the passes' messages, one only holds it as new.
    announced: list[Any] = []
    al._announce = announced.extend  # type: ignore[method-assign]
    for message in desk.app.posted:
        al.took_alerts(message)
    assert [a.key for a in announced] == [f"signal:{signal_ids[0]}"]


def test_a_change_landing_while_a_pass_evaluates_is_evaluated_by_the_next(
        tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite3"
    Store.open(path).close()
    real = watches_module.evaluate
    landed: list[int] = []

    def evaluate_then_change(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        if not landed:  # a cron refresh commits just after this pass read the store
            landed.extend(store_item(path, "Oracle signs definitive agreement with OpenAI",
                                     "o1"))
        return found

    monkeypatch.setattr(watches_module, "evaluate", evaluate_then_change)
    al, _ = alerting(path)
    al._evaluate_alerts()
    assert landed and stored_keys(path) == []
    al._evaluate_alerts()
    assert stored_keys(path) == [("Oracle deal status", f"signal:{landed[0]}")]


def test_two_changes_in_quick_succession_both_alert(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite3"
    Store.open(path).close()
    al, _ = alerting(path)
    al._evaluate_alerts()
    first = store_item(path, "Nvidia signs definitive agreement with OpenAI", "n1")
    al._evaluate_alerts()
    second = store_item(path, "Oracle signs definitive agreement with OpenAI", "o1")
    al._evaluate_alerts()
    assert stored_keys(path) == [("Nvidia deal status", f"signal:{first[0]}"),
                                 ("Oracle deal status", f"signal:{second[0]}")]


def test_deciding_a_signal_evaluates_again(tmp_path, monkeypatch):
    # Accepting a signal changes the facts a figure watch compares with: no new id, still
    # an input that changed.
    path = tmp_path / "store.sqlite3"
    ids = store_item(path, "Nvidia signs definitive agreement with OpenAI", "n1")
    calls = counting(monkeypatch)
    al, _ = alerting(path)
    al._evaluate_alerts()
    with Store.open(path) as store:
        store.set_signal_state(ids[0], "accepted", NOW)
    al._evaluate_alerts()
    with Store.open(path) as store:  # undone within the same second
        store.set_signal_state(ids[0], "new", NOW)
    al._evaluate_alerts()
    assert len(calls) == 3


def test_watch_inputs_change_with_each_input_of_the_watches(tmp_path):
    path = tmp_path / "store.sqlite3"
    seen = []
    with Store.open(path) as store:
        seen.append(store.watch_inputs())
    store_item(path, "Stargate Abilene news", "a1", pending=True)  # stored, not enriched
    with Store.open(path) as store:
        seen.append(store.watch_inputs())
        (item_id, _, _), = store.pending_items()
        store.enrich([(item_id, ["Oracle"], [])])  # tagged and indexed: a phrase may match
        seen.append(store.watch_inputs())
    ids = store_item(path, "Nvidia signs definitive agreement with OpenAI", "n1")
    with Store.open(path) as store:
        seen.append(store.watch_inputs())
        store.set_signal_state(ids[0], "dismissed", NOW)
        seen.append(store.watch_inputs())
        store.set_signal_state(ids[0], "new", NOW)
        seen.append(store.watch_inputs())
    assert len(set(seen)) == len(seen)
