"""Value: the base of the frozen value types of facts, view, state, config and model.

It carries, written once, the methods @dataclass(frozen=True) would compile for each class.
`typing.dataclass_transform` (PEP 681) on the base tells type checkers that every subclass is
a frozen dataclass: they see its fields, its __init__ and what replace() accepts.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from typing import Any, ClassVar, TypeVar, dataclass_transform

_V = TypeVar("_V", bound=type)

# Fields recorded, no method generated (Value has them all): what each subclass gets.
_record_fields = dataclass(init=False, repr=False, eq=False)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Value:
    """The base of the frozen value types (facts, view, state, config...), with the methods
    @dataclass(frozen=True) would generate, written once. dataclass() compiles source for
    each method of each class, ~0.8 ms a class on Python 3.11, and two dozen classes are made
    before the dashboard's first frame. For a Value subclass dataclass() only records the
    fields (no method generated), so fields(), replace() and asdict() work as with any
    dataclass. Each subclass is recorded as it is made (__init_subclass__): no decorator is
    needed, nor can one be forgotten."""

    __slots__ = ()
    # Set on each subclass by dataclass(); declared so that type checkers take any Value for
    # the dataclass instance that fields(), replace() and asdict() ask for.
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # dataclass() fills an empty docstring with the signature, through inspect: slow.
        cls.__doc__ = cls.__doc__ or cls.__name__
        _record_fields(cls)

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
        if other.__class__ is not self.__class__ or not isinstance(other, Value):
            return NotImplemented
        return self._values() == other._values()

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


def value(cls: _V) -> _V:
    """A marker kept for the classes that still carry it: Value records every subclass's
    fields itself (recording them twice would lose the defaults of `field(...)`)."""
    return cls


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
