"""A feed reader's essentials on the dashboard: read marks, unread counts, exclude filters,
saved views and opening links. A part of the Desk (tui.desk), beside NewsRoom.

What is hidden (`[news] exclude`, a feed's `exclude`, the saved view's terms) is decided
by the store in SQL (store.NewsQuery); the counts come back with each read of the store.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..text.filters import SavedView
from . import links
from .deskstate import DeskCore, ReadCounts

if TYPE_CHECKING:
    from ..store import NewsQuery, Store
    from .timetravel import TimeTravel


def read_counts(store: Store, query: NewsQuery) -> ReadCounts:
    return ReadCounts(
        unread=store.count_news(replace(query, unread_only=True)),
        hidden=store.count_hidden(query),
        by_feed=store.unread_by_feed(query.hide),
        by_entity=store.unread_by_entity(query.hide),
    )


class Reader:
    """Read state, filters, views and links for the Desk."""

    def __init__(self, desk: DeskCore, travel: TimeTravel) -> None:
        self.desk = desk
        self.travel = travel

    # -- what News shows ------------------------------------------------------------------

    def news_query(self) -> NewsQuery:
        """What the News panel shows now: filter, day shown, unread only, view, excludes."""
        from ..history import end_of
        from ..store import NewsQuery

        state = self.desk.state
        travel = self.travel
        view = state.saved_view
        base = self.desk.exclusions
        return NewsQuery(
            entity=state.news_filter,
            until=end_of(travel.story_day()) if travel.travelling else None,
            unread_only=state.unread_only,
            hide=view.rules(base) if view else base.rules(),
            include=view.include_match() if view else None,
            entities=view.partners if view else (),
            feeds=view.feeds if view else (),
        )

    def take_read_counts(self, counts: ReadCounts | None) -> bool:
        """Keep the counts a store read brought; whether they changed."""
        if counts is None or counts == self.desk.state.reading:
            return False
        self.desk.state.reading = counts
        return True

    # -- o: open the link -----------------------------------------------------------------

    def open_link(self, url: str | None) -> None:
        app = self.desk.app
        if url is None:
            app.notify("No http(s) link to open here.", timeout=2)
            return
        plan = links.plan_open(url, self.desk.config.settings.open_command)
        if plan.how == "copy":
            # Over SSH a browser would open on the server: the link goes to the reader's
            # own clipboard (OSC 52 travels back through SSH and tmux).
            app.copy_to_clipboard(url)
            app.notify(f"Over SSH: link copied to your clipboard, not opened on the server: "
                       f"{url[:60]}", timeout=4)
            return
        app.run_worker(lambda: self._open_in_worker(plan), name="_open_in_worker",
                       group="open-link", thread=True, exit_on_error=False)

    def _open_in_worker(self, plan: links.OpenPlan) -> None:
        app = self.desk.app
        error = links.run_open(plan)
        if error is None:
            app.call_from_thread(app.notify, f"Opened {plan.url[:60]}", timeout=2)
        else:
            app.call_from_thread(app.notify, f"Could not open the link: {error}",
                                 severity="error", timeout=6)

    # -- m, M, u: read marks --------------------------------------------------------------

    def mark_all_read(self) -> None:
        ids = [i.id for i in self.desk.state.news_items if not i.read]
        if ids:
            self.mark_read(ids, True)
        else:
            self.desk.app.notify("Every item shown is read.", timeout=2)

    def mark_read(self, ids: list[int], read: bool) -> None:
        self.desk.app.run_worker(lambda: self._mark_read(ids, read), name="_mark_read",
                                 group="read-marks", thread=True, exit_on_error=False)

    def _mark_read(self, ids: list[int], read: bool) -> None:
        from ..store import StoreError

        app = self.desk.app
        try:
            with self.desk.open_store() as store:
                changed = store.mark_many_read(ids, read)
        except StoreError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        if len(ids) > 1:
            app.call_from_thread(app.notify, f"{changed} items marked read", timeout=2)
        app.call_from_thread(self.desk.reload)

    def toggle_unread_only(self) -> None:
        self.desk.state.unread_only = not self.desk.state.unread_only
        self.desk.reload()

    # -- v: saved views -------------------------------------------------------------------

    def pick_view(self, name: str | None) -> None:
        """Show News through the view named `name` (None: no view)."""
        view = next((v for v in self.desk.config.views if v.name == name), None)
        if view != self.desk.state.saved_view:
            self.desk.state.saved_view = view
            self.desk.remember(news_view=view.name if view else None)
            self.desk.reload()

    def save_search_as_view(self, query: str, name: str) -> str | None:
        """Append a view showing `query`'s words to views.toml; None, or why it failed."""
        from ..config import ConfigError
        from ..config.saved_views import append_view

        config = self.desk.config
        view = SavedView(name, include=(query,))
        try:
            append_view(config.dir, view, config.feeds, config.story)
        except ConfigError as exc:
            return str(exc.problems[0]) if exc.problems else "the view is not valid"
        except OSError as exc:
            return f"cannot write {config.dir}: {exc.strerror or exc}"
        self.desk.config = replace(config, views=(*config.views, view))
        self.pick_view(name)
        return None

