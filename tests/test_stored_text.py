"""Text read back from the store is data, whoever wrote it: a store written by an older
version, another program or a hand edit may hold terminal controls, bidi overrides or
invisible characters, and a link of any scheme. The store's row readers (store/rows.py)
hold it to the rules feed text follows, so neither `dump` nor the dashboard can write it
raw to a terminal."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dealdesk.cli import main
from dealdesk.model import FetchResult, NewsItem
from dealdesk.store import Store

from .conftest import CONFIG_DIR

HOSTILE = [
    "EVIL\x1b]0;pwned\x07 title",  # OSC: set the window title
    "EVIL\x1b[2J\x1b[H title",  # CSI: clear the screen
    "EVIL\x9b31m title",  # 8-bit CSI
    "EVIL\u202e title",  # right-to-left override
    "EVIL\u200b\u2066 title\u2069",  # zero-width space, bidi isolate
    "EVIL\x07\x08\x00 title",  # BEL, backspace, NUL
    "EVIL\x1bP+q5465\x1b\\ title",  # DCS
]


def _forbidden(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n"]


def _store_with(path: Path, title: str) -> None:
    now = datetime.now(UTC)
    with Store.open(path) as store:
        store.record(FetchResult("wire", "https://e.com/f", "ok", 200),
                     [NewsItem("wire", "g1", "clean title", "https://e.com/a", now)], now)
        store.record(FetchResult("wire", "https://e.com/f", "error", None, error="x"), [], now)
    db = sqlite3.connect(path)
    db.execute("UPDATE items SET title = ?, feed = ?, summary = ?, link = ?",
               (title, title, title, "javascript:alert(1)"))
    db.execute("UPDATE feeds SET error = ?", (title,))
    db.execute("INSERT INTO signals (news_id, metric, value, unit, subject, quote, state, "
               "created_at) SELECT id, 'capacity_gw', 5, 'GW', 'Oracle', ?, 'new', ? "
               "FROM items", (title, now.isoformat()))
    db.commit()
    db.close()


@pytest.mark.parametrize("title", HOSTILE)
def test_stored_text_with_controls_never_reaches_dump(tmp_path, capsys, title):
    data = tmp_path / "data"
    _store_with(data / "dealdesk.sqlite3", title)
    args = ["dump", "--config", str(CONFIG_DIR), "--data", str(data)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "EVIL" in text and _forbidden(text) == []
    assert main([*args, "--format", "json"]) == 0
    dumped = json.loads(capsys.readouterr().out)
    shown = json.dumps(dumped, ensure_ascii=False)
    assert "EVIL" in shown and _forbidden(shown) == []
    # Only http(s) links are ever offered, whatever the store holds.
    assert all(item["link"] is None for item in dumped["news"])


def test_stored_text_read_back_is_clean_in_every_reader(tmp_path):
    path = tmp_path / "dealdesk.sqlite3"
    _store_with(path, HOSTILE[0])
    with Store.open(path) as store:
        (item,) = store.latest_items()
        (signal,) = store.signals()
        texts = [item.title, item.feed, item.summary, signal.quote, signal.news_title,
                 signal.feed, *(s.error or "" for s in store.feed_states())]
    assert all("EVIL" in t or t == "" for t in texts)
    assert [c for t in texts for c in _forbidden(t)] == []
    assert item.link is None and signal.link is None
