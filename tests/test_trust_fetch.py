"""Issue 13, the network and store half: nothing a feed, a config or the store holds can stop
a refresh, wedge a feed, or reach the terminal raw.

- one URL reader for `check`, the head start and the fetcher (news/feedurl.py);
- config strings with control, bidi or invisible characters refused with file:line;
- Retry-After of any size capped, validators that cannot be sent never stored nor sent;
- one feed failing at any step is that feed's error, the others are stored, exit 3;
- private store files, a --data that is not a usable directory, a store replaced mid-refresh;
- at most MAX_NEW_ITEMS_PER_FETCH new items per feed per fetch.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealdesk.cli import main
from dealdesk.config import ConfigError, load
from dealdesk.news import early
from dealdesk.news.feedurl import parse_feed_url
from dealdesk.news.fetch import fetch_feed, make_client
from dealdesk.news.model import FeedSpec, FetchLimits
from dealdesk.news.wire import feed_headers
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
_URL_CHARS = string.ascii_letters[:6] + string.digits[:3] + "-._~!$&'()*+,;=:@/?#[]%\\^|`{}\"<> \t\n\x00\u00e9\u202e"


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp"]),
    userinfo=st.sampled_from(["", "user@", "u:p@", "u;x@", "@"]),
    host=st.sampled_from(["example.com", "EXAMPLE.com", "127.0.0.1", "[::1]", "a_b.c-d",
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
    if not parsed.has_userinfo:
        assert planned is not None and planned.target == built.raw_path


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
