"""watches.toml is checked like the other files (path:line: message), risks' watch_terms act
as phrase watches, and each `when` of a figure watch means what config/watches.py says."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dealdesk.cli import main
from dealdesk.config import ConfigError, load
from dealdesk.config.watches import Watch
from dealdesk.news.watches import figure_matches

from .conftest import CONFIG_DIR


def _config(tmp_path: Path, watches: str) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, cfg)
    (cfg / "watches.toml").write_text(watches, encoding="utf-8")
    return cfg


def test_shipped_watches_load_with_risk_watch_terms():
    config = load(CONFIG_DIR)
    names = {w.name for w in config.watches}
    assert "Nvidia deal status" in names
    assert "risk agi-clause" in names  # facts/risks.toml watch_terms
    assert all(w.kind in ("phrase", "figure") for w in config.watches)


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ('[[watch]]\nname = "a"\nmetric = "status"\nsubject = "Nvidiaa"\nwhen = "changes"\n',
         4, "did you mean 'Nvidia'"),
        ('[[watch]]\nname = "a"\nmetric = "status"\nsubject = "Nvidia"\nwhen = "above"\n',
         5, "a status only changes"),
        ('[[watch]]\nname = "a"\nterms = "abc"\n', 3, "non-empty list"),
        ('[[watch]]\nname = "a"\n\n[[watch]]\nname = "b"\nterms = ["x"]\nmetric = "capacity_gw"\n',
         1, "needs either terms or metric"),
        ('[[watch]]\nname = "a"\nterms = ["x"]\n[[watch]]\nname = "a"\nterms = ["y"]\n',
         5, "duplicate watch name"),
        ('[[watch]]\nname = "a"\nmetric = "capacity_gw"\nsubject = "Oracle"\nwhen = "above"\n'
         'value = -3\n', 6, "value"),
        ('[[watch]]\nname = "a"\nterms = ["x"]\npartner = "Nobody"\n', 4, "unknown partner"),
        ('[[watch]]\nname = "a"\nterms = ["x"]\ncolour = "red"\n', 4, "unknown key"),
        ('[[watch]]\nname = "a"\nterms = ["!!"]\n', 3, "no letter or digit"),
        ('[[watch]\nname = "a"\n', 1, "TOML syntax error"),
    ],
)
def test_check_reports_watch_problems_with_file_and_line(tmp_path, capsys, toml, line, message):
    cfg = _config(tmp_path, toml)
    assert main(["check", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert f"watches.toml:{line}: " in err and message in err, err


def test_alerts_command_setting_must_be_argv(tmp_path, capsys):
    cfg = _config(tmp_path, "")
    path = cfg / "dealdesk.toml"
    path.write_text(path.read_text().replace("[alerts]\n", '[alerts]\ncommand = "rm -rf /"\n'))
    with pytest.raises(ConfigError) as exc:
        load(cfg)
    assert any("dealdesk.toml" in str(p) and "never a shell" in str(p)
               for p in exc.value.problems)


@dataclass
class _Signal:
    id: int
    metric: str
    value: float
    subject: str
    state: str = "new"
    status: str | None = None
    published: datetime = datetime(2026, 12, 1, tzinfo=UTC)
    news_title: str = "t"
    news_id: int = 1
    feed: str = "wire"
    quote: str = ""
    qualifier: str | None = None
    link: str | None = None


TODAY = date(2026, 12, 4)


def _hits(config, watch: Watch, signal: _Signal) -> bool:
    return bool(figure_matches(config.story, [signal], [watch], TODAY))


def test_figure_watch_when_clauses(config):
    above = Watch("w", "figure", metric="weekly_active_users", subject="ChatGPT", when="above",
                  value=1e9)
    assert _hits(config, above, _Signal(1, "weekly_active_users", 1.1e9, "ChatGPT"))
    assert not _hits(config, above, _Signal(2, "weekly_active_users", 0.9e9, "ChatGPT"))
    below = Watch("w", "figure", metric="capacity_gw", subject="Oracle", when="below", value=4)
    assert _hits(config, below, _Signal(3, "capacity_gw", 2.0, "Oracle"))
    assert not _hits(config, below, _Signal(4, "capacity_gw", 5.0, "Oracle"))
    oracle_now = config.story.partner("Oracle").capacity_gw
    changes = Watch("w", "figure", metric="capacity_gw", subject="Oracle", when="changes")
    assert not _hits(config, changes, _Signal(5, "capacity_gw", oracle_now, "Oracle"))
    assert _hits(config, changes, _Signal(6, "capacity_gw", oracle_now + 1, "Oracle"))
    disagrees = Watch("w", "figure", metric="capacity_gw", subject="Oracle", when="disagrees",
                      value=0.5)
    assert not _hits(config, disagrees, _Signal(7, "capacity_gw", oracle_now * 1.2, "Oracle"))
    assert _hits(config, disagrees, _Signal(8, "capacity_gw", oracle_now * 2, "Oracle"))
    # Another subject or metric never matches.
    assert not _hits(config, above, _Signal(9, "weekly_active_users", 2e9, "Sora"))


def test_status_watch_fires_only_on_a_move(config):
    w = Watch("s", "figure", metric="status", subject="Nvidia", when="changes")
    assert _hits(config, w, _Signal(1, "status", 0.0, "Nvidia", status="definitive"))
    assert not _hits(config, w, _Signal(2, "status", 0.0, "Nvidia", status="replaced"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("bell = 1", "expected true or false"),
        ("notify = \"yes\"", "expected true or false"),
        ("timeout_seconds = 0", "greater than 0"),
        ("command = []", "at least the program"),
        ("colour = 1", "unknown key"),
    ],
)
def test_alerts_settings_are_checked_with_line(tmp_path, capsys, line, message):
    cfg = _config(tmp_path, "")
    (cfg / "dealdesk.toml").write_text(f"[dealdesk]\ntitle = \"x\"\n\n[alerts]\n{line}\n")
    assert main(["check", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "dealdesk.toml:5: " in err and message in err, err
