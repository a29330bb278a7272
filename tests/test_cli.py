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
    assert list(data) == ["generated_at", "partners", "compute", "users", "risks", "timeline",
                          "news", "feeds", "signals"]
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
