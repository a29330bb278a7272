"""`dealdesk feeds import FILE.opml` and `dealdesk feeds export` (issue 17, item 4).

The import keeps feeds.toml as written and refuses hostile files without writing anything;
the export is OPML that newsboat (a real one, from apt: `make tmux` installs it) imports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk import feeds_opml
from dealdesk.cli import main
from dealdesk.config import load
from dealdesk.model import FeedSpec

from .conftest import CONFIG_DIR


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    target = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, target)
    return target


def opml(*outlines: str, head: str = "") -> bytes:
    body = "\n".join(outlines)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<opml version="2.0">\n'
            f"<head><title>t</title></head>\n<body>\n{body}\n</body>\n</opml>\n").encode()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def import_file(capsys, cfg: Path, data: bytes, tmp_path: Path) -> tuple[int, str, str]:
    path = tmp_path / "in.opml"
    path.write_bytes(data)
    return run(capsys, "feeds", "import", str(path), "--config", str(cfg))


# --- import: what is added, what is skipped -------------------------------------------------


def test_import_appends_feeds_and_keeps_every_byte_already_written(cfg, tmp_path, capsys):
    before = (cfg / "feeds.toml").read_bytes()
    code, out, err = import_file(capsys, cfg, opml(
        '<outline text="Tech"><outline type="rss" text="Ars" xmlUrl="https://ars.example/feed"/>'
        '<outline text="Deeper"><outline title="Deep" xmlUrl="http://deep.example/rss"/>'
        "</outline></outline>",
    ), tmp_path)
    assert code == 0, err
    after = (cfg / "feeds.toml").read_bytes()
    assert after.startswith(before)  # comments, order, layout: untouched
    feeds = load(cfg).feeds  # and the whole config still passes the checker
    assert [(f.name, f.url) for f in feeds[-2:]] == [
        ("Ars", "https://ars.example/feed"), ("Deep", "http://deep.example/rss"),
    ]
    assert "added    Ars  https://ars.example/feed" in out
    assert out.strip().endswith("2 added to " + str(cfg / "feeds.toml") + ", 0 skipped")


def test_import_skips_duplicates_of_existing_feeds_and_within_the_file(cfg, tmp_path, capsys):
    existing = load(cfg).feeds[0]
    # The same request written differently (case of scheme and host, the default port).
    same_as_existing = existing.url.replace("https://openai.com", "HTTPS://OpenAI.com:443")
    code, out, _ = import_file(capsys, cfg, opml(
        f'<outline text="Again" xmlUrl="{same_as_existing}"/>',
        '<outline text="One" xmlUrl="https://one.example/feed"/>',
        '<outline text="One again" xmlUrl="https://ONE.example/feed"/>',
    ), tmp_path)
    assert code == 0
    urls = [f.url for f in load(cfg).feeds]
    assert urls.count("https://one.example/feed") == 1 and len(urls) == 8
    assert f"duplicate of feed {existing.name!r}" in out
    assert "duplicate of feed 'One'" in out
    assert "1 added" in out and "2 skipped" in out


def test_import_requires_an_http_feed_url_and_says_why_it_skipped(cfg, tmp_path, capsys):
    before = (cfg / "feeds.toml").read_bytes()
    code, out, _ = import_file(capsys, cfg, opml(
        '<outline text="No url"/>',
        '<outline text="Folder, empty"></outline>',
        '<outline text="Ftp" xmlUrl="ftp://files.example/feed"/>',
        '<outline text="Script" xmlUrl="javascript:alert(1)"/>',
        '<outline text="Spaced" xmlUrl="https://a.example/my feed"/>',
        '<outline text="Hidden" xmlUrl="https://a.example/&#x202E;feed"/>',
        '<outline text="Empty" xmlUrl=""/>',
    ), tmp_path)
    assert code == 0
    assert (cfg / "feeds.toml").read_bytes() == before  # nothing to add: nothing written
    skipped = [line for line in out.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 7
    assert "no xmlUrl" in skipped[0] and "not an http(s) URL" in skipped[2]
    assert all(line.isprintable() for line in out.splitlines())  # U+202E never printed


def test_import_names_come_from_title_then_text_then_the_url_cleaned_and_unique(
    cfg, tmp_path, capsys
):
    code, _, err = import_file(capsys, cfg, opml(
        '<outline title="From title" text="not this" xmlUrl="https://a.example/1"/>',
        '<outline text="From text" xmlUrl="https://a.example/2"/>',
        '<outline xmlUrl="https://a.example/3"/>',
        '<outline title="   " text="&lt;b&gt;" xmlUrl="https://a.example/4"/>',
        # Bidi override, zero-width space, a control, a line break, a tab: cleaned away.
        '<outline title="Evil&#x202E;gnp.exe&#x200B; &#x9B;31m&#x7F; two&#10;lines&#9;x" '
        'xmlUrl="https://a.example/5"/>',
        '<outline title="Numerama" xmlUrl="https://a.example/6"/>',  # taken by the config
        '<outline title="numerama" xmlUrl="https://a.example/7"/>',
        '<outline title="&#x200B;&#x200B;" xmlUrl="https://a.example/8"/>',  # cleans to nothing
        f'<outline title="{"long " * 100}" xmlUrl="https://a.example/9"/>',
    ), tmp_path)
    assert code == 0, err
    names = [f.name for f in load(cfg).feeds[7:]]
    assert names[:4] == ["From title", "From text", "https://a.example/3", "<b>"]
    assert names[4] == "Evilgnp.exe two lines x"  # the CSI sequence goes whole
    assert names[5:8] == ["Numerama (2)", "numerama (3)", "https://a.example/8"]
    assert len(names[8]) <= feeds_opml.NAME_LIMIT
    assert len({n.casefold() for n in names}) == len(names)


def test_import_writes_names_that_toml_reads_back_exactly(cfg, tmp_path, capsys):
    tricky = ['Quote " and \\ back', "Tab-less 'single' ''' \"\"\"", "日本語 ニュース",
              "a = b # c"]
    outlines = [f'<outline title={feeds_opml.xml_attr(n)} xmlUrl="https://t.example/{i}"/>'
                for i, n in enumerate(tricky)]
    code, _, err = import_file(capsys, cfg, opml(*outlines), tmp_path)
    assert code == 0, err
    data = tomllib.loads((cfg / "feeds.toml").read_text(encoding="utf-8"))
    assert [f["name"] for f in data["feed"][7:]] == tricky


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_toml_string_reads_back_as_the_same_string(value):
    assert tomllib.loads(f"k = {feeds_opml.toml_string(value)}")["k"] == value


def test_import_into_a_file_without_final_newline_or_with_crlf(tmp_path, capsys):
    for original in (b'[[feed]]\r\nname = "a"\r\nurl = "https://a.example/"\r\n',
                     b'# only a comment, no newline at the end',
                     b'[[feed]]\nname = "a"\nurl = "https://a.example/" # end'):
        cfg = tmp_path / f"cfg{len(original)}"
        shutil.copytree(CONFIG_DIR, cfg)
        (cfg / "feeds.toml").write_bytes(original)
        code, _, err = import_file(capsys, cfg, opml(
            '<outline text="B" xmlUrl="https://b.example/"/>'), tmp_path)
        assert code == 0, err
        after = (cfg / "feeds.toml").read_bytes()
        assert after.startswith(original)
        assert load(cfg).feeds[-1] == FeedSpec("B", "https://b.example/")
        if b"\r\n" in original:
            assert b"\n" not in after.replace(b"\r\n", b"")


def test_import_keeps_the_file_mode_and_leaves_no_temporary_file(cfg, tmp_path, capsys):
    os.chmod(cfg / "feeds.toml", 0o600)
    code, _, _ = import_file(capsys, cfg, opml('<outline text="B" xmlUrl="https://b.example/"/>'),
                             tmp_path)
    assert code == 0
    assert (cfg / "feeds.toml").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in cfg.iterdir()) == sorted(p.name for p in CONFIG_DIR.iterdir())


def test_import_refuses_a_feeds_toml_that_is_already_broken(cfg, tmp_path, capsys):
    broken = b'[[feed]]\nname = "a"\nurl = "ftp://nope"\n# keep me\n'
    (cfg / "feeds.toml").write_bytes(broken)
    code, _out, err = import_file(capsys, cfg, opml('<outline text="B" xmlUrl="https://b/"/>'),
                                 tmp_path)
    assert code == 2
    assert err.startswith(f"{cfg / 'feeds.toml'}:3: url:")
    assert (cfg / "feeds.toml").read_bytes() == broken


def test_import_refuses_the_config_installed_with_the_package(tmp_path, capsys, monkeypatch):
    installed = tmp_path / "site" / "dealdesk" / "_config"
    shutil.copytree(CONFIG_DIR, installed)
    monkeypatch.setattr("dealdesk.config.packaged_config_dir", lambda: installed)
    before = (installed / "feeds.toml").read_bytes()
    path = tmp_path / "in.opml"
    path.write_bytes(opml('<outline text="B" xmlUrl="https://b.example/"/>'))
    # Reached by default (no --config, no $DEALDESK_CONFIG, no ./config) or named outright.
    for argv in (["feeds", "import", str(path)],
                 ["feeds", "import", str(path), "--config", str(installed)]):
        code, _out, err = run(capsys, *argv)
        assert code == 2
        assert "installed with dealdesk" in err and "--config DIR" in err
        assert len(err.strip().splitlines()) == 1
        assert (installed / "feeds.toml").read_bytes() == before


def test_import_uses_the_config_dir_every_command_uses(cfg, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DEALDESK_CONFIG", str(cfg))
    path = tmp_path / "in.opml"
    path.write_bytes(opml('<outline text="B" xmlUrl="https://b.example/"/>'))
    code, _, err = run(capsys, "feeds", "import", str(path))
    assert code == 0, err
    assert load(cfg).feeds[-1].name == "B"


# --- hostile and broken files: exit 2, one line, nothing written ----------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE opml [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b']>\n<opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://x.example/"/>'
    b"</body></opml>"
)
HOSTILE = {
    "not xml": (b"this is not xml at all", "not well-formed"),
    "html page": (b"<!doctype html><html><body>hi</body></html>", "not well-formed"),
    "xhtml page": (b'<!DOCTYPE html><html><body>hi</body></html>', "DOCTYPE"),
    "json": (b'{"feeds": []}', "not well-formed"),
    "empty": (b"  \n", "empty"),
    "truncated": (opml('<outline text="A" xmlUrl="https://a/"/>')[:-20], "not well-formed"),
    "wrong root": (b'<rss version="2.0"><channel/></rss>', "root element is <rss>"),
    "external entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<opml><body><outline text="&xxe;" xmlUrl="https://x.example/"/></body></opml>',
        "DOCTYPE",
    ),
    "external dtd": (
        b'<?xml version="1.0"?>\n<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        b'<opml><body><outline text="a" xmlUrl="https://x.example/"/></body></opml>',
        "DOCTYPE",
    ),
    "parameter entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        b'\n<opml/>', "DOCTYPE",
    ),
    "billion laughs": (BILLION_LAUGHS, "DOCTYPE"),
    "undeclared entity": (opml('<outline text="&nbsp;" xmlUrl="https://x.example/"/>'),
                          "undefined entity"),
    "unknown encoding": (b'<?xml version="1.0" encoding="x-no-such"?><opml/>', "encoding"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", "not well-formed"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_or_hostile_opml_file_is_exit_2_one_line_and_changes_nothing(
    case, cfg, tmp_path, capsys
):
    data, reason = HOSTILE[case]
    before = (cfg / "feeds.toml").read_bytes()
    code, out, err = import_file(capsys, cfg, data, tmp_path)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and "nothing imported" in lines[0], err
    assert "Traceback" not in err
    assert (cfg / "feeds.toml").read_bytes() == before
    assert sorted(p.name for p in cfg.iterdir()) == sorted(p.name for p in CONFIG_DIR.iterdir())


def test_a_huge_opml_file_is_refused_before_it_is_parsed(cfg, tmp_path, capsys):
    outline = b'<outline text="A" xmlUrl="https://a.example/"/>\n'
    data = opml() .replace(b"<body>", b"<body>" + outline * (feeds_opml.MAX_OPML_BYTES
                                                              // len(outline) + 1))
    code, _, err = import_file(capsys, cfg, data, tmp_path)
    assert code == 2 and "larger than 8 MiB" in err


def test_too_many_outlines_are_refused(monkeypatch, cfg, tmp_path, capsys):
    monkeypatch.setattr(feeds_opml, "MAX_OUTLINES", 5)
    outlines = [f'<outline text="{i}" xmlUrl="https://a.example/{i}"/>' for i in range(6)]
    code, _, err = import_file(capsys, cfg, opml(*outlines), tmp_path)
    assert code == 2 and "more than 5 outlines" in err


def test_deeply_nested_folders_are_read_without_recursion(cfg, tmp_path, capsys):
    depth = 50_000
    data = opml('<outline text="f">' * depth + '<outline text="deep" xmlUrl="https://d.example/"/>'
                + "</outline>" * depth)
    code, _, err = import_file(capsys, cfg, data, tmp_path)
    assert code == 0, err
    assert load(cfg).feeds[-1] == FeedSpec("deep", "https://d.example/")


def test_a_missing_opml_file_is_exit_2(cfg, tmp_path, capsys):
    code, _, err = run(capsys, "feeds", "import", str(tmp_path / "nope.opml"), "--config",
                       str(cfg))
    assert code == 2 and "cannot read" in err


# --- export -----------------------------------------------------------------------------------


def test_export_is_opml_2_listing_every_feed_with_escaped_attributes(cfg, capsys):
    (cfg / "feeds.toml").write_text(
        '[[feed]]\nname = "A & <B> \\"quoted\\" \'single\' é"\n'
        'url = "https://a.example/rss?x=1&y=\'2\'"\n'
        '[[feed]]\nname = "Numerama"\nurl = "https://www.numerama.com/feed/"\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "feeds", "export", "--config", str(cfg))
    assert code == 0
    root = ET.fromstring(out.encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title") is not None and root.find("head/dateCreated") is not None
    outlines = root.findall("body/outline")
    assert [(o.get("text"), o.get("title"), o.get("xmlUrl"), o.get("type")) for o in outlines] == [
        ("A & <B> \"quoted\" 'single' é", "A & <B> \"quoted\" 'single' é",
         "https://a.example/rss?x=1&y='2'", "rss"),
        ("Numerama", "Numerama", "https://www.numerama.com/feed/", "rss"),
    ]


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_xml_attr_reads_back_as_the_same_text(value):
    root = ET.fromstring(f"<a v={feeds_opml.xml_attr(value)}/>")
    legal = "".join(c if feeds_opml._xml_char(ord(c)) else "\ufffd" for c in value)
    assert root.get("v") == legal


def test_export_then_import_into_an_empty_config_gives_the_same_feeds(cfg, tmp_path, capsys):
    code, out, _ = run(capsys, "feeds", "export", "--config", str(cfg))
    assert code == 0
    empty = tmp_path / "empty"
    shutil.copytree(CONFIG_DIR, empty)
    (empty / "feeds.toml").write_text("# mine\n", encoding="utf-8")
    code, _, err = import_file(capsys, empty, out.encode(), tmp_path)
    assert code == 0, err
    assert [(f.name, f.url) for f in load(empty).feeds] == [
        (f.name, f.url) for f in load(cfg).feeds
    ]


# --- with newsboat itself ----------------------------------------------------------------------


def newsboat(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """newsboat with its config, cache and lock in `tmp_path`, never the user's home."""
    exe = shutil.which("newsboat")
    if exe is None:
        raise RuntimeError("newsboat is not installed: `make tmux` installs it with apt-get")
    home = tmp_path / "nb-home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8", "TERM": "dumb"}
    (home / "config.txt").write_text("", encoding="utf-8")
    return subprocess.run(
        [exe, "-C", str(home / "config.txt"), "-c", str(home / "cache.db"), *args],
        capture_output=True, text=True, timeout=60, env=env, check=True,
        stdin=subprocess.DEVNULL,
    )


def test_newsboat_export_imports_every_feed_with_its_title(cfg, tmp_path, capsys):
    urls = tmp_path / "urls"
    urls.write_text(
        'https://nb.example/a.xml "~Named in newsboat" tech\n'
        'https://nb.example/b?x=1&y=2 "~Quote \\" & <less>"\n'
        "http://nb.example/c.rss\n"
        "https://nb.example/a.xml\n",  # listed twice
        encoding="utf-8",
    )
    exported = newsboat(tmp_path, "-u", str(urls), "-e").stdout
    assert "<opml" in exported
    code, _out, err = import_file(capsys, cfg, exported.encode(), tmp_path)
    assert code == 0, err
    added = [(f.name, f.url) for f in load(cfg).feeds[7:]]
    assert added == [
        ("Named in newsboat", "https://nb.example/a.xml"),
        ('Quote " & <less>', "https://nb.example/b?x=1&y=2"),
        ("http://nb.example/c.rss", "http://nb.example/c.rss"),  # no title: the URL
    ]


def test_newsboat_imports_our_export(cfg, tmp_path, capsys):
    (cfg / "feeds.toml").write_text(
        (CONFIG_DIR / "feeds.toml").read_text(encoding="utf-8")
        + '\n[[feed]]\nname = "A & \\"B\\" <c> é"\nurl = "https://e.example/x?a=1&b=2"\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "feeds", "export", "--config", str(cfg))
    assert code == 0
    ours = tmp_path / "ours.opml"
    ours.write_text(out, encoding="utf-8")
    urls = tmp_path / "urls"
    urls.write_text("", encoding="utf-8")
    newsboat(tmp_path, "-u", str(urls), "-i", str(ours))
    listed = [line.split()[0] for line in urls.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    assert listed == [f.url for f in load(cfg).feeds]


# --- where the file goes, and what else may be wrong --------------------------------------------


def test_a_symlinked_feeds_toml_stays_a_symlink(cfg, tmp_path, capsys):
    real = tmp_path / "dotfiles" / "feeds.toml"
    real.parent.mkdir()
    (cfg / "feeds.toml").rename(real)
    (cfg / "feeds.toml").symlink_to(real)
    code, _, err = import_file(capsys, cfg, opml('<outline text="B" xmlUrl="https://b.example/"/>'),
                               tmp_path)
    assert code == 0, err
    assert (cfg / "feeds.toml").is_symlink()
    assert load(cfg).feeds[-1] == FeedSpec("B", "https://b.example/")


def test_a_config_dir_that_cannot_be_written_is_exit_2_and_one_line(
    cfg, tmp_path, capsys, monkeypatch
):
    def refuse(*args, **kwargs):  # as a read-only directory answers (root ignores chmod)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(feeds_opml.tempfile, "mkstemp", refuse)
    before = (cfg / "feeds.toml").read_bytes()
    code, _out, err = import_file(capsys, cfg, opml(
        '<outline text="B" xmlUrl="https://b.example/"/>'), tmp_path)
    assert code == 2, err
    assert err.strip() == (f"{cfg / 'feeds.toml'}:0: cannot write: Permission denied; nothing "
                           "imported (hint: check permissions)")
    assert (cfg / "feeds.toml").read_bytes() == before


def test_a_missing_config_dir_is_exit_2(tmp_path, capsys):
    path = tmp_path / "in.opml"
    path.write_bytes(opml('<outline text="B" xmlUrl="https://b.example/"/>'))
    code, _, err = run(capsys, "feeds", "import", str(path), "--config", str(tmp_path / "no"))
    assert code == 2 and "config directory not found" in err
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("encoding", ["windows-1252", "iso-8859-1", "utf-16"])
def test_opml_in_other_encodings_is_read_as_declared(encoding, cfg, tmp_path, capsys):
    data = (f'<?xml version="1.0" encoding="{encoding}"?>\n<opml version="1.0"><body>'
            '<outline text="Café" xmlUrl="https://cafe.example/"/></body></opml>').encode(encoding)
    code, _, err = import_file(capsys, cfg, data, tmp_path)
    assert code == 0, err
    assert load(cfg).feeds[-1] == FeedSpec("Café", "https://cafe.example/")


@pytest.mark.parametrize("action", ["import", "export"])
def test_feeds_commands_never_load_textual(action, cfg, tmp_path):
    path = tmp_path / "in.opml"
    path.write_bytes(opml('<outline text="B" xmlUrl="https://b.example/"/>'))
    argv = ["feeds", action, *([str(path)] if action == "import" else []), "--config", str(cfg)]
    script = (
        "import sys, io, contextlib\n"
        "from dealdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({argv!r})\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "0 []", result.stderr


def test_an_edit_made_during_the_import_is_never_overwritten(cfg, tmp_path, capsys, monkeypatch):
    checked = feeds_opml._checked_feeds
    calls = []

    def check_then_edit(path, text):  # the user saves feeds.toml while the import runs
        calls.append(path)
        if len(calls) == 2:
            with open(cfg / "feeds.toml", "a", encoding="utf-8") as stream:
                stream.write("# edited meanwhile\n")
        return checked(path, text)

    monkeypatch.setattr(feeds_opml, "_checked_feeds", check_then_edit)
    code, _, err = import_file(capsys, cfg, opml('<outline text="B" xmlUrl="https://b.example/"/>'),
                               tmp_path)
    assert code == 2 and "changed while importing" in err
    assert (cfg / "feeds.toml").read_text(encoding="utf-8").endswith("# edited meanwhile\n")
