"""The DealDesk dashboard.

Dependencies come in through the constructor (config, where the store lives, a clock, an
optional HTTP transport), so tests and snapshots run on fixed data and a fixed day. Widgets
never do IO: thread workers read the store and run refreshes, then post messages back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Container
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Static, Tab, Tabs

from .. import facts as F
from .. import view as V
from ..config import Config
from .keys import APP_BINDINGS, PANEL_TITLES, PANELS
from .panels.facts_panels import ComputePanel, PartnersPanel, RisksPanel, UsersPanel
from .panels.news import NewsPanel
from .panels.table import Panel
from .screens.details import DetailsScreen
from .screens.help import HelpScreen

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class NewsLoaded(Message):
    items: list[V.NewsLine]
    total: int
    error: str | None = None


class DealDeskApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "DealDesk"
    BINDINGS = APP_BINDINGS
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
        transport: Any = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.store_path = store_path
        self.clock = clock
        self.refresh_on_start = refresh_on_start
        self.transport = transport
        self.snap = F.snapshot(config.story, clock().date())
        self.news_items: list[V.NewsLine] = []
        self.news_note = ""

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title_text(), id="titlebar")
        tabs = Tabs(
            *(Tab(f"{i} {PANEL_TITLES[p]}", id=f"tab-{p}") for i, p in enumerate(PANELS, 1)),
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
        for panel in self.query(Panel):
            if hasattr(panel, "update_snapshot"):
                panel.update_snapshot(self.snap)
        self._show_news()
        self._activate("partners")
        self.load_news()

    def _title_text(self) -> Text:
        text = Text("DealDesk", style="bold")
        text.append(f"  {self.config.settings.title}")
        text.append(f"  ·  as of {self.snap.today.isoformat()}", style="dim")
        return text

    # -- panels and focus -----------------------------------------------------------------

    def panel(self, name: str) -> Panel:
        return self.query_one(f"#{name}", Panel)

    def _activate(self, name: str) -> None:
        self.active_panel = name
        self.watch_active_panel(name)
        self._focus_panel(name)

    def watch_active_panel(self, name: str) -> None:
        for panel in self.query(Panel):
            panel.set_class(panel.id == name, "-active")
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"

    def _focus_panel(self, name: str) -> None:
        panel = self.panel(name)
        target = panel.table if panel.table.display else panel
        self.call_after_refresh(target.focus)

    def action_focus_panel(self, name: str) -> None:
        if name in PANELS:
            self._activate(name)

    def action_cycle_panel(self, step: int) -> None:
        index = PANELS.index(self.active_panel)
        self._activate(PANELS[(index + step) % len(PANELS)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Panel keys belong to the dashboard; on details or help they would act unseen.
        if action in ("cycle_panel", "focus_panel") and len(self.screen_stack) > 1:
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
        name = (event.tab.id or "").removeprefix("tab-")
        if name in PANELS and name != self.active_panel:
            self._activate(name)

    # -- details, help ----------------------------------------------------------------------

    @on(Panel.OpenDetails)
    def _open_details(self, message: Panel.OpenDetails) -> None:
        details = V.details(self.snap, message.panel, message.key)
        if details is not None:
            self.push_screen(DetailsScreen(details))
        elif message.panel == "news":
            self.open_news_item(int(message.key))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- news ---------------------------------------------------------------------------------

    def _show_news(self) -> None:
        panel = self.query_one(NewsPanel)
        panel.show_news(self.news_items, self.clock())
        panel.set_status(self.news_note)

    @work(thread=True, exclusive=True, group="news-load")
    def load_news(self) -> None:
        """Read the newest items from the store; never touches the network."""
        if self.store_path is None or not self.store_path.exists():
            self.post_message(NewsLoaded([], 0))
            return
        from ..store import Store, StoreError

        try:
            with Store.open(self.store_path) as store:
                items = store.latest_items(limit=200)
                total = store.count_items()
        except StoreError as exc:
            self.post_message(NewsLoaded([], 0, str(exc)))
            return
        lines = [
            V.NewsLine(i.id, i.title, i.feed, i.published, i.read, i.entities, i.link)
            for i in items
        ]
        self.post_message(NewsLoaded(lines, total))

    def on_news_loaded(self, message: NewsLoaded) -> None:
        self.news_items = message.items
        if message.error:
            self.news_note = message.error
        self._show_news()

    def open_news_item(self, item_id: int) -> None:
        pass

    def action_refresh(self) -> None:
        self.notify("Refreshing feeds…", timeout=2)

    def action_search(self) -> None:
        self.notify("Search needs stored news.", timeout=2)
