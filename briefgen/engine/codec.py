"""Values to JSON text and back, for the build cache: no pickle, so that a cache file can
never run code. Only the classes listed here come back, built from their fields."""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from collections.abc import Mapping
from enum import Enum
from typing import Any

from briefgen.dates import DatePoint, DateValue
from briefgen.errors import Diagnostic, Loc, Severity


class CodecError(ValueError):
    """A cache entry that does not decode: the cache is ignored and made afresh."""


_CLASSES: dict[str, type] = {}
_ENUMS: dict[str, type[Enum]] = {}
_MODULES: dict[str, str] = {}  # classes registered by name: the module that defines each


def register(*classes: type) -> None:
    """Allow these dataclasses, named tuples and enums in the cache."""
    for cls in classes:
        if issubclass(cls, Enum):
            _ENUMS[cls.__name__] = cls
        else:
            _CLASSES[cls.__name__] = cls


def register_named(classes: Mapping[str, tuple[str, ...]]) -> None:
    """Allow these dataclasses and named tuples, by module and name: a module is imported
    only when a value of one of its classes is read back."""
    for module, names in classes.items():
        _MODULES.update(dict.fromkeys(names, module))


def registered_names() -> list[str]:
    """The classes registered by name (``register_named``)."""
    return sorted(_MODULES)


def class_named(name: str) -> type | None:
    """A registered class by its name (None: not allowed in the cache)."""
    cls = _CLASSES.get(name)
    if cls is None and name in _MODULES:
        where = _MODULES[name]  # Python's module cache keeps it once imported
        found = getattr(sys.modules.get(where) or importlib.import_module(where), name, None)
        cls = found if isinstance(found, type) else None
    return cls


register(DatePoint, DateValue, Loc, Diagnostic, Severity)


# Exactly these types (not subclasses: a StrEnum or a NamedTuple must keep its class).
_ATOMS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is tuple or kind is list:
        if _ATOMS.issuperset(map(type, value)):
            return value  # JSON as it is (checked without a Python call per item)
        # Most of what the cache keeps is tuples of atoms and of tuples of atoms (index
        # items, keys): those are taken as they are here, without a call each.
        return [v if type(v) in _ATOMS
                or (type(v) is tuple and _ATOMS.issuperset(map(type, v)))
                else _plain(v) for v in value]
    if isinstance(value, Enum):
        return {"$e": kind.__name__, "v": value.value}
    name = kind.__name__
    if class_named(name) is kind:
        if dataclasses.is_dataclass(value):
            fields = [getattr(value, f.name) for f in dataclasses.fields(value)]
        else:  # a named tuple
            fields = list(value)
        return {"$": name, "f": [_plain(v) for v in fields]}
    if isinstance(value, dict):
        return {"$d": [[_plain(k), _plain(v)] for k, v in value.items()]}
    raise TypeError(f"cannot keep a {name} in the build cache")


def _rebuild(value: Any) -> Any:
    if isinstance(value, list):
        if _ATOMS.issuperset(map(type, value)):
            return tuple(value)
        return tuple(_rebuild(v) for v in value)
    if isinstance(value, dict):
        if "$" in value:
            cls = class_named(value["$"])
            if cls is None:
                raise CodecError(f"unknown class {value['$']!r} in the build cache")
            return cls(*(_rebuild(v) for v in value["f"]))
        if "$e" in value:
            enum = _ENUMS.get(value["$e"])
            if enum is None:
                raise CodecError(f"unknown enum {value['$e']!r} in the build cache")
            return enum(value["v"])
        if "$d" in value:
            return {_rebuild(k): _rebuild(v) for k, v in value["$d"]}
        raise CodecError("malformed object in the build cache")
    return value


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def encode(value: Any) -> str:
    return _ENCODER.encode(_plain(value))


def decode(text: str) -> Any:
    try:
        return _rebuild(json.loads(text))
    except (ValueError, TypeError, KeyError) as exc:
        raise CodecError(str(exc)) from exc
