"""The DealDesk dashboard.

Dependencies come in through the constructor (config, where the store lives, a clock), so
tests and snapshots run on fixed data and a fixed day. The app keeps layout, focus and keys;
what the dashboard shows is the Desk's (tui.desk), whose workers read the store and whose
child process refreshes the feeds. Widgets never do IO.
Screens and widgets that the first frame does not show are imported where first used:
imports are a good part of the time to the first frame.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.scrollbar import ScrollBar
from textual.widget import MountError
from textual.widgets import Static

from .. import view as V
from ..config import Config
from ..state import UiState, load_state, save_state
from .desk import Desk
from .deskstate import Change, Clock, DeskChanged, utc_now
from .footer import KeysFooter
from .keys import APP_BINDINGS, PANELS
from .panels.facts_panels import ComputePanel, FactsPanel, PartnersPanel, RisksPanel, UsersPanel
from .panels.grid import PanelGrid
from .panels.news import NewsPanel
from .panels.table import Panel
from .screens.base import DeskScreen
from .scrollbar import RunsScrollBarRender
from .themes import HIGH_CONTRAST, THEMES
from .titlebar import panel_tabs, title_text

if TYPE_CHECKING:
    from textual.events import DescendantFocus, Resize
    from textual.widgets import Tabs
    from textual.worker import Worker

    from .alerting import AlertsLoaded
    from .messages import NewsLoaded, RefreshFinished, RefreshProgress, StoreChanged
    from .sincelast import SinceLoaded

PANEL_WIDGETS = (PartnersPanel, ComputePanel, UsersPanel, RisksPanel, NewsPanel)
# Keys that act on the dashboard's panels: unseen behind details, help or search.
DASHBOARD_ONLY = ("cycle_panel", "focus_panel", "clear_filter", "copy", "toggle_read",
                  "mark_all_read", "unread_only")
CYCLE_GATHER_SECONDS = 0.03


class DealDeskApp(App[None]):
    """Layout, focus and keys. What the dashboard shows is `self.desk.state`, kept by the
    Desk (tui.desk), which publishes each change on `self.desk.changed`: the panels here
    and the open screens repaint from that."""

    CSS_PATH = "app.tcss"
    TITLE = "DealDesk"
    BINDINGS = APP_BINDINGS
    # Focus is ours to give (the remembered panel); Textual's own first-widget focus would
    # race with it.
    AUTO_FOCUS = None
    # Instance variables in Textual's App (not ClassVar), set here as Textual's docs do.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # noqa: RUF012
    TINY_HEIGHT = 16  # below it (-tiny, with -short) the lines under a table take one line each

    active_panel: reactive[str] = reactive("partners", init=False)

    def __init__(
        self,
        config: Config,
        store_path: Path | None = None,
        clock: Clock = utc_now,
        *,
        refresh_on_start: bool = True,
        as_of: date | None = None,
    ) -> None:
        super().__init__()
        self.store_path = store_path
        self.clock = clock
        # What the reader had on screen last time: panel, theme, News filter.
        self.state_dir = store_path.parent if store_path is not None else None
        self.ui_state = load_state(self.state_dir) if self.state_dir else UiState()
        self.desk = Desk(self, config, store_path, clock, remember=self._remember,
                         refresh_on_start=refresh_on_start, as_of=as_of,
                         state_dir=self.state_dir)
        self._cycle_target: str | None = None  # where a burst of tab presses is going
        self.panels_ready = False  # all five mounted (only Partners is in the first frame)
        self._collecting = False  # the collector, paused until the first frame (on_load)
        ScrollBar.renderer = RunsScrollBarRender  # Textual's hook for all scrollbars
        self.register_theme(HIGH_CONTRAST)
        self.set_keymap(dict(config.settings.keys))
        if self.ui_state.theme in THEMES:
            self.theme = self.ui_state.theme
        self.desk.state.news_filter = self.ui_state.news_filter
        # A view since removed from views.toml is forgotten: all news.
        self.desk.state.saved_view = next(
            (v for v in config.views if v.name == self.ui_state.news_view), None)

    @property
    def config(self) -> Config:
        """The desk's (saving a search as a view adds to it)."""
        return self.desk.config

    # -- layout ---------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return DeskScreen(id="_default")

    def get_driver_class(self) -> type[Any]:
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver":  # a terminal, on Linux/macOS
            from .driver import DeskDriver

            return DeskDriver
        return driver

    def compose(self) -> ComposeResult:
        # The first frame is the title bar, Partners (lean) and the footer: the other panels'
        # boxes and tables cost more than all of that, so they come a frame later
        # (_after_first_frame), and so do the tabs, hidden anyway until the screen learns its
        # size (-narrow, -short).
        yield Static(self._title_text(), id="titlebar")
        with PanelGrid(id="panels"):
            yield PartnersPanel(active=self._initial_panel() == "partners", lean=True)
        yield KeysFooter()

    def on_resize(self, event: Resize) -> None:
        # Textual's breakpoints give one class per axis: -tiny comes on top of -short.
        self.screen_stack[0].set_class(event.size.height < self.TINY_HEIGHT, "-tiny")

    def on_load(self) -> None:
        # The first frame allocates thousands of objects (styles, widgets, strips), none of
        # them garbage yet: the collector's passes over them (~4 ms) would only delay it.
        self._collecting = gc.isenabled()
        gc.disable()

    def _collect_again(self) -> None:
        if self._collecting:
            self._collecting = False
            gc.enable()

    def on_unmount(self) -> None:
        self._collect_again()  # quitting before the first frame
        self.desk.news.stop_watching()
        self.desk.news.release_lease()

    def on_mount(self) -> None:
        self.title = self.config.settings.title
        self.app_resume_signal.subscribe(self, self._repaint_after_resume)
        self.desk.changed.subscribe(self, self._repaint, immediate=True)
        self._show_facts()
        self._activate(self._initial_panel())
        # After the first frame: the other panels, then the store's news, the watcher and
        # the start-up refresh.
        self.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        self._collect_again()
        later = [panel(active=panel.panel_id == self.active_panel) for panel in PANEL_WIDGETS[1:]]
        panels = self.query_one("#panels")
        with self.batch_update():  # one layout for all of it
            # On the dashboard's screen, wherever a key may have taken the reader meanwhile.
            try:
                tabs = panel_tabs(self.active_panel)
                await asyncio.gather(panels.screen.mount(tabs, before=panels),
                                     panels.mount_all(later),
                                     self.query_one(PartnersPanel).add_rare_lines())
            except MountError:
                if not panels.screen.is_attached:  # quitting (q, a hangup) meanwhile
                    return
                raise
            self.panels_ready = True
            for panel in later:
                if isinstance(panel, FactsPanel):
                    panel.update_snapshot(self.desk.state.snap)
            self._show_news()
        self._focus_panel(self.active_panel)  # a key may have chosen a panel meanwhile
        self.desk.news.load_news()
        self.call_after_refresh(self._start_background_work)

    async def _start_background_work(self) -> None:
        if self.store_path is not None:
            self.desk.news.watch_store()
        self.desk.since.start_since_last()  # before the start-up refresh stores today's news
        if self.desk.refresh_on_start:
            self.desk.news.run_refresh(force=False)
            minutes = min([self.config.settings.limits.refresh_minutes,
                           *(f.refresh_minutes for f in self.config.feeds if f.refresh_minutes)])
            # Each tick refreshes only the feeds that are due, so per-feed intervals hold.
            self.set_interval(minutes * 60, self.desk.news.scheduled_refresh)
        from .help import help_box

        # Made now, hidden: its styles are new to the app, which restyles everything once
        # (~50 ms); the first `?` then only shows it.
        dashboard = self.screen_stack[0]
        if isinstance(dashboard, DeskScreen):  # get_default_screen's
            await help_box(dashboard, self.config.settings.keys)
        if not self.is_headless:
            # What start-up made (Textual, styles, the widgets) lives as long as the app: out
            # of the collector's reach, a full collection walks only what came since, ~10 ms
            # instead of ~70 (a key pressed meanwhile waits for it). Not under tests, where
            # one process runs many apps: theirs would stay frozen.
            gc.freeze()

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:
        """Toasts carry feed text and server errors: plain text unless asked otherwise."""
        super().notify(message, markup=markup, **kwargs)

    def action_help_quit(self) -> None:
        """ctrl+c (Textual's binding) does not quit: say which key does. Textual's own
        message is markup, which our plain-text toasts would show raw."""
        keys = sorted({key for key, active in self.active_bindings.items()
                       if active.binding.action in ("quit", "app.quit")}, key=len)
        if keys:
            more = f" (or {', '.join(keys[1:])})" if keys[1:] else ""
            self.notify(f"Press {keys[0]}{more} to quit.", title="Do you want to quit?")

    def _repaint_after_resume(self, _: object = None) -> None:
        """Back from ctrl+z / SIGTSTP (`fg`): the terminal's screen was the shell's, so
        every line is drawn again now, not when the next key changes something."""
        self.screen.refresh(repaint=True, layout=True)

    def _initial_panel(self) -> str:
        return self.ui_state.panel if self.ui_state.panel in PANELS else "partners"

    def _title_text(self) -> Text:
        travel = self.desk.travel
        return title_text(self.config.settings.title, self.desk.state,
                          travel.as_of_title() if travel.travelling else None)

    def _repaint(self, update: DeskChanged) -> None:
        """What the desk says changed, on the dashboard's panels (screens repaint
        themselves from the same Signal)."""
        news = self.panel("news")
        if Change.READING in update:
            if isinstance(news, NewsPanel):
                news.show_title(update.state)
            for partners in self.query(PartnersPanel):
                partners.show_unread(update.state.reading.by_entity)
        if Change.NEWS in update:
            self._show_news()
        elif Change.STATUS in update and isinstance(news, NewsPanel):
            news.show_status(update.state, self.clock())
        if Change.FACTS in update:
            self._show_facts()
        elif Change.TITLE in update:
            self._show_title()

    def _show_facts(self) -> None:
        for panel in self.query(FactsPanel):
            panel.update_snapshot(self.desk.state.snap)
        self._show_title()

    def _show_title(self) -> None:
        # One line high by CSS whatever it says: no new layout of the whole screen.
        self.query_one("#titlebar", Static).update(self._title_text(), layout=False)

    def _show_news(self) -> None:
        panel = self.panel("news")
        if isinstance(panel, NewsPanel):  # None until mounted: filled from the state then
            panel.show_state(self.desk.state, self.clock())

    # -- what workers tell the app: handed to the desk --------------------------------------

    def on_news_loaded(self, message: NewsLoaded) -> None:
        self.desk.news.took_news(message)

    def on_store_changed(self, message: StoreChanged) -> None:
        self.desk.news.store_changed(message)

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.desk.news.refresh_progress(message)

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.desk.news.refresh_finished(message)

    def on_alerts_loaded(self, message: AlertsLoaded) -> None:
        self.desk.alerting.took_alerts(message)

    def on_since_loaded(self, message: SinceLoaded) -> None:
        self.desk.since.took_since(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.desk.news.worker_failed(event)

    # -- panels and focus -----------------------------------------------------------------

    def panel(self, name: str) -> Panel | None:
        """None for a panel not mounted yet: only Partners is, in the first frame."""
        if name != "partners" and not self.panels_ready:
            return None
        return self.query_one(f"#{name}", Panel)

    def _activate(self, name: str) -> None:
        self.active_panel = name
        self.watch_active_panel(name)
        self._focus_panel(name)

    def _remember(self, **changes: Any) -> None:
        if self.state_dir is None:
            return
        state = replace(self.ui_state, **changes)
        if state != self.ui_state:
            self.ui_state = state
            save_state(self.state_dir, state)

    def watch_active_panel(self, name: str) -> None:
        self._remember(panel=name)
        for panel in self.query(Panel):
            panel.set_class(panel.id == name, "-active")
        for node in self.query("#panel-tabs"):  # none in the first frame or when quitting
            tabs = cast("Tabs", node)  # imported late (titlebar): not for the first frame
            if tabs.active != f"tab-{name}":
                tabs.active = f"tab-{name}"

    def _focus_panel(self, name: str) -> None:
        panel = self.panel(name)
        if panel is None:  # focused once mounted (_after_first_frame)
            return
        target = panel.table if panel.table.display else panel
        target.focus()
        # Again once the styles of a newly shown panel apply: hidden widgets refuse focus.
        self.call_after_refresh(target.focus)

    def action_focus_panel(self, name: str) -> None:
        if name in PANELS and not self.help_is_open():
            self._activate(name)

    def action_cycle_panel(self, step: int) -> None:
        """A burst of tab presses (a held key, keys queued behind a slow frame) moves once:
        each press moves the target, and the panel changes once the queued keys are read."""
        if self.help_is_open():
            return
        first = self._cycle_target is None
        index = PANELS.index(self._cycle_target or self.active_panel)
        self._cycle_target = PANELS[(index + step) % len(PANELS)]
        if first:
            # Keys reach the app one by one even when read at once: a moment's wait (less
            # than a key repeat) gathers the burst.
            self.set_timer(CYCLE_GATHER_SECONDS, self._cycle_now)

    def _cycle_now(self) -> None:
        target, self._cycle_target = self._cycle_target, None
        if target is not None and target != self.active_panel:
            self._activate(target)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Panel keys belong to the dashboard; on details or help they would act unseen.
        # (Help over the dashboard is checked in the actions themselves: a change here
        # would rebuild the footer each time help opens and closes.)
        if action in DASHBOARD_ONLY and len(self.screen_stack) > 1:
            return False
        return not (action == "clear_filter" and self.desk.state.news_filter is None)

    def help_is_open(self) -> bool:
        return isinstance(self.screen, DeskScreen) and self.screen.shown_help is not None

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        # A click (or any focus change) inside a panel makes it the active one.
        node: DOMNode | None = event.widget
        while node is not None and not isinstance(node, Panel):
            node = node.parent
        if isinstance(node, Panel) and node.id is not None and node.id != self.active_panel:
            self.active_panel = node.id

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        # The tabs also announce the changes the keys make, late. Only the tab still active
        # when the message arrives counts (an older one would undo a newer key press), and
        # only if it is not the panel already shown (the echo of a key): what is left is a
        # click.
        if event.tab.id != event.tabs.active:
            return
        name = (event.tab.id or "").removeprefix("tab-")
        if name in PANELS and name != self.active_panel:
            self._activate(name)

    # -- details, help ----------------------------------------------------------------------

    @on(Panel.OpenDetails)
    def _open_details(self, message: Panel.OpenDetails) -> None:
        if message.panel == "news":
            self.desk.open_news_item(int(message.key))
            return
        details = V.details(self.desk.state.snap, message.panel, message.key)
        if details is None:
            return
        from .screens.details import DetailsScreen

        self.push_screen(DetailsScreen(details, V.first_quote(details)))
        if message.panel in ("partners", "compute"):
            # The partner's news waits in the News panel when the reader comes back.
            self.desk.news.filter_news(message.key)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every DealDesk action by name in ctrl+p, beside Textual's own (theme, keys...)."""
        from .commands import desk_commands

        yield from desk_commands(lambda name: getattr(self, f"action_{name}"),
                                 self.desk.state.news_filter)
        yield from super().get_system_commands(screen)

    async def action_help(self, close: bool = True) -> None:
        """Help over whatever screen is showing; the help key again, or escape, closes it."""
        from .help import toggle_help

        await toggle_help(self.screen, self.config.settings.keys, close=close)

    # -- theme, copy -------------------------------------------------------------------------

    def action_next_theme(self) -> None:
        current = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(current + 1) % len(THEMES)]

    def watch_theme(self, theme: str) -> None:
        # Also when the palette's "Change theme" picks one: remembered either way.
        self._remember(theme=theme)

    def action_copy(self) -> None:
        """The highlighted news item's link, or the highlighted fact's quote, by OSC 52."""
        from .highlight import copy_text, row_key

        key = None if self.help_is_open() else row_key(self.panel(self.active_panel))
        if key is None:
            return
        text = copy_text(self.active_panel, key, self.desk.state)
        if not text:
            self.notify("Nothing to copy on this row.", timeout=2)
            return
        self.copy_to_clipboard(text)
        self.notify(f"Copied: {text[:60]}", timeout=3)

    def action_clear_filter(self) -> None:
        if not self.help_is_open():
            self.desk.news.filter_news(None)

    # -- the desk's keys: each hands over to the desk ----------------------------------------

    def action_refresh(self) -> None:
        self.desk.news.refresh_now()

    def action_feeds(self) -> None:
        self.desk.open_feeds()

    def action_search(self) -> None:
        self.desk.open_search()

    def action_signals(self) -> None:
        self.desk.open_signals()

    def action_alerts(self) -> None:
        self.desk.open_alerts()

    def action_views(self) -> None:
        self.desk.choose_view()

    def action_since_last(self) -> None:
        self.desk.open_since()

    def action_pick_date(self) -> None:
        self.desk.pick_date()

    def action_open_link(self) -> None:
        from .highlight import link_to_open

        self.desk.reader.open_link(link_to_open(self.screen, self._highlighted_news()))

    def action_toggle_read(self) -> None:
        item = self._highlighted_news()
        if item is not None:
            self.desk.reader.mark_read([item.id], not item.read)

    def action_mark_all_read(self) -> None:
        if len(self.screen_stack) == 1 and not self.help_is_open():
            self.desk.reader.mark_all_read()

    def action_unread_only(self) -> None:
        if len(self.screen_stack) == 1 and not self.help_is_open():
            self.desk.reader.toggle_unread_only()

    def _highlighted_news(self) -> V.NewsLine | None:
        """The News row under the cursor when News is the panel in use."""
        from .highlight import news_under_cursor

        if self.active_panel != "news" or self.help_is_open() or len(self.screen_stack) > 1:
            return None
        return news_under_cursor(self.panel("news"), self.desk.state.news_items)
