"""Links (issue 17): every link shown is an OSC 8 hyperlink to its http(s) URL, and `o`
opens the highlighted one: a browser locally, the clipboard (OSC 52) over SSH, or the
`[open] command` argv (no shell, a timeout, a failure is a toast)."""

from __future__ import annotations

import shlex
import shutil
import sys
import webbrowser

import pytest
from rich.console import Console
from rich.text import Text

from dealdesk import config as C
from dealdesk.config import STORE_FILE
from dealdesk.tui import links
from dealdesk.tui.screens.details import DetailsScreen

from .apps import wait_for
from .conftest import CONFIG_DIR, fixed_clock
from .newsdata import HEADLINES, fill_store
from .test_config import _line_of, _problems
from .test_tui_news import app_for, news_rows
from .tmux import Tmux


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "file:///etc/passwd", "ftp://example.com/", "mailto:a@b.c",
    "https://example.com/\x1b\\evil", "https://example.com/a b", "https://exämple.com/",
    None, 42, "",
])
def test_only_http_urls_become_links(url):
    assert links.web_url(url) is None
    text = links.linked(Text("title"), url)
    assert all(span.style == "" or getattr(span.style, "link", None) is None
               for span in text.spans)


def test_a_linked_text_renders_an_osc8_sequence():
    console = Console(force_terminal=True, color_system="truecolor", width=40)
    with console.capture() as capture:
        console.print(links.linked(Text("OpenAI news"), "https://example.com/news/0"))
    assert "\x1b]8;id=" in capture.get() and ";https://example.com/news/0\x1b\\" in capture.get()


def test_over_ssh_the_link_is_copied_never_opened():
    assert links.plan_open("https://x.example/", (), {"SSH_CONNECTION": "1 2 3 4"}).how == "copy"
    assert links.plan_open("https://x.example/", (), {"SSH_TTY": "/dev/pts/1"}).how == "copy"
    assert links.plan_open("https://x.example/", (), {}).how == "browser"


def test_the_open_command_gets_the_url_as_one_argument_never_a_shell(tmp_path):
    url = "https://example.com/a;touch${IFS}pwned&b=$(id)"
    out = tmp_path / "got"
    script = f"import sys; open({str(out)!r}, 'w').write(repr(sys.argv[1:]))"
    plan = links.plan_open(url, (sys.executable, "-c", script, "{url}", "end"), {})
    assert links.run_open(plan) is None
    assert out.read_text() == repr([url, "end"])
    appended = links.plan_open(url, ("opener", "--new-tab"), {"SSH_TTY": "x"})
    assert appended.argv == ("opener", "--new-tab", url)  # the command wins over SSH too
    assert not list(tmp_path.glob("pwned"))


def test_a_failing_or_slow_open_command_is_a_message(tmp_path):
    missing = links.plan_open("https://e.example/", ("/nonexistent/opener",), {})
    assert "cannot run /nonexistent/opener" in links.run_open(missing)
    failing = links.plan_open("https://e.example/",
                              (sys.executable, "-c", "import sys; sys.exit('no display')"), {})
    assert "exited with 1: no display" in links.run_open(failing)
    slow = links.plan_open("https://e.example/",
                           (sys.executable, "-c", "import time; time.sleep(5)"), {})
    assert "took longer than 0.5 s" in links.run_open(slow, timeout=0.5)


@pytest.mark.parametrize("value", ['"xdg-open"', "[]", "[1]", '["a\\u0007b"]'])
def test_a_bad_open_command_is_refused_with_its_line(tmp_path, value):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n[open]\ncommand = {value}\n")
    line = _line_of(cfg / "dealdesk.toml", f"command = {value}")  # not [alerts]' example
    assert any(p.startswith(f"{cfg / 'dealdesk.toml'}:{line}: command")
               for p in _problems(cfg))


def test_open_link_is_a_remappable_action(tmp_path):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write('\n[keys]\nopen_link = "ctrl+o"\n')
    assert C.load(cfg).settings.keys["open_link"] == "ctrl+o"
    with (cfg / "dealdesk.toml").open("a", encoding="utf-8") as f:
        f.write('toggle_read = "ctrl+o"\n')
    assert any("given to both" in p for p in _problems(cfg))


@pytest.fixture
def opened(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: calls.append(url) or True)
    return calls


async def test_o_over_ssh_copies_by_osc52_and_opens_nothing(tmp_path, monkeypatch, opened):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    config = C.load(CONFIG_DIR)
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        await pilot.press("5", "j", "o")
        await wait_for(pilot, lambda: app.clipboard == "https://example.com/news/1")
        await pilot.pause(0.2)
        assert any("Over SSH" in n.message for n in app._notifications)
    assert opened == []


async def test_o_locally_opens_the_browser_on_the_list_and_in_details(tmp_path, monkeypatch,
                                                                      opened):
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    config = C.load(CONFIG_DIR)
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        await pilot.press("5", "o")
        await wait_for(pilot, lambda: opened == ["https://example.com/news/0"])
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen))
        await pilot.press("o")
        await wait_for(pilot, lambda: len(opened) == 2)
        assert app.clipboard != "https://example.com/news/1"
    assert opened[1] == "https://example.com/news/1"


async def test_a_failing_open_command_is_a_toast_not_a_crash(tmp_path, opened):
    config = C.load(CONFIG_DIR)
    fill_store(tmp_path / "store.sqlite3", config.feeds)
    app = app_for(tmp_path, config.feeds, fixed_clock)
    from dataclasses import replace

    app.desk.config = replace(app.config, settings=replace(
        app.config.settings, open_command=("/nonexistent/opener",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(news_rows(app)) == len(HEADLINES))
        await pilot.press("5", "o")
        await wait_for(pilot, lambda: any("Could not open" in n.message
                                          for n in app._notifications))
        assert app.is_running
    assert opened == []


def test_news_titles_reach_the_terminal_as_osc8_hyperlinks(tmp_path):
    """The bytes the dashboard writes (tmux pipe-pane) carry each title's link."""
    data = tmp_path / "data"
    fill_store(data / STORE_FILE, C.load(CONFIG_DIR).feeds)
    out = tmp_path / "pane.out"
    command = (f"env TERM=xterm-256color {shlex.quote(sys.executable)} -m dealdesk.cli "
               f"--config {shlex.quote(str(CONFIG_DIR))} --data {shlex.quote(str(data))}; "
               "sleep 30")
    terminal = Tmux(120, 40)
    try:
        terminal.start(f"sh -c {shlex.quote(command)}")
        terminal.record(str(out))
        terminal.wait(lambda screen: "Nvidia" in screen and "News" in screen)
        terminal.keys("5")
        terminal.wait(lambda _: out.exists() and b"\x1b]8;" in out.read_bytes())
        raw = out.read_bytes()
        assert b";https://example.com/news/0\x1b\\" in raw
        terminal.keys("q")
    finally:
        terminal.close()


def _links_of(text: Text) -> set[str]:
    return {span.style.link for span in text.spans
            if not isinstance(span.style, str) and span.style.link}


def test_sources_in_fact_details_are_links_and_stay_links_without_colour(config):
    from dealdesk import facts as F
    from dealdesk import view as V

    snap = F.snapshot(config.story, config.story.sources["seed-2025-09"].published)
    details = V.partner_details(snap, "Nvidia")
    lines = links.link_lines(V.source_lines(details))
    urls = {s.url for s in details.sources if s.url}
    assert urls and set().union(*map(_links_of, lines)) == urls
    assert set().union(*(_links_of(V.monochrome(line)) for line in lines)) == urls
    # A line that is not a URL is left alone.
    assert not any(_links_of(line) for line in lines if not line.plain.strip().startswith("http"))
