"""Value: the base of the frozen value types of facts, view, state, config and model.

It carries, written once, the methods @dataclass(frozen=True) would compile for each class.
"""

from __future__ import annotations

from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from typing import Any


class Value:
    """The base of the frozen value types (facts, view, state, config...), with the methods
    @dataclass(frozen=True) would generate, written once. dataclass() compiles source for
    each method of each class, ~0.8 ms a class on Python 3.11, and two dozen classes are made
    before the dashboard's first frame; under `@value` it only records the fields, so
    fields(), replace() and asdict() work as with any dataclass."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # dataclass() fills an empty docstring with the signature, through inspect: slow.
        cls.__doc__ = cls.__doc__ or cls.__name__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names, defaults = _init_spec(type(self))
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes {len(names)} arguments, "
                            f"got {len(args)}")
        set_field = object.__setattr__
        for name, arg in zip(names, args):
            if name in kwargs:
                raise TypeError(f"{type(self).__name__}() got two values for {name!r}")
            set_field(self, name, arg)
        for name in names[len(args):]:
            if name in kwargs:
                set_field(self, name, kwargs.pop(name))
            elif name in defaults:
                set_field(self, name, defaults[name]())
            else:
                raise TypeError(f"{type(self).__name__}() missing argument {name!r}")
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got an unexpected argument "
                            f"{next(iter(kwargs))!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _init_spec(type(self))[0])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        names = _init_spec(type(self))[0]
        return (f"{type(self).__qualname__}("
                f"{', '.join(f'{n}={getattr(self, n)!r}' for n in names)})")

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


# A Value subclass's decorator: fields recorded, no method generated (Value has them all).
value = dataclass(init=False, repr=False, eq=False)

_SPECS: dict[type, tuple[tuple[str, ...], dict[str, Any]]] = {}


def _init_spec(cls: type) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The field names in order, and a maker of each default."""
    spec = _SPECS.get(cls)
    if spec is None:
        defaults: dict[str, Any] = {}
        for f in fields(cls):
            if f.default_factory is not MISSING:
                defaults[f.name] = f.default_factory
            elif f.default is not MISSING:
                defaults[f.name] = (lambda v: lambda: v)(f.default)
        spec = _SPECS[cls] = (tuple(f.name for f in fields(cls)), defaults)
    return spec
