"""Partners, Compute, Users and Risks: the panels drawn from the facts."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ... import facts as F
from ... import view as V
from .table import Panel


class FactsPanel(Panel):
    snap: F.Snapshot | None = None

    def update_snapshot(self, snap: F.Snapshot) -> None:
        self.snap = snap
        self.show(self.table_view(snap))

    def table_view(self, snap: F.Snapshot) -> V.TableView:
        raise NotImplementedError

    def preview(self, key: str) -> Text | None:
        return V.preview(self.snap, self.panel_id, key) if self.snap else None


class PartnersPanel(FactsPanel):
    panel_id, title, number = "partners", "Partners", 1
    unread: dict[str, int] = {}  # unread news items per partner (tui.reader)

    def table_view(self, snap: F.Snapshot) -> V.TableView:
        return unread_marks(V.partners_view(snap), self.unread)

    def show_unread(self, unread: dict[str, int]) -> None:
        if unread != self.unread:
            self.unread = dict(unread)
            if self.snap is not None:
                self.update_snapshot(self.snap)


def unread_marks(view: V.TableView, unread: dict[str, int]) -> V.TableView:
    """Each partner's name followed by its unread news count (" ●3"): rows keyed by name."""
    if not unread:
        return view
    rows = []
    for row in view.rows:
        count = unread.get(row.key, 0)
        if count:
            name = row.cells[0].copy()
            name.append(f" ●{count}", style="cyan")
            row = replace(row, cells=(name, *row.cells[1:]))
        rows.append(row)
    return replace(view, rows=tuple(rows))


class ComputePanel(FactsPanel):
    panel_id, title, number = "compute", "Compute", 2

    def table_view(self, snap: F.Snapshot) -> V.TableView:
        return V.compute_view(snap, bar_width=10)


class UsersPanel(FactsPanel):
    panel_id, title, number = "users", "Users", 3
    product = "ChatGPT"

    def compose_top(self) -> ComposeResult:
        from textual.widgets import Digits, Sparkline  # not in the first frame: imported late

        with Horizontal(classes="users-head"):
            yield Digits("", id="users-digits")
            with Vertical():
                yield Static(id="users-latest")
                yield Sparkline([], id="users-spark")

    def update_snapshot(self, snap: F.Snapshot) -> None:
        self.snap = snap
        users = V.users_view(snap, self.product, bar_width=8)
        latest = users.latest.count.weekly_active_users if users.latest else None
        # Digits draws digits only: the unit word sits beside it in the latest line.
        digits = "" if latest is None else V.users(latest).rstrip("MB")
        self.query_one("#users-digits").update(digits)
        self.query_one("#users-latest", Static).update(
            V.latest_users_line(users, snap.today, snap.story.stale_after_days)
        )
        self.query_one("#users-spark").data = list(users.values)
        self.show(users.table)


class RisksPanel(FactsPanel):
    panel_id, title, number = "risks", "Risks", 4

    def table_view(self, snap: F.Snapshot) -> V.TableView:
        return V.risks_view(snap)
