"""Themes, remapped keys, and what the dashboard remembers between runs."""

from __future__ import annotations

import json
import shutil
from dataclasses import FrozenInstanceError, asdict, replace

import pytest

from dealdesk.config import load
from dealdesk.state import STATE_FILE, UiState, load_state
from dealdesk.tui.app import DealDeskApp

from .apps import help_shown, wait_for
from .conftest import CONFIG_DIR, fixed_clock
from .newsdata import fill_store


def app_at(tmp_path, config=None) -> DealDeskApp:
    app = DealDeskApp(config or load(CONFIG_DIR), tmp_path / "data" / "s.sqlite3", fixed_clock,
                      refresh_on_start=False)
    app.animation_level = "none"
    return app


async def test_t_cycles_themes_and_the_choice_is_remembered(tmp_path):
    app = app_at(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("t")
        assert app.theme == "textual-light"
        await pilot.press("t")
        assert app.theme == "dealdesk-high-contrast"
    again = app_at(tmp_path)
    async with again.run_test(size=(80, 24)):
        assert again.theme == "dealdesk-high-contrast"


async def test_panel_and_news_filter_are_remembered(tmp_path, config):
    fill_store(tmp_path / "data" / "s.sqlite3", config.feeds)
    app = app_at(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "escape", "4")  # Nvidia's details filter News; then Risks
        await wait_for(pilot, lambda: app.desk.state.news_filter == "Nvidia")
    assert load_state(tmp_path / "data") == UiState("risks", "textual-dark", "Nvidia")
    again = app_at(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(again.desk.state.news_items) == 2)
        assert again.active_panel == "risks"
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(again.desk.state.news_items) == 7)


def test_a_broken_state_file_means_defaults(tmp_path):
    (tmp_path / STATE_FILE).write_text("{not json")
    assert load_state(tmp_path) == UiState()
    (tmp_path / STATE_FILE).write_text(json.dumps({"panel": 3, "theme": "x", "extra": 1}))
    assert load_state(tmp_path) == UiState(theme="x")


def test_a_null_in_the_state_file_is_kept_only_where_the_field_may_be_none(tmp_path):
    (tmp_path / STATE_FILE).write_text(
        json.dumps({"panel": None, "theme": None, "news_filter": None}))
    assert load_state(tmp_path) == UiState(news_filter=None)
    (tmp_path / STATE_FILE).write_text(json.dumps({"panel": "risks", "news_filter": "Nvidia"}))
    assert load_state(tmp_path) == UiState("risks", news_filter="Nvidia")


def test_ui_state_is_a_frozen_value():
    """UiState, like the facts and views, is a dataclass on value.Value: the methods
    @dataclass(frozen=True) would generate, written once (they cost start-up time)."""
    state = UiState("risks", news_filter="Nvidia")
    assert state == UiState("risks", "textual-dark", "Nvidia") != UiState()
    assert hash(state) == hash(UiState("risks", "textual-dark", "Nvidia"))
    assert state != ("risks", "textual-dark", "Nvidia")
    assert repr(state) == ("UiState(panel='risks', theme='textual-dark', news_filter='Nvidia', "
                           "news_view=None)")
    assert replace(state, theme="x") == UiState("risks", "x", "Nvidia")
    assert asdict(state) == {"panel": "risks", "theme": "textual-dark", "news_filter": "Nvidia",
                             "news_view": None}
    with pytest.raises(FrozenInstanceError):
        state.panel = "news"
    with pytest.raises(FrozenInstanceError):
        del state.theme
    with pytest.raises(TypeError, match="unexpected argument 'colour'"):
        UiState(colour="red")
    with pytest.raises(TypeError, match="two values for 'panel'"):
        UiState("risks", panel="news")
    with pytest.raises(TypeError, match="takes 4 arguments"):
        UiState("a", "b", "c", "d", "e")


async def test_keys_remapped_in_config(tmp_path):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    with open(cfg / "dealdesk.toml", "a", encoding="utf-8") as out:
        out.write('\n[keys]\nhelp = "h,f1"\nquit = "ctrl+q"\n')
    app = app_at(tmp_path, load(cfg))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert not help_shown(app)
        await pilot.press("f1")
        await pilot.pause()
        assert help_shown(app)
        listed = dict((what, keys) for keys, what in
                      __import__("dealdesk.tui.keys", fromlist=["x"]).help_rows(
                          app.config.settings.keys))
        assert listed["This help"] == "h,f1"
        await pilot.press("escape")
        await pilot.pause()
        assert not help_shown(app)
        await pilot.press("h")  # the help key in force opens help and closes it again
        await pilot.pause()
        assert help_shown(app)
        await pilot.press("h")
        await pilot.pause()
        assert not help_shown(app)
        await pilot.press("q")
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_c_on_the_dashboard_copies_the_highlighted_link(tmp_path, config):
    fill_store(tmp_path / "data" / "s.sqlite3", config.feeds)
    app = app_at(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.desk.state.news_items)
        await pilot.press("5", "j", "c")
        assert app.clipboard == "https://example.com/news/1"
        await pilot.press("4", "c")  # a risk's quote
        assert app.clipboard.startswith("Les détails de l’accord")
