"""Issue 13, the network and store half: nothing a feed, a config or the store holds can stop
a refresh, wedge a feed, or reach the terminal raw.

- one URL reader for `check`, the head start and the fetcher (text/feedurl.py);
- config strings with control, bidi or invisible characters refused with file:line;
- Retry-After of any size capped, validators that cannot be sent never stored nor sent;
- one feed failing at any step is that feed's error, the others are stored, exit 3;
- private store files, a --data that is not a usable directory, a store replaced mid-refresh;
- at most MAX_NEW_ITEMS_PER_FETCH new items per feed per fetch.
"""

from __future__ import annotations

import shutil
import string
from datetime import UTC
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk.cli import main
from dealdesk.config import ConfigError, load
from dealdesk.model import FeedSpec, FetchLimits
from dealdesk.news import early
from dealdesk.news.fetch import fetch_feed, make_client
from dealdesk.news.wire import feed_headers
from dealdesk.text.feedurl import parse_feed_url
from tests.conftest import CONFIG_DIR
from tests.feedserver import closed_port, feed_server, no_proxy_env, rss  # noqa: F401

LIMITS = FetchLimits(concurrency=8, connect_timeout_s=2, read_timeout_s=2, deadline_s=5)

# --- one URL reader -----------------------------------------------------------------------

UNFETCHABLE = [
    "http://example.com/feed\n",
    "http://example.com/feed\r\nX-Injected: 1",
    "http://exa\tmple.com/feed",
    "http://example.com/fe\x00ed",
    " http://example.com/feed",
    "http://example.com/feed ",
    "http://example.com:99999/feed",
    "http://example.com:0/feed",
    "http://example.com:/feed",
    "http://example.com:8o/feed",
    "http://example.com/\x1b[2J",
    "http://example.com/a\u202eb",
    "http://exa\u200bmple.com/",
    "http://example.com/caf\u00e9",
    "http://ex\u00e4mple.com/",
    "http://256.1.1.1/",
    "http://[::1/",
    "http://[fe80::1%25eth0]/",
    "http:///feed",
    "http://exa mple.com/",
    "http://example.com/a/../b",
    "http://example.com/%zz",
    "http://example.com/<x>",
    "ftp://example.com/feed",
    "example.com/feed",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("url", UNFETCHABLE)
def test_check_refuses_every_url_the_fetcher_cannot_fetch(tmp_path, url):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(
        f'[[feed]]\nname = "ok"\nurl = "https://example.com/ok"\n\n'
        f'[[feed]]\nname = "bad"\nurl = {_toml_string(url)}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(cfg)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{cfg / 'feeds.toml'}:7: url: ")
    assert "\n" not in str(problem) and "\x1b" not in str(problem) and "\u202e" not in str(problem)


@pytest.mark.parametrize("url", UNFETCHABLE)
async def test_the_fetcher_refuses_them_before_any_request(url):
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request should be made")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await fetch_feed(client, FeedSpec("bad", url), LIMITS)
    assert result.status == "error"
    assert result.error.startswith(("invalid URL", "unsupported URL"))


@pytest.mark.parametrize("url", UNFETCHABLE)
def test_the_head_start_never_plans_them(url):
    assert early._plan(url, feed_headers(LIMITS.user_agent, None, None)) is None


def test_the_head_start_sends_nothing_for_an_unfetchable_url(feed_server):
    # The port is a real listening one: only the URL reader stands between it and a GET.
    good = feed_server.url("/feed.xml")
    for bad in (good + "\n", good.replace("/feed", "/fe\ted"), " " + good):
        head_start = early.start([FeedSpec("bad", bad)], {}, LIMITS)
        head_start.close()
        assert len(head_start) == 0
    assert feed_server.requests() == []


# Characters that urlsplit, httpx and the URL reader might each read their own way.
_URL_CHARS = (string.ascii_letters[:6] + string.digits[:3]
              + "-._~!$&'()*+,;=:@/?#[]%\\^|`{}\"<> \t\n\x00\u00e9\u202e")


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp"]),
    userinfo=st.sampled_from(["", "user@", "u:p@", "u;x@", "@"]),
    host=st.sampled_from(["example.com", "EXAMPLE.com", "127.0.0.1", "[::1]", "a_b.c-d",
                          "[::FFFF:7F00:1]", "[Fe80::1]",
                          "1.2.3", "xn--bcher-kva.example", "-a.com", "a..b"]),
    port=st.sampled_from(["", ":80", ":443", ":8080", ":65535", ":65536", ":", ":01"]),
    rest=st.text(alphabet=_URL_CHARS, max_size=24),
)
def test_every_url_check_accepts_is_sent_by_httpx_exactly_as_read(scheme, userinfo, host, port,
                                                                  rest):
    url = f"{scheme}://{userinfo}{host}{port}/{rest}"
    try:
        parsed = parse_feed_url(url)
    except ValueError:
        return
    built = httpx.URL(url)  # must not raise: the fetcher hands it the same string
    assert (parsed.scheme, parsed.host) == (built.scheme, built.raw_host.decode())
    assert parsed.port == (built.port or {"http": 80, "https": 443}[built.scheme])
    assert parsed.target.encode() == built.raw_path
    assert parsed.has_userinfo == bool(built.userinfo)
    request = make_client(LIMITS).build_request("GET", url)
    assert request.headers["Host"] == parsed.host_header
    planned = early._plan(url, feed_headers(LIMITS.user_agent, None, None))
    if not parsed.has_userinfo:  # what FeedTransport looks the early request up by
        assert planned is not None and planned.target == built.raw_path
        assert planned.origin == (request.url.scheme, request.url.raw_host.decode(), parsed.port)


def _toml_string(value: str) -> str:
    escaped = "".join(
        c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value
    )
    return f'"{escaped}"'


# --- config strings ------------------------------------------------------------------------

HOSTILE = ["\x1b]0;pwned\x07\x1b[2J", "a\u202eb", "a\x07b", "tab\there", "zero\u200bwidth",
           "line\nbreak", "c1\x9bjunk", "bom\ufeff"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_feed_name_with_control_or_bidi_characters_is_refused_with_its_line(tmp_path, name):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(
        f'[[feed]]\nname = {_toml_string(name)}\nurl = "https://example.com/feed"\n',
        encoding="utf-8")
    code, out, err = _run_cli(["check", "--config", str(cfg)])
    assert code == 2
    assert err.startswith(f"{cfg / 'feeds.toml'}:2: name: holds a ")
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F for c in err.replace("\n", ""))
    assert "\u202e" not in err and "\u200b" not in err
    # refresh and dump refuse the config too: the name never reaches the terminal
    for argv in (["refresh"], ["dump"], ["dump", "--format", "json"]):
        code, out, err = _run_cli([*argv, "--config", str(cfg), "--data", str(tmp_path / "d")])
        assert code == 2 and name not in out and name not in err


@pytest.mark.parametrize(("file", "text", "key"), [
    ("dealdesk.toml", '[dealdesk]\ntitle = "T\\u001b[31m"\n', "title"),
    ("dealdesk.toml", '[dealdesk]\ncompany = "Open\\u202eAI"\n', "company"),
    ("dealdesk.toml", '[fetch]\nuser_agent = "UA\\u00e9"\n', "user_agent"),
    ("dealdesk.toml", '[fetch]\nuser_agent = "UA\\r\\nX-Evil: 1"\n', "user_agent"),
])
def test_settings_strings_shown_or_sent_are_refused_with_their_line(tmp_path, file, text, key):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / file).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(cfg)
    assert any(str(p).startswith(f"{cfg / file}:2: {key}: ") for p in caught.value.problems)


def test_a_partner_name_with_an_escape_sequence_is_refused_with_its_line(tmp_path):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    path = cfg / "facts" / "partners.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("name = "))
    lines[index] = 'name = "Nvidia\\u001b[2J"'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(cfg)
    assert any(str(p).startswith(f"{path}:{index + 1}: name: holds a control")
               for p in caught.value.problems)


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


# --- one feed failing at any step --------------------------------------------------------

GOOD = ("alpha", "beta", "gamma")
MARK = "BOOM"  # in the bad feed's item title and date: what the injected failures look for


def _feeds(server) -> list[FeedSpec]:
    specs = []
    for name in (*GOOD[:2], "bad", GOOD[2]):
        title = f"{name} {MARK}" if name == "bad" else f"{name} says Nvidia adds 1 GW"
        date = "Mon, 22 Sep 2025 16:00:00 GMT" if name != "bad" else f"Mon, 22 Sep 2025 {MARK}"
        body = rss([{"title": title, "guid": f"{name}-1", "link": f"https://x.example/{name}",
                     "pubDate": date},
                    {"title": f"{name} second", "guid": f"{name}-2"}])
        specs.append(FeedSpec(name, server.add(f"/{name}.xml", body=body)))
    return specs


def _inject(step: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `step` raise for the feed named "bad" (or its items) only."""
    from dealdesk.news import entities, fetch, items, parse
    from dealdesk.store import feeds as store_feeds
    from dealdesk.store import items as store_items

    def boom(*_: object) -> None:
        raise RuntimeError(f"injected {step} failure\x1b[2J")

    if step == "fetch":
        real = fetch._fetch
        monkeypatch.setattr(fetch, "_fetch", lambda client, spec, *a: boom() if spec.name == "bad"
                            else real(client, spec, *a))
    elif step == "fetch_feed":
        real_feed = fetch.fetch_feed
        monkeypatch.setattr(fetch, "fetch_feed", lambda client, spec, *a: boom()
                            if spec.name == "bad" else real_feed(client, spec, *a))
    elif step == "headers":
        real_read = fetch._read_response
        monkeypatch.setattr(fetch, "_read_response", lambda spec, *a: boom()
                            if spec.name == "bad" else real_read(spec, *a))
    elif step == "parse":
        real_parse = parse.parse_feed
        monkeypatch.setattr(parse, "parse_feed", lambda data, feed, *a: boom()
                            if feed == "bad" else real_parse(data, feed, *a))
    elif step == "dates":
        real_date = items.parse_date
        monkeypatch.setattr(items, "parse_date", lambda text: boom()
                            if MARK in text else real_date(text))
    elif step == "bad_items":  # a parser bug: items the store cannot write
        from dataclasses import replace

        real_parse_items = parse.parse_feed

        def odd_items(data, feed, *a):
            parsed = real_parse_items(data, feed, *a)
            if feed == "bad":
                parsed.items = [replace(i, published=None, title="\ud800") for i in parsed.items]
            return parsed

        monkeypatch.setattr(parse, "parse_feed", odd_items)
    elif step == "store":
        real_insert = store_items._insert_items
        monkeypatch.setattr(store_items, "_insert_items", lambda db, feed, *a: boom()
                            if feed == "bad" else real_insert(db, feed, *a))
    elif step == "store_overflow":  # what a Retry-After of 99999999999999 once did
        real_record = store_feeds._record
        monkeypatch.setattr(store_feeds, "_record", lambda db, result, *a: (_ for _ in ()).throw(
            OverflowError("date value out of range")) if result.name == "bad"
            else real_record(db, result, *a))
    elif step == "enrichment":
        real_find = entities.EntityMatcher.find
        monkeypatch.setattr(entities.EntityMatcher, "find", lambda self, text: boom()
                            if MARK in text else real_find(self, text))
    else:
        raise AssertionError(step)


STEPS = ["fetch", "fetch_feed", "headers", "parse", "dates", "bad_items", "store",
         "store_overflow", "enrichment"]


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_is_that_feeds_error_and_the_others_are_stored(
    feed_server, tmp_path, monkeypatch, step
):
    from dealdesk.news.enrich import figure_finder
    from dealdesk.news.entities import EntityMatcher
    from dealdesk.news.refresh import run_refresh
    from dealdesk.store import Store
    from tests.conftest import fixed_clock

    specs = _feeds(feed_server)
    _inject(step, monkeypatch)
    entities = {"Nvidia": ["NVDA"]}
    report = run_refresh(specs, tmp_path / "store.db", LIMITS, entities, fixed_clock,
                         figures=figure_finder(EntityMatcher(entities)))
    by_name = {o.name: o for o in report.outcomes}
    assert set(by_name) == {s.name for s in specs}
    if step != "dates":  # a date that cannot be read may also just be a missing date
        assert report.failed == 1
        bad = by_name["bad"]
        assert bad.status == "error" and bad.error
        assert "\n" not in bad.error and "\x1b" not in bad.error
    for name in GOOD:
        assert (by_name[name].status, by_name[name].new_items) == ("ok", 2), by_name[name]
    with Store.open(tmp_path / "store.db") as store:
        titles = {i.title for i in store.latest_items()}
        assert {f"{name} second" for name in GOOD} <= titles
        assert store.count_pending() == 0  # every item enriched, or marked done
        tagged = {i.feed for i in store.latest_items(entity="Nvidia")}
        assert tagged == set(GOOD)


@pytest.mark.parametrize("step", ["fetch", "headers", "parse", "bad_items", "store",
                                  "store_overflow"])
def test_refresh_exits_3_when_one_feed_fails_at_any_step(feed_server, tmp_path, monkeypatch,
                                                         step):
    cfg = _config_with(tmp_path, _feeds(feed_server))
    _inject(step, monkeypatch)
    code, out, err = _run_cli(["refresh", "--config", str(cfg), "--data", str(tmp_path / "d")])
    assert code == 3, err
    assert "3 feeds" not in out and "4 feeds, 6 new items, 1 failed" in out
    assert "\x1b" not in out


def _config_with(tmp_path: Path, specs: list[FeedSpec]) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text("".join(
        f'[[feed]]\nname = "{s.name}"\nurl = "{s.url}"\n\n' for s in specs), encoding="utf-8")
    return cfg


# --- Retry-After, backoff and validators ----------------------------------------------------

@pytest.mark.parametrize("retry_after", [
    "99999999999999", "9" * 5000, "-5", "garbage", "1e9", "\u0663\u0663", "",
    "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT",
    "Sun, 29 Nov 2126 10:00:00 GMT",
])
def test_any_retry_after_is_capped_at_backoff_max_and_the_others_are_stored(
    feed_server, tmp_path, retry_after
):
    from datetime import timedelta

    from dealdesk.news.refresh import run_refresh
    from dealdesk.store import Store
    from tests.conftest import FIXED_NOW, fixed_clock

    limits = FetchLimits(connect_timeout_s=2, read_timeout_s=2, deadline_s=5,
                         backoff_max_minutes=60)
    specs = [
        FeedSpec("good", feed_server.add("/good.xml", body=rss([{"title": "t", "guid": "1"}]))),
        FeedSpec("down", feed_server.add("/down.xml", kind="status", status=503,
                                         retry_after=retry_after)),
    ]
    report = run_refresh(specs, tmp_path / "s.db", limits, {}, fixed_clock, enrich=False)
    assert [(o.name, o.status) for o in report.outcomes] == [("good", "ok"), ("down", "error")]
    with Store.open(tmp_path / "s.db") as store:
        down = store.feed_states(specs)[1]
        assert FIXED_NOW <= down.next_retry <= FIXED_NOW + timedelta(minutes=60)
        assert store.due_feeds(specs, FIXED_NOW + timedelta(minutes=61), 30,
                               max_backoff_minutes=60) == specs


def test_the_backoff_never_overflows_whatever_the_policy_or_the_failure_count():
    from datetime import datetime

    from dealdesk.store.feeds import _later, _retry_delay

    now = datetime(2026, 11, 29, tzinfo=UTC)
    for policy in (FetchLimits(backoff_base_minutes=10**30, backoff_max_minutes=10**40),
                   FetchLimits(backoff_base_minutes=5, backoff_max_minutes=10**20)):
        for failures in (1, 2, 64, 10**6):
            for retry_after in (None, 1e300, float("inf"), float("nan"), -1.0, 10.0**20):
                delay = _retry_delay(failures, retry_after, policy)
                assert 0 <= delay <= 365 * 24 * 60
                assert _later(now, delay) >= now


@pytest.mark.parametrize(("key", "value"), [
    ("backoff_max_minutes", "99999999999999"), ("backoff_base_minutes", "10000000"),
    ("backoff_max_minutes", "0"), ("deadline_seconds", "inf"), ("deadline_seconds", "nan"),
    ("connect_timeout_seconds", "1e300"), ("read_timeout_seconds", "-1"),
    ("concurrency", "100000"), ("max_bytes", "99999999999999"), ("max_redirects", "1000"),
])
def test_check_bounds_the_fetch_settings_with_their_line(tmp_path, key, value):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "dealdesk.toml").write_text(f"[fetch]\n{key} = {value}\n", encoding="utf-8")
    code, _, err = _run_cli(["check", "--config", str(cfg)])
    assert code == 2 and err.startswith(f"{cfg / 'dealdesk.toml'}:2: {key}: "), err


def test_a_huge_stale_after_days_is_refused_with_its_line(tmp_path):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "dealdesk.toml").write_text("[dealdesk]\nstale_after_days = 99999999999\n",
                                       encoding="utf-8")
    code, _, err = _run_cli(["check", "--config", str(cfg)])
    assert code == 2 and err.startswith(f"{cfg / 'dealdesk.toml'}:2: stale_after_days: "), err


def test_a_backoff_base_above_the_max_is_refused(tmp_path):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "dealdesk.toml").write_text(
        "[fetch]\nbackoff_max_minutes = 60\nbackoff_base_minutes = 120\n", encoding="utf-8")
    code, _, err = _run_cli(["check", "--config", str(cfg)])
    assert code == 2 and err.startswith(f"{cfg / 'dealdesk.toml'}:3: backoff_base_minutes")


@pytest.mark.parametrize(("etag", "last_modified"), [
    ('"caf\u00e9"', None),  # sent by the server as Latin-1
    (None, "Sun, 29 Nov 2026 10:00:00 GMT\u00a0"),
    ('"' + "x" * 5000 + '"', None),
    ('"ok"', "\u00ff" * 40),
])
def test_a_validator_that_cannot_be_sent_back_is_never_stored_and_the_feed_keeps_working(
    feed_server, tmp_path, etag, last_modified
):
    from dealdesk.news.refresh import run_refresh
    from dealdesk.store import Store
    from tests.conftest import fixed_clock

    url = feed_server.add("/f.xml", body=rss([{"title": "t", "guid": "1"}]), etag=etag,
                          last_modified=last_modified)
    specs = [FeedSpec("f", url)]
    for _ in range(3):
        report = run_refresh(specs, tmp_path / "s.db", LIMITS, {}, fixed_clock, enrich=False)
        assert report.outcomes[0].status in ("ok", "not_modified"), report.outcomes[0]
    with Store.open(tmp_path / "s.db") as store:
        state = store.feed_states(specs)[0]
        assert state.etag in (None, '"ok"') and state.last_modified is None
    for request in feed_server.requests("/f.xml"):
        assert all(v.isascii() for v in request.headers.values())
        assert request.headers.get("if-none-match") in (None, '"ok"')


def test_bad_validators_already_stored_are_dropped_and_the_feed_recovers(feed_server, tmp_path):
    import sqlite3

    from dealdesk.news.refresh import run_refresh
    from dealdesk.store import Store
    from tests.conftest import fixed_clock

    url = feed_server.add("/f.xml", body=rss([{"title": "t", "guid": "1"}]), etag='"v2"')
    specs = [FeedSpec("f", url)]
    with Store.open(tmp_path / "s.db"):
        pass
    with sqlite3.connect(tmp_path / "s.db") as db:  # as an older version stored them
        db.execute("INSERT INTO feeds(name, url, etag, last_modified, status, last_attempt, "
                   "failures) VALUES ('f', ?, '\"caf\u00e9\"', 'x\r\nX-Evil: 1', 'error', "
                   "'2026-11-29T11:00:00+00:00', 40)", (url,))
    report = run_refresh(specs, tmp_path / "s.db", LIMITS, {}, fixed_clock, enrich=False)
    assert (report.outcomes[0].status, report.outcomes[0].new_items) == ("ok", 1)
    (request,) = feed_server.requests("/f.xml")
    assert "if-none-match" not in request.headers and "x-evil" not in request.headers
    with Store.open(tmp_path / "s.db") as store:
        assert store.validators() == {"f": ('"v2"', None)}


def test_a_feed_parked_far_in_the_future_by_an_old_store_comes_back(tmp_path):
    import sqlite3
    from datetime import timedelta

    from dealdesk.store import Store
    from tests.conftest import FIXED_NOW

    specs = [FeedSpec("f", "http://127.0.0.1:1/f")]
    with Store.open(tmp_path / "s.db"):
        pass
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.execute("INSERT INTO feeds(name, url, status, last_attempt, next_retry, failures) "
                   "VALUES ('f', 'u', 'error', '2026-11-29T12:00:00+00:00', "
                   "'9999-12-31T23:59:59+00:00', 3)")
    with Store.open(tmp_path / "s.db") as store:
        assert store.due_feeds(specs, FIXED_NOW + timedelta(minutes=59), 30,
                               max_backoff_minutes=60) == []
        assert store.due_feeds(specs, FIXED_NOW + timedelta(minutes=60), 30,
                               max_backoff_minutes=60) == specs


# --- files ------------------------------------------------------------------------------------

@pytest.fixture
def umask():
    import os

    def set_umask(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0)
    os.umask(old)
    yield set_umask
    os.umask(old)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o277])
def test_the_store_its_wal_and_shm_and_the_data_dir_are_private_whatever_the_umask(
    tmp_path, umask, mask
):
    import stat

    from dealdesk.store import Store

    umask(mask)
    data = tmp_path / "new" / "data"
    with Store.open(data / "dealdesk.sqlite3") as store:
        store.record_many([], None)  # a write: the WAL and SHM exist now
        files = [data / "dealdesk.sqlite3", data / "dealdesk.sqlite3-wal",
                 data / "dealdesk.sqlite3-shm"]
        assert all(f.exists() for f in files)
        assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_an_existing_world_readable_store_is_made_private(tmp_path, umask):
    import stat

    from dealdesk.store import Store

    umask(0)
    path = tmp_path / "dealdesk.sqlite3"
    Store.open(path).close()
    path.chmod(0o644)
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


COMMANDS = [["refresh"], ["dump"], ["dump", "--format", "json"], ["check"], [],
            ["ingest", "-"]]


@pytest.mark.parametrize("argv", COMMANDS)
@pytest.mark.parametrize("shape", ["file", "under-a-file", "dangling-symlink"])
def test_a_data_path_that_is_not_a_usable_directory_is_exit_2_for_every_command(
    tmp_path, argv, shape
):
    plain = tmp_path / "plain-file"
    plain.write_text("not a directory")
    data = plain if shape == "file" else plain / "sub"
    if shape == "dangling-symlink":
        data = tmp_path / "link"
        data.symlink_to(tmp_path / "nowhere")
    code, out, err = _run_cli([*argv, "--config", str(CONFIG_DIR), "--data", str(data)])
    assert code == 2
    assert out == "" and err.count("\n") == 1 and str(data) in err and "Traceback" not in err


def test_a_store_removed_during_a_refresh_is_an_error_never_n_new_items(
    feed_server, tmp_path, monkeypatch
):
    cfg = _config_with(tmp_path, _feeds(feed_server))
    data = tmp_path / "d"
    _remove_store_on_first_batch(monkeypatch, data / "dealdesk.sqlite3", replace=False)
    code, out, err = _run_cli(["refresh", "--config", str(cfg), "--data", str(data)])
    assert code == 2 and "new items" not in out
    assert "removed or replaced" in err and err.count("\n") == 1


def test_a_store_replaced_during_a_refresh_is_an_error(feed_server, tmp_path, monkeypatch):
    from dealdesk.news.refresh import run_refresh
    from dealdesk.store import StoreError
    from tests.conftest import fixed_clock

    path = tmp_path / "d" / "dealdesk.sqlite3"
    _remove_store_on_first_batch(monkeypatch, path, replace=True)
    with pytest.raises(StoreError, match="removed or replaced"):
        run_refresh(_feeds(feed_server), path, LIMITS, {}, fixed_clock, enrich=False)


def _remove_store_on_first_batch(monkeypatch: pytest.MonkeyPatch, path: Path,
                                 replace: bool) -> None:
    from dealdesk.news import refresh
    from dealdesk.store import Store

    real = refresh._parse_and_store
    calls: list[int] = []

    def remove_then_store(store, entries, limits, *rest):
        if not calls:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            if replace:
                Store.open(path).close()
        calls.append(1)
        return real(store, entries, limits, *rest)

    monkeypatch.setattr(refresh, "_parse_and_store", remove_then_store)


# --- bounded work -----------------------------------------------------------------------------

def test_a_feed_whose_guids_change_at_every_fetch_adds_at_most_the_cap_per_fetch(
    feed_server, tmp_path
):
    from dealdesk.news.refresh import run_refresh
    from dealdesk.store import MAX_NEW_ITEMS_PER_FETCH, Store
    from tests.conftest import fixed_clock

    assert MAX_NEW_ITEMS_PER_FETCH == 500  # the README's limits table says so
    path = tmp_path / "s.db"
    for fetch in range(2):
        url = feed_server.add("/churn.xml", body=rss(
            [{"title": f"item {fetch}-{i}", "guid": f"{fetch}-{i}"} for i in range(1200)]))
        report = run_refresh([FeedSpec("churn", url)], path, LIMITS, {}, fixed_clock,
                             enrich=False)
        assert report.outcomes[0].new_items == MAX_NEW_ITEMS_PER_FETCH
    with Store.open(path) as store:
        assert store.count_items() == 2 * MAX_NEW_ITEMS_PER_FETCH


def test_the_cap_counts_new_items_only_and_the_rest_come_at_the_next_fetch(tmp_path):
    from datetime import datetime

    from dealdesk.model import NewsItem
    from dealdesk.news.fetch import FetchResult
    from dealdesk.store import MAX_NEW_ITEMS_PER_FETCH, Store

    now = datetime(2026, 11, 29, tzinfo=UTC)
    result = FetchResult(name="f", url="http://example.com/f", status="ok")

    def item(i: int) -> NewsItem:
        return NewsItem("f", f"g{i}", f"t{i}", None, now)

    with Store.open(tmp_path / "s.db") as store:
        assert len(store.record(result, [item(i) for i in range(0, 700, 2)], now)) == 350
        # 350 known, interleaved with 650 new: the first 500 new ones go in
        added = store.record(result, [item(i) for i in range(1000)], now)
        assert [news.guid for _, news in added] == [f"g{i}" for i in range(1, 1000)
                                                    if i % 2 or i >= 700][:500]
        assert len(store.record(result, [item(i) for i in range(1000)], now)) == 150
        assert store.count_items() == 1000 == 350 + MAX_NEW_ITEMS_PER_FETCH + 150


@pytest.mark.parametrize("argv", [["dump"], ["check"]])
def test_a_read_only_data_dir_is_exit_2_for_dump_and_check_too(argv):
    import tempfile

    from tests.test_crash_safety import _config, _main_unprivileged

    base = Path(tempfile.mkdtemp(prefix="dealdesk-ro-"))
    try:
        base.chmod(0o755)
        data = base / "data"
        data.mkdir()
        cfg = _config(base, {})
        for p in [cfg, *cfg.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        data.chmod(0o555)
        code, err = _main_unprivileged([*argv, "--config", str(cfg), "--data", str(data)])
        assert code == 2 and len(err.splitlines()) == 1 and "read-only" in err, err
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_huge_retry_after_is_exit_3_with_the_other_feeds_stored(feed_server, tmp_path):
    from dealdesk.store import Store

    specs = [
        FeedSpec("good", feed_server.add("/good.xml", body=rss([{"title": "t", "guid": "1"}]))),
        FeedSpec("down", feed_server.add("/down.xml", kind="status", status=503,
                                         retry_after="99999999999999")),
    ]
    cfg = _config_with(tmp_path, specs)
    for _ in range(2):  # and again: nothing stuck from the first time
        code, out, err = _run_cli(["refresh", "--force", "--config", str(cfg),
                                   "--data", str(tmp_path / "d")])
        assert code == 3 and "1 failed" in out and err == "", err
    with Store.open(tmp_path / "d" / "dealdesk.sqlite3") as store:
        assert store.count_items() == 1


def test_a_name_is_held_to_what_the_feed_text_cleaner_keeps(tmp_path, monkeypatch):
    """Whatever invisible class text.clean learns to remove, `check` refuses in a name."""
    from dealdesk.text import clean

    real = clean.clean_text
    monkeypatch.setattr(clean, "clean_text",
                        lambda s, limit, **kw: real(s, limit, **kw).replace("\u3164", ""))
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(
        '[[feed]]\nname = "Caf\u00e9 \u00ab\u00a0wire\u00a0\u00bb"\nurl = "https://example.com/a"\n\n'
        '[[feed]]\nname = "blank\u3164name"\nurl = "https://example.com/b"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(cfg)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{cfg / 'feeds.toml'}:6: name: holds characters that are "
                                   "not shown as written")


def test_a_url_with_every_character_check_lets_through_is_fetched_as_written(feed_server,
                                                                             tmp_path):
    from dealdesk.news.refresh import run_refresh
    from tests.conftest import fixed_clock

    path = "/a[1]|b^c\\d!$&'()*+,;=:@~_.-%41"
    url = feed_server.add(path, body=rss([{"title": "t", "guid": "1"}])) + "?q={x}`|^[]/?"
    parse_feed_url(url)
    specs = [FeedSpec("odd", url)]
    for head_start in (None, early.start(specs, {}, LIMITS)):
        report = run_refresh(specs, tmp_path / "s.db", LIMITS, {}, fixed_clock, enrich=False,
                             head_start=head_start)
        assert report.outcomes[0].status in ("ok", "not_modified"), report.outcomes[0]
    assert {r.path for r in feed_server.requests()} == {path + "?q={x}`|^[]/?"}
    assert len(feed_server.requests()) == 2


def test_an_empty_data_dir_made_by_hand_is_made_private_and_a_shared_one_is_left_alone(
    tmp_path, umask
):
    import stat

    from dealdesk.store import Store

    umask(0)
    mine, shared = tmp_path / "mine", tmp_path / "shared"
    for directory in (mine, shared):
        directory.mkdir()
        directory.chmod(0o777)
    (shared / "someone-elses-file").write_text("x")
    for directory in (mine, shared):
        Store.open(directory / "dealdesk.sqlite3").close()
        assert stat.S_IMODE((directory / "dealdesk.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(mine.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o777


def test_a_last_attempt_in_the_future_never_parks_a_feed(tmp_path):
    import sqlite3

    from dealdesk.store import Store
    from tests.conftest import FIXED_NOW

    specs = [FeedSpec("f", "http://127.0.0.1:1/f"), FeedSpec("g", "http://127.0.0.1:1/g")]
    with Store.open(tmp_path / "s.db"):
        pass
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.executemany("INSERT INTO feeds(name, url, status, last_attempt, next_retry) "
                       "VALUES (?, 'u', ?, '9999-12-31T23:59:59+00:00', ?)",
                       [("f", "ok", None), ("g", "error", "9999-12-31T23:59:59+00:00")])
    with Store.open(tmp_path / "s.db") as store:
        assert store.due_feeds(specs, FIXED_NOW, 30) == specs  # and no OverflowError
        assert store.due_feeds(specs, FIXED_NOW, 30, respect_interval=False) == specs


async def test_a_content_length_of_thousands_of_digits_is_too_large_not_a_crash():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "9" * 5000}, content=b"")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await fetch_feed(client, FeedSpec("f", "http://example.com/f"), LIMITS)
    assert result.status == "error" and result.error.startswith("too large")
