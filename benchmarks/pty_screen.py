"""Run a program in a real pseudo-terminal and watch its screen, with arrival times.

The child gets a pty of the given size (TERM=xterm-256color) as its controlling terminal.
One thread only reads the pty and stamps each chunk with `time.perf_counter()` the moment
it arrives; a second thread feeds the chunks to a pyte screen (a VT100 emulator) and, after
each chunk, checks the conditions being waited for. A condition that becomes true is dated
by the arrival of the chunk that made it true, so the time pyte takes to digest a frame is
never counted against the program being measured.

    with PtyScreen([sys.executable, "app.py"], cols=120, rows=40) as term:
        t = term.wait_for(lambda text: "Nvidia" in text, timeout=20)
        ...
        sent = term.send("?")
        t = term.wait_for(lambda text: "escape to close" in text, timeout=5)
        latency = t - sent
"""

from __future__ import annotations

import fcntl
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyte

Predicate = Callable[[str], bool]


@dataclass
class _Waiter:
    predicate: Predicate
    not_before: float
    event: threading.Event
    at: float | None = None
    raw: bool = False  # the predicate gets the pyte screen (colours too), not the text


class _Screen(pyte.Screen):
    """A pyte screen that answers the terminal's queries (device attributes) like xterm."""

    def __init__(self, cols: int, rows: int, reply: Callable[[bytes], None]) -> None:
        super().__init__(cols, rows)
        self._reply = reply

    def write_process_input(self, data: str) -> None:
        self._reply(data.encode())


def dealdesk_command() -> list[str]:
    """How a user starts DealDesk: the `dealdesk` script the install made beside this
    interpreter (`make run` runs it), or `python -m dealdesk.cli` where there is none
    (runpy's import costs that one ~3 ms more at each start). PYTHONPATH still decides
    which dealdesk it runs."""
    script = Path(sys.executable).parent / "dealdesk"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dealdesk.cli"]


def region_signature(screen: pyte.Screen, top: int, bottom: int) -> tuple:
    return tuple(
        tuple((c.data, c.fg, c.bg, c.reverse) for c in
              (screen.buffer[y][x] for x in range(screen.columns)))
        for y in range(top, bottom)
    )


class PtyScreen:
    def __init__(
        self,
        argv: Sequence[str],
        cols: int = 120,
        rows: int = 40,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.cols, self.rows = cols, rows
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        child_env = dict(os.environ if env is None else env)
        child_env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        child_env.pop("TEXTUAL", None)  # no devtools
        self.bytes_read = 0
        self._master = master
        self._lock = threading.Lock()
        self._waiters: list[_Waiter] = []
        self._chunks: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
        self._screen = _Screen(cols, rows, self._write_raw)
        self._stream = pyte.ByteStream(self._screen)
        self._text = ""
        self._last_at: float | None = None
        self._dirty = False
        self._closed = threading.Event()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=child_env, cwd=cwd,
            start_new_session=True, close_fds=True,
            # The pty becomes the child's controlling terminal, as in a real login.
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.rusage = None
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._parser = threading.Thread(target=self._parse_loop, daemon=True)
        self._reader.start()
        self._parser.start()

    # -- plumbing ---------------------------------------------------------------------------

    def _write_raw(self, data: bytes) -> None:
        try:
            os.write(self._master, data)
        except OSError:
            pass

    def _read_loop(self) -> None:
        while not self._closed.is_set():
            try:
                ready, _, _ = select.select([self._master], [], [], 0.05)
            except (OSError, ValueError):
                break
            if not ready:
                continue
            try:
                data = os.read(self._master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            self._chunks.put((time.perf_counter(), data))
        self._chunks.put(None)

    def _parse_loop(self) -> None:
        while True:
            item = self._chunks.get()
            if item is None:
                break
            at, data = item
            # Whatever else has arrived is part of the same frame (or later): digest it too,
            # but date a condition by the chunk that completed it.
            batch = [(at, data)]
            while True:
                try:
                    nxt = self._chunks.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._chunks.put(None)
                    break
                batch.append(nxt)
            for at, data in batch:
                with self._lock:
                    self.bytes_read += len(data)
                    self._stream.feed(data)
                    self._last_at = at
                    self._dirty = True
                    pending = [w for w in self._waiters if w.at is None and at >= w.not_before]
                    # The screen text is built only when someone is waiting: it is the
                    # costly part, and this process shares the machine with the one measured.
                    text = self._render() if pending else ""
                    done = [w for w in pending
                            if w.predicate(self._screen if w.raw else text)]
                for waiter in done:
                    waiter.at = at
                    waiter.event.set()
        with self._lock:
            for waiter in self._waiters:
                waiter.event.set()  # the program is gone: nobody waits forever

    # -- API --------------------------------------------------------------------------------

    def _render(self) -> str:  # with the lock held
        if self._dirty:
            self._text = "\n".join(self._screen.display)
            self._dirty = False
        return self._text

    def text(self) -> str:
        with self._lock:
            return self._render()

    def send(self, data: str | bytes) -> float:
        """Type `data`; returns the perf_counter time just before it was written."""
        raw = data.encode() if isinstance(data, str) else data
        at = time.perf_counter()
        os.write(self._master, raw)
        return at

    def region(self, top: int, bottom: int) -> tuple:
        """Rows top..bottom-1 as (character, foreground, background, reverse) cells: a
        signature that changes when anything there is redrawn differently, colours included
        (a moved cursor row changes only colours)."""
        with self._lock:
            return region_signature(self._screen, top, bottom)

    def watch(self, predicate: Predicate, since: float | None = None,
              raw: bool = False) -> _Waiter:
        """Start watching for `predicate(screen_text)`; `.event` is set when it holds (or the
        program exits) and `.at` is the arrival time of the output that made it hold.
        Only output that arrives after `since` (default: now) counts; since=0 also accepts
        the screen as it is, dated by the last output digested."""
        since = time.perf_counter() if since is None else since
        waiter = _Waiter(predicate, since, threading.Event(), raw=raw)
        with self._lock:
            current = self._screen if raw else self._render()
            if since <= 0 and self._last_at is not None and predicate(current):
                waiter.at = self._last_at
                waiter.event.set()
            else:
                self._waiters.append(waiter)
        return waiter

    def result(self, waiter: _Waiter, timeout: float) -> float | None:
        """Wait (at most `timeout` seconds) for a watched condition; its time or None."""
        waiter.event.wait(timeout)
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return waiter.at

    def wait_for(self, predicate: Predicate, timeout: float, since: float | None = None,
                 raw: bool = False) -> float | None:
        """watch() then result(): the arrival time of the output that makes the condition
        true, or None after `timeout` seconds or when the program exits."""
        return self.result(self.watch(predicate, since, raw), timeout)

    def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> bool:
        """Wait until nothing has been drawn for `quiet` seconds; False on timeout."""
        deadline = time.perf_counter() + timeout
        last = -1
        quiet_since = time.perf_counter()
        while time.perf_counter() < deadline:
            with self._lock:
                n = self.bytes_read
            now = time.perf_counter()
            if n != last:
                last, quiet_since = n, now
            elif now - quiet_since >= quiet:
                return True
            time.sleep(0.01)
        return False

    def cpu_seconds(self) -> float | None:
        """CPU time the program has used so far (Linux /proc), None when unknown."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        # utime and stime: fields 14 and 15 of stat(5), 12 and 13 after "(comm) state".
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_cpu_idle(self, window: float = 1.0, share: float = 0.05,
                      timeout: float = 60.0) -> float | None:
        """Wait until the program used under `share` of a CPU over the last `window`
        seconds (its start-up work in threads done, whatever the screen shows). The seconds
        waited, or None on timeout or where /proc is missing."""
        start = time.perf_counter()
        samples: list[tuple[float, float]] = []
        while time.perf_counter() - start < timeout:
            used = self.cpu_seconds()
            if used is None:
                return None
            now = time.perf_counter()
            samples.append((now, used))
            old = [s for s in samples if now - s[0] >= window]
            if old:
                then, before = old[-1]
                if (used - before) / (now - then) < share:
                    return now - start
            time.sleep(0.1)
        return None

    def alive(self) -> bool:
        return self.proc.poll() is None if self.rusage is None else False

    def close(self, keys: str | None = "q", timeout: float = 5.0) -> int | None:
        """Type `keys` to quit, wait (bounded), kill if needed. Returns the exit code;
        `self.rusage` then holds the child's resource usage (ru_maxrss in KiB)."""
        if self.rusage is None:
            if keys and self.proc.poll() is None:
                try:
                    self.send(keys)
                except OSError:
                    pass
            deadline = time.monotonic() + timeout
            status = None
            while time.monotonic() < deadline:
                pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
                if pid:
                    self.rusage = usage
                    break
                time.sleep(0.02)
            if self.rusage is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status, self.rusage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(status)
        self._closed.set()
        self._reader.join(2)
        self._parser.join(2)
        try:
            os.close(self._master)
        except OSError:
            pass
        return self.proc.returncode

    def __enter__(self) -> PtyScreen:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


if __name__ == "__main__":  # a quick look: python benchmarks/pty_screen.py CMD ARGS...
    with PtyScreen(sys.argv[1:] or ["sh", "-c", "echo hello; sleep 1"]) as term:
        time.sleep(3)
        print(term.text())
