"""A store read overtaken by a newer one never lands after it (tui/messages.post_if_current).

The dashboard re-reads the store in a thread worker whenever anything commits (a cron
refresh, another desk). A thread cannot be stopped: an older, slower read went on to post
its rows after the newer read had, and the screen went back to what the store held before,
until the next commit. Seen with six desks and a cron on one store: one desk never showed
the cron's news.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import Store

from .apps import make_app, wait_for
from .conftest import FIXED_NOW
from .newsdata import fill_store


def _add_item(path, title: str) -> None:
    with Store.open(path) as store:
        store.record_many([(FetchResult(name="OpenAI News", url="https://example.com/late.xml",
                                        status="ok", http_status=200),
                            [NewsItem(feed="OpenAI News", guid=title, title=title,
                                      link="https://example.com/late", summary="",
                                      published=FIXED_NOW - timedelta(minutes=1))],
                            FIXED_NOW)])


def _titles(app) -> list[str]:
    return [line.title for line in app.desk.state.news_items]


async def test_an_older_store_read_finishing_last_leaves_the_newer_rows(tmp_path, config):
    path = fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.news_items)
        release = threading.Event()
        first = threading.Event()
        real = Store.news_page

        def slow_first(self, *args, **kwargs):
            rows = real(self, *args, **kwargs)
            if not first.is_set():  # the older read: it read, then is slow to finish
                first.set()
                release.wait(10)
            return rows

        Store.news_page = slow_first  # type: ignore[method-assign]
        try:
            app.desk.news.load_news()  # reads the store as it is
            await wait_for(pilot, first.is_set)
            _add_item(path, "A late item from a cron refresh")
            app.desk.news.load_news()  # a newer read, which sees it
            await wait_for(pilot, lambda: "A late item from a cron refresh" in _titles(app))
            release.set()  # the older read finishes last
            await pilot.pause(0.3)
            await pilot.pause()
        finally:
            release.set()
            Store.news_page = real  # type: ignore[method-assign]
        assert "A late item from a cron refresh" in _titles(app)



async def test_an_older_read_posting_after_the_newer_one_is_not_shown(tmp_path, config,
                                                                     monkeypatch):
    # The window post_if_current cannot close: the older read checked that it was still
    # current, then the newer one started, read and posted first.
    from dealdesk.tui import messages

    monkeypatch.setattr(messages, "post_if_current",
                        lambda target, message: target.post_message(message))
    await test_an_older_store_read_finishing_last_leaves_the_newer_rows(tmp_path, config)
