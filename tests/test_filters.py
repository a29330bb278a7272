"""Exclude filters and saved views (issue 17): case- and accent-insensitive whole-word
phrases, hidden in SQL from News, search, signals and `dump` (still stored, counted)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dealdesk import config as C
from dealdesk.cli import main
from dealdesk.config.saved_views import append_view
from dealdesk.model import NewsItem
from dealdesk.news.fetch import FetchResult
from dealdesk.store import NewsQuery, Store
from dealdesk.text.filters import Exclusions, SavedView, fold, fts_any, matches

from .conftest import CONFIG_DIR
from .test_config import _line_of, _problems

TEXTS = [
    "L'Élysée salue l'accord OpenAI–Nvidia",
    "ELYSEE: nothing said today",
    "Open-AI and the élysée",
    "Sponsored: a webinar on AI",
    "Openair festival, not about AI",
    "Said the chairman",
    "Œuvre d'art générative",
    "snake_case_words and more",
]
TERMS = [["elysee"], ["ÉLYSÉE"], ["open ai"], ["ai"], ["sponsored", "webinar"], ["oeuvre"],
         ["œuvre"], ["case"], ["said today"], ["generative"]]


def test_fold_drops_accents_and_case():
    assert fold("Élysée ÇA Noël") == "elysee ca noel"
    assert fold("STRASSE") == fold("strasse")


@pytest.mark.parametrize(("text", "terms", "expected"), [
    ("L'Élysée salue", ["elysee"], True),
    ("l'elysee", ["ÉLYSÉE"], True),
    ("Said the chairman", ["ai"], False),  # whole words: "ai" is not in "said"
    ("Open-AI rocks", ["open ai"], True),  # a phrase: its words in a row
    ("open the AI", ["open ai"], False),
    ("Openair", ["open"], False),
    ("x", ["nothing", "x"], True),
])
def test_matches_whole_words_and_phrases(text, terms, expected):
    assert matches(text, terms) is expected


def test_fts_expression_quotes_every_phrase():
    # FTS5 syntax in a term is text: quotes, NEAR, OR, * cannot change the query.
    assert fts_any(['say "NEAR" OR *x*', "", "!!"]) == '"say near or x"'
    assert fts_any(["", "  "]) is None


def _item(i: int, text: str, feed: str = "A") -> NewsItem:
    return NewsItem(feed=feed, guid=f"g{i}", title=text, link=f"https://example.com/{i}",
                    published=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i),
                    summary="")


def _fill(path: Path, texts: list[str], feed: str = "A") -> None:
    with Store.open(path) as store:
        store.record(FetchResult(feed, "https://example.com/feed", "ok", 200),
                     [_item(i, t, feed) for i, t in enumerate(texts)],
                     datetime(2026, 11, 2, tzinfo=UTC))


@pytest.mark.parametrize("terms", TERMS)
def test_the_store_hides_exactly_what_the_python_matcher_matches(tmp_path, terms):
    path = tmp_path / "s.sqlite3"
    _fill(path, TEXTS)
    rules = Exclusions(tuple(terms)).rules()
    with Store.open(path) as store:
        shown = {i.title for i in store.news_page(NewsQuery(hide=rules), 100)}
        hidden = store.count_hidden(NewsQuery(hide=rules))
        assert store.count_items() == len(TEXTS)  # still stored
    expected = {t for t in TEXTS if not matches(t, terms)}
    assert shown == expected
    assert hidden == len(TEXTS) - len(expected)


def test_a_feeds_own_exclude_hides_only_that_feeds_items(tmp_path):
    path = tmp_path / "s.sqlite3"
    _fill(path, ["Sponsored post", "Real news"], feed="A")
    with Store.open(path) as store:
        store.record(FetchResult("B", "https://example.org/feed", "ok", 200),
                     [_item(10, "Sponsored but fine", "B")], datetime(2026, 11, 2, tzinfo=UTC))
    rules = Exclusions(by_feed={"A": ("sponsored",)}).rules()
    with Store.open(path) as store:
        titles = [i.title for i in store.news_page(NewsQuery(hide=rules), 10)]
        found = [i.title for i in store.search_shown("sponsored", NewsQuery(hide=rules))]
    assert titles == ["Sponsored but fine", "Real news"]
    assert found == ["Sponsored but fine"]


def test_a_saved_view_includes_excludes_and_narrows(tmp_path):
    path = tmp_path / "s.sqlite3"
    _fill(path, TEXTS)
    view = SavedView("Paris", include=("elysee",), exclude=("open ai",))
    with Store.open(path) as store:
        query = NewsQuery(hide=view.rules(Exclusions()), include=view.include_match())
        titles = {i.title for i in store.news_page(query, 10)}
    assert titles == {t for t in TEXTS
                      if view.shows(t, "", "A", (), Exclusions())}
    assert titles == {TEXTS[0], TEXTS[1]}


def test_hiding_stays_fast_with_100000_items(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        for start in range(0, 100_000, 500):  # under the per-fetch cap, one feed per batch
            feed = f"F{start // 500}"
            store.record(FetchResult(feed, "https://example.com/feed", "ok", 200),
                         [_item(i, f"{'Sponsored' if i % 10 == 0 else 'News'} item {i}", feed)
                          for i in range(start, start + 500)],
                         datetime(2026, 11, 2, tzinfo=UTC))
    rules = Exclusions(("sponsored",)).rules()
    import time

    with Store.open(path) as store:
        began = time.perf_counter()
        page = store.news_page(NewsQuery(hide=rules), 200)
        hidden = store.count_hidden(NewsQuery(hide=rules))
        took = time.perf_counter() - began
    assert hidden == 10_000 and len(page) == 200
    assert not any(i.title.startswith("Sponsored") for i in page)
    assert took < 2.0, took


# -- config -------------------------------------------------------------------------------


def _cfg(tmp_path: Path) -> Path:
    target = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, target)
    return target


def test_news_exclude_and_feed_exclude_are_read(tmp_path):
    cfg = _cfg(tmp_path)
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write('\n[news]\nexclude = ["sponsored", "Élysée"]\n')
    feeds = (cfg / "feeds.toml").read_text(encoding="utf-8")
    (cfg / "feeds.toml").write_text(feeds.replace("[[feed]]\n", "[[feed]]\nexclude = [\"x\"]\n", 1),
                                    encoding="utf-8")
    config = C.load(cfg)
    assert config.settings.news_exclude == ("sponsored", "Élysée")
    assert config.feeds[0].exclude == ("x",)


@pytest.mark.parametrize("value", ['"sponsored"', '[1]', '["!!"]', '[""]'])
def test_a_bad_exclude_is_refused_with_its_line(tmp_path, value):
    cfg = _cfg(tmp_path)
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[news]\nexclude = {value}\n')
    line = _line_of(cfg / "dealdesk.toml", "exclude =")
    problems = _problems(cfg)
    assert any(p.startswith(f"{cfg / 'dealdesk.toml'}:{line}: exclude") for p in problems), problems


def test_views_toml_is_checked_with_file_and_line(tmp_path):
    cfg = _cfg(tmp_path)
    views = cfg / "views.toml"
    views.write_text(
        '# my views\n[[view]]\nname = "A"\ninclude = ["stargate"]\n\n'
        '[[view]]\nname = "A"\n\n'
        '[[view]]\nname = "B"\npartners = ["Nvidea"]\nfeeds = ["No such feed"]\ncolour = 1\n',
        encoding="utf-8")
    problems = _problems(cfg)
    assert f"{views}:7: duplicate view name 'A' (first at line 3)" in [
        p.split(" (hint")[0] for p in problems]
    assert any(p.startswith(f"{views}:11: view names unknown partner 'Nvidea'") for p in problems)
    assert any(p.startswith(f"{views}:12: view names unknown feed") for p in problems)
    assert any(p.startswith(f"{views}:13: unknown key 'colour'") for p in problems)


def test_saving_a_view_appends_and_keeps_comments(tmp_path):
    cfg = _cfg(tmp_path)
    views = cfg / "views.toml"
    views.write_text('# kept\n[[view]]\nname = "First"  # mine\ninclude = ["a"]\n',
                     encoding="utf-8")
    config = C.load(cfg)
    append_view(cfg, SavedView('Say "hi"\\', include=("stargate abilene",)), config.feeds,
                config.story)
    text = views.read_text(encoding="utf-8")
    assert text.startswith('# kept\n[[view]]\nname = "First"  # mine\n')
    assert [v.name for v in C.load(cfg).views] == ["First", 'Say "hi"\\']
    with pytest.raises(C.ConfigError):  # a name taken: nothing written
        append_view(cfg, SavedView("First", include=("b",)), config.feeds, config.story)
    assert views.read_text(encoding="utf-8") == text
    assert [p.name for p in cfg.iterdir() if p.name.startswith(".views-")] == []


# -- dump ---------------------------------------------------------------------------------


def test_dump_hides_excluded_items_and_counts_them(tmp_path, capsys):
    cfg = _cfg(tmp_path)
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write('\n[news]\nexclude = ["elysee"]\n')
    data = tmp_path / "data"
    data.mkdir()
    from dealdesk.config import STORE_FILE

    _fill(data / STORE_FILE, TEXTS, feed=C.load(cfg).feeds[0].name)
    assert main(["dump", "--format", "json", "--config", str(cfg), "--data", str(data)]) == 0
    out = json.loads(capsys.readouterr().out)
    titles = [n["title"] for n in out["news"]]
    assert len(titles) == len(TEXTS) - 3 and not any("lys" in t for t in titles)
    assert out["archive"]["hidden"] == 3 and out["archive"]["items"] == len(TEXTS)
    assert main(["dump", "--config", str(cfg), "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert "(3 hidden by exclude filters)" in text and "News · 3 hidden" in text


def test_signals_of_hidden_items_are_not_counted(tmp_path):
    path = tmp_path / "s.sqlite3"
    _fill(path, ["Sponsored: OpenAI reaches 900 million weekly users", "Real news"])
    with Store.open(path) as store:
        sponsored = next(i for i in store.latest_items() if i.title.startswith("Sponsored"))
        store.add_signals(sponsored.id, [{"metric": "weekly_active_users", "value": 9e8,
                                          "unit": None, "qualifier": None,
                                          "subject": "ChatGPT", "quote": "900 million"}])
        assert sum(store.signal_counts("new").values()) == 1
        rules = Exclusions(("sponsored",)).rules()
        assert store.signal_counts_shown("new", rules) == {}
        assert sum(store.signal_counts_shown("new").values()) == 1
        assert store.hidden_among([sponsored.id], rules) == {sponsored.id}


# -- the dashboard ----------------------------------------------------------------------------


def _dashboard(tmp_path, extra_settings: str = "", views: str = ""):
    from dealdesk.tui.app import DealDeskApp

    from .conftest import fixed_clock
    from .newsdata import fill_store

    cfg = _cfg(tmp_path)
    if extra_settings:
        with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
            f.write(extra_settings)
    if views:
        (cfg / "views.toml").write_text(views, encoding="utf-8")
    config = C.load(cfg)
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = DealDeskApp(config, tmp_path / "store.sqlite3", fixed_clock, refresh_on_start=False)
    app.animation_level = "none"
    return app


async def test_excluded_items_leave_news_and_search_and_are_counted(tmp_path):
    from dealdesk.tui.panels.news import NewsPanel
    from dealdesk.tui.screens.search import SearchScreen

    from .apps import wait_for
    from .test_tui_news import news_rows

    # "Oracle : le contrat..." and "Broadcom et OpenAI..." (accents, case: ÉT, ORACLE).
    app = _dashboard(tmp_path, '\n[news]\nexclude = ["ORACLE", "puces maison"]\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 5)
        assert not any("Oracle" in r or "puces" in r for r in news_rows(app))
        await wait_for(pilot, lambda: "2 hidden" in str(app.query_one(NewsPanel).border_title))
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"openai")
        screen = app.screen
        await wait_for(pilot, lambda: "match" in str(screen.query_one("#search-status")
                                                     .render()))
        table = screen.query_one("#search-results")
        titles = [table.row(i).cells[2].plain for i in range(table.row_count)]
        assert titles and not any("Oracle" in t or "puces" in t for t in titles)


async def test_v_picks_a_saved_view_and_ctrl_s_saves_a_search(tmp_path):
    from dealdesk.tui.screens.search import SearchScreen
    from dealdesk.tui.screens.views import ViewsScreen

    from .apps import wait_for
    from .test_tui_news import news_rows

    app = _dashboard(tmp_path, views='[[view]]\nname = "Nvidia only"\npartners = ["Nvidia"]\n'
                                     'exclude = ["vera rubin"]\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ViewsScreen))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(news_rows(app)) == 1)
        assert news_rows(app)[0].startswith("OpenAI and NVIDIA sign")
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"gigawatt", "ctrl+s")
        await wait_for(pilot, lambda: app.desk.state.saved_view is not None
                       and app.desk.state.saved_view.name == "gigawatt")
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(news_rows(app)) == 2)  # both gigawatt headlines
    text = (tmp_path / "cfg" / "views.toml").read_text(encoding="utf-8")
    assert text.startswith('[[view]]\nname = "Nvidia only"')
    assert [v.name for v in C.load(tmp_path / "cfg").views] == ["Nvidia only", "gigawatt"]


async def test_the_view_shown_is_remembered_across_runs(tmp_path):
    from dealdesk.tui.screens.views import ViewsScreen

    from .apps import wait_for
    from .test_tui_news import news_rows

    views = '[[view]]\nname = "Nvidia only"\npartners = ["Nvidia"]\n'
    app = _dashboard(tmp_path, views=views)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == 7)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, ViewsScreen))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(news_rows(app)) == 2)
    from dealdesk.tui.app import DealDeskApp

    again = DealDeskApp(app.config, tmp_path / "store.sqlite3", app.clock,
                        refresh_on_start=False)
    again.animation_level = "none"
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(again)) == 2)
        assert "view: Nvidia only" in str(again.panel("news").border_title)
