"""Read state (issue 17): `m` toggles, `M` marks all shown read, `u` shows unread only;
unread counts in the News title, per feed (Feeds screen) and per partner; kept in the store."""

from __future__ import annotations

import pytest

from dealdesk.config import load
from dealdesk.store import NewsQuery, Store, StoreError
from dealdesk.tui.panels.facts_panels import PartnersPanel
from dealdesk.tui.panels.news import NewsPanel
from dealdesk.tui.screens.feeds import FeedsScreen

from .apps import wait_for
from .conftest import CONFIG_DIR, fixed_clock
from .newsdata import HEADLINES, fill_store
from .test_tui_news import app_for, news_rows


def _store(tmp_path):
    config = load(CONFIG_DIR)
    path = fill_store(tmp_path / "store.sqlite3", config.feeds)  # the newest one read
    return config, path


def test_mark_many_read_is_one_transaction_and_counts_changes(tmp_path):
    _, path = _store(tmp_path)
    with Store.open(path) as store:
        ids = [i.id for i in store.latest_items(limit=10)]
        assert store.count_news(NewsQuery(unread_only=True)) == len(HEADLINES) - 1
        assert store.mark_many_read(ids, True) == len(HEADLINES) - 1
        assert store.count_news(NewsQuery(unread_only=True)) == 0
        assert store.mark_many_read(ids[:2], False) == 2
        assert [i.read for i in store.latest_items(limit=3)] == [False, False, True]
        assert store.mark_many_read([], True) == 0


@pytest.mark.parametrize("bad", [["1"], [1.5], [True], [None]])
def test_mark_many_read_refuses_ids_that_are_not_integers(tmp_path, bad):
    _, path = _store(tmp_path)
    with Store.open(path) as store, pytest.raises(StoreError):
        store.mark_many_read(bad)


def test_unread_counts_by_feed_and_by_partner(tmp_path):
    _, path = _store(tmp_path)
    with Store.open(path) as store:
        by_feed = store.unread_by_feed()
        by_entity = store.unread_by_entity()
    # The newest item (OpenAI News, OpenAI + Nvidia) is read.
    assert "OpenAI News" not in by_feed
    assert by_feed["NVIDIA Newsroom"] == 1
    assert by_entity["Nvidia"] == 1
    assert by_entity["OpenAI"] == 4
    assert sum(by_feed.values()) == len(HEADLINES) - 1


def test_a_bad_exclude_rule_is_a_store_error_not_a_crash(tmp_path):
    _, path = _store(tmp_path)
    with Store.open(path) as store:
        with pytest.raises(StoreError):
            store.unread_by_feed([("feed", "")])
        with pytest.raises(StoreError):
            store.news_page(NewsQuery(hide=((None, 'unbalanced "'),)))
        with pytest.raises(StoreError):
            store.news_page(NewsQuery(), limit=-1)


async def test_m_toggles_read_and_the_title_counts_unread(tmp_path):
    config, _ = _store(tmp_path)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        panel = app.query_one(NewsPanel)
        await wait_for(pilot, lambda: "6 unread" in str(panel.border_title))
        await pilot.press("5", "j", "m")  # the second item, unread
        await wait_for(pilot, lambda: app.desk.state.news_items[1].read)
        assert "5 unread" in str(panel.border_title)
        await pilot.press("m")  # and unread again
        await wait_for(pilot, lambda: not app.desk.state.news_items[1].read)
        assert "6 unread" in str(panel.border_title)
    with Store.open(tmp_path / "store.sqlite3") as store:
        assert not store.latest_items(limit=2)[1].read


async def test_shift_m_marks_all_shown_read_and_u_shows_unread_only(tmp_path):
    config, _ = _store(tmp_path)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        await pilot.press("5", "u")
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES) - 1)
        assert all(not i.read for i in app.desk.state.news_items)
        assert "unread only" in str(app.query_one(NewsPanel).border_title)
        await pilot.press("M")
        await wait_for(pilot, lambda: len(news_rows(app)) == 0)
        await pilot.press("u")
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        assert all(i.read for i in app.desk.state.news_items)
        assert "unread" not in str(app.query_one(NewsPanel).border_title)


async def test_feeds_screen_and_partners_show_unread_counts(tmp_path):
    config, _ = _store(tmp_path)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        partners = app.query_one(PartnersPanel)
        await wait_for(pilot, lambda: partners.unread.get("Oracle") == 1)
        names = [str(partners.table.get_row_at(i)[0]) for i in range(partners.table.row_count)]
        assert "Oracle ●1" in names
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen))
        table = app.screen.query_one("#feeds-table")
        labels = [str(c.label) for c in table.columns.values()]
        unread_at = labels.index("Unread")
        rows = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[unread_at])
                for i in range(table.row_count)}
        assert rows["NVIDIA Newsroom"] == "1"
        assert rows["OpenAI News"] == "0"


@pytest.mark.parametrize("query", [
    NewsQuery(entity=3), NewsQuery(feeds=(None,)), NewsQuery(unread_only="yes"),
    NewsQuery(until="2026-01-01"), NewsQuery(include=""), "unread",
])
def test_a_malformed_news_query_is_a_store_error(tmp_path, query):
    _, path = _store(tmp_path)
    with Store.open(path) as store, pytest.raises(StoreError):
        store.news_page(query)


async def test_the_palette_names_the_reader_actions(tmp_path):
    config, _ = _store(tmp_path)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)):
        titles = {c.title for c in app.get_system_commands(app.screen)}
    assert {"Open link", "Mark read / unread", "Mark all shown read", "Unread only",
            "Saved views"} <= titles


def test_an_upper_case_key_can_be_given_in_keys(tmp_path):
    import shutil

    from dealdesk import config as C

    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write('\n[keys]\nmark_all_read = "R"\nunread_only = "U"\n')
    keys = C.load(cfg).settings.keys
    assert (keys["mark_all_read"], keys["unread_only"]) == ("R", "U")
