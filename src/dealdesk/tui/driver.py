"""The dashboard's terminal driver: Textual's Linux driver, made safe for a terminal over SSH.

What it adds, each at the boundary where the trouble enters:

- Input: terminal replies are taken out before Textual's parser (tui.replies); bytes are
  decoded in the locale's charset with replacement (a stray byte is `?`, never a crash of
  the input thread); end of input (the client is gone: read() returns 0 bytes, or EIO on a
  hung-up terminal) stops the app like a hangup instead of looping on read(0) = 0.
- Signals: SIGHUP, SIGTERM and SIGINT stop the app through its normal exit, which restores
  the terminal (Textual's stop_application_mode: alternate screen, cursor, autowrap, mouse
  modes, focus events, bracketed paste, keyboard protocol); the refresh child is stopped at
  once; the exit code is 128 + the signal. If the normal exit has not finished within
  EXIT_GRACE_SECONDS (a terminal that no longer reads can block every write), the process
  restores what it can and leaves anyway.
- Output: written to the terminal, never into a redirected stderr (Textual writes to
  stderr); encoded in the locale's charset, with ASCII stand-ins where it has no character
  (tui.charset); a write to a terminal that is gone is dropped, not an error that would
  stop Textual's writer thread and then block the app on its full queue.
- Floods: a long run of plain text read at once, while a text field has the focus, goes to
  it as one paste instead of thousands of key events (DeskDriver._feed_text).
- Size: asked of the terminal itself, never of stale $COLUMNS/$LINES.
- SIGCONT after a suspend (ctrl+z, SIGTSTP, then `fg`) repaints at once (app side, see
  DealDeskApp._repaint_after_resume).

Textual internals this relies on (private or undocumented names of textual 8.2.8: the
driver's `_file`, `_get_terminal_size`, `run_input_thread`, `_app`, `_debug`, `attrs_before`,
`exit_event`, and `textual._xterm_parser`) are listed, with why and what to check when
upgrading, in tui.internals; tests/test_textual_internals.py checks the list.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import re
import selectors
import signal
import sys
import termios
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, cast

from textual import events
from textual._xterm_parser import XTermParser
from textual.widgets import Input

from .charset import StandIns, is_utf8, locale_charset
from .output import CompactDriver
from .replies import ReplyFilter

if TYPE_CHECKING:
    from textual.app import App

STOP_SIGNALS: Final = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)
EXIT_GRACE_SECONDS: Final = 3.0
# What Textual's stop_application_mode writes, for the forced exit: keyboard protocol off,
# bracketed paste off, autowrap on, mouse 1000/1003/1015/1006/1016 off, focus events off,
# normal screen, cursor shown.
RESTORE: Final = ("\x1b[<u\x1b[?2004l\x1b[?7h\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l"
                  "\x1b[?1016l\x1b[?1004l\x1b[?1049l\x1b[?25h")

BURST_MIN: Final = 32  # characters of plain text in one read: no human types that fast
_LINES: Final = re.compile("([\r\n\t])")  # kept: they are keys (enter, tab) between runs

_children: set[int] = set()


def track_child(pid: int) -> None:
    """A child in its own process group (the refresh), stopped with the app on a signal."""
    _children.add(pid)


def forget_child(pid: int) -> None:
    _children.discard(pid)


def stop_children(sig: int = signal.SIGTERM) -> None:
    for pid in list(_children):
        try:
            os.killpg(pid, sig)
        except OSError:  # gone already, or not a group leader: the process itself
            try:
                os.kill(pid, sig)
            except OSError:
                pass


def output_fd() -> int:
    """Where the frames go: stderr when it is the terminal (Textual's choice, so stdout
    stays free), else stdout (the dashboard runs only when that is a terminal)."""
    for stream in (sys.__stderr__, sys.__stdout__):
        try:
            if stream is not None and stream.isatty():
                return stream.fileno()
        except (ValueError, OSError):
            continue
    return 1


class TerminalOutput:
    """The text stream Textual's writer thread writes to: the terminal's fd, in its charset."""

    def __init__(self, fd: int, charset: str) -> None:
        self.fd = fd
        self.charset = charset
        self._table = None if is_utf8(charset) else StandIns(charset)
        self._buffer: list[bytes] = []
        self.gone = False

    def write(self, text: str) -> int:
        if self._table is not None:
            text = text.translate(self._table)
        self._buffer.append(text.encode(self.charset, "replace"))
        return len(text)

    def flush(self) -> None:
        data = b"".join(self._buffer)
        self._buffer.clear()
        if self.gone:
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view):]
        except OSError:  # EIO, EPIPE: the terminal hung up; nobody reads frames any more
            self.gone = True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return True


class DeskDriver(CompactDriver):
    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.charset = locale_charset(os.environ)
        # A TextIO to Textual, which only writes to it, flushes it and asks its fileno.
        self._file = cast(Any, TerminalOutput(output_fd(), self.charset))
        # Not `_loop`: Textual's Driver has its own (set in its __init__, used to post
        # messages from threads), which a None here would shadow.
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def _get_terminal_size(self) -> tuple[int, int]:
        """The terminal's size, asked of the terminal. Textual asks shutil, which believes
        $COLUMNS and $LINES first: exported once (by a shell, a test runner), they never
        change, so the dashboard would draw for a size the terminal no longer has."""
        fds = (self.fileno,) if self._file is None else (self._file.fileno(), self.fileno)
        for fd in fds:
            try:
                columns, lines = os.get_terminal_size(fd)
            except OSError:
                continue
            if columns > 0 and lines > 0:
                return columns, lines
        return super()._get_terminal_size()

    # -- signals and hangups ---------------------------------------------------------------

    def start_application_mode(self) -> None:
        # LinuxDriver leaves it unannotated: called through Any, not checked.
        driver: Any = super()
        driver.start_application_mode()
        self._event_loop = loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self.stop_for_signal, sig)

    def stop_for_signal(self, sig: int) -> None:
        """In the event loop: leave through the app's normal exit, which restores the
        terminal; a watchdog makes sure the process leaves even if that exit hangs."""
        if self._stopping:
            return
        self._stopping = True
        stop_children()
        watchdog = threading.Timer(EXIT_GRACE_SECONDS, self._forced_exit, (128 + sig,))
        watchdog.daemon = True
        watchdog.start()
        self._app.exit(return_code=128 + sig)

    def _forced_exit(self, code: int) -> None:
        stop_children(signal.SIGKILL)
        if self.attrs_before is not None:
            try:
                termios.tcsetattr(self.fileno, termios.TCSANOW, self.attrs_before)
            except termios.error:
                pass
        # The write can block on a terminal that no longer reads: at most a moment.
        fd = self.fileno if self._file is None else self._file.fileno()
        writer = threading.Thread(target=_write_quietly, args=(fd, RESTORE),
                                  daemon=True)
        writer.start()
        writer.join(0.5)
        os._exit(code)

    def _input_closed(self) -> None:
        """From the input thread: the terminal is gone, as with a hangup."""
        loop = self._event_loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.stop_for_signal, signal.SIGHUP)

    # -- input ------------------------------------------------------------------------------

    def _feed_text(self, text: str, feed: Callable[[str], None]) -> None:
        """Text read in one piece goes to the parser, except a flood into a text field.

        Every key costs Textual a dispatch (bindings, focus chain, the Input's own work),
        ~0.15 ms: 10 KB typed at once (a paste without bracketed paste, a script) would
        hold the app for seconds. A human types a character per read; a read holding a
        long run of plain text, while a text field has the focus, is handed to it as a
        paste, in order with the keys around it. Anywhere else the keys stay keys.
        """
        if len(text) < BURST_MIN or "\x1b" in text or not self._typing_into_input():
            feed(text)
            return
        for piece in _LINES.split(text):
            if len(piece) >= BURST_MIN and piece.isprintable():
                self.process_message(events.Paste(piece))
            elif piece:
                feed(piece)

    def _typing_into_input(self) -> bool:
        try:  # read from the input thread: a moment's staleness only costs speed
            return isinstance(self._app.focused, Input)
        except Exception:  # the screen stack changing under us
            return False

    def run_input_thread(self) -> None:
        """Textual's input loop, with the reply filter in front of the parser and an end."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        replies = ReplyFilter()
        decoder = codecs.getincrementaldecoder(
            "utf-8" if self.charset == "ascii" else self.charset)(errors="replace")
        fileno = self.fileno
        clock = time.monotonic

        def feed(text: str) -> None:
            for event in parser.feed(text):
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                deadline = replies.hold_deadline()
                timeout = 0.1 if deadline is None else max(0.0, min(0.1, deadline - clock()))
                if selector.select(timeout):
                    try:
                        data = os.read(fileno, 4096)
                    except OSError:
                        data = b""
                    if not data:
                        self._input_closed()
                        break
                    text = replies.feed(decoder.decode(data), clock())
                    if text:
                        self._feed_text(text, feed)
                held = replies.flush(clock())
                if held:
                    feed(held)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
            try:
                for _ in parser.feed(""):
                    pass
            except Exception:  # the parser's end-of-input complaints: nothing to act on
                pass


def _write_quietly(fd: int, text: str) -> None:
    try:
        os.write(fd, text.encode())
    except OSError:
        pass
