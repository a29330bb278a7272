"""The loaded config, kept in the user's cache dir for the next start with the same files.

Reading the TOML and running every check (every string held to what the feed-text cleaner
lets through, every figure to its range) takes about 15 ms: a sixth of what the dashboard
spends before its first frame, and the same answer each time the files have not changed.
So a successful `load` is pickled beside its key: the config's fingerprint (every file it
reads, byte for byte, its directory and the version) and the size and time of every module
of this package (a pickle holds class names, and an edited class must not come back in an
old shape). Any other key, an unreadable or corrupt file, anything at all going wrong
there: `load` runs, as it would without the cache. Only a load that found no problem is
kept, so config errors are always reported, with their `file:line`, by `load` itself.

The cache dir is the user's own (0700, files 0600): what it holds is as trusted as the
user's config; a file someone else could have written is never read (checked by owner and
mode before unpickling).
"""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

from . import Config, fingerprint, load

CACHE_FORMAT = 1


def _code_stamp() -> str:
    parts: list[str] = []
    pending = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
    while pending:  # the package's tree: a hundred-odd modules, a few directories
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
                elif entry.is_dir() and not entry.name.startswith((".", "__")):
                    pending.append(entry.path)
    return "\n".join(sorted(parts))


def _key(config_dir: Path) -> bytes:
    return f"{CACHE_FORMAT}\n{fingerprint(config_dir)}\n{_code_stamp()}\n".encode()


def _cache_file(config_dir: Path, cache_dir: Path) -> Path:
    from _blake2 import blake2b  # as config.fingerprint: hashlib would load OpenSSL first

    name = blake2b(str(config_dir.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / f"config-{name}.pickle"


def _private(path: Path) -> bool:
    info = path.lstat()
    return (stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _read(path: Path, key: bytes) -> Config | None:
    try:
        if not _private(path):
            return None
        with path.open("rb") as handle:
            if handle.read(len(key) + 1) != key + b"\0":
                return None
            config = pickle.load(handle)
    except Exception:  # a cache is never a reason to fail: the config is read instead
        return None
    return config if isinstance(config, Config) else None


def _write(path: Path, key: bytes, config: Config) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\0")
            pickle.dump(config, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except Exception:  # best effort: without it the next start reads the files again
        try:
            temp.unlink()
        except OSError:
            pass


def load_cached(config_dir: Path, cache_dir: Path) -> Config:
    """`load(config_dir)`, or what it returned last time from the same files and code."""
    try:
        key = _key(config_dir)
        path = _cache_file(config_dir, cache_dir)
    except (OSError, ImportError):
        return load(config_dir)
    config = _read(path, key)
    if config is not None:
        return config
    config = load(config_dir)  # raises ConfigError with every problem: nothing is kept
    try:
        if _key(config_dir) == key:  # no file changed while it was read
            _write(path, key, config)
    except OSError:
        pass
    return config
