"""Partners, Compute, Users and Risks: the panels drawn from the facts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from ... import facts as F
from ... import view as V
from .fit import fit_columns, natural_widths, table_width
from .table import Panel

if TYPE_CHECKING:  # imported where first drawn (compose_top)
    from textual.widgets import Sparkline

    from .figure import BigFigure

CHART_MIN, CHART_MAX = 4, 20  # a bar chart column's width: what the other columns leave


class FactsPanel(Panel):
    snap: F.Snapshot | None = None
    chart_column: int | None = None  # the column of bars, sized by view_for_width

    def update_snapshot(self, snap: F.Snapshot) -> None:
        self.snap = snap
        self.show(self.table_view(snap))

    def table_view(self, snap: F.Snapshot, bar_width: int = CHART_MIN) -> V.TableView:
        raise NotImplementedError

    def view_for_width(self, view: V.TableView, width: int) -> V.TableView:
        if self.chart_column is None or self.snap is None:
            return view
        # Fitted with the bars at their narrowest; what is left over widens them.
        narrow = self.table_view(self.snap, CHART_MIN)
        widths = fit_columns(narrow.columns, natural_widths(narrow), width)
        if widths[self.chart_column] is None or width <= table_width(widths):
            return narrow
        spare = width - table_width(widths)
        return self.table_view(self.snap, min(CHART_MAX, CHART_MIN + spare))


class PartnersPanel(FactsPanel):
    panel_id, title, number = "partners", "Partners", 1
    unread: Mapping[str, int] = MappingProxyType({})  # unread items per partner (the desk's)

    def table_view(self, snap: F.Snapshot, bar_width: int = CHART_MIN) -> V.TableView:
        return unread_marks(V.partners_view(snap), self.unread)

    def show_unread(self, unread: dict[str, int]) -> None:
        if unread != self.unread:
            self.unread = dict(unread)
            if self.snap is not None:
                self.update_snapshot(self.snap)


def unread_marks(view: V.TableView, unread: Mapping[str, int]) -> V.TableView:
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
    chart_column = 3

    def table_view(self, snap: F.Snapshot, bar_width: int = CHART_MIN) -> V.TableView:
        return V.compute_view(snap, bar_width=bar_width)


class UsersPanel(FactsPanel):
    panel_id, title, number = "users", "Users", 3
    product = "ChatGPT"
    chart_column = 2

    def compose_top(self) -> ComposeResult:
        from textual.widgets import Sparkline  # not in the first frame: imported late

        from .figure import BigFigure

        with Horizontal(classes="users-head"):
            yield BigFigure(id="users-digits")
            with Vertical():
                yield Static(id="users-latest")
                yield Sparkline([], id="users-spark")

    def table_view(self, snap: F.Snapshot, bar_width: int = CHART_MIN) -> V.TableView:
        return V.users_view(snap, self.product, bar_width=bar_width).table

    def update_snapshot(self, snap: F.Snapshot) -> None:
        self.snap = snap
        users = V.users_view(snap, self.product, bar_width=CHART_MIN)
        count = users.latest.count if users.latest else None
        # The figure as the facts say it: "> 900M", "~ 1.2B", with its hedge and unit.
        cast("BigFigure", self.query_one("#users-digits")).figure = (
            "" if count is None else V.users(count.weekly_active_users, count.qualifier))
        self.query_one("#users-latest", Static).update(
            V.latest_users_line(users, snap.today, snap.story.stale_after_days)
        )
        cast("Sparkline", self.query_one("#users-spark")).data = list(users.values)
        self.show(users.table)


class RisksPanel(FactsPanel):
    panel_id, title, number = "risks", "Risks", 4

    def table_view(self, snap: F.Snapshot, bar_width: int = CHART_MIN) -> V.TableView:
        return V.risks_view(snap)
