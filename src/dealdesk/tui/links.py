"""Links the reader can follow: OSC 8 hyperlinks on screen, and `o` to open one.

A terminal that knows OSC 8 (most do; tmux passes them with `terminal-features
'*:hyperlinks'`) makes linked text clickable. Only http(s) URLs of printable ASCII become
links: anything else in an escape sequence could end it early or act on the terminal.

`o` opens a link where the reader sits: over SSH the server's browser is the wrong one (and
often none), so the link goes to the reader's clipboard by OSC 52 instead. `[open] command`
in dealdesk.toml replaces both: an argv run without a shell, with a timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rich.style import Style
from rich.text import Text

from ..view import TableView

# What an OSC 8 target may hold: printable ASCII, no space (a cleaned feed link already is).
_LINKABLE = re.compile(r"^https?://[\x21-\x7e]+$", re.IGNORECASE)
OPEN_TIMEOUT_SECONDS = 10.0
URL_PLACEHOLDER = "{url}"


def web_url(url: object) -> str | None:
    """`url` when it is an http(s) URL safe inside an escape sequence, else None."""
    if isinstance(url, str) and len(url) <= 4096 and _LINKABLE.match(url):
        return url
    return None


def linked(text: Text, url: object) -> Text:
    """A copy of `text` that is a hyperlink to `url` (unchanged when `url` is not http(s))."""
    target = web_url(url)
    if target is None:
        return text
    out = text.copy()
    out.stylize(Style(link=target), 0, len(out))
    return out


def link_column(view: TableView, label: str, links: Mapping[str, str | None]) -> TableView:
    """`view` with the cells of column `label` linked to `links[row key]`. Found by label,
    not position, so a change of the columns' order keeps the links on the titles."""
    index = next((i for i, c in enumerate(view.columns) if c.label == label), None)
    if index is None:
        return view
    rows = tuple(
        replace(row, cells=tuple(linked(c, links.get(row.key)) if i == index else c
                                 for i, c in enumerate(row.cells)))
        for row in view.rows
    )
    return replace(view, rows=rows)


def link_lines(lines: Sequence[Text]) -> list[Text]:
    """Lines whose whole text (stripped) is an http(s) URL, made hyperlinks: the sources'
    and the details' URL lines."""
    return [linked(line, line.plain.strip()) for line in lines]


def over_ssh(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))


@dataclass(frozen=True)
class OpenPlan:
    """How `o` deals with one link: "copy" (OSC 52, over SSH), "command" or "browser"."""

    how: str
    url: str
    argv: tuple[str, ...] = ()


def plan_open(url: str, command: Sequence[str], env: Mapping[str, str] | None = None
              ) -> OpenPlan:
    if command:
        # The URL replaces "{url}" where it is written, or comes last: one argument either
        # way, never parsed by a shell.
        if any(URL_PLACEHOLDER in arg for arg in command):
            argv = tuple(arg.replace(URL_PLACEHOLDER, url) for arg in command)
        else:
            argv = (*command, url)
        return OpenPlan("command", url, argv)
    if over_ssh(env):
        return OpenPlan("copy", url)
    return OpenPlan("browser", url)


def run_open(plan: OpenPlan, timeout: float = OPEN_TIMEOUT_SECONDS) -> str | None:
    """Open the link (blocking: run it in a worker). None on success, else why it failed."""
    if plan.how == "command":
        try:
            done = subprocess.run(plan.argv, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  timeout=timeout, check=False, shell=False)
        except subprocess.TimeoutExpired:
            return f"{plan.argv[0]} took longer than {timeout:g} s"
        except OSError as exc:
            return f"cannot run {plan.argv[0]}: {exc.strerror or exc}"
        if done.returncode != 0:
            last = done.stderr.decode("utf-8", "replace").strip().splitlines()
            why = f": {last[-1][:200]}" if last else ""
            return f"{plan.argv[0]} exited with {done.returncode}{why}"
        return None
    if plan.how == "browser":
        import webbrowser  # here, where it is used: it costs the first frame ~0.6 ms

        try:
            opened = webbrowser.open(plan.url)
        except Exception as exc:  # a broken BROWSER setting must not end the dashboard
            return f"no browser could open it: {exc}"
        return None if opened else "no browser found (set [open] command in dealdesk.toml)"
    return "nothing to run"
