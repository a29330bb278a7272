"""The News side of the dashboard: reading the store, refreshing, items, search, signals.

A part of the Desk (tui.desk), the dashboard's controller; the app module is about layout,
focus and keys. Everything here that touches the store runs in a worker thread (run on the
app, so its one Worker.StateChanged handler hears of failures), and the refresh in a child
process (news.worker); results come back to the app as messages (tui.messages), which hands
them here. What changed is published on the Desk's Signal. The screens are imported where
they open, after the first frame.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState, get_current_worker

from .. import facts as F
from .. import view as V
from .deskstate import Change, DeskCore
from .reader import read_counts

if TYPE_CHECKING:  # imported where posted: not needed for the first frame
    from ..store import FeedState, Store, StoredItem, StoredSignal
    from ..store.lease import Lease
    from .alerting import Alerting
    from .messages import NewsLoaded, RefreshFinished, RefreshProgress, StoreChanged
    from .reader import Reader
    from .timetravel import TimeTravel

NEWS_WINDOW = 200  # items read into the News panel; the archive itself is unbounded
INBOX_PAGE = 200  # signals the inbox reads and lists at a time (of any number stored)
WATCH_SECONDS = 2.0
BUSY_RELOAD_SECONDS = 10.0  # re-reads while our own refresh writes (see on_store_changed)


class NewsRoom:
    """News, feeds and signals for the Desk."""

    def __init__(self, desk: DeskCore, reader: Reader, travel: TimeTravel,
                 alerting: Alerting) -> None:
        self.desk = desk
        self.reader = reader
        self.travel = travel
        self.alerting = alerting
        self._last_load = 0.0  # monotonic time of the last store read (load_news)
        self._enrich_asked = 0  # the pending count a refresh was last started for
        self._lease: Lease | None = None  # made when first needed (store.lease)
        self._reads_asked = 0  # load_news calls so far
        self._reads_taken = 0  # the newest of them shown (NewsLoaded.read)
        # Set to stop the store watcher's thread: see stop_watching.
        self._watching = threading.Event()

    # -- reading the store ----------------------------------------------------------------

    def load_news(self) -> None:
        """Re-read the store in a worker thread; a page of signals only for an open inbox."""
        self._last_load = time.monotonic()
        inbox = self.desk.state.inbox
        self._reads_asked += 1
        read = self._reads_asked
        self.desk.app.run_worker(lambda: self._read_store(inbox, read), name="_read_store",
                                 group="news-load", exclusive=True, thread=True,
                                 exit_on_error=False)

    def _read_store(self, inbox: tuple[int, bool] | None, read: int) -> None:
        """The newest items, feed states, and of the signals what the dashboard shows: the
        count of new ones (in SQL), the accepted ones (facts now) and the inbox's page.
        Never the network. Rows that cannot be read are skipped and counted (the note)."""
        from ..store import StoreError
        from .messages import NewsLoaded, post_if_current

        desk = self.desk

        def post(message: NewsLoaded) -> None:
            message.read = read
            post_if_current(desk.app, message)

        if desk.store_path is None or not desk.store_path.exists():
            if desk.state.store_read:  # it was there: keep what is on screen and say so
                post(NewsLoaded([], 0, error=f"{desk.store_path}: the news "
                                "archive is gone; showing what was read before"))
            else:
                post(NewsLoaded([], 0))
            return
        story = desk.config.story
        travel = self.travel
        page: list[StoredSignal] | None = None
        counts = None
        try:
            with desk.open_store() as store:
                # The news published by the day shown, through the view and the excludes.
                query = self.reader.news_query()
                items = store.news_page(query, NEWS_WINDOW)
                total = store.count_news(query)
                reading = read_counts(store, query)
                feeds = store.feed_states(desk.config.feeds)
                new = store.signal_counts_shown("new", desk.exclusions.rules())
                pending = store.count_pending()
                accepted = store.signals("accepted")
                if travel.travelling:  # signals as they stood on the day shown
                    accepted = travel.as_of_signals(store.signals()) or []
                    new = _counts_of(accepted)
                if inbox is not None:
                    offset, dismissed = inbox
                    about = V.inbox_figures(story)
                    counts = store.count_signals_by_state(about)
                    states = ("new", "accepted", "dismissed") if dismissed else ("new", "accepted")
                    # On a past day the page shows each signal as it stood then.
                    page = travel.as_of_signals(store.signals_page(states, about, INBOX_PAGE,
                                                                   offset))
                store_hidden = (store.hidden_among([s.news_id for s in page], query.hide)
                                if page else set())
                note = store.skipped_note()
        except StoreError as exc:
            post(NewsLoaded([], 0, error=str(exc)))
            return
        if page:  # a hidden item's figures are hidden with it
            gone = store_hidden
            page = [s for s in page if s.news_id not in gone]
        lines = [V.news_line(i) for i in items]
        new_signals = sum(n for (metric, subject), n in new.items()
                          if F.target_of(story, metric, subject) is not None)
        post(NewsLoaded(lines, total, feeds, new_signals=new_signals,
                        accepted=accepted, signals=page, pending=pending,
                        note=note, signal_counts=counts,
                        signal_offset=inbox[0] if inbox else 0,
                        reading=reading))

    def took_news(self, message: NewsLoaded) -> None:
        # The store is re-read whenever anything commits (every feed of a refresh): redraw
        # only what changed, so keys stay quick while a refresh writes.
        desk = self.desk
        state = desk.state
        # post_if_current drops a read cancelled before it posts; one cancelled just after
        # can still land after the newer read's rows, which stay.
        if message.read and message.read < self._reads_taken:
            return
        self._reads_taken = max(self._reads_taken, message.read)
        if message.error is not None:
            # A store corrupted, locked or removed under the dashboard: what is on screen
            # (news, accepted facts) stays, and the status line says why nothing is new.
            self.set_news_note(message.error)
            return
        state.store_read = desk.store_path is not None and desk.store_path.exists()
        self._enrich_if_pending(message.pending)
        note = message.note or ""
        changes: list[Change] = []
        if self.reader.take_read_counts(message.reading):
            changes.append(Change.READING)
        if (message.items, message.feeds, note) != (state.news_items, state.feed_states,
                                                    state.news_note):
            state.news_items = message.items
            state.feed_states = message.feeds
            state.news_note = note
            successes = [f.last_success for f in message.feeds if f.last_success is not None]
            state.last_success = max(successes) if successes else None
            changes.append(Change.NEWS)
        changes += self._take_signals(message)
        if changes:
            desk.publish(*changes)
        self.alerting.check_alerts()  # tui.alerting: the watches, after every store read

    def set_news_note(self, note: str) -> None:
        if note != self.desk.state.news_note:
            self.desk.state.news_note = note
            self.desk.publish(Change.STATUS)

    def worker_failed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure lands (they all run with exit_on_error=False):
        a line in the News status and a toast, never the end of the dashboard."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        what = event.worker.group if event.worker.group != "default" else event.worker.name
        detail = " ".join(str(error).split()) if error is not None else ""
        reason = f"{what} failed: {type(error).__name__}" + (f": {detail}" if detail else "")
        self.set_news_note(reason[:300])
        self.desk.app.notify(reason[:300], title="Something went wrong", severity="error",
                             timeout=8)

    def _take_signals(self, message: NewsLoaded) -> list[Change]:
        desk = self.desk
        state = desk.state
        changes: list[Change] = []
        if message.signals is not None and (message.signals, message.signal_counts) != (
                state.signals, state.signal_counts):
            state.signals = message.signals
            state.signal_counts = message.signal_counts
            desk.forget_signal_lines()
        accepted = F.accepted_from(message.accepted)
        if accepted != state.accepted:
            # An accepted figure is a fact now: every panel shows it with its provenance.
            state.accepted = accepted
            desk.forget_signal_lines()
            state.snap = self.travel.story_snapshot(accepted)
            changes.append(Change.FACTS)
        if message.new_signals != state.new_signals:
            state.new_signals = message.new_signals
            changes.append(Change.TITLE)
        if message.signals is not None:  # an inbox is open: show it what it lacks
            state.signal_offset = message.signal_offset
            changes.append(Change.SIGNALS)
        return changes

    def set_signal_state(self, signal_id: int, state: str) -> None:
        self.desk.app.run_worker(lambda: self._set_signal_state(signal_id, state),
                                 name="set_signal_state", group="signal-state", thread=True,
                                 exit_on_error=False)

    def _set_signal_state(self, signal_id: int, state: str) -> None:
        from ..store import StoreError

        app = self.desk.app
        try:
            with self.desk.open_store() as store:
                store.set_signal_state(signal_id, state)
        except StoreError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        app.call_from_thread(self.load_news)

    # -- another process writing ----------------------------------------------------------

    def watch_store(self) -> None:
        self._watching.set()  # a watcher started before this one leaves now
        stop = self._watching = threading.Event()
        self.desk.app.run_worker(partial(self._watch_store, stop), name="watch_store",
                                 group="store-watch", exclusive=True, thread=True,
                                 exit_on_error=False)

    def stop_watching(self) -> None:
        """On quitting. The process waits for every worker thread before it exits, and
        a cancelled thread worker only learns it when it next looks: the watcher waits on
        this event between its looks, so `q` never waits out its pause."""
        self._watching.set()

    def _watch_store(self, stop: threading.Event) -> None:
        """Notice what another process (a cron `dealdesk refresh`) commits, without a restart.

        PRAGMA data_version changes when another connection commits; one long-lived
        connection in this thread polls it every couple of seconds. A file removed, replaced
        or rewritten under it (which data_version cannot see) or an error reading it closes
        that connection and has the store re-read: the reader reports what is wrong.
        """
        from ..store import StoreError
        from .messages import StoreChanged

        post = self.desk.app.post_message
        path = self.desk.store_path
        worker = get_current_worker()
        store: Store | None = None
        version = None
        seen: tuple[int, ...] | None = None
        first_look = True
        try:
            while not (stop.is_set() or worker.is_cancelled) and path is not None:
                if store is None and path.exists():
                    seen = _file_identity(path)
                    try:
                        store = self.desk.open_store()
                        version = store.data_version()
                    except StoreError:
                        if store is not None:
                            store.close()
                        store = None
                    else:
                        if not first_look:  # created since the app read it: what is in it?
                            post(StoreChanged())
                elif store is not None:
                    current: int | None
                    try:
                        current = store.data_version()
                    except StoreError:
                        current = None
                    if current is None or _file_identity(path) != seen:
                        store.close()
                        store = None
                        post(StoreChanged())
                    elif current != version:
                        version = current
                        post(StoreChanged())
                first_look = False
                stop.wait(WATCH_SECONDS)
        finally:
            if store is not None:
                store.close()

    def store_changed(self, _: StoreChanged) -> None:
        # At most one re-read per watcher tick (2 s), so fast feeds' items show before a slow
        # one finishes; while our own refresh commits feed after feed, at most one per
        # BUSY_RELOAD_SECONDS (each re-read competes with the keys), and one when it ends.
        state = self.desk.state
        busy = state.refresh_state is not None
        # An empty panel is never left waiting: the first items a refresh stores show.
        if (not busy or not state.news_items
                or time.monotonic() - self._last_load >= BUSY_RELOAD_SECONDS):
            self.load_news()

    # -- refreshing -----------------------------------------------------------------------

    def _enrich_if_pending(self, pending: int) -> None:
        """A cron `dealdesk refresh` stores items without tags, figures or search index; a
        refresh of the due feeds (often none) in the worker process enriches them. Asked once
        per count, so a pass that cannot write (a read-only store) is not retried forever.
        With several dashboards on one store, only the one holding the lease does it; should
        it quit first, the others' next store change or scheduled refresh does."""
        if not pending:
            self._enrich_asked = 0
        elif (pending != self._enrich_asked and self.desk.refresh_on_start
              and self.desk.state.refresh_state is None and self._holds_lease()):
            self._enrich_asked = pending
            self.run_refresh(force=False)

    def _holds_lease(self) -> bool:
        if self.desk.store_path is None:
            return True
        if self._lease is None:
            from ..store.lease import Lease

            self._lease = Lease(self.desk.store_path)
        return self._lease.held()

    def release_lease(self) -> None:
        """On quitting: the next dashboard to see pending items takes the enrichment over."""
        if self._lease is not None:
            self._lease.release()

    def refresh_now(self) -> None:
        if self.desk.state.refresh_state is not None:
            self.desk.app.notify("A refresh is already running.", timeout=2)
            return
        self.run_refresh(force=True)

    def scheduled_refresh(self) -> None:
        if self.desk.state.refresh_state is None:
            self.run_refresh(force=False)

    def run_refresh(self, force: bool) -> None:
        refresh: Callable[[], Coroutine[None, None, None]] = partial(self._refresh, force)
        _: Worker[None] = self.desk.app.run_worker(refresh, name="run_refresh",
                                 group="refresh",
                                 exclusive=True, exit_on_error=False)

    async def _refresh(self, force: bool) -> None:
        """Refresh in a child process (news.worker): parsing and storing never hold this
        process's GIL, so keys answer at full speed. Its progress comes back as JSON lines."""
        from ..news.worker import make_plan
        from .messages import FeedResult, RefreshFinished, RefreshProgress

        config = self.desk.config
        post = self.desk.app.post_message
        if self.desk.store_path is None:
            post(RefreshFinished(error="no data directory"))
            return
        plan = make_plan(config.feeds, self.desk.store_path, config.settings.limits,
                         config.story.entities(), force,
                         keep_days=config.settings.keep_days,
                         company=config.story.company,
                         partners=[p.name for p in config.story.partners])
        post(RefreshProgress(0, len(config.feeds), "", "start"))
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
                        post(RefreshProgress(0, line["start"], "", "start"))
                    elif "done" in line:
                        outcomes.append(FeedResult(line["name"], line["status"],
                                                   line["new_items"], line["elapsed_ms"],
                                                   line["error"]))
                        post(RefreshProgress(line["done"], line["total"],
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
        post(RefreshFinished(outcomes, error))

    def refresh_progress(self, message: RefreshProgress) -> None:
        self.desk.state.refresh_state = (message.done, message.total)
        self.desk.publish(Change.STATUS)  # the rows are unchanged

    def refresh_finished(self, message: RefreshFinished) -> None:
        app = self.desk.app
        self.desk.state.refresh_state = None
        self.desk.publish(Change.STATUS)
        if message.error:
            app.notify(message.error, title="Refresh failed", severity="error", timeout=8)
        else:
            new = sum(o.new_items for o in message.outcomes)
            if message.failed:
                names = ", ".join(f"{o.name} ({o.error})" for o in message.failed[:3])
                app.notify(f"{new} new items; {len(message.failed)} feeds failed: {names}",
                           title="Refresh", severity="warning", timeout=6)
            elif message.outcomes:
                app.notify(f"{new} new items from {len(message.outcomes)} feeds",
                           title="Refresh", timeout=3)
        self.load_news()

    # -- news items, search, feeds, filters ------------------------------------------------

    def open_news_item(self, item_id: int) -> None:
        self.desk.app.run_worker(lambda: self._load_item(item_id), name="_load_item",
                                 group="news-item", thread=True, exit_on_error=False)

    def _load_item(self, item_id: int) -> None:
        from ..store import StoreError

        app = self.desk.app
        try:
            with self.desk.open_store() as store:
                item = store.get_item(item_id)
                if item is not None and not item.read:
                    store.mark_read(item_id)
        except StoreError as exc:
            app.call_from_thread(app.notify, str(exc), severity="error")
            return
        if item is not None:
            app.call_from_thread(self._show_item, item)

    def _show_item(self, item: StoredItem) -> None:
        from .screens.details import DetailsScreen

        self.desk.app.push_screen(DetailsScreen(V.news_item_details(item, self.desk.clock()),
                                                item.link))
        self.load_news()  # the unread mark goes

    def never_fetched(self) -> list[FeedState]:
        from ..store import FeedState

        return [FeedState(name=f.name, url=f.url, status="never") for f in self.desk.config.feeds]

    def filter_news(self, entity: str | None) -> None:
        if entity != self.desk.state.news_filter:
            self.desk.state.news_filter = entity
            self.desk.remember(news_filter=entity)
            self.load_news()


def _counts_of(signals: list[StoredSignal]) -> dict[tuple[str, str | None], int]:
    """store.signal_counts("new") for signals already read (as of a past day)."""
    counts: dict[tuple[str, str | None], int] = {}
    for s in signals:
        if s.state == "new":
            key = (s.metric, s.subject or None)
            counts[key] = counts.get(key, 0) + 1
    return counts


def _file_identity(path: Path) -> tuple[int, ...] | None:
    """Which file is at `path` and how it was last written: (device, inode, size, mtime),
    None when there is none. Changes when the store is removed, replaced or overwritten."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
