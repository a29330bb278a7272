"""The DealDesk dashboard.

Dependencies come in through the constructor (config, where the store lives, a clock), so
tests and snapshots run on fixed data and a fixed day. Widgets never do IO: thread workers
read the store, a child process refreshes the feeds, and both post messages back.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import App, ComposeResult, SystemCommand
from textual.screen import Screen
from textual.theme import Theme
from textual.containers import Container
from textual.reactive import reactive
from textual.widgets import Footer, Static, Tab, Tabs

from .. import facts as F
from .. import view as V
from ..config import Config
from ..state import UiState, load_state, save_state
from .messages import FeedResult, NewsLoaded, RefreshFinished, RefreshProgress, StoreChanged
from .keys import APP_BINDINGS, PANEL_TITLES, PANELS
from .panels.facts_panels import ComputePanel, PartnersPanel, RisksPanel, UsersPanel
from .panels.news import NewsPanel
from .panels.table import Panel
from .screens.details import DetailsScreen
from .screens.feeds import FeedsScreen
from .screens.help import HelpScreen
from .screens.search import SearchScreen
from .screens.signals import SignalsScreen

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


THEMES = ("textual-dark", "textual-light", "dealdesk-high-contrast")
HIGH_CONTRAST = Theme(
    name="dealdesk-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#202020",
    success="#00ff00",
    warning="#ffff00",
    error="#ff6060",
    dark=True,
)
NEWS_WINDOW = 200
DASHBOARD_ONLY = ("cycle_panel", "focus_panel", "clear_filter", "copy")  # items read into the News panel; the archive itself is unbounded
WATCH_SECONDS = 2.0


class DealDeskApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "DealDesk"
    BINDINGS = APP_BINDINGS
    # Focus is ours to give (the remembered panel); Textual's own first-widget focus would
    # race with it.
    AUTO_FOCUS = None
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    active_panel: reactive[str] = reactive("partners", init=False)

    def __init__(
        self,
        config: Config,
        store_path: Path | None = None,
        clock: Clock = utc_now,
        *,
        refresh_on_start: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.store_path = store_path
        self.clock = clock
        self.refresh_on_start = refresh_on_start
        self.accepted: list[F.AcceptedFigure] = []
        self.signals: list[Any] = []
        self._signal_lines: list[V.SignalLine] | None = None
        self.snap = F.snapshot(config.story, clock().date())
        self.news_items: list[V.NewsLine] = []
        self.news_note = ""
        self.news_filter: str | None = None
        self.feed_states: list[Any] = []
        self.last_success: datetime | None = None
        self.refresh_state: tuple[int, int] | None = None
        self._tab_echoes: set[str] = set()
        self.register_theme(HIGH_CONTRAST)
        self.set_keymap(dict(config.settings.keys))
        # What the reader had on screen last time: panel, theme, News filter.
        self.state_dir = store_path.parent if store_path is not None else None
        self.ui_state = load_state(self.state_dir) if self.state_dir else UiState()
        if self.ui_state.theme in THEMES:
            self.theme = self.ui_state.theme
        self.news_filter = self.ui_state.news_filter

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="titlebar")
        first = self._initial_panel()
        self._tab_echoes.add(f"tab-{first}")  # the tabs announce their first tab on mount
        tabs = Tabs(
            *(Tab(f"{i} {PANEL_TITLES[p]}", id=f"tab-{p}") for i, p in enumerate(PANELS, 1)),
            active=f"tab-{first}",
            id="panel-tabs",
        )
        tabs.can_focus = False
        yield tabs
        with Container(id="panels"):
            yield PartnersPanel()
            yield ComputePanel()
            yield UsersPanel()
            yield RisksPanel()
            yield NewsPanel()
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.config.settings.title
        self._show_facts()
        self._show_news()
        self._activate(self._initial_panel())
        self.load_news()
        # The first frame comes first: the watcher and the start-up refresh begin after it.
        self.call_after_refresh(self._start_background_work)

    def _start_background_work(self) -> None:
        if self.store_path is not None:
            self.watch_store()
        if self.refresh_on_start:
            self.run_refresh(force=False)
            minutes = min([self.config.settings.limits.refresh_minutes,
                           *(f.refresh_minutes for f in self.config.feeds if f.refresh_minutes)])
            # Each tick refreshes only the feeds that are due, so per-feed intervals hold.
            self.set_interval(minutes * 60, self._scheduled_refresh)

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:
        """Toasts carry feed text and server errors: plain text unless asked otherwise."""
        super().notify(message, markup=markup, **kwargs)

    def _initial_panel(self) -> str:
        return self.ui_state.panel if self.ui_state.panel in PANELS else "partners"

    def _title_text(self) -> Text:
        text = Text("DealDesk", style="bold")
        text.append(f"  {self.config.settings.title}")
        text.append(f"  ·  as of {self.snap.today.isoformat()}", style="dim")
        # Counted, not built: a SignalLine per signal is too much for every title update.
        story = self.config.story
        new = sum(1 for s in self.signals
                  if s.state == "new" and F.target_of(story, s.metric, s.subject) is not None)
        if new:
            text.append(f"  ·  ● {new} new signal{'s' if new > 1 else ''} (s)", style="bold")
        return text

    def _show_facts(self) -> None:
        for panel in self.query(Panel):
            if hasattr(panel, "update_snapshot"):
                panel.update_snapshot(self.snap)
        self.query_one("#titlebar", Static).update(self._title_text())

    @property
    def signal_lines(self) -> list[V.SignalLine]:
        if self._signal_lines is None:
            self._signal_lines = V.signal_lines(self.config.story, self.signals, self.accepted,
                                                self.snap.today)
        return self._signal_lines

    # -- panels and focus -----------------------------------------------------------------

    def panel(self, name: str) -> Panel:
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
        for tabs in self.query(Tabs):  # none while the app is shutting down
            if tabs.active != f"tab-{name}":
                self._tab_echoes.add(f"tab-{name}")
                tabs.active = f"tab-{name}"

    def _focus_panel(self, name: str) -> None:
        panel = self.panel(name)
        target = panel.table if panel.table.display else panel
        target.focus()
        # Again once the styles of a newly shown panel apply: hidden widgets refuse focus.
        self.call_after_refresh(target.focus)

    def action_focus_panel(self, name: str) -> None:
        if name in PANELS:
            self._activate(name)

    def action_cycle_panel(self, step: int) -> None:
        index = PANELS.index(self.active_panel)
        self._activate(PANELS[(index + step) % len(PANELS)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Panel keys belong to the dashboard; on details or help they would act unseen.
        if action in DASHBOARD_ONLY and len(self.screen_stack) > 1:
            return False
        if action == "clear_filter" and self.news_filter is None:
            return False
        return True

    def on_descendant_focus(self, event: Any) -> None:
        # A click (or any focus change) inside a panel makes it the active one.
        node = event.widget
        while node is not None and not isinstance(node, Panel):
            node = node.parent
        if isinstance(node, Panel) and node.id != self.active_panel:
            self.active_panel = node.id

    @on(Tabs.TabActivated)
    def _tab_clicked(self, event: Tabs.TabActivated) -> None:
        # The tabs also announce the changes the keys make: those echoes are skipped, or a
        # late one would undo a newer key press. What is left is a click.
        if event.tab.id in self._tab_echoes:
            self._tab_echoes.discard(event.tab.id)
            return
        name = (event.tab.id or "").removeprefix("tab-")
        if name in PANELS and name != self.active_panel:
            self._activate(name)

    # -- details, help ----------------------------------------------------------------------

    @on(Panel.OpenDetails)
    def _open_details(self, message: Panel.OpenDetails) -> None:
        if message.panel == "news":
            self.open_news_item(int(message.key))
            return
        details = V.details(self.snap, message.panel, message.key)
        if details is None:
            return
        quote = next((e.quote for e in details.timeline if e.quote), None)
        self.push_screen(DetailsScreen(details, quote))
        if message.panel in ("partners", "compute"):
            # The partner's news waits in the News panel when the reader comes back.
            self.filter_news(message.key)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every DealDesk action by name in ctrl+p, beside Textual's own (theme, keys...)."""
        for number, name in enumerate(PANELS, start=1):
            yield SystemCommand(f"Focus {PANEL_TITLES[name]}", f"Panel {number}",
                                partial(self.action_focus_panel, name))
        yield SystemCommand("Refresh all feeds", "Fetch every feed now, in the background",
                            self.action_refresh)
        yield SystemCommand("Feeds", "Each feed's status, last success, error, next retry",
                            self.action_feeds)
        yield SystemCommand("Search news", "Search the news archive", self.action_search)
        yield SystemCommand("Signals inbox", "Figures in the news beside the facts they would "
                            "change: accept or dismiss", self.action_signals)
        if self.news_filter:
            yield SystemCommand("Show all news", f"Clear the filter on {self.news_filter}",
                                self.action_clear_filter)
        yield SystemCommand("Copy link or quote", "The highlighted news link or fact quote, "
                            "by OSC 52", self.action_copy)
        yield SystemCommand("Next theme", "Dark, light, high contrast (remembered)",
                            self.action_next_theme)
        yield SystemCommand("Help: keys", "Every key and what it does", self.action_help)
        yield from super().get_system_commands(screen)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- news ---------------------------------------------------------------------------------

    def _show_news(self) -> None:
        panel = self.query_one(NewsPanel)
        # A Text, not a str: a str border title is parsed as markup, and the filter is a name.
        panel.border_title = Text(f"5 News · {self.news_filter}" if self.news_filter
                                  else "5 News")
        empty = (f"No stored news mentions {self.news_filter}. Press escape to show all news."
                 if self.news_filter else V.NEWS_EMPTY)
        panel.show_news(self.news_items, self.clock(), empty)
        panel.set_status(self._news_status())

    def _news_status(self) -> Text:
        text = Text()
        if self.refresh_state is not None:
            done, total = self.refresh_state
            text.append(f"⟳ refreshing {done}/{total} feeds", style="bold")
        elif self.last_success is not None:
            text.append(f"updated {V.when(self.last_success, self.clock())}")
        else:
            text.append("never refreshed")
        failed = [f for f in self.feed_states if f.status == "error"]
        if failed:
            names = ", ".join(f"{f.name} ({f.error})" for f in failed[:3])
            more = f" and {len(failed) - 3} more" if len(failed) > 3 else ""
            text.append(f" · ✖ {len(failed)} failed: {names}{more} · f: feeds", style="red")
        if self.news_note:
            text.append(f" · {self.news_note}", style="red")
        return text

    def _open_store(self):
        from ..store import Store

        return Store.open(self.store_path)

    @work(thread=True, exclusive=True, group="news-load")
    def load_news(self) -> None:
        """Read the newest items and feed states from the store; never touches the network."""
        if self.store_path is None or not self.store_path.exists():
            self.post_message(NewsLoaded([], 0))
            return
        from ..store import StoreError

        try:
            with self._open_store() as store:
                items = store.latest_items(limit=NEWS_WINDOW, entity=self.news_filter)
                total = store.count_items(self.news_filter)
                feeds = store.feed_states(self.config.feeds)
                signals = store.signals()
        except StoreError as exc:
            self.post_message(NewsLoaded([], 0, error=str(exc)))
            return
        lines = [
            V.NewsLine(i.id, i.title, i.feed, i.published, i.read, i.entities, i.link)
            for i in items
        ]
        self.post_message(NewsLoaded(lines, total, feeds, signals=signals))

    def on_news_loaded(self, message: NewsLoaded) -> None:
        # The store is re-read whenever anything commits (every feed of a refresh): redraw
        # only what changed, so keys stay quick while a refresh writes.
        note = message.error or ""
        if (message.items, message.feeds, note) != (self.news_items, self.feed_states,
                                                    self.news_note):
            self.news_items = message.items
            self.feed_states = message.feeds
            self.news_note = note
            successes = [f.last_success for f in message.feeds if f.last_success is not None]
            self.last_success = max(successes) if successes else None
            self._show_news()
            if isinstance(self.screen, FeedsScreen):
                self.screen.show(self.feed_states, self.clock())
        if message.signals != self.signals:
            self._take_signals(message.signals)

    def _take_signals(self, signals: list[Any]) -> None:
        self.signals = signals
        self._signal_lines = None
        accepted = F.accepted_from(signals)
        if accepted != self.accepted:
            # An accepted figure is a fact now: every panel shows it with its provenance.
            self.accepted = accepted
            self.snap = F.snapshot(F.with_accepted(self.config.story, accepted),
                                   self.clock().date())
            self._show_facts()
        self.query_one("#titlebar", Static).update(self._title_text())
        for screen in self.screen_stack:
            if isinstance(screen, SignalsScreen):
                screen.show(self.signal_lines)

    def action_signals(self) -> None:
        if not isinstance(self.screen, SignalsScreen):
            self.push_screen(SignalsScreen())

    @work(thread=True, group="signal-state")
    def set_signal_state(self, signal_id: int, state: str) -> None:
        from ..store import StoreError

        try:
            with self._open_store() as store:
                store.set_signal_state(signal_id, state)
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.call_from_thread(self.load_news)

    @work(thread=True, exclusive=True, group="store-watch")
    def watch_store(self) -> None:
        """Notice what another process (a cron `dealdesk refresh`) commits, without a restart.

        PRAGMA data_version changes when another connection commits; one long-lived
        connection in this thread polls it every couple of seconds.
        """
        from ..store import StoreError

        worker = get_current_worker()
        store = None
        version = None
        try:
            while not worker.is_cancelled:
                if store is None and self.store_path is not None and self.store_path.exists():
                    try:
                        store = self._open_store()
                        version = store.data_version()
                    except StoreError:
                        store = None
                elif store is not None:
                    current = store.data_version()
                    if current != version:
                        version = current
                        self.post_message(StoreChanged())
                time.sleep(WATCH_SECONDS)
        finally:
            if store is not None:
                store.close()

    def on_store_changed(self, _: StoreChanged) -> None:
        # At most one re-read per watcher tick (2 s), even while a refresh commits per feed,
        # so fast feeds' items show before a slow one finishes.
        self.load_news()

    def action_refresh(self) -> None:
        if self.refresh_state is not None:
            self.notify("A refresh is already running.", timeout=2)
            return
        self.run_refresh(force=True)

    def _scheduled_refresh(self) -> None:
        if self.refresh_state is None:
            self.run_refresh(force=False)

    @work(exclusive=True, group="refresh")
    async def run_refresh(self, force: bool) -> None:
        """Refresh in a child process (news.worker): parsing and storing never hold this
        process's GIL, so keys answer at full speed. Its progress comes back as JSON lines."""
        from ..news.worker import make_plan

        if self.store_path is None:
            self.post_message(RefreshFinished(error="no data directory"))
            return
        plan = make_plan(self.config.feeds, self.store_path, self.config.settings.limits,
                         self.config.story.entities(), force)
        self.post_message(RefreshProgress(0, len(self.config.feeds), "", "start"))
        outcomes: list[FeedResult] = []
        error: str | None = None
        with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stall the child
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "dealdesk.news.worker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors,
            )
            try:
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(plan.encode())
                await proc.stdin.drain()
                proc.stdin.close()
                async for raw in proc.stdout:
                    line = json.loads(raw)
                    if "start" in line:
                        self.post_message(RefreshProgress(0, line["start"], "", "start"))
                    elif "done" in line:
                        outcomes.append(FeedResult(line["name"], line["status"],
                                                   line["new_items"], line["elapsed_ms"],
                                                   line["error"]))
                        self.post_message(RefreshProgress(line["done"], line["total"],
                                                          line["name"], line["status"]))
                    elif line.get("error"):
                        error = line["error"]
                await proc.wait()
            except BaseException:
                if proc.returncode is None:  # quitting mid-refresh: the child goes too
                    proc.kill()
                    await proc.wait()
                raise
            if proc.returncode and error is None:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                error = f"refresh process failed: {lines[-1] if lines else proc.returncode}"
        self.post_message(RefreshFinished(outcomes, error))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.refresh_state = (message.done, message.total)
        self.query_one(NewsPanel).set_status(self._news_status())  # the rows are unchanged

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.refresh_state = None
        self.query_one(NewsPanel).set_status(self._news_status())
        if message.error:
            self.notify(message.error, title="Refresh failed", severity="error", timeout=8)
        else:
            new = sum(o.new_items for o in message.outcomes)
            if message.failed:
                names = ", ".join(f"{o.name} ({o.error})" for o in message.failed[:3])
                self.notify(f"{new} new items; {len(message.failed)} feeds failed: {names}",
                            title="Refresh", severity="warning", timeout=6)
            elif message.outcomes:
                self.notify(f"{new} new items from {len(message.outcomes)} feeds",
                            title="Refresh", timeout=3)
        self.load_news()

    # -- news items, search, feeds, filters ------------------------------------------------

    def open_news_item(self, item_id: int) -> None:
        self._load_item(item_id)

    @work(thread=True, group="news-item")
    def _load_item(self, item_id: int) -> None:
        from ..store import StoreError

        try:
            with self._open_store() as store:
                item = store.get_item(item_id)
                if item is not None and not item.read:
                    store.mark_read(item_id)
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        if item is not None:
            self.call_from_thread(self._show_item, item)

    def _show_item(self, item) -> None:
        self.push_screen(DetailsScreen(V.news_item_details(item, self.clock()), item.link))
        self.load_news()  # the unread mark goes

    def action_search(self) -> None:
        if isinstance(self.screen, SearchScreen):
            return

        def chosen(item_id: int | None) -> None:
            if item_id is not None:
                self.open_news_item(item_id)

        self.push_screen(SearchScreen(self.store_path, self.clock()), chosen)

    def action_feeds(self) -> None:
        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen(self.feed_states or self._never_fetched(), self.clock()))

    def _never_fetched(self) -> list[Any]:
        from ..store import FeedState

        return [FeedState(name=f.name, url=f.url, status="never") for f in self.config.feeds]

    def filter_news(self, entity: str | None) -> None:
        if entity != self.news_filter:
            self.news_filter = entity
            self._remember(news_filter=entity)
            self.load_news()

    # -- theme, copy -------------------------------------------------------------------------

    def action_next_theme(self) -> None:
        current = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(current + 1) % len(THEMES)]

    def watch_theme(self, theme: str) -> None:
        # Also when the palette's "Change theme" picks one: remembered either way.
        self._remember(theme=theme)

    def action_copy(self) -> None:
        """The highlighted news item's link, or the highlighted fact's quote, by OSC 52."""
        panel = self.panel(self.active_panel)
        if not panel.table.row_count:
            return
        key = panel.table.coordinate_to_cell_key(panel.table.cursor_coordinate).row_key.value
        if self.active_panel == "news":
            text = next((i.link for i in self.news_items if str(i.id) == key), None)
        else:
            details = V.details(self.snap, self.active_panel, key)
            text = next((e.quote for e in details.timeline if e.quote), None) if details else None
        if not text:
            self.notify("Nothing to copy on this row.", timeout=2)
            return
        self.copy_to_clipboard(text)
        self.notify(f"Copied: {text[:60]}", timeout=3)

    def action_clear_filter(self) -> None:
        self.filter_news(None)
