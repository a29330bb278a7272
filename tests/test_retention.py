"""Retention ([archive] keep_days): old items pruned at refresh in bounded batches, the
search index kept in step, the space given back, and nothing the user kept ever deleted."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from dealdesk import config as C
from dealdesk.cli import main
from dealdesk.model import FeedSpec, FetchLimits, NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.news.refresh import run_refresh
from dealdesk.store import Store
from tests.conftest import CONFIG_DIR, FIXED_NOW, fixed_clock
from tests.feedserver import feed_server, rss  # noqa: F401

LIMITS = FetchLimits(connect_timeout_s=2, read_timeout_s=2, deadline_s=5)


def ok(name: str) -> FetchResult:
    return FetchResult(name=name, url=f"https://e.com/{name}.xml", status="ok", http_status=200)


def news(guid: str, days_ago: float, feed: str = "wire", summary: str = "") -> NewsItem:
    return NewsItem(feed=feed, guid=guid, title=f"story {guid} zebra", link=None,
                    published=FIXED_NOW - timedelta(days=days_ago), summary=summary)


def fill(store: Store, items: list[NewsItem]) -> None:
    by_feed: dict[str, list[NewsItem]] = {}
    for i in items:
        by_feed.setdefault(i.feed, []).append(i)
    store.record_many([(ok(feed), chunk, FIXED_NOW) for feed, chunk in by_feed.items()])


def titles(store: Store) -> set[str]:
    return {i.title for i in store.latest_items(limit=10_000)}


def fts_consistent(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:  # raises if the index and the items disagree
        conn.execute("INSERT INTO items_fts(items_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        conn.close()


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "d" / "dealdesk.db") as s:
        yield s


def test_pruning_keeps_what_an_accepted_signal_cites_and_the_index_follows(store):
    fill(store, [news(f"old{i}", 400 + i) for i in range(10)]
         + [news(f"new{i}", 10 + i) for i in range(3)])
    by_title = {i.title: i.id for i in store.latest_items(limit=100)}
    cited, unreviewed = by_title["story old3 zebra"], by_title["story old4 zebra"]
    store.add_signals(cited, [{"metric": "capacity_gw", "value": 1, "subject": "X"}], FIXED_NOW)
    store.add_signals(unreviewed, [{"metric": "capacity_gw", "value": 2, "subject": "X"}],
                      FIXED_NOW)
    (accepted,) = [s for s in store.signals() if s.news_id == cited]
    store.set_signal_state(accepted.id, "accepted")

    report = store.prune_before(FIXED_NOW - timedelta(days=365))

    assert report.deleted == 9
    assert titles(store) == {"story old3 zebra"} | {f"story new{i} zebra" for i in range(3)}
    # Search finds no pruned item and every kept one, the old cited one included.
    assert {i.title for i in store.search("zebra")} == titles(store)
    assert store.search("old5") == []
    assert [i.title for i in store.search("old3")] == ["story old3 zebra"]
    fts_consistent(store.path)
    # The unreviewed signal of a pruned item went with it; the accepted one stays.
    assert [s.id for s in store.signals()] == [accepted.id]


def test_an_item_an_alert_cites_is_never_pruned(store):
    fill(store, [news("a", 500), news("b", 500)])
    ids = {i.title: i.id for i in store.latest_items()}
    # The store's own alerts table (store/alerts.py) now exists: an alert cites the item.
    store.add_alerts([{"watch": "w", "key": "item:a", "kind": "phrase",
                       "news_id": ids["story a zebra"], "title": "story a zebra"}])
    assert store.prune_before(FIXED_NOW - timedelta(days=365)).deleted == 1
    assert titles(store) == {"story a zebra"}


def test_pruning_goes_in_bounded_batches(store):
    fill(store, [news(f"o{i}", 400 + i) for i in range(10)] + [news("keep", 1)])
    commits: list[str] = []
    store._conn.set_trace_callback(  # each batch its own transaction
        lambda sql: commits.append(sql) if sql.strip().upper() == "COMMIT" else None)
    report = store.prune_before(FIXED_NOW - timedelta(days=365), batch=3)
    store._conn.set_trace_callback(None)
    assert (report.deleted, report.batches) == (10, 4)  # 3 + 3 + 3 + 1
    assert len(commits) >= 4
    assert titles(store) == {"story keep zebra"}


def _file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.exists()
               and not p.name.endswith("-shm"))


def test_a_new_store_gives_the_pruned_space_back(store):
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    conn.close()
    big = "lorem ipsum " * 200
    fill(store, [news(f"o{f}-{i}", 400, feed=f"feed{f}", summary=big)
                 for f in range(6) for i in range(400)] + [news("keep", 1)])
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _file_size(store.path)
    report = store.prune_before(FIXED_NOW - timedelta(days=365))
    assert report.deleted == 2400 and report.pages_freed > 0
    assert store._conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert _file_size(store.path) < before / 4
    assert store.archive_stats().items == 1
    fts_consistent(store.path)


def test_a_store_made_before_retention_is_converted_the_first_time_it_prunes(tmp_path):
    path = tmp_path / "d" / "dealdesk.db"
    Store.open(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA auto_vacuum = NONE")
    conn.execute("VACUUM")  # as every store made before this change
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    conn.close()
    with Store.open(path) as store:
        fill(store, [news(f"o{i}", 400, feed=f"f{i % 4}", summary="x " * 2000)
                     for i in range(800)])
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = _file_size(path)
        assert store.prune_before(FIXED_NOW - timedelta(days=365)).deleted == 800
        assert _file_size(path) < before / 4
        assert store._conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2


def test_nothing_is_pruned_inside_the_window_or_with_keep_days_0(feed_server, tmp_path):
    path = tmp_path / "s.db"
    with Store.open(path) as store:
        fill(store, [news("old", 3000), news("recent", 5)])
    spec = FeedSpec("wire", feed_server.add("/w.xml", body=rss([])))
    report = run_refresh([spec], path, LIMITS, {}, fixed_clock, enrich=False, keep_days=0)
    assert report.pruned == 0
    report = run_refresh([spec], path, LIMITS, {}, fixed_clock, enrich=False, keep_days=3650)
    assert report.pruned == 0
    with Store.open(path) as store:
        assert titles(store) == {"story old zebra", "story recent zebra"}


def _dated(guid: str, when: datetime) -> dict[str, str]:
    return {"title": f"story {guid}", "guid": guid, "pubDate": format_datetime(when)}


def test_a_refresh_prunes_and_never_stores_what_is_older_than_the_window(feed_server, tmp_path):
    path = tmp_path / "s.db"
    body = rss([_dated("fresh", FIXED_NOW - timedelta(days=3)),
                _dated("ancient", FIXED_NOW - timedelta(days=900))])
    spec = FeedSpec("wire", feed_server.add("/w.xml", body=body))
    with Store.open(path) as store:
        fill(store, [news("stored-long-ago", 800, feed="other")])
    report = run_refresh([spec], path, LIMITS, {}, fixed_clock, enrich=False, keep_days=365)
    assert report.pruned == 1
    assert [o.new_items for o in report.outcomes] == [1]
    # Still in the feed, still too old: not stored again, so not "new" at every refresh.
    report = run_refresh([spec], path, LIMITS, {}, fixed_clock, enrich=False, keep_days=365)
    assert (report.pruned, report.outcomes[0].new_items) == (0, 0)
    with Store.open(path) as store:
        assert titles(store) == {"story fresh"}


def _config(tmp_path: Path, keep_days: int, feeds: list[FeedSpec]) -> Path:
    cfg = tmp_path / "cfg"
    if not cfg.exists():
        shutil.copytree(CONFIG_DIR, cfg)
    settings = cfg / "dealdesk.toml"
    text = settings.read_text(encoding="utf-8")
    head = text.split("[archive]")[0]
    settings.write_text(f"{head}[archive]\nkeep_days = {keep_days}\n", encoding="utf-8")
    (cfg / "feeds.toml").write_text("".join(
        f'[[feed]]\nname = "{s.name}"\nurl = "{s.url}"\n\n' for s in feeds), encoding="utf-8")
    return cfg


def test_dealdesk_refresh_prunes_and_dump_shows_the_archive(feed_server, tmp_path, capsys):
    now = datetime.now(UTC)  # the CLI's own clock
    body = rss([_dated("fresh", now - timedelta(days=3)),
                _dated("aging", now - timedelta(days=60))])
    spec = FeedSpec("wire", feed_server.add("/w.xml", body=body))
    data = tmp_path / "data"
    cfg = _config(tmp_path, 0, [spec])
    assert main(["refresh", "--config", str(cfg), "--data", str(data)]) == 0
    assert "2 new items" in capsys.readouterr().out

    cfg = _config(tmp_path, 30, [spec])
    assert main(["refresh", "--config", str(cfg), "--data", str(data), "--force"]) == 0
    assert "1 items older than 30 days pruned" in capsys.readouterr().out

    assert main(["dump", "--format", "json", "--config", str(cfg), "--data", str(data)]) == 0
    archive = json.loads(capsys.readouterr().out)["archive"]
    assert archive["items"] == 1 and archive["keep_days"] == 30
    assert archive["oldest"][:10] == (now - timedelta(days=3)).date().isoformat()
    (store_file,) = data.glob("*.sqlite3")
    assert archive["size_bytes"] >= store_file.stat().st_size > 0

    assert main(["dump", "--config", str(cfg), "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert "Archive: 1 items, oldest " in text and "older than 30 days pruned" in text


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "must not be negative"), ("36501", "at most 36,500"),
    ('"365"', "expected a whole number"), ("true", "expected a whole number"),
])
def test_keep_days_is_checked_with_file_and_line(tmp_path, value, message):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    settings = cfg / "dealdesk.toml"
    settings.write_text("[archive]\n\nkeep_days = " + value + "\n", encoding="utf-8")
    with pytest.raises(C.ConfigError) as info:
        C.load(cfg)
    assert any(str(p).startswith(f"{settings}:3: ") and message in str(p)
               for p in info.value.problems), info.value.problems


def test_keep_days_0_keeps_everything_and_the_default_is_documented():
    assert C.Settings().keep_days == 730
    assert C.load(CONFIG_DIR).settings.keep_days == 730
    readme = (CONFIG_DIR.parent / "README.md").read_text(encoding="utf-8")
    assert "`[archive] keep_days`" in readme


def test_the_dashboards_refresh_process_prunes_too(feed_server, tmp_path):
    import io

    from dealdesk.news.worker import make_plan, run_plan

    path = tmp_path / "s.db"
    with Store.open(path) as store:
        fill(store, [news("stored-long-ago", 3000, feed="other")])
    spec = FeedSpec("wire", feed_server.add("/w.xml", body=rss([])))
    out = io.StringIO()
    run_plan(json.loads(make_plan([spec], path, LIMITS, {}, True, keep_days=730)), out)
    last = json.loads(out.getvalue().splitlines()[-1])
    assert last["pruned"] == 1
    with Store.open(path) as store:
        assert store.archive_stats().items == 0
