"""The config kept from the last start (config.cached): the same answer as reading the files,
never a stale one, never a reason to fail, and never a way around a config error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from dealdesk.config import ConfigError, load
from dealdesk.config import cached as C

from .conftest import CONFIG_DIR


@pytest.fixture
def cfg(tmp_path):
    target = tmp_path / "cfg"
    shutil.copytree(CONFIG_DIR, target)
    return target


@pytest.fixture
def loads(monkeypatch):
    calls = []

    def counting(config_dir):
        calls.append(config_dir)
        return load(config_dir)

    monkeypatch.setattr(C, "load", counting)
    return calls


def test_the_second_start_reads_the_config_kept_and_it_equals_the_files(cfg, tmp_path, loads):
    cache = tmp_path / "cache"
    first = C.load_cached(cfg, cache)
    second = C.load_cached(cfg, cache)
    assert len(loads) == 1
    assert second == first == load(cfg)
    kept = list(cache.iterdir())
    assert len(kept) == 1
    assert kept[0].stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o777 == 0o700


def test_a_changed_file_is_read_again(cfg, tmp_path, loads):
    cache = tmp_path / "cache"
    C.load_cached(cfg, cache)
    settings = cfg / "dealdesk.toml"
    text = settings.read_text(encoding="utf-8")
    assert 'title = "' in text
    settings.write_text(text.replace('title = "', 'title = "Changed ', 1), encoding="utf-8")
    again = C.load_cached(cfg, cache)
    assert len(loads) == 2
    assert again.settings.title.startswith("Changed ")


def test_a_config_error_is_reported_whatever_was_kept(cfg, tmp_path, loads):
    cache = tmp_path / "cache"
    C.load_cached(cfg, cache)
    feeds = cfg / "feeds.toml"
    feeds.write_text(feeds.read_text(encoding="utf-8") + "\n[[feed]]\nname = 3\n",
                     encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        C.load_cached(cfg, cache)
    assert "feeds.toml:" in str(error.value.problems[0])


def test_edited_code_reads_the_files_again(cfg, tmp_path, loads, monkeypatch):
    cache = tmp_path / "cache"
    C.load_cached(cfg, cache)
    monkeypatch.setattr(C, "_code_stamp", lambda: "another build")
    C.load_cached(cfg, cache)
    assert len(loads) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other_object"])
def test_a_damaged_cache_is_read_past(cfg, tmp_path, loads, damage):
    import pickle

    cache = tmp_path / "cache"
    C.load_cached(cfg, cache)
    (kept,) = cache.iterdir()
    data = kept.read_bytes()
    key = data.partition(b"\0")[0]
    kept.write_bytes({"garbage": key + b"\0" + b"\x80\x05not a pickle",
                      "truncated": data[: len(data) // 2],
                      "empty": b"",
                      "other_object": key + b"\0" + pickle.dumps({"settings": None})}[damage])
    assert C.load_cached(cfg, cache) == load(cfg)
    assert len(loads) == 2


def test_a_cache_file_others_could_write_is_never_read(cfg, tmp_path, loads):
    cache = tmp_path / "cache"
    C.load_cached(cfg, cache)
    (kept,) = cache.iterdir()
    os.chmod(kept, 0o666)
    C.load_cached(cfg, cache)
    assert len(loads) == 2
    assert kept.stat().st_mode & 0o777 == 0o600  # replaced by a private one


def test_an_unwritable_cache_dir_only_costs_the_reading(cfg, tmp_path, loads):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache dir would be")
    assert C.load_cached(cfg, blocker / "cache") == load(cfg)
    assert C.load_cached(cfg, blocker / "cache") == load(cfg)
    assert len(loads) == 2


def test_dump_is_the_same_from_the_files_and_from_the_cache(cfg, tmp_path):
    env = {**os.environ, "DEALDESK_CACHE": str(tmp_path / "cache"),
           "DEALDESK_DATA": str(tmp_path / "data")}
    argv = [sys.executable, "-m", "dealdesk.cli", "--config", str(cfg), "dump", "--format",
            "json"]
    first = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    assert list((tmp_path / "cache").glob("config-*.pickle"))
    second = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 0, second.stderr
    import json

    def without_clock(out):
        data = json.loads(out)
        data.pop("generated_at")
        return data

    assert without_clock(second.stdout) == without_clock(first.stdout)
