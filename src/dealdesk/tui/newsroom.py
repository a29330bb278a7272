"""The News side of the dashboard: reading the store, refreshing, items, search, signals.

A mixin of DealDeskApp, kept apart so the app module is about layout and focus. Everything
here that touches the store runs in a worker thread, and the refresh in a child process
(news.worker); results come back as messages (tui.messages). The screens are imported
where they open, after the first frame.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.worker import Worker, WorkerState, get_current_worker

from .. import facts as F
from .. import view as V
from .reader import read_counts

if TYPE_CHECKING:  # imported where posted: not needed for the first frame
    from .messages import NewsLoaded, RefreshFinished, RefreshProgress, StoreChanged

NEWS_WINDOW = 200  # items read into the News panel; the archive itself is unbounded
INBOX_PAGE = 200  # signals the inbox reads and lists at a time (of any number stored)
WATCH_SECONDS = 2.0
BUSY_RELOAD_SECONDS = 10.0  # re-reads while our own refresh writes (see on_store_changed)


class NewsRoom:
    """News, feeds and signals for DealDeskApp (which provides config, clock, store_path)."""

    _store_read = False  # the store was read once: its disappearance is news, not a start
    signal_counts: dict[str, int] | None = None  # the inbox's signals by state (SQL counts)

    # -- news ---------------------------------------------------------------------------------

    def _show_news(self) -> None:
        panel = self.panel("news")
        if panel is None:  # filled from this state once mounted
            return
        panel.border_title = self.news_title()
        empty = (f"No stored news mentions {self.news_filter}. Press escape to show all news."
                 if self.news_filter else V.NEWS_EMPTY)
        if self.unread_only or self.saved_view is not None:
            empty = ("Nothing unread here (u shows read items too)" if self.unread_only
                     else "Nothing in this view") + (" · v: views" if self.saved_view else "")
        panel.show_news(self.news_items, self.clock(), empty)
        panel.set_status(self._news_status())

    def _show_news_title(self) -> None:
        panel = self.panel("news")
        if panel is not None:
            panel.border_title = self.news_title()

    def _show_news_status(self) -> None:
        panel = self.panel("news")
        if panel is not None:
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

    def inbox_page_size(self) -> int:
        """INBOX_PAGE, read when asked: the inbox screen asks the app rather than import
        this module (which imports the screen: a cycle)."""
        return INBOX_PAGE

    def load_news(self) -> None:
        """Re-read the store in a worker thread; a page of signals only for an open inbox."""
        self._last_load = time.monotonic()
        self._read_store(inbox=self._inbox_page())

    def _inbox_page(self) -> tuple[int, bool] | None:
        """(offset, dismissed shown) of the open Signals inbox's page; None when closed."""
        from .screens.signals import SignalsScreen

        for screen in self.screen_stack:
            if isinstance(screen, SignalsScreen):
                return screen.page_start, screen.show_dismissed
        return None

    @work(thread=True, exclusive=True, group="news-load", exit_on_error=False)
    def _read_store(self, inbox: tuple[int, bool] | None) -> None:
        """The newest items, feed states, and of the signals what the dashboard shows: the
        count of new ones (in SQL), the accepted ones (facts now) and the inbox's page.
        Never the network. Rows that cannot be read are skipped and counted (the note)."""
        from ..store import StoreError
        from .messages import NewsLoaded

        if self.store_path is None or not self.store_path.exists():
            if self._store_read:  # it was there: keep what is on screen and say so
                self.post_message(NewsLoaded([], 0, error=f"{self.store_path}: the news "
                                             "archive is gone; showing what was read before"))
            else:
                self.post_message(NewsLoaded([], 0))
            return
        story = self.config.story
        page = counts = None
        try:
            with self._open_store() as store:
                # The news published by the day shown, through the view and the excludes.
                query = self.news_query()
                items = store.news_page(query, NEWS_WINDOW)
                total = store.count_news(query)
                reading = read_counts(store, query)
                feeds = store.feed_states(self.config.feeds)
                new = store.signal_counts_shown("new", self.exclusions.rules())
                pending = store.count_pending()
                accepted = store.signals("accepted")
                if self.travelling:  # signals as they stood on the day shown
                    accepted = self.as_of_signals(store.signals()) or []
                    new = _counts_of(accepted)
                if inbox is not None:
                    offset, dismissed = inbox
                    about = V.inbox_figures(story)
                    counts = store.count_signals_by_state(about)
                    states = ("new", "accepted", "dismissed") if dismissed else ("new", "accepted")
                    # On a past day the page shows each signal as it stood then.
                    page = self.as_of_signals(store.signals_page(states, about, INBOX_PAGE,
                                                                 offset))
                store_hidden = (store.hidden_among([s.news_id for s in page], query.hide)
                                if page else set())
                note = store.skipped_note()
        except StoreError as exc:
            self.post_message(NewsLoaded([], 0, error=str(exc)))
            return
        if page:  # a hidden item's figures are hidden with it
            gone = store_hidden
            page = [s for s in page if s.news_id not in gone]
        lines = [V.news_line(i) for i in items]
        new_signals = sum(n for (metric, subject), n in new.items()
                          if F.target_of(story, metric, subject) is not None)
        self.post_message(NewsLoaded(lines, total, feeds, new_signals=new_signals,
                                     accepted=accepted, signals=page, pending=pending,
                                     note=note, signal_counts=counts,
                                     signal_offset=inbox[0] if inbox else 0,
                                     reading=reading))

    def on_news_loaded(self, message: NewsLoaded) -> None:
        # The store is re-read whenever anything commits (every feed of a refresh): redraw
        # only what changed, so keys stay quick while a refresh writes.
        if message.error is not None:
            # A store corrupted, locked or removed under the dashboard: what is on screen
            # (news, accepted facts) stays, and the status line says why nothing is new.
            self._set_news_note(message.error)
            return
        self._store_read = self.store_path is not None and self.store_path.exists()
        self._enrich_if_pending(message.pending)
        note = message.note or ""
        if self.take_read_counts(message.reading):
            self._show_news_title()
            from .screens.feeds import FeedsScreen

            if isinstance(self.screen, FeedsScreen):
                self.screen.show_unread(self.reading.by_feed)
        if (message.items, message.feeds, note) != (self.news_items, self.feed_states,
                                                    self.news_note):
            self.news_items = message.items
            self.feed_states = message.feeds
            self.news_note = note
            successes = [f.last_success for f in message.feeds if f.last_success is not None]
            self.last_success = max(successes) if successes else None
            self._show_news()
            from .screens.feeds import FeedsScreen

            if isinstance(self.screen, FeedsScreen):
                self.screen.show(self.feed_states, self.clock())
        self._take_signals(message)
        self.check_alerts()  # tui.alerting: the watches, after every store read

    def _set_news_note(self, note: str) -> None:
        if note != self.news_note:
            self.news_note = note
            self._show_news_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure lands (they all run with exit_on_error=False):
        a line in the News status and a toast, never the end of the dashboard."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        what = event.worker.group if event.worker.group != "default" else event.worker.name
        detail = " ".join(str(error).split()) if error is not None else ""
        reason = f"{what} failed: {type(error).__name__}" + (f": {detail}" if detail else "")
        self._set_news_note(reason[:300])
        self.notify(reason[:300], title="Something went wrong", severity="error", timeout=8)

    def _take_signals(self, message: NewsLoaded) -> None:
        if message.signals is not None and (message.signals, message.signal_counts) != (
                self.signals, self.signal_counts):
            self.signals = message.signals
            self.signal_counts = message.signal_counts
            self._signal_lines = None
        accepted = F.accepted_from(message.accepted)
        if accepted != self.accepted:
            # An accepted figure is a fact now: every panel shows it with its provenance.
            self.accepted = accepted
            self._signal_lines = None
            self.snap = self.story_snapshot(accepted)
            self._show_facts()
        if message.new_signals != self.new_signals:
            self.new_signals = message.new_signals
            self._show_title()
        if message.signals is not None:  # an inbox is open: show it what it lacks
            from .screens.signals import SignalsScreen

            lines = self.signal_lines  # the same list until the signals or the facts change
            for screen in self.screen_stack:
                # A screen opened again over an unchanged page has not shown it yet.
                if isinstance(screen, SignalsScreen) and screen.shown is not lines:
                    screen.show(lines, self.signal_counts or {}, message.signal_offset)

    def action_signals(self) -> None:
        from .screens.signals import SignalsScreen

        if not isinstance(self.screen, SignalsScreen):
            self.push_screen(SignalsScreen())
            self.load_news()  # with every signal, now that the inbox is open

    @work(thread=True, group="signal-state", exit_on_error=False)
    def set_signal_state(self, signal_id: int, state: str) -> None:
        from ..store import StoreError

        try:
            with self._open_store() as store:
                store.set_signal_state(signal_id, state)
        except StoreError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.call_from_thread(self.load_news)

    @work(thread=True, exclusive=True, group="store-watch", exit_on_error=False)
    def watch_store(self) -> None:
        """Notice what another process (a cron `dealdesk refresh`) commits, without a restart.

        PRAGMA data_version changes when another connection commits; one long-lived
        connection in this thread polls it every couple of seconds. A file removed, replaced
        or rewritten under it (which data_version cannot see) or an error reading it closes
        that connection and has the store re-read: the reader reports what is wrong.
        """
        from ..store import StoreError
        from .messages import StoreChanged

        worker = get_current_worker()
        store = None
        version = None
        seen: tuple[int, ...] | None = None
        first_look = True
        try:
            while not worker.is_cancelled:
                if store is None and self.store_path is not None and self.store_path.exists():
                    seen = _file_identity(self.store_path)
                    try:
                        store = self._open_store()
                        version = store.data_version()
                    except StoreError:
                        if store is not None:
                            store.close()
                        store = None
                    else:
                        if not first_look:  # created since the app read it: what is in it?
                            self.post_message(StoreChanged())
                elif store is not None:
                    try:
                        current = store.data_version()
                    except StoreError:
                        current = None
                    if current is None or _file_identity(self.store_path) != seen:
                        store.close()
                        store = None
                        self.post_message(StoreChanged())
                    elif current != version:
                        version = current
                        self.post_message(StoreChanged())
                first_look = False
                time.sleep(WATCH_SECONDS)
        finally:
            if store is not None:
                store.close()

    def on_store_changed(self, _: StoreChanged) -> None:
        # At most one re-read per watcher tick (2 s), so fast feeds' items show before a slow
        # one finishes; while our own refresh commits feed after feed, at most one per
        # BUSY_RELOAD_SECONDS (each re-read competes with the keys), and one when it ends.
        busy = self.refresh_state is not None
        # An empty panel is never left waiting: the first items a refresh stores show.
        if (not busy or not self.news_items
                or time.monotonic() - self._last_load >= BUSY_RELOAD_SECONDS):
            self.load_news()

    def _enrich_if_pending(self, pending: int) -> None:
        """A cron `dealdesk refresh` stores items without tags, figures or search index; a
        refresh of the due feeds (often none) in the worker process enriches them. Asked once
        per count, so a pass that cannot write (a read-only store) is not retried forever."""
        if not pending:
            self._enrich_asked = 0
        elif (pending != self._enrich_asked and self.refresh_on_start
              and self.refresh_state is None):
            self._enrich_asked = pending
            self.run_refresh(force=False)

    def action_refresh(self) -> None:
        if self.refresh_state is not None:
            self.notify("A refresh is already running.", timeout=2)
            return
        self.run_refresh(force=True)

    def _scheduled_refresh(self) -> None:
        if self.refresh_state is None:
            self.run_refresh(force=False)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def run_refresh(self, force: bool) -> None:
        """Refresh in a child process (news.worker): parsing and storing never hold this
        process's GIL, so keys answer at full speed. Its progress comes back as JSON lines."""
        from ..news.worker import make_plan
        from .messages import FeedResult, RefreshFinished, RefreshProgress

        if self.store_path is None:
            self.post_message(RefreshFinished(error="no data directory"))
            return
        plan = make_plan(self.config.feeds, self.store_path, self.config.settings.limits,
                         self.config.story.entities(), force,
                         keep_days=self.config.settings.keep_days,
                         company=self.config.story.company,
                         partners=[p.name for p in self.config.story.partners])
        self.post_message(RefreshProgress(0, len(self.config.feeds), "", "start"))
        outcomes: list[FeedResult] = []
        error: str | None = None
        with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stall the child
            # Its own process group: a terminal's signals are the dashboard's to handle, and
            # it stops the group (tui.driver); the child leaves by itself if we die.
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "dealdesk.news.worker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=errors,
                start_new_session=True,
            )
            from .driver import forget_child, track_child

            track_child(proc.pid)
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
            finally:
                forget_child(proc.pid)
            if proc.returncode and error is None:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                error = f"refresh process failed: {lines[-1] if lines else proc.returncode}"
        self.post_message(RefreshFinished(outcomes, error))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        self.refresh_state = (message.done, message.total)
        self._show_news_status()  # the rows are unchanged

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.refresh_state = None
        self._show_news_status()
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

    @work(thread=True, group="news-item", exit_on_error=False)
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
        from .screens.details import DetailsScreen

        self.push_screen(DetailsScreen(V.news_item_details(item, self.clock()), item.link))
        self.load_news()  # the unread mark goes

    def action_search(self) -> None:
        from .screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            return

        def chosen(item_id: int | None) -> None:
            if item_id is not None:
                self.open_news_item(item_id)

        self.push_screen(SearchScreen(self.store_path, self.clock(),
                                      hide=self.news_query().hide), chosen)

    def action_feeds(self) -> None:
        from .screens.feeds import FeedsScreen

        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen(self.feed_states or self._never_fetched(), self.clock(),
                                         self.reading.by_feed))

    def _never_fetched(self) -> list[Any]:
        from ..store import FeedState

        return [FeedState(name=f.name, url=f.url, status="never") for f in self.config.feeds]

    def filter_news(self, entity: str | None) -> None:
        if entity != self.news_filter:
            self.news_filter = entity
            self._remember(news_filter=entity)
            self.load_news()


def _counts_of(signals: list[Any]) -> dict[tuple[str, str | None], int]:
    """store.signal_counts("new") for signals already read (as of a past day)."""
    counts: dict[tuple[str, str | None], int] = {}
    for s in signals:
        if s.state == "new":
            key = (s.metric, s.subject or None)
            counts[key] = counts.get(key, 0) + 1
    return counts


def _file_identity(path: Any) -> tuple[int, ...] | None:
    """Which file is at `path` and how it was last written: (device, inode, size, mtime),
    None when there is none. Changes when the store is removed, replaced or overwritten."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
