"""`dealdesk report`: one page, every number footnoted to its source, outside text inert.

Golden Markdown at two dates (tests/data/report/); every figure is one `dump --as-of`
gives for the same day; every footnote resolves to a source; the HTML is one file that
fetches nothing, checked by parsing it and by opening it in headless Chromium behind a
recording proxy. UPDATE_GOLDEN=1 rewrites the goldens and snapshots/report/report.png
(look at both before committing them).
"""

from __future__ import annotations

import http.server
import itertools
import json
import os
import re
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dealdesk import cli
from dealdesk import view as V
from dealdesk.report import md
from dealdesk.report.model import text

from .conftest import CONFIG_DIR, FIXED_NOW, ROOT
from .storydata import HOSTILE_TITLE, story_store

GOLDEN = ROOT / "tests" / "data" / "report"
SNAPSHOT = ROOT / "snapshots" / "report" / "report.png"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
DATES = ("2025-09-30", "2026-11-29")
SEED_QUOTES = (
    "Nvidia s’engage à investir jusqu’à 100 milliards de dollars dans OpenAI, progressivement, "
    "à mesure que chaque gigawatt de capacité est déployé. Les détails de l’accord devraient "
    "être finalisés dans les prochaines semaines.",
    "Un contexte porteur : OpenAI a annoncé la semaine dernière que ChatGPT compte désormais "
    "700 millions d’utilisateurs hebdomadaires actifs.",
)


@pytest.fixture
def data_dir(tmp_path, config, monkeypatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    story_store(data / "dealdesk.sqlite3", config.feeds)
    monkeypatch.setattr(cli, "_now", lambda: FIXED_NOW)
    return data


def run(capsys, data: Path, *argv: str) -> str:
    code = cli.main([*argv, "--config", str(CONFIG_DIR), "--data", str(data)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def dump_at(capsys, data: Path, day: str) -> dict:
    return json.loads(run(capsys, data, "dump", "--format", "json", "--as-of", day))


# ---------------------------------------------------------------------------------------------
# Markdown


@pytest.mark.parametrize("day", DATES)
def test_markdown_matches_the_golden_briefing(capsys, data_dir, day):
    page = run(capsys, data_dir, "report", "--as-of", day)
    golden = GOLDEN / f"briefing-{day}.md"
    if UPDATE:
        golden.write_text(page, encoding="utf-8")
    assert page == golden.read_text(encoding="utf-8")


def test_the_two_dates_tell_different_stories(capsys, data_dir):
    early, late = (run(capsys, data_dir, "report", "--as-of", d) for d in DATES)
    assert "| Nvidia | ◔ letter of intent" in early and "| Nvidia | ⇄ replaced" in late
    assert "Amazon" not in early and "| Amazon |" in late  # opened 2025-11-03
    assert "| 1B[^" in late and "| 1B[^" not in early  # accepted 2026-11-29


def test_seed_quotes_are_kept_byte_for_byte(capsys, data_dir):
    for fmt in ("md", "html"):
        page = run(capsys, data_dir, "report", "--format", fmt, "--as-of", "2025-09-30")
        for quote in SEED_QUOTES:
            assert f"“{quote}”" in page, fmt


def _footnotes(page: str) -> dict[int, str]:
    return {int(n): body for n, body in re.findall(r"^\[\^(\d+)\]: (.*)$", page, re.M)}


def _dump_numbers(dump: dict) -> set[float]:
    found: set[float] = set()

    def walk(v: object) -> None:
        if isinstance(v, bool):
            return
        if isinstance(v, (int, float)):
            found.add(float(v))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk({k: v for k, v in dump.items() if k not in ("feeds", "news")})
    return found


def _dump_sources(dump: dict) -> set[str]:
    ids = {s for p in dump["partners"] for s in p["sources"]}
    ids |= {u["source"] for u in dump["users"]} | {r["source"] for r in dump["risks"]}
    ids |= {e["source"] for e in dump["timeline"]}
    ids |= {f"item-{n['id']}" for n in dump["news"]}
    return ids


def _growth(dump: dict) -> set[float]:
    """The users table's growth: differences of consecutive dump figures, and per week."""
    values = set()
    by_product: dict[str, list[dict]] = {}
    for u in dump["users"]:
        by_product.setdefault(u["product"], []).append(u)
    for points in by_product.values():
        for a, b in itertools.pairwise(points):
            from datetime import date

            growth = b["weekly_active_users"] - a["weekly_active_users"]
            weeks = (date.fromisoformat(b["as_of"]) - date.fromisoformat(a["as_of"])).days / 7
            values.add(growth)
            if weeks > 0:
                values.add(growth / weeks)
    return values


_FIGURE = re.compile(r"((?:\\\$|\$)[\d.,]+[TBM]?|[\d.,]+ GW|[\d.,]+[MB])\[\^(\d+)\]")


@pytest.mark.parametrize("day", DATES)
def test_every_number_is_in_dump_and_every_footnote_resolves(capsys, data_dir, day, config):
    dump = dump_at(capsys, data_dir, day)
    page = run(capsys, data_dir, "report", "--as-of", day)
    html = run(capsys, data_dir, "report", "--format", "html", "--as-of", day)
    numbers = _dump_numbers(dump)
    shown = {f(v) for v in numbers for f in (V.money, V.gigawatts, V.users)}
    figures = _FIGURE.findall(page)
    assert len(figures) > 20
    for figure, _ in figures:
        assert figure.replace("\\", "") in shown, figure
    # Every number the HTML carries (totals and growth too) is a dump value, or the growth
    # between two consecutive dump values.
    data_values = [float(v) for v in re.findall(r'<data value="([^"]+)">', html)]
    assert len(data_values) > 30
    derived = _growth(dump)
    for v in data_values:
        assert v in numbers or any(abs(v - g) < 1e-6 for g in derived), v
    # Footnotes: each mark has its note, each note names a source dump knows (a news item
    # for a pending signal), with the kind, outlet and date of that source.
    notes = _footnotes(page)
    marks = {int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", page)}
    assert marks == set(notes) and notes
    sources = _dump_sources(dump)
    for body in notes.values():
        source_id = re.match(r"`([^`]+)`", body).group(1)
        assert source_id in sources, source_id
        src = config.story.sources.get(source_id)
        if src is not None:
            assert f" · {src.kind} · " in body and src.published.isoformat() in body


def test_since_lists_what_changed_in_the_window(capsys, data_dir):
    page = run(capsys, data_dir, "report", "--as-of", "2025-09-30", "--since", "2025-09-26")
    section = page.split("## What changed since 2025-09-26")[1].split("## ")[0]
    assert "| 2025-09-26 | ChatGPT | weekly users | 700M | 750M[^" in section
    assert "2025-09-25" not in section  # CoreWeave opened the day before the window


def test_a_since_after_the_report_day_is_a_usage_error(capsys, data_dir):
    code = cli.main(["report", "--as-of", "2025-09-30", "--since", "2025-10-01",
                     "--config", str(CONFIG_DIR), "--data", str(data_dir)])
    assert code == 2
    assert "--since 2025-10-01 is after" in capsys.readouterr().err


def test_markdown_escapes_outside_text(capsys, data_dir):
    page = run(capsys, data_dir, "report", "--as-of", "2025-09-30")
    note = next(b for b in _footnotes(page).values() if b.startswith("`item-"))
    # Every character that could be markup is escaped: shown as typed on a forge.
    assert r"\<script\>alert(1)\</script\>" in note and r"\<img src=x" in note
    assert r"\[click\](javascript:alert(1))" in note and r"\| \*bold\*" in note
    # Nothing left bare: no tag, no link to javascript:, no link at all for the item
    # (its javascript: URL was refused).
    assert not re.search(r"(?<!\\)<[a-z/]", page)
    assert not re.search(r"(?<!\\)\]\(javascript", page)
    assert r"\$5 \& \$6 \`code\` \~\~gone\~\~ \# not" in note
    assert not re.search(r"(?<!\\)\]\(", note)


@pytest.mark.parametrize("raw", ["a|b", "*x*", "_y_", "`z`", "[l](http://e)", "<b>", "&amp;",
                                 "$1$", "~~s~~", "\\", "![i](x)"])
def test_markdown_escape_leaves_no_markup(raw):
    escaped = md.escape(raw)
    # Unescaping gives the text back; nothing special is left bare.
    assert re.sub(r"\\(.)", r"\1", escaped) == raw
    bare = re.sub(r"\\.", "", escaped)  # what is left once every escape pair is taken out
    assert not re.search(r"[|*_`\[\]<>&$~\\!]", bare)


def test_links_are_http_only_and_cannot_break_out():
    assert md.link_target("https://e.com/a(b)c d<e>") == "https://e.com/a%28b%29c%20d%3Ce%3E"
    from datetime import date

    from dealdesk.report.model import Note

    for url in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "ftp://e.com/"):
        from dealdesk.text.links import clean_link

        assert clean_link(url) is None
    note = Note("s", "reported", "o", date(2025, 1, 1), None, "t", "q")
    assert "](" not in md._note(1, note)


def test_text_from_outside_loses_controls_and_invisibles():
    assert text("a\x1b[31mb\u202ec\u200bd\nnew") == "a[31mbcd new"


# ---------------------------------------------------------------------------------------------
# HTML


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def _html(capsys, data_dir, day="2025-09-30") -> str:
    return run(capsys, data_dir, "report", "--format", "html", "--as-of", day)


def test_html_is_one_file_that_fetches_nothing(capsys, data_dir):
    page = _html(capsys, data_dir)
    scan = _Scan()
    scan.feed(page)
    assert not {"script", "img", "iframe", "object", "embed", "link", "frame", "base",
                "form", "video", "audio", "source"} & set(scan.tags)
    assert scan.tags.count("svg") == 2 and "style" in scan.tags
    for tag, name, value in scan.attrs:
        assert not name.startswith("on"), (tag, name)
        assert name not in ("src", "srcset", "xlink:href", "action", "formaction", "poster")
        if name == "href":
            assert tag == "a" and re.match(r"https?://", value or ""), value
        assert "url(" not in (value or "")
    assert "url(" not in scan.style and "@import" not in scan.style
    assert "@media print" in scan.style


def test_html_shows_hostile_text_as_text(capsys, data_dir):
    page = _html(capsys, data_dir)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Nvidia &lt;img src=x onerror=alert(1)&gt;" \
        in page
    assert "Evil &lt;b&gt;feed&lt;/b&gt;" in page
    assert "<script" not in page and "javascript:" not in page.replace(
        "[click](javascript:alert(1))", "")
    assert 'href="javascript' not in page


def _chromium(*args: str, proxy_port: int, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}",
         # Every request the browser makes goes to our recording proxy on loopback: the page
         # must make none. (Chromium's own update and time checks still go out: they are
         # told apart by host and are no request of the page.)
         f"--proxy-server=http://127.0.0.1:{proxy_port}", "--proxy-bypass-list=<-loopback>",
         *args],
        capture_output=True, text=True, timeout=120,
    )


_CHROMIUM_OWN = re.compile(r"(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)(:|/|$)")


@pytest.fixture
def proxy():
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            target = self.path.split("://", 1)[-1]
            if not _CHROMIUM_OWN.search(target.split("/", 1)[0]):
                seen.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_CONNECT = _any

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_chromium_opens_the_report_and_it_requests_nothing(capsys, data_dir, tmp_path, proxy):
    port, seen = proxy
    # The check can fail: a page that loads an image and a stylesheet is caught.
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://fetch.example/x.png">'
                   '<link rel="stylesheet" href="https://fetch.example/s.css">')
    _chromium("--dump-dom", bad.as_uri(), proxy_port=port, profile=tmp_path / "p0")
    assert any("fetch.example" in r for r in seen), seen
    seen.clear()

    page = tmp_path / "report.html"
    page.write_text(_html(capsys, data_dir), encoding="utf-8")
    dom = _chromium("--dump-dom", page.as_uri(), proxy_port=port, profile=tmp_path / "p1")
    assert "Briefing as of 2025-09-30" in dom.stdout, dom.stderr[-2000:]
    assert "<script" not in dom.stdout and "&lt;script&gt;alert(1)" in dom.stdout
    shot = tmp_path / "report.png"
    _chromium("--window-size=1000,2600", f"--screenshot={shot}", page.as_uri(),
              proxy_port=port, profile=tmp_path / "p2")
    assert seen == []
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    if UPDATE:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_bytes(png)


def test_report_to_a_file_and_a_bad_path(capsys, data_dir, tmp_path):
    out = tmp_path / "brief.html"
    run(capsys, data_dir, "report", "--format", "html", "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code = cli.main(["report", "-o", str(tmp_path / "missing" / "x.md"),
                     "--config", str(CONFIG_DIR), "--data", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot write the report" in err and len(err.splitlines()) == 1


def test_hostile_title_fixture_is_what_the_store_holds(data_dir):
    from dealdesk.store import Store

    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        assert any(i.title == HOSTILE_TITLE for i in store.latest_items(limit=50))


@pytest.mark.parametrize("argv", [["report", "--format", "html"], ["report"],
                                  ["diff", "--since", "2025-01-01"],
                                  ["dump", "--as-of", "2025-09-30"]])
def test_report_diff_and_as_of_never_load_textual(tmp_path, argv):
    import sys

    script = (
        "import sys, io, contextlib\n"
        f"argv = [*{argv!r}, '--config', {str(CONFIG_DIR)!r}, '--data', {str(tmp_path)!r}]\n"
        "from dealdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(argv)\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "0 []", result.stderr


def test_recent_alerts_are_listed_with_their_watch(capsys, data_dir):
    from dealdesk.store import Store

    with Store.open(data_dir / "dealdesk.sqlite3") as store:
        store.add_alerts([{"watch": "Nvidia deal status", "key": "item:1", "kind": "phrase",
                           "news_id": None, "title": "Nvidia <b>pauses</b> | the deal",
                           "subject": "Nvidia"}], FIXED_NOW)
    page = run(capsys, data_dir, "report", "--as-of", "2026-11-29")
    section = page[page.index("## Recent alerts"):page.index("## Sources")]
    assert "Nvidia deal status" in section and "No alerts recorded" not in section
    assert "\\<b\\>pauses\\</b\\> \\| the deal" in section  # outside text stays text
