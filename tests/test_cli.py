"""The CLI contract: exit codes, `path:line: message` errors without tracebacks, the JSON dump."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dealdesk import __version__
from dealdesk.cli import main

from .conftest import CONFIG_DIR
from .feedserver import feed_server  # noqa: F401


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dealdesk.cli", *args],
        capture_output=True, text=True, timeout=60, cwd=cwd, env={**os.environ},
    )


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"dealdesk {__version__}"


def test_check_ok(capsys):
    assert main(["check", "--config", str(CONFIG_DIR)]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "10 partners" in out


@pytest.fixture
def broken(tmp_path) -> Path:
    cfg = tmp_path / "broken"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "facts" / "zz.toml").write_text(
        '[[event]]\ndate = 2025-10-01\nsubject = "Nvidea"\nfield = "status"\n'
        'value = "stalled"\nsource = "seed-2025-09"\n', encoding="utf-8")
    return cfg


@pytest.mark.parametrize("command", [["check"], ["dump"], ["refresh"], []])
def test_broken_config_exits_2_with_path_line_and_no_traceback(broken, command):
    result = run(*command, "--config", str(broken))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{broken / 'facts' / 'zz.toml'}:3: event names unknown partner or risk "
                     "'Nvidea' (hint: did you mean 'Nvidia'?)"]
    assert "Traceback" not in result.stderr


def test_config_from_environment_and_cwd(broken, tmp_path, monkeypatch):
    monkeypatch.setenv("DEALDESK_CONFIG", str(broken))
    assert run("check").returncode == 2
    monkeypatch.delenv("DEALDESK_CONFIG")
    # ./config is used when it holds dealdesk.toml, else the packaged config.
    shutil.copytree(broken, tmp_path / "here" / "config")
    assert run("check", cwd=tmp_path / "here").returncode == 2
    assert run("check", cwd=tmp_path).returncode == 0


def test_dump_json_contract(capsys):
    assert main(["dump", "--format", "json", "--config", str(CONFIG_DIR)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["generated_at", "as_of", "partners", "compute", "users", "risks",
                          "timeline", "news", "feeds", "signals", "alerts", "archive"]
    # No store yet: the archive is empty, and says how long it would keep items.
    assert data["archive"] == {"items": 0, "oldest": None, "size_bytes": 0, "keep_days": 730,
                               "hidden": 0}
    nvidia = next(p for p in data["partners"] if p["name"] == "Nvidia")
    assert set(nvidia) == {"name", "role", "status", "commitment_usd", "capacity_gw", "since",
                           "sources"}
    assert nvidia["capacity_gw"] == 10 and "seed-2025-09" in nvidia["sources"]
    assert set(data["compute"]) == {"planned_gw", "deployed_gw", "by_partner"}
    row = next(r for r in data["compute"]["by_partner"] if r["partner"] == "Nvidia")
    assert row["investment_max_usd"] == 100e9 and row["investment_unlocked_usd"] == 0
    assert set(data["users"][0]) == {"product", "as_of", "weekly_active_users", "source"}
    dates = [u["as_of"] for u in data["users"]]
    assert dates == sorted(dates)
    assert any(u["weekly_active_users"] == 700e6 for u in data["users"])
    assert {r["severity"] for r in data["risks"]} <= {"low", "medium", "high"}
    assert set(data["risks"][0]) == {"title", "party", "severity", "status", "note", "source"}
    assert set(data["timeline"][0]) == {"date", "subject", "field", "value", "source"}
    tl = [t["date"] for t in data["timeline"]]
    assert tl == sorted(tl)
    microsoft = next(p for p in data["partners"] if p["name"] == "Microsoft")
    assert microsoft["capacity_gw"] is None  # unknown is null, not 0


def test_dump_text_renders_every_panel(capsys):
    assert main(["dump", "--config", str(CONFIG_DIR)]) == 0
    out = capsys.readouterr().out
    for heading in ("Partners", "Compute", "ChatGPT weekly users", "Risks", "News"):
        assert heading in out
    assert "\x1b[" not in out  # no colour codes in a pipe
    assert "Nvidia tranches" in out and "No news yet" in out


def test_dump_into_a_closed_pipe_is_quiet():
    proc = subprocess.Popen(
        f"{sys.executable} -m dealdesk.cli dump --config {CONFIG_DIR} | head -1",
        shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    out, err = proc.communicate(timeout=60)
    assert out.startswith("DealDesk") and err == ""


def test_ingest_the_seed_article(capsys):
    seed = Path(__file__).parent / "data" / "seed_article_fr.txt"
    assert main(["ingest", str(seed), "--format", "json", "--config", str(CONFIG_DIR)]) == 0
    found = {(s["metric"], s["value"], s["subject"]) for s in json.loads(capsys.readouterr().out)}
    assert found >= {("capacity_gw", 10, "Nvidia"), ("commitment_usd", 100e9, "Nvidia"),
                     ("weekly_active_users", 700e6, "ChatGPT"),
                     ("commitment_usd", 13e9, "Microsoft"), ("commitment_usd", 300e9, "Oracle")}


def test_ingest_missing_file_is_a_usage_error(capsys):
    assert main(["ingest", "/no/such/file", "--config", str(CONFIG_DIR)]) == 2
    assert "cannot read" in capsys.readouterr().err


def _loopback_config(tmp_path, feeds: dict[str, str]) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "feeds.toml").write_text(
        "".join(f'[[feed]]\nname = "{n}"\nurl = "{u}"\n\n' for n, u in feeds.items())
    )
    return cfg


def test_refresh_prints_a_row_per_feed_and_exits_3_when_one_fails(tmp_path, feed_server):
    from .feedserver import rss

    good = feed_server.add("/good.xml", body=rss([{"title": "Nvidia ships", "guid": "1"}]))
    bad = feed_server.add("/bad.xml", kind="status", status=404, body=b"gone")
    cfg = _loopback_config(tmp_path, {"Good": good, "Bad": bad})
    result = run("refresh", "--config", str(cfg), "--data", str(tmp_path / "d"))
    assert result.returncode == 3, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split()[:4] == ["Good", "ok", "1", "new"]
    assert rows[0].rstrip().endswith("ms")
    assert rows[1].split()[:2] == ["Bad", "error"] and "HTTP 404" in rows[1]
    # The failing feed backs off: a second run skips it and says why; the good one is fetched.
    second = run("refresh", "--config", str(cfg), "--data", str(tmp_path / "d"))
    assert second.returncode == 0
    assert "Good" in second.stdout and "backing off" in second.stdout
    dump = json.loads(run("dump", "--format", "json", "--config", str(cfg), "--data",
                          str(tmp_path / "d")).stdout)
    assert [n["title"] for n in dump["news"]] == ["Nvidia ships"]
    assert dump["news"][0]["entities"] == ["Nvidia"] and dump["news"][0]["read"] is False
    feeds = {f["name"]: f for f in dump["feeds"]}
    assert feeds["Good"]["status"] in ("ok", "not_modified") and feeds["Good"]["items"] == 1
    assert feeds["Bad"]["status"] == "error" and "404" in feeds["Bad"]["error"]
    assert set(feeds["Bad"]) == {"name", "url", "status", "last_attempt", "last_success",
                                 "items", "error"}


def test_dump_enriches_what_a_headless_refresh_stored(tmp_path, feed_server):
    from .feedserver import rss

    url = feed_server.add("/w.xml", body=rss([
        {"title": "Nvidia to invest up to $100 billion in OpenAI", "guid": "1"}]))
    cfg = _loopback_config(tmp_path, {"Wire": url})
    data = str(tmp_path / "d")
    assert run("refresh", "--config", str(cfg), "--data", data).returncode == 0
    from dealdesk.store import Store

    with Store.open(tmp_path / "d" / "dealdesk.sqlite3") as store:
        assert store.count_pending() == 1 and store.signals() == []
    dump = json.loads(run("dump", "--format", "json", "--config", str(cfg), "--data", data).stdout)
    (signal,) = dump["signals"]
    assert (signal["metric"], signal["value"], signal["subject"]) == (
        "commitment_usd", 100e9, "Nvidia")
    with Store.open(tmp_path / "d" / "dealdesk.sqlite3") as store:
        assert store.count_pending() == 0
        assert [i.title for i in store.search("invest")] == [
            "Nvidia to invest up to $100 billion in OpenAI"]


def test_refresh_all_ok_exits_0(tmp_path, feed_server):
    from .feedserver import rss

    url = feed_server.add("/a.xml", body=rss([{"title": "x", "guid": "1"}]))
    cfg = _loopback_config(tmp_path, {"A": url})
    assert run("refresh", "--config", str(cfg), "--data", str(tmp_path / "d")).returncode == 0


def test_refresh_rechecks_the_story_when_a_fact_file_changes(tmp_path, feed_server, broken):
    """A refresh reads the facts only when they changed since the config last passed, yet a
    fact broken after a good run still stops it, as it stops every command."""
    from .feedserver import rss

    url = feed_server.add("/a.xml", body=rss([{"title": "x", "guid": "1"}]))
    cfg = _loopback_config(tmp_path, {"A": url})
    data = str(tmp_path / "d")
    assert run("refresh", "--config", str(cfg), "--data", data).returncode == 0
    assert run("refresh", "--config", str(cfg), "--data", data).returncode == 0
    shutil.copy(broken / "facts" / "zz.toml", cfg / "facts" / "zz.toml")
    result = run("refresh", "--config", str(cfg), "--data", data)
    assert result.returncode == 2 and f"{cfg / 'facts' / 'zz.toml'}:3: " in result.stderr
    assert len(feed_server.requests()) == 2  # a config that fails sends nothing, even early
    (cfg / "facts" / "zz.toml").unlink()
    assert run("check", "--config", str(cfg)).returncode == 0
    assert run("refresh", "--config", str(cfg), "--data", data).returncode == 0


def test_refresh_sends_each_feed_one_request_cold_and_warm(tmp_path, feed_server):
    """The requests sent before the imports (news/early.py) are the ones answered."""
    from .feedserver import rss

    feeds = {f"F{i}": feed_server.add(f"/{i}.xml", body=rss([{"title": "x", "guid": str(i)}]),
                                      etag=f'"e{i}"') for i in range(4)}
    cfg = _loopback_config(tmp_path, feeds)
    for _ in range(2):
        result = run("refresh", "--config", str(cfg), "--data", str(tmp_path / "d"))
        assert result.returncode == 0, result.stderr
    assert result.stdout.count("not_modified") == 4
    sent = sorted((r.path, r.headers.get("if-none-match", "")) for r in feed_server.requests())
    assert sent == sorted([(f"/{i}.xml", "") for i in range(4)]
                          + [(f"/{i}.xml", f'"e{i}"') for i in range(4)])


def test_a_corrupt_store_is_one_clear_line(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "dealdesk.sqlite3").write_bytes(b"this is not a database" * 100)
    for command in (["dump"], ["refresh"], []):
        result = run(*command, "--config", str(CONFIG_DIR), "--data", str(data))
        assert result.returncode == 2
        assert str(data / "dealdesk.sqlite3") in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (data / "dealdesk.sqlite3").read_bytes().startswith(b"this is not")


def test_ingested_toml_pastes_into_config_facts(tmp_path, capsys):
    """The seed article's figures, pasted as a file into config/facts/, load as facts."""
    from dealdesk import facts as F
    from dealdesk.config import load

    seed = Path(__file__).parent / "data" / "seed_article_fr.txt"
    assert main(["ingest", str(seed), "--date", "2025-09-23", "--config", str(CONFIG_DIR)]) == 0
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "facts" / "ingested.toml").write_text(capsys.readouterr().out, encoding="utf-8")
    story = load(cfg).story
    source = story.sources["seed_article_fr"]
    assert source.published.isoformat() == "2025-09-23" and "Nvidia" in source.title
    moved = {(e.subject, e.field, e.value, e.qualifier) for e in story.events
             if e.source == "seed_article_fr"}
    assert moved == {("Nvidia", "capacity_gw", 10, "at_least"),
                     ("Nvidia", "commitment_usd", 100e9, "up_to"),
                     ("Microsoft", "commitment_usd", 13e9, "more_than"),
                     ("Oracle", "commitment_usd", 300e9, None)}
    assert any(u.source == "seed_article_fr" and u.weekly_active_users == 700e6
               for u in story.users)
    assert "100 milliards de dollars" in next(
        e.quote for e in story.events if e.source == "seed_article_fr" and e.value == 100e9)
    F.snapshot(story, F.date(2026, 11, 29))  # and the dashboard's model takes it


_TOKENS = ("--config", "--config=c d", "--data", "--data=", "--debug", "--debug=1", "dump",
           "-h", "--as-of", "2025-01-01", "--conf", "-x")


def _combinations() -> list[list[str]]:
    """Every command line of up to three of the tokens above (1,885 of them)."""
    lines: list[list[str]] = [[]]
    for _ in range(3):
        lines += [[*line, token] for line in lines if len(line) == len(lines[-1])
                  for token in _TOKENS]
    return lines


def test_a_dashboard_command_line_parses_as_the_full_parser_would(capsys):
    """Dashboard starts skip the commands' parsers (cli.parse_args); every command line
    gets the full parser's answer all the same: the same values, or the same exit and
    the same words on stderr."""
    from dealdesk.cli import _dashboard_only, build_parser, parse_args

    def outcome(parse, argv):
        try:
            return vars(parse(argv)), "", ""
        except SystemExit as exit_:
            out, err = capsys.readouterr()
            return exit_.code, out, err

    full = build_parser()
    fast = 0
    for argv in _combinations():
        fast += _dashboard_only(argv)
        assert outcome(parse_args, argv) == outcome(full.parse_args, argv), argv
    assert fast > 50  # the short way is taken, and not only for an empty line
    assert not _dashboard_only(["--as-of", "2025-01-01"])  # a bad one prints the usage
