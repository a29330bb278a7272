"""The Desk: the dashboard's controller, composed into DealDeskApp as `app.desk`.

DealDeskApp keeps layout, focus and keys; what the dashboard shows is a DeskState
(tui.deskstate) owned by the Desk. The Desk reads the store in workers, refreshes in a child
process and keeps the read marks, alerts, time travel and "since you last looked", one part
per concern (newsroom, reader, alerting, timetravel, sincelast), each given what it uses.
Whenever the state changes it publishes a DeskChanged on its Textual Signal (`changed`),
saying what changed: the app repaints its panels from it, and each open screen (Feeds,
Signals, Alerts) subscribes when mounted and updates itself. Screens are given the desk (as
the Protocols of tui.deskstate) and ask it for things; nothing reads the app's attributes.

The screens are imported where they first open: the first frame needs none of them.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .deskstate import Clock, DeskCore, Remember
from .timetravel import TimeTravel

if TYPE_CHECKING:
    from textual.app import App

    from ..config import Config
    from .alerting import Alerting
    from .newsroom import NewsRoom
    from .reader import Reader
    from .screens.search import SearchScreen
    from .sincelast import SinceLastLooked


class Desk(DeskCore):
    def __init__(self, app: App[Any], config: Config, store_path: Path | None, clock: Clock,
                 *, remember: Remember, refresh_on_start: bool = True,
                 as_of: date | None = None, state_dir: Path | None = None) -> None:
        super().__init__(app, config, store_path, clock, remember=remember,
                         refresh_on_start=refresh_on_start, as_of=as_of, state_dir=state_dir)
        self.travel = TimeTravel(self)  # the title bar asks it whether a day is shown
        self.reload = self._reload
        self._search: SearchScreen | None = None  # made at the first `/`, kept

    # The parts the first frame never uses are made, and their modules imported, when first
    # asked for (after that frame): importing them is time before the first paint.

    @cached_property
    def reader(self) -> Reader:
        from .reader import Reader

        return Reader(self, self.travel)

    @cached_property
    def alerting(self) -> Alerting:
        from .alerting import Alerting

        return Alerting(self)

    @cached_property
    def news(self) -> NewsRoom:
        from .newsroom import NewsRoom

        return NewsRoom(self, self.reader, self.travel, self.alerting)

    @cached_property
    def since(self) -> SinceLastLooked:
        from .sincelast import SinceLastLooked

        return SinceLastLooked(self, self.travel)

    def _reload(self) -> None:
        self.news.load_news()

    # -- what screens ask of the desk (tui.deskstate's Protocols) ----------------------------

    def open_news_item(self, item_id: int) -> None:
        self.news.open_news_item(item_id)

    def set_signal_state(self, signal_id: int, state: str) -> None:
        self.news.set_signal_state(signal_id, state)

    def show_inbox_page(self, offset: int, dismissed: bool) -> None:
        """The open inbox wants this page: read it (the Signal brings it)."""
        self.state.inbox = (offset, dismissed)
        self.news.load_news()

    def close_inbox(self) -> None:
        self.state.inbox = None

    def inbox_page_size(self) -> int:
        from . import newsroom

        return newsroom.INBOX_PAGE  # read when asked: the one the store reads use

    def save_search_as_view(self, query: str, name: str) -> str | None:
        return self.reader.save_search_as_view(query, name)

    # -- the screens the desk's keys open ---------------------------------------------------

    def open_signals(self) -> None:
        from .screens.signals import SignalsScreen

        if not isinstance(self.app.screen, SignalsScreen):
            self.state.inbox = (0, False)
            self.app.push_screen(SignalsScreen(self))
            self.news.load_news()  # with every signal, now that the inbox is open

    def open_feeds(self) -> None:
        from .screens.feeds import FeedsScreen

        if not isinstance(self.app.screen, FeedsScreen):
            state = self.state
            self.app.push_screen(FeedsScreen(state.feed_states or self.news.never_fetched(),
                                             self.clock(), state.reading.by_feed, desk=self))

    def open_search(self) -> None:
        from .screens.search import SearchScreen

        if isinstance(self.app.screen, SearchScreen):
            return

        def chosen(item_id: int | None) -> None:
            if item_id is not None:
                self.open_news_item(item_id)

        hide = self.reader.news_query().hide
        screen = self._search
        if screen is None:
            # Installed, so that closing it keeps it: see SearchScreen.reopen.
            screen = self._search = SearchScreen(self.store_path, self.clock(), hide=hide,
                                                 save_view=self.save_search_as_view)
            self.app.install_screen(screen, "search")
        else:
            screen.reopen(self.clock(), hide)
        self.app.push_screen(screen, chosen)

    def open_alerts(self) -> None:
        from .screens.alerts import AlertsScreen

        if not isinstance(self.app.screen, AlertsScreen):
            self.app.push_screen(AlertsScreen(self, self.state.alerts))
            self.alerting.check_alerts()

    def choose_view(self) -> None:
        from .screens.views import ViewsScreen

        if isinstance(self.app.screen, ViewsScreen):
            return

        def chosen(name: str | None) -> None:
            if name is not None:
                self.reader.pick_view(name or None)

        self.app.push_screen(ViewsScreen(self.config.views, self.state.saved_view), chosen)

    def open_since(self) -> None:
        from .screens.since import SinceScreen

        summary = self.state.since_summary
        if summary is None:
            self.app.notify("Nothing to show: no previous session recorded.", timeout=3)
            return
        if not isinstance(self.app.screen, SinceScreen):
            self.app.push_screen(SinceScreen(summary))

    def pick_date(self) -> None:
        from .screens.asof import AsOfScreen

        def chosen(day: date | bool | None) -> None:
            if day is not False:  # False: cancelled
                self.travel.set_as_of(day if isinstance(day, date) else None)

        self.app.push_screen(AsOfScreen(self.travel.story_day(), self.clock().date()), chosen)
