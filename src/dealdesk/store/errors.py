"""The one exception a Store raises, and the decorator that makes every method raise it."""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast


class StoreError(Exception):
    """The store cannot be used; the message is one line, names the file and the way out."""


_F = TypeVar("_F", bound=Callable[..., Any])


def wrap_exceptions(method: _F) -> _F:
    """A Store method that raises StoreError (one line, naming the file) for any sqlite3
    error, as lemon24/reader's wrap_exceptions does: callers catch one exception, and a
    store corrupted, locked or removed under a running dashboard is a message, not a crash."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreError(_explain(self.path, exc, opening=False)) from exc

    return cast(_F, wrapper)  # functools.wraps keeps the signature: the same callable type


_C = TypeVar("_C", bound=type)


# Set on a wrapper, so that composing the mixins into Store wraps nothing twice.
_WRAPPED = "_store_wraps_exceptions"


def wrap_public_methods(cls: _C) -> _C:
    """wrap_exceptions on every public method of `cls`, its own and those of the mixins it
    is made of, so none added later can forget it. Each is set on `cls` itself, wrapped once.

    `open` (a classmethod) explains its own errors: it has no store path to name yet."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attr = next(vars(k)[name] for k in cls.__mro__ if name in vars(k))
        if not inspect.isfunction(attr):
            continue
        if not getattr(attr, _WRAPPED, False):
            attr = wrap_exceptions(attr)
            setattr(attr, _WRAPPED, True)
        if vars(cls).get(name) is not attr:
            setattr(cls, name, attr)
    return cls


def _explain(path: Path, exc: sqlite3.Error, opening: bool = True) -> str:
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"{path}: not a DealDesk database (corrupt, or not SQLite at all); "
            "move it aside or pass another --data DIR"
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return (
            f"{path}: cannot write the database (read-only file or directory?); "
            "fix the permissions or pass a writable --data DIR"
        )
    if "locked" in text or "busy" in text:
        return f"{path}: database is locked by another program; try again when it is done"
    if "no such module: fts5" in text:
        return f"{path}: this Python's SQLite lacks FTS5, which DealDesk needs for search"
    if not opening:  # an open store that fails: say what failed, on one line
        detail = " ".join(str(exc).split())
        return f"{path}: database error ({type(exc).__name__}: {detail})"
    return f"{path}: cannot open the database ({exc}); pass another --data DIR"
