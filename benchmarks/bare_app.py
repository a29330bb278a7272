"""The yardstick for first paint: a bare Textual app (Header, DataTable, Footer).

It shows the same words the first-paint probe waits for in DealDesk ("Partners" and
"Nvidia"), from a few rows built in memory: no config, no store, no workers.
Run: python benchmarks/bare_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

ROWS = [
    ("Nvidia", "letter of intent", "$100B", "10 GW"),
    ("Microsoft", "definitive", "$13B", "-"),
    ("Oracle", "announced", "$300B", "4.5 GW"),
    ("AMD", "definitive", "-", "6 GW"),
    ("Broadcom", "announced", "-", "10 GW"),
]


class BareApp(App[None]):
    TITLE = "Partners"
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Partner", "Status", "$", "GW")
        table.add_rows(ROWS)


if __name__ == "__main__":
    BareApp().run()
