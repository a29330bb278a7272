"""Watches and alerts end to end: a loopback feed whose items change between refreshes,
`dealdesk refresh --alerts` (print, [alerts] command, delivered marks), `dealdesk alerts`,
`dump`'s alerts and status signals, and idempotency across refreshes and restarts."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from dealdesk.cli import main

from .conftest import CONFIG_DIR
from .feedserver import feed_server, rss  # noqa: F401

WATCHES = """
[[watch]]
name = "Nvidia deal status"
metric = "status"
subject = "Nvidia"
when = "changes"

[[watch]]
name = "Abilene"
terms = ["abilene"]

[[watch]]
name = "Oracle deployed"
metric = "deployed_gw"
subject = "Oracle"
when = "above"
value = 1
"""

FIRST = [
    {"title": "Nvidia signs definitive agreement with OpenAI", "guid": "a1",
     "link": "https://example.com/a1", "pubDate": "Mon, 30 Nov 2026 09:00:00 GMT"},
    {"title": "Weather in Paris", "guid": "a2", "link": "https://example.com/a2",
     "pubDate": "Mon, 30 Nov 2026 08:00:00 GMT"},
]
SECOND = [
    *FIRST,
    {"title": "Oracle now has 1.5 GW online for OpenAI at the ÀBILÈNE campus",
     "guid": "a3", "link": "https://example.com/a3",
     "pubDate": "Tue, 01 Dec 2026 09:00:00 GMT"},
    {"title": "Nvidia could pause its OpenAI deal, analysts say", "guid": "a4",
     "link": "https://example.com/a4", "pubDate": "Tue, 01 Dec 2026 10:00:00 GMT"},
]


@pytest.fixture
def desk(tmp_path: Path, feed_server):
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    url = feed_server.add("/wire.xml", body=rss(FIRST))
    (cfg / "feeds.toml").write_text(f'[[feed]]\nname = "wire"\nurl = "{url}"\n')
    (cfg / "watches.toml").write_text(WATCHES)
    data = tmp_path / "data"

    class Desk:
        config = cfg
        server = feed_server

        def run(self, *argv: str) -> int:
            return main([*argv, "--config", str(cfg), "--data", str(data)])

        def serve(self, items: list[dict[str, str]]) -> None:
            feed_server.add("/wire.xml", body=rss(items))

        def command(self, argv: list[str]) -> None:
            path = cfg / "dealdesk.toml"
            text = path.read_text().replace("[alerts]\n", "[alerts]\ncommand = "
                                            + json.dumps(argv) + "\n")
            path.write_text(text)

    return Desk()


def _writer(tmp_path: Path, out: Path) -> list[str]:
    script = tmp_path / "notify.py"
    script.write_text(
        "import json, sys\n"
        "alert = json.load(sys.stdin)\n"
        f"with open({str(out)!r}, 'a', encoding='utf-8') as f:\n"
        "    f.write(json.dumps(alert) + '\\n')\n"
    )
    return [sys.executable, str(script)]


def test_refresh_alerts_prints_each_new_alert_once_then_nothing(desk, capsys):
    assert desk.run("refresh", "--alerts") == 0
    out = capsys.readouterr().out
    assert out.count("ALERT") == 1
    assert "Nvidia deal status" in out and "replaced → definitive" in out  # events.toml: replaced
    # The same items again, and a restart in between (a new process opens the store anew):
    # nothing new, nothing printed at all.
    assert desk.run("refresh", "--alerts", "--force") == 0
    assert capsys.readouterr().out == ""
    # The feed changes: only what is new is printed.
    desk.serve(SECOND)
    assert desk.run("refresh", "--alerts", "--force") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 2, out
    assert any(line.startswith("ALERT Abilene:") for line in lines)  # accents and case
    assert any("Oracle deployed" in line and "1.5 GW" in line for line in lines)
    assert "could pause" not in out  # a hedge is no status move


def test_refresh_alerts_json_is_one_list(desk, capsys):
    assert desk.run("refresh", "--alerts", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 1
    assert set(data[0]) == {"id", "watch", "kind", "subject", "metric", "value", "title",
                            "link", "published", "news_id", "delivered"}
    assert data[0]["kind"] == "status" and data[0]["delivered"] is True
    assert desk.run("refresh", "--alerts", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_alert_command_gets_json_on_stdin_once_per_alert(desk, tmp_path, capsys):
    out = tmp_path / "delivered.jsonl"
    desk.command(_writer(tmp_path, out))
    desk.serve(SECOND)
    assert desk.run("refresh", "--alerts") == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(a["watch"] for a in got) == ["Abilene", "Nvidia deal status",
                                                "Oracle deployed"]
    assert desk.run("refresh", "--alerts", "--force") == 0
    assert len(out.read_text().splitlines()) == 3  # never twice
    capsys.readouterr()
    assert desk.run("alerts", "--all", "--format", "json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 3 and all(a["delivered"] for a in listed)


def test_failing_alert_command_leaves_alert_undelivered(desk, tmp_path, capsys):
    desk.command([sys.executable, "-c", "import sys; sys.stdin.read(); sys.exit(5)"])
    assert desk.run("refresh", "--alerts") == 0
    captured = capsys.readouterr()
    assert "exited 5" in captured.err and "tried again next run" in captured.err
    assert desk.run("alerts", "--format", "json") == 0
    waiting = json.loads(capsys.readouterr().out)
    assert len(waiting) == 1 and waiting[0]["delivered"] is False
    # The command is fixed: the next run delivers it, once.
    out = tmp_path / "delivered.jsonl"
    path = desk.config / "dealdesk.toml"
    path.write_text("\n".join(line for line in path.read_text().splitlines()
                              if not line.startswith("command =")) + "\n")
    desk.command(_writer(tmp_path, out))
    assert desk.run("refresh", "--alerts") == 0
    assert capsys.readouterr().out.count("ALERT") == 1  # printed again: it is delivered now
    assert len(out.read_text().splitlines()) == 1
    assert desk.run("alerts", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_alert_command_timeout_leaves_alert_undelivered(desk, capsys):
    desk.command([sys.executable, "-c", "import time; time.sleep(30)"])
    path = desk.config / "dealdesk.toml"
    path.write_text(path.read_text().replace("timeout_seconds = 30", "timeout_seconds = 0.5"))
    assert desk.run("refresh", "--alerts") == 0
    assert "still running" in capsys.readouterr().err
    assert desk.run("alerts", "--format", "json") == 0
    assert [a["delivered"] for a in json.loads(capsys.readouterr().out)] == [False]


def test_dump_has_alerts_and_status_signals(desk, capsys):
    desk.serve(SECOND)
    assert desk.run("refresh") == 0
    capsys.readouterr()
    assert desk.run("dump", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    status = [s for s in data["signals"] if s["metric"] == "status"]
    assert status == [{"metric": "status", "value": None, "unit": None, "subject": "Nvidia",
                       "quote": "Nvidia signs definitive agreement with OpenAI.",
                       "news_id": status[0]["news_id"], "state": "new",
                       "status": "definitive"}]
    assert all(s["status"] is None for s in data["signals"] if s["metric"] != "status")
    deployed = [s for s in data["signals"] if s["metric"] == "deployed_gw"]
    assert [(s["subject"], s["value"]) for s in deployed] == [("Oracle", 1.5)]
    assert {a["watch"] for a in data["alerts"]} == {"Nvidia deal status", "Abilene",
                                                    "Oracle deployed"}


def test_alert_text_is_one_safe_line(desk, capsys):
    desk.serve([{"title": "Abilene \x1b]0;pwned\x07 site\u2028news", "guid": "z",
                 "link": "https://example.com/z"}])
    assert desk.run("refresh", "--alerts") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u2028" not in out
    assert out.count("\n") == 1


def test_refresh_alerts_keeps_stdout_for_alerts_when_a_feed_fails(desk, capsys):
    desk.server.add("/wire.xml", kind="status", status=500)
    assert desk.run("refresh", "--alerts") == 3
    captured = capsys.readouterr()
    assert captured.out == ""  # cron mails nothing but news
    assert captured.err.startswith("wire: ")


def test_refresh_format_json_without_alerts_is_valid_json(desk, capsys):
    assert desk.run("refresh", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failed"] == 0 and data["feeds"][0]["name"] == "wire"
    assert data["feeds"][0]["new_items"] == 2


def test_phrase_watch_in_a_script_without_spaces(desk, capsys):
    (desk.config / "watches.toml").write_text(
        '[[watch]]\nname = "Stargate JP"\nterms = ["スターゲート"]\n', encoding="utf-8")
    desk.serve([{"title": "ソフトバンクとOpenAIのスターゲート計画が前進", "guid": "jp1",
                 "link": "https://example.com/jp1"}, *FIRST])
    assert desk.run("refresh", "--alerts") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["ALERT Stargate JP"]


def test_accepted_status_signal_moves_partner_in_dump(desk, tmp_path, capsys):
    from dealdesk.store import Store

    assert desk.run("refresh") == 0
    assert desk.run("dump", "--format", "json") == 0  # enriches: the status signal is found
    capsys.readouterr()
    with Store.open(tmp_path / "data" / "dealdesk.sqlite3") as store:
        (signal,) = [s for s in store.signals() if s.metric == "status"]
        store.set_signal_state(signal.id, "accepted")
    assert desk.run("dump", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    nvidia = next(p for p in data["partners"] if p["name"] == "Nvidia")
    assert nvidia["status"] == "definitive"
    assert f"news-{signal.id}" in nvidia["sources"]
    last = [e for e in data["timeline"] if e["subject"] == "Nvidia"][-1]
    assert (last["field"], last["value"], last["source"]) == ("status", "definitive",
                                                              f"news-{signal.id}")


def test_alert_stored_by_the_dashboard_is_delivered_once_by_cron(desk, tmp_path, capsys):
    """The two refresh paths: the dashboard evaluates (news.watches.evaluate, as
    tui.alerting does), then cron's refresh --alerts delivers what it stored, once."""
    from datetime import UTC, datetime

    from dealdesk.cli_alerts import enrich
    from dealdesk.config import load
    from dealdesk.news.watches import evaluate
    from dealdesk.store import Store

    assert desk.run("refresh") == 0
    config = load(desk.config)
    with Store.open(tmp_path / "data" / "dealdesk.sqlite3") as store:
        now = datetime(2026, 12, 4, tzinfo=UTC)
        enrich(config, store, now)  # the enrichment pass, as the dashboard's refresh runs it
        assert len(evaluate(store, config.story, config.watches, now.date(), now)) == 1
        assert evaluate(store, config.story, config.watches, now.date(), now) == []
    out = tmp_path / "delivered.jsonl"
    desk.command(_writer(tmp_path, out))
    capsys.readouterr()
    for _ in range(2):
        assert desk.run("refresh", "--alerts", "--force") == 0
    assert [json.loads(line)["watch"] for line in out.read_text().splitlines()] == [
        "Nvidia deal status"]


def test_missing_alert_command_is_one_line_and_alerts_wait(desk, tmp_path, capsys):
    desk.serve(SECOND)
    desk.command([str(tmp_path / "no-such-notifier")])
    assert desk.run("refresh", "--alerts") == 0
    captured = capsys.readouterr()
    assert captured.out.count("ALERT") == 3  # printed all the same
    assert captured.err.count("cannot run") == 1  # tried once, not once per alert
    assert desk.run("alerts", "--format", "json") == 0
    assert [a["delivered"] for a in json.loads(capsys.readouterr().out)] == [False] * 3


def test_alert_command_flooding_stderr_is_cut(desk, capsys):
    desk.command([sys.executable, "-c",
                  "import sys; sys.stdin.read(); sys.stderr.write('x' * 5_000_000); sys.exit(1)"])
    assert desk.run("refresh", "--alerts") == 0
    err = capsys.readouterr().err
    assert "exited 1" in err and len(err) < 2000
