"""value.Value: every subclass is a frozen dataclass without a decorator (PEP 681 for the
type checker, dataclass() in __init_subclass__ at run time)."""

from dataclasses import FrozenInstanceError, asdict, field, fields, replace

import pytest

from dealdesk.value import Value, value


class Point(Value):
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default=())
    seen: list[int] = field(default_factory=list)


class Point3(Point):
    z: int = 0


def test_a_value_subclass_records_its_fields_without_a_decorator():
    assert [f.name for f in fields(Point)] == ["x", "y", "tags", "seen"]
    p = Point(1)
    assert p == Point(1, 0, (), []) and p.seen == [] and p.seen is not Point(1).seen
    assert replace(p, y=2) == Point(1, 2)
    assert asdict(p) == {"x": 1, "y": 0, "tags": (), "seen": []}
    with pytest.raises(FrozenInstanceError):
        p.x = 2  # type: ignore[misc]


def test_a_value_subclass_of_a_value_subclass_adds_its_fields():
    assert [f.name for f in fields(Point3)] == ["x", "y", "tags", "seen", "z"]
    assert repr(Point3(1, z=3)) == "Point3(x=1, y=0, tags=(), seen=[], z=3)"
    assert Point3(1) != Point(1)


def test_the_old_value_marker_changes_nothing():
    @value
    class Marked(Value):
        a: int
        b: list[int] = field(default_factory=list)

    assert value(Marked) is Marked
    assert Marked(1) == Marked(1, []) and Marked(1).b is not Marked(1).b
