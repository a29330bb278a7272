"""Drive a program in a real terminal: a private tmux server, keys in, screen text out."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable


class Tmux:
    def __init__(self, width: int, height: int):
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed: .ci/run installs it with apt-get")
        self.socket = f"dealdesk-test-{uuid.uuid4().hex[:8]}"
        self.size = (width, height)

    def _run(self, *args: str) -> str:
        return subprocess.run(
            # -u: UTF-8 whatever the locale of the test run (tmux would draw `_` otherwise).
            ["tmux", "-u", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout

    def start(self, command: str) -> None:
        width, height = self.size
        self._run("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self._run("send-keys", "-t", "t", key)

    def send_bytes(self, data: bytes) -> None:
        """Bytes into the pane's input as one write, as a terminal's reply arrives."""
        self._run("send-keys", "-t", "t", "-H", *(f"{b:02x}" for b in data))

    def type_text(self, text: str, chunk: int = 2048) -> None:
        """Literal text, as typed or pasted without bracketed paste."""
        for start in range(0, len(text), chunk):
            self._run("send-keys", "-t", "t", "-l", text[start:start + chunk])

    def record(self, path: str) -> None:
        """Everything the program writes to the pane from now on, appended to `path`."""
        self._run("pipe-pane", "-o", "-t", "t", f"cat >> {path}")

    def pane_pid(self) -> int:
        return int(self.flag("pane_pid"))

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "t")

    def flag(self, name: str) -> str:
        return self._run("display-message", "-p", "-t", "t", f"#{{{name}}}").strip()

    def wait(self, condition: Callable[[str], bool], seconds: float = 15.0) -> str:
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"screen never matched; last screen:\n{screen}")

    def press_until(self, key: str, condition: Callable[[str], bool], tries: int = 3,
                    each: float = 1.5) -> str:
        """Send a key until the screen shows its effect: the first frame can come a moment
        before the program reads its input, and a key sent then is lost."""
        for attempt in range(tries):
            self.keys(key)
            try:
                return self.wait(condition, seconds=each)
            except AssertionError:
                if attempt == tries - 1:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=10)
