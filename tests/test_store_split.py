"""The store is one mixin per domain (store/): each one's public methods raise only
StoreError, whichever mixin they come from, including one added later without the decorator."""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path

import pytest

from dealdesk.store import (
    AlertsMixin,
    ArchiveMixin,
    FeedsMixin,
    ItemsMixin,
    ReadingMixin,
    SchemaMixin,
    SignalsMixin,
    Store,
    StoreError,
    wrap_public_methods,
)

MIXINS = (
    SchemaMixin, FeedsMixin, ItemsMixin, SignalsMixin, ArchiveMixin, AlertsMixin, ReadingMixin,
)


@pytest.mark.parametrize("mixin", MIXINS, ids=lambda m: m.__name__)
def test_every_public_method_of_every_mixin_is_wrapped(mixin):
    public = [name for name, attr in vars(mixin).items()
              if inspect.isfunction(attr) and not name.startswith("_")]
    assert public
    for name in public:
        assert hasattr(getattr(mixin, name), "__wrapped__"), f"{mixin.__name__}.{name}"
        assert getattr(Store, name) is getattr(mixin, name)  # wrapped once, not twice


def test_a_mixin_added_without_the_decorator_is_wrapped_by_the_store(tmp_path: Path):
    class LateMixin:
        def broken(self) -> None:
            raise sqlite3.OperationalError("database is locked")

    @wrap_public_methods
    class Later(Store, LateMixin):
        pass

    with (Later.open(tmp_path / "s.sqlite3") as store,
          pytest.raises(StoreError, match="locked by another program")):
        store.broken()


def test_the_store_is_composed_of_every_domain():
    # SchemaMixin last: for the type checker every domain mixin derives from it.
    n = len(MIXINS)
    assert set(Store.__mro__[1:n + 1]) == set(MIXINS) and Store.__mro__[n] is SchemaMixin


def test_no_two_mixins_define_the_same_name():
    """So the order the store lists them in decides nothing."""
    seen: dict[str, str] = {}
    for mixin in MIXINS:
        for name in vars(mixin):
            if name.startswith("__") and name.endswith("__"):
                continue
            assert name not in seen, f"{name} in both {seen[name]} and {mixin.__name__}"
            seen[name] = mixin.__name__
