"""The Signals inbox: figures from the news beside the facts; accept and dismiss are kept."""

from __future__ import annotations

from datetime import date

from dealdesk import facts as F
from dealdesk import view as V
from dealdesk.store import Store
from dealdesk.tui.screens.details import DetailsScreen
from dealdesk.tui.screens.signals import SignalsScreen

from .apps import make_app, wait_for
from .newsdata import fill_store


def line_for(app, subject: str, metric: str) -> V.SignalLine:
    return next(line for line in app.desk.signal_lines
                if line.subject == subject and line.metric == metric)


async def select(pilot, screen: SignalsScreen, line: V.SignalLine) -> None:
    table = screen.query_one("#signals-table")
    table.move_cursor(row=table.get_row_index(str(line.id)))
    await pilot.pause()


async def test_inbox_shows_each_figure_beside_the_fact(tmp_path, config):
    app = make_app(fill_store(tmp_path / "s.sqlite3", config.feeds))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: len(app.desk.signal_lines) == 5)
        users = line_for(app, "ChatGPT", "weekly_active_users")
        assert V.comparison(users) == (
            "ChatGPT weekly users: 1B (news item, 2026-11-29) vs > 900M (facts, 2026-02-27)"
        )
        oracle = line_for(app, "Oracle", "commitment_usd")
        assert V.comparison(oracle).endswith("vs $300B (facts, 2025-09-23)")
        assert "1 400" not in V.comparison(oracle)
        assert isinstance(app.screen, SignalsScreen)
        assert app.screen.query_one("#signals-table").row_count == 5


def title(app) -> str:
    return str(app.query_one("#titlebar").render())


async def test_the_title_counts_new_signals_without_reading_them(tmp_path, config, monkeypatch):
    """Counted by the store, tracked facts only; another process's changes show."""
    from dealdesk.tui import newsroom

    monkeypatch.setattr(newsroom, "WATCH_SECONDS", 0.05)
    path = fill_store(tmp_path / "s.sqlite3", config.feeds)
    with Store.open(path) as store:
        item = store.latest_items(limit=1)[0]
        # OpenAI's money is no tracked fact: stored, but neither in the inbox nor counted.
        store.add_signals(item.id, [{"metric": "commitment_usd", "value": 1e9,
                                     "subject": "OpenAI", "quote": "OpenAI raises $1B"}])
        assert store.signal_counts("new")[("commitment_usd", "OpenAI")] == 1
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "● 5 new signals (s)" in title(app))
        assert app.desk.state.signals is None  # never read: the inbox is closed
        with Store.open(path) as store:  # as another process would
            nvidia = next(s for s in store.signals("new") if s.subject == "Nvidia")
            store.set_signal_state(nvidia.id, "dismissed")
        await wait_for(pilot, lambda: "● 4 new signals (s)" in title(app))



def chatgpt_users(app) -> float | None:
    return app.desk.state.snap.users["ChatGPT"][-1].count.weekly_active_users

async def test_accept_makes_a_fact_with_its_source_and_survives_a_restart(tmp_path, config):
    path = fill_store(tmp_path / "s.sqlite3", config.feeds)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: app.desk.signal_lines)
        await select(pilot, app.screen, line_for(app, "ChatGPT", "weekly_active_users"))
        await pilot.press("a")
        await wait_for(pilot, lambda: chatgpt_users(app) == 1e9)
        latest = app.desk.state.snap.users["ChatGPT"][-1].count
        source = app.desk.state.snap.story.sources[latest.source]
        assert source.title.startswith("ChatGPT reaches 1 billion") and source.kind == "reported"
        assert latest.as_of == date(2026, 11, 29)
        assert line_for(app, "ChatGPT", "weekly_active_users").state == "accepted"
        # The accepted value is compared with the facts without it, so the row still reads.
        assert V.comparison(line_for(app, "ChatGPT", "weekly_active_users")).endswith(
            "vs > 900M (facts, 2026-02-27)")

    again = make_app(path)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: chatgpt_users(again) == 1e9)
        # Every panel shows it: the Users panel's table and the details timeline.
        await pilot.press("3", "enter")
        await pilot.pause()
        assert isinstance(again.screen, DetailsScreen)
        assert any(e.source.startswith("news-") for e in again.screen.details.timeline)


async def test_dismiss_hides_and_is_remembered_and_undo_restores(tmp_path, config):
    path = fill_store(tmp_path / "s.sqlite3", config.feeds)
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: app.desk.signal_lines)
        screen = app.screen
        await select(pilot, screen, line_for(app, "Oracle", "commitment_usd"))
        await pilot.press("d")
        await wait_for(pilot, lambda: screen.query_one("#signals-table").row_count == 4)
        await pilot.press("h")  # show dismissed: read from the store, a page of them
        await wait_for(pilot, lambda: screen.query_one("#signals-table").row_count == 5)

    again = make_app(path)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: again.desk.signal_lines)
        screen = again.screen
        assert screen.query_one("#signals-table").row_count == 4
        assert "1 dismissed hidden" in str(screen.query_one("#signals-summary").render())
        await pilot.press("h")
        await wait_for(pilot, lambda: screen.query_one("#signals-table").row_count == 5)
        assert line_for(again, "Oracle", "commitment_usd").state == "dismissed"
        await select(pilot, screen, line_for(again, "Oracle", "commitment_usd"))
        await pilot.press("u")
        await wait_for(pilot, lambda: line_for(again, "Oracle", "commitment_usd").state == "new")
        # Oracle's facts never changed: a dismissed or new figure is not a fact.
        oracle = next(s for s in again.desk.state.snap.partners if s.partner.name == "Oracle")
        assert oracle.partner.commitment_usd == 300e9


def test_conflicting_sources_both_stand(config):
    story = F.with_accepted(config.story, [
        F.AcceptedFigure(7, "commitment_usd", 40e9, "Nvidia", date(2026, 3, 10),
                         "Nvidia said to raise its stake", "Wire"),
    ])
    found = F.conflicts(story, "commitment_usd", "Nvidia", date(2026, 11, 29))
    assert [(s.value, s.source) for s in found] == [
        (30e9, "openai-round-2026-02-27"), (40e9, "news-7")]
    snap = F.snapshot(story, date(2026, 11, 29))
    row = next(r for r in V.partners_view(snap).rows if r.key == "Nvidia")
    assert str(row.cells[2]) == "$40B ≠"
    lines = dict((k, str(v)) for k, v in V.partner_details(snap, "Nvidia").facts)
    assert lines["Sources disagree (commitment)"] == (
        "≠ $30B (openai-round-2026-02-27, 2026-02-27) vs $40B (news-7, 2026-03-10)")
    # Far apart in time, a new figure is an update, not a disagreement.
    later = F.with_accepted(config.story, [
        F.AcceptedFigure(8, "commitment_usd", 40e9, "Nvidia", date(2026, 9, 1), "t", "Wire")])
    assert F.conflicts(later, "commitment_usd", "Nvidia", date(2026, 11, 29)) == []


def test_figures_about_untracked_subjects_stay_out_of_the_inbox(config):
    assert F.target_of(config.story, "commitment_usd", "OpenAI") is None
    assert F.target_of(config.story, "weekly_active_users", "Nvidia") is None
    assert F.target_of(config.story, "capacity_gw", "AMD") == "AMD"


async def test_the_inbox_pages_through_many_signals_and_shows_again_when_reopened(
        tmp_path, monkeypatch):
    """A store with more signals than a page lists a window of them, counted in SQL."""
    from datetime import UTC, datetime

    from dealdesk.model import NewsItem
    from dealdesk.news.fetch import FetchResult
    from dealdesk.tui import newsroom

    monkeypatch.setattr(newsroom, "INBOX_PAGE", 20)
    now = datetime(2026, 11, 28, tzinfo=UTC)
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        ((news, _),) = store.record(
            FetchResult("Feed", "https://example.com/f", "ok", 200),
            [NewsItem(feed="Feed", guid="g", title="Churn", link=None, published=now,
                      summary="")], now)
        store.add_signals(news, [{"metric": "capacity_gw", "subject": "Nvidia", "value": v}
                                 for v in range(1, 46)], now)
        store.add_signals(news, [{"metric": "commitment_usd", "subject": "OpenAI",
                                  "value": 5.0}], now)  # untracked: never listed
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        screen = app.screen
        table = screen.query_one("#signals-table")

        def summary() -> str:
            return str(screen.query_one("#signals-summary").render())

        await wait_for(pilot, lambda: table.row_count == 20)
        assert summary().startswith("45 new · 1–20 of 45 shown")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "21–40 of 45" in summary())
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: table.row_count == 5)
        await pilot.press("right_square_bracket")  # no page after the last
        await pilot.pause()
        assert screen.page_start == 40
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "21–40 of 45" in summary())
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: "1–20 of 45" in summary())
        await pilot.press("escape", "s")  # opened again over the same page: shown too
        await wait_for(pilot, lambda: isinstance(app.screen, SignalsScreen)
                       and app.screen.query_one("#signals-table").row_count == 20)
