"""Config loading and validation: the shipped config is valid, and every broken case is
reported as `path:line: message` with the right file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dealdesk import config as C

from .conftest import CONFIG_DIR


def test_shipped_config_loads(config):
    story = config.story
    assert {p.name for p in story.partners} >= {"Nvidia", "Microsoft", "Oracle", "Own datacenters"}
    nvidia = story.partner("Nvidia")
    assert nvidia.capacity_gw == 10 and nvidia.capacity_qualifier == "at_least"
    assert nvidia.commitment_usd == 100e9 and nvidia.commitment_qualifier == "up_to"
    assert "100 milliards de dollars" in nvidia.quote
    assert story.partner("Microsoft").commitment_usd == 13e9
    assert any(u.weekly_active_users == 700e6 and "700 millions" in u.quote for u in story.users)
    assert len(config.feeds) >= 5
    # Every fact names a source that exists, and every source says primary/reported/seed.
    for fact in (*story.partners, *story.users, *story.risks, *story.events):
        assert fact.source in story.sources
    assert {s.kind for s in story.sources.values()} == {"seed", "primary", "reported"}


def _copy_config(tmp_path: Path) -> Path:
    target = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, target)
    return target


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _problems(config_dir: Path) -> list[str]:
    with pytest.raises(C.ConfigError) as info:
        C.load(config_dir)
    return [str(p) for p in info.value.problems]


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


PARTNER = """
[[partner]]
name = "Testco"
role = "tester"
status = "announced"
since = 2025-01-01
source = "seed-2025-09"
"""


@pytest.mark.parametrize(
    ("file", "text", "needle", "message"),
    [
        ("facts/zz_extra.toml", PARTNER + 'capacity_gw = "ten"\n', "capacity_gw",
         "expected a number"),
        ("facts/zz_extra.toml", PARTNER.replace("2025-01-01", '"2025-13-45"'), "since =",
         "not a date"),
        ("facts/zz_extra.toml", PARTNER.replace('source = "seed-2025-09"', 'source = "nowhere"'),
         "source =", "unknown source 'nowhere'"),
        ("facts/zz_extra.toml", PARTNER.replace('source = "seed-2025-09"\n', ""), "[[partner]]",
         "missing 'source'"),
        ("facts/zz_extra.toml", PARTNER.replace("announced", "rumoured"), "status =",
         "'rumoured' is not one of"),
        ("facts/zz_extra.toml", PARTNER + "colour = 3\n", "colour", "unknown key 'colour'"),
        ("facts/zz_extra.toml", PARTNER + "capacity_gw = -4\n", "capacity_gw",
         "must not be negative"),
        ("facts/zz_extra.toml",
         '[[event]]\ndate = 2025-10-01\nsubject = "Nvidiaa"\nfield = "status"\n'
         'value = "stalled"\nsource = "seed-2025-09"\n', "subject =",
         "unknown partner or risk 'Nvidiaa'"),
        ("facts/zz_extra.toml",
         '[[event]]\ndate = 2025-10-01\nsubject = "Nvidia"\nfield = "colour"\n'
         'value = "red"\nsource = "seed-2025-09"\n', "field =", "Nvidia has no field 'colour'"),
        ("facts/zz_extra.toml",
         '[[event]]\ndate = 2025-10-01\nsubject = "Nvidia"\nfield = "capacity_gw"\n'
         'value = "lots"\nsource = "seed-2025-09"\n', "value =", "expected a number"),
        ("facts/zz_extra.toml",
         '[[event]]\ndate = "yesterday"\nsubject = "Nvidia"\nfield = "status"\n'
         'value = "stalled"\nsource = "seed-2025-09"\n', "date =", "not a date"),
        ("facts/zz_extra.toml", '[[source]]\nid = "seed-2025-09"\ntitle = "again"\n'
         "published = 2025-01-01\n", "id =", "duplicate source id"),
        ("facts/zz_extra.toml", '[[partner]\nname = "x"\n', "[[partner]", "TOML syntax error"),
        ("facts/zz_extra.toml", "[[rumour]]\nwho = 1\n", "[[rumour]]", "unknown table"),
        ("facts/zz_extra.toml", '[[users]]\nproduct = "ChatGPT"\nas_of = 2025-01-01\n'
         'weekly_active_users = true\nsource = "seed-2025-09"\n', "weekly_active_users",
         "expected a number, got true/false"),
        ("dealdesk.toml", "[dealdesk]\nstale_after_days = 0\n", "stale_after_days",
         "must be greater than 0"),
        ("dealdesk.toml", "[dealdesk]\nrefresh_minutes = -5\n", "refresh_minutes",
         "must be greater than 0"),
        ("dealdesk.toml", "[fetch]\nconcurrency = 2.5\n", "concurrency", "expected a whole number"),
        ("dealdesk.toml", "[fetch]\nconcurrency = 257\n", "concurrency", "at most 256"),
        ("dealdesk.toml", "[fetch]\nper_host = 7\n", "per_host", "at most 6"),
        ("dealdesk.toml", "[fetch]\nper_host = 0\n", "per_host", "must be"),
        ("dealdesk.toml", "[fetch]\nper_host = '3'\n", "per_host", "expected a whole number"),
        ("dealdesk.toml", "[dealdesk]\ntitel = 'x'\n", "titel", "unknown key 'titel'"),
        ("dealdesk.toml", "[colours]\nx = 1\n", "[colours]", "unknown section"),
        ("dealdesk.toml", "[keys]\nexplode = 'x'\n", "explode", "unknown key 'explode'"),
        ("dealdesk.toml", "[keys]\nrefresh = 'Ctrl R'\n", "refresh", "is not a key name"),
        ("dealdesk.toml", "[keys]\nrefresh = 'q'\n", "refresh",
         "key 'q' is given to both refresh and quit"),
        ("dealdesk.toml", "[keys]\nhelp = 5\n", "help", "expected a string"),
        ("feeds.toml", '[[feed]]\nname = "a"\nurl = "ftp://example.com/feed"\n', "url =",
         "not an http(s) URL"),
        ("feeds.toml", '[[feed]]\nname = "a"\nurl = "https://example.com/1"\n'
         "refresh_minutes = 0\n", "refresh_minutes", "must be greater than 0"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 and "\n" not in v else None,
)
def test_each_broken_config_names_file_and_line(tmp_path, file, text, needle, message):
    cfg = _copy_config(tmp_path)
    path = cfg / file
    _write(path, text)
    problems = _problems(cfg)
    line = _line_of(path, needle)
    expected = f"{path}:{line}: "
    assert any(p.startswith(expected) and message in p for p in problems), problems


def test_duplicate_feed_names_point_at_the_second(tmp_path):
    cfg = _copy_config(tmp_path)
    _write(cfg / "feeds.toml", '[[feed]]\nname = "a"\nurl = "https://example.com/1"\n\n'
           '[[feed]]\nname = "a"\nurl = "https://example.com/2"\n')
    problems = _problems(cfg)
    assert problems == [f"{cfg / 'feeds.toml'}:6: duplicate feed name 'a' (first at line 2) "
                        "(hint: give each feed its own name)"]


def test_all_problems_are_reported_at_once(tmp_path):
    cfg = _copy_config(tmp_path)
    _write(cfg / "facts" / "extra.toml", PARTNER + 'capacity_gw = "x"\ncolour = 1\n')
    _write(cfg / "feeds.toml", '[[feed]]\nname = "a"\nurl = "gopher://x"\n')
    assert len(_problems(cfg)) == 3


def test_missing_files_and_dirs(tmp_path):
    cfg = _copy_config(tmp_path)
    (cfg / "feeds.toml").unlink()
    assert any("feeds.toml:0: file not found" in p for p in _problems(cfg))
    with pytest.raises(C.ConfigError) as info:
        C.load(tmp_path / "nowhere")
    assert "config directory not found" in str(info.value)


def test_not_utf8_names_the_line(tmp_path):
    cfg = _copy_config(tmp_path)
    (cfg / "facts" / "extra.toml").write_bytes(b'# ok\n# ok\nname = "\xff"\n')
    assert any(p.startswith(f"{cfg / 'facts' / 'extra.toml'}:3: not UTF-8") for p in _problems(cfg))


def test_multiline_strings_do_not_confuse_line_numbers(tmp_path):
    cfg = _copy_config(tmp_path)
    text = PARTNER.replace('role = "tester"', 'role = """tester\nstatus = fake\n"""') + "bad = 1\n"
    path = cfg / "facts" / "extra.toml"
    _write(path, text)
    assert any(p.startswith(f"{path}:{_line_of(path, 'bad = 1')}:") for p in _problems(cfg))


def test_config_dir_resolution(tmp_path, monkeypatch):
    assert C.resolve_config_dir("/x/y") == Path("/x/y")
    monkeypatch.setenv("DEALDESK_CONFIG", str(tmp_path / "env"))
    assert C.resolve_config_dir() == tmp_path / "env"
    monkeypatch.delenv("DEALDESK_CONFIG")
    # ./config counts only when it holds dealdesk.toml.
    (tmp_path / "config").mkdir()
    assert C.resolve_config_dir(cwd=tmp_path) == C.packaged_config_dir()
    (tmp_path / "config" / "dealdesk.toml").write_text("")
    assert C.resolve_config_dir(cwd=tmp_path) == tmp_path / "config"
    assert (C.packaged_config_dir() / "dealdesk.toml").is_file()


def test_data_dir_resolution(tmp_path, monkeypatch):
    assert C.resolve_data_dir("/d") == Path("/d")
    monkeypatch.setenv("DEALDESK_DATA", str(tmp_path / "d"))
    assert C.resolve_data_dir() == tmp_path / "d"
    monkeypatch.delenv("DEALDESK_DATA")
    assert "dealdesk" in str(C.resolve_data_dir())


def test_cache_dir_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("DEALDESK_CACHE", str(tmp_path / "c"))
    assert C.resolve_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("DEALDESK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert C.resolve_cache_dir() == tmp_path / "xdg" / "dealdesk"
    from platformdirs import user_cache_dir

    for xdg in (str(tmp_path / "xdg"), "", None):  # the shortcut gives platformdirs' answer
        if xdg is None:
            monkeypatch.delenv("XDG_CACHE_HOME")
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert C.resolve_cache_dir() == Path(user_cache_dir("dealdesk", appauthor=False))


# --- what a refresh reads: settings and feeds, the story only when it changed --------------


def test_fingerprint_follows_every_file_load_reads(tmp_path):
    cfg = _copy_config(tmp_path)
    first = C.fingerprint(cfg)
    assert C.fingerprint(cfg) == first
    stamps = {first}
    changes = [
        lambda: _write(cfg / "facts" / "extra.toml", PARTNER),  # a new fact file
        lambda: _write(cfg / "facts" / "extra.toml", PARTNER + "\n"),  # one byte more
        lambda: (cfg / "facts" / "extra.toml").rename(cfg / "facts" / "other.toml"),
        lambda: _write(cfg / "feeds.toml", ""),
        lambda: _write(cfg / "views.toml", '[[view]]\nname = "v"\n'),  # saved views
        lambda: (cfg / "dealdesk.toml").unlink(),
    ]
    for change in changes:
        change()
        stamps.add(C.fingerprint(cfg))
    assert len(stamps) == len(changes) + 1
    (cfg / "facts" / "notes.txt").write_text("not read by load")
    assert C.fingerprint(cfg) in stamps
    assert C.fingerprint(_copy_config(tmp_path / "elsewhere")) != first  # another directory


def test_load_fetch_checks_the_story_only_when_a_file_changed(tmp_path, monkeypatch):
    cfg = _copy_config(tmp_path)
    passed = tmp_path / "cache" / "config-passed"
    loads: list[Path] = []
    real_load = C.load
    monkeypatch.setattr(C, "load", lambda d: loads.append(d) or real_load(d))

    settings, feeds = C.load_fetch(cfg, passed)
    assert loads == [cfg] and feeds == real_load(cfg).feeds and settings.company == "OpenAI"
    assert C.load_fetch(cfg, passed) == (settings, feeds)
    assert loads == [cfg]  # unchanged: settings and feeds read, the facts not even opened

    broken = PARTNER.replace('status = "announced"', 'status = "maybe"')
    assert broken != PARTNER
    _write(cfg / "facts" / "extra.toml", broken)
    with pytest.raises(C.ConfigError) as info:
        C.load_fetch(cfg, passed)
    assert str(cfg / "facts" / "extra.toml") in str(info.value.problems[0])
    with pytest.raises(C.ConfigError):  # a config that failed is never remembered
        C.load_fetch(cfg, passed)
    assert len(loads) == 3


def test_a_broken_feeds_file_is_reported_with_the_rest_even_when_remembered(tmp_path):
    cfg = _copy_config(tmp_path)
    passed = tmp_path / "config-passed"
    C.load_fetch(cfg, passed)
    _write(cfg / "feeds.toml", '[[feed]]\nname = "x"\nurl = "ftp://example.com/x"\n')
    with pytest.raises(C.ConfigError) as info:
        C.load_fetch(cfg, passed)
    assert any(str(cfg / "feeds.toml") in str(p) for p in info.value.problems)


def test_an_unwritable_cache_only_means_checking_again(tmp_path):
    cfg = _copy_config(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache dir should be")
    passed = blocker / "config-passed"
    assert C.load_fetch(cfg, passed) == C.load_fetch(cfg, passed)
    assert blocker.read_text() == "a file where the cache dir should be"


def test_the_cache_keeps_the_latest_configs(tmp_path):
    passed = tmp_path / "config-passed"
    dirs = [_copy_config(tmp_path / str(n)) for n in range(C.PASSED_KEEP + 1)]
    for cfg in dirs:
        C.load_remembering(cfg, passed)
    kept = passed.read_text().split()
    assert len(kept) == C.PASSED_KEEP
    assert kept[0] == C.fingerprint(dirs[-1]) and C.fingerprint(dirs[0]) not in kept
