"""A feed reader's essentials on the dashboard: read marks, unread counts, exclude filters,
saved views and opening links. A mixin of DealDeskApp, beside NewsRoom.

What is hidden (`[news] exclude`, a feed's `exclude`, the saved view's terms) is decided
by the store in SQL (store.NewsQuery); the counts come back with each read of the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work

from ..text.filters import Exclusions, SavedView, exclusions
from . import links

if TYPE_CHECKING:
    from ..store import NewsQuery, Store


@dataclass(frozen=True)
class ReadCounts:
    """Unread and hidden items of what News shows, and unread per feed and per partner."""

    unread: int = 0
    hidden: int = 0
    by_feed: dict[str, int] = field(default_factory=dict)
    by_entity: dict[str, int] = field(default_factory=dict)


def read_counts(store: Store, query: NewsQuery) -> ReadCounts:
    from dataclasses import replace

    return ReadCounts(
        unread=store.count_news(replace(query, unread_only=True)),
        hidden=store.count_hidden(query),
        by_feed=store.unread_by_feed(query.hide),
        by_entity=store.unread_by_entity(query.hide),
    )


class Reader:
    """Read state, filters, views and links for DealDeskApp."""

    unread_only = False
    saved_view: SavedView | None = None
    reading: ReadCounts = ReadCounts()

    # -- what News shows ------------------------------------------------------------------

    @property
    def exclusions(self) -> Exclusions:
        config: Any = self.config  # type: ignore[attr-defined]
        return exclusions(config.settings.news_exclude, config.feeds)

    def news_query(self) -> NewsQuery:
        """What the News panel shows now: filter, day shown, unread only, view, excludes."""
        from ..history import end_of
        from ..store import NewsQuery

        app: Any = self
        view = self.saved_view
        base = self.exclusions
        return NewsQuery(
            entity=app.news_filter,
            until=end_of(app.story_day()) if app.travelling else None,
            unread_only=self.unread_only,
            hide=view.rules(base) if view else base.rules(),
            include=view.include_match() if view else None,
            entities=view.partners if view else (),
            feeds=view.feeds if view else (),
        )

    def news_title(self) -> Text:
        app: Any = self
        parts = ["5 News"]
        if app.news_filter:
            parts.append(app.news_filter)
        if self.saved_view is not None:
            parts.append(f"view: {self.saved_view.name}")
        if self.unread_only:
            parts.append("unread only")
        counts = self.reading
        if counts.unread:
            parts.append(f"{counts.unread} unread")
        if counts.hidden:
            parts.append(f"{counts.hidden} hidden")
        # A Text, not a str: a str border title is parsed as markup, and names are data.
        return Text(" · ".join(parts))

    def take_read_counts(self, counts: ReadCounts | None) -> bool:
        """Keep the counts a store read brought; whether they changed."""
        if counts is None or counts == self.reading:
            return False
        self.reading = counts
        from .panels.facts_panels import PartnersPanel

        app: Any = self
        for panel in app.query(PartnersPanel):
            panel.show_unread(counts.by_entity)
        return True

    # -- the highlighted item -------------------------------------------------------------

    def highlighted_news(self) -> Any:
        """The News row under the cursor (a view.NewsLine) when News is the panel in use."""
        app: Any = self
        if app.active_panel != "news" or app._help_is_open() or len(app.screen_stack) > 1:
            return None
        panel = app.panel("news")
        if panel is None or not panel.table.row_count:
            return None
        key = panel.table.coordinate_to_cell_key(panel.table.cursor_coordinate).row_key.value
        return next((i for i in app.news_items if str(i.id) == key), None)

    # -- o: open the link -----------------------------------------------------------------

    def highlighted_link(self) -> str | None:
        from .screens.details import DetailsScreen

        app: Any = self
        if isinstance(app.screen, DetailsScreen):
            return links.web_url(app.screen.copy_text)
        item = self.highlighted_news()
        return links.web_url(item.link) if item is not None else None

    def action_open_link(self) -> None:
        app: Any = self
        url = self.highlighted_link()
        if url is None:
            app.notify("No http(s) link to open here.", timeout=2)
            return
        plan = links.plan_open(url, app.config.settings.open_command)
        if plan.how == "copy":
            # Over SSH a browser would open on the server: the link goes to the reader's
            # own clipboard (OSC 52 travels back through SSH and tmux).
            app.copy_to_clipboard(url)
            app.notify(f"Over SSH: link copied to your clipboard, not opened on the server: "
                       f"{url[:60]}", timeout=4)
            return
        self._open_in_worker(plan)

    @work(thread=True, group="open-link", exit_on_error=False)
    def _open_in_worker(self, plan: links.OpenPlan) -> None:
        app: Any = self
        error = links.run_open(plan)
        if error is None:
            app.call_from_thread(app.notify, f"Opened {plan.url[:60]}", timeout=2)
        else:
            app.call_from_thread(app.notify, f"Could not open the link: {error}",
                                 severity="error", timeout=6)

    # -- m, M, u: read marks --------------------------------------------------------------

    def action_toggle_read(self) -> None:
        item = self.highlighted_news()
        if item is not None:
            self._mark_read([item.id], not item.read)

    def action_mark_all_read(self) -> None:
        app: Any = self
        if len(app.screen_stack) > 1 or app._help_is_open():
            return
        ids = [i.id for i in app.news_items if not i.read]
        if ids:
            self._mark_read(ids, True)
        else:
            app.notify("Every item shown is read.", timeout=2)

    @work(thread=True, group="read-marks", exit_on_error=False)
    def _mark_read(self, ids: list[int], read: bool) -> None:
        from ..store import StoreError

        app: Any = self
        try:
            with app._open_store() as store:
                changed = store.mark_many_read(ids, read)
        except StoreError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        if len(ids) > 1:
            app.call_from_thread(app.notify, f"{changed} items marked read", timeout=2)
        app.call_from_thread(app.load_news)

    def action_unread_only(self) -> None:
        app: Any = self
        if len(app.screen_stack) > 1 or app._help_is_open():
            return
        self.unread_only = not self.unread_only
        app.load_news()

    # -- v: saved views -------------------------------------------------------------------

    def action_views(self) -> None:
        from .screens.views import ViewsScreen

        app: Any = self
        if isinstance(app.screen, ViewsScreen):
            return

        def chosen(name: str | None) -> None:
            if name is None:
                return
            self.pick_view(name or None)

        app.push_screen(ViewsScreen(app.config.views, self.saved_view), chosen)

    def pick_view(self, name: str | None) -> None:
        """Show News through the view named `name` (None: no view)."""
        app: Any = self
        view = next((v for v in app.config.views if v.name == name), None)
        if view != self.saved_view:
            self.saved_view = view
            app._remember(news_view=view.name if view else None)
            app.load_news()

    def save_search_as_view(self, query: str, name: str) -> str | None:
        """Append a view showing `query`'s words to views.toml; None, or why it failed."""
        from ..config import ConfigError
        from ..config.saved_views import append_view

        app: Any = self
        config = app.config
        view = SavedView(name, include=(query,))
        try:
            append_view(config.dir, view, config.feeds, config.story)
        except ConfigError as exc:
            return str(exc.problems[0]) if exc.problems else "the view is not valid"
        except OSError as exc:
            return f"cannot write {config.dir}: {exc.strerror or exc}"
        from dataclasses import replace

        app.config = replace(config, views=(*config.views, view))
        self.pick_view(name)
        return None
