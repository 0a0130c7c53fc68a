"""Digests of the values a page is made from, to tell whether it must be rendered again.

Documents carry a ``fingerprint`` that stands for everything reachable from them (their
file's content, and for rendered documents what their links resolved to), so a digest
walks only the small values around them. A value of an unknown kind raises: better to
fail loudly here than to skip a page that changed.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any


def digest(*values: Any) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    parts: list[str] = []
    for value in values:
        if (type(value) is list or type(value) is tuple) and len(value) > _CHUNK:
            # A long list (the links of a big document) is hashed a chunk at a time, so
            # that the text of all its items never exists at once. Same bytes, same digest.
            parts.append("[")
            for start in range(0, len(value), _CHUNK):
                _walk_items(value[start:start + _CHUNK], parts)
                hasher.update(("\x1f".join(parts) + "\x1f").encode("utf-8", "surrogatepass"))
                parts.clear()
            parts.append("]")
        else:
            _walk(value, parts)
    hasher.update("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


_CHUNK = 4096


_PLAIN = (int, float, bool, type(None))


@functools.cache
def _field_names(kind: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _walk(value: Any, parts: list[str]) -> None:
    # This runs for every value of every page's context: the frequent kinds come first,
    # and the items of a sequence (often thousands of documents) are handled inline.
    kind = type(value)
    if kind is str:
        parts.append(repr(value))
    elif kind is tuple or kind is list:
        parts.append("[")
        _walk_items(value, parts)
        parts.append("]")
    elif kind in _PLAIN or isinstance(value, Enum):
        parts.append(repr(value))
    elif hasattr(kind, "fingerprint") and isinstance(value.fingerprint, str) and value.fingerprint:
        parts.append(f"#{kind.__name__}:{value.fingerprint}")
    elif isinstance(value, (tuple, list)):
        parts.append("[")
        for item in value:
            _walk(item, parts)
        parts.append("]")
    elif isinstance(value, dict):
        parts.append("{")
        keys = list(value)
        keys.sort(key=None if all(type(k) is str for k in keys) else repr)
        for key in keys:
            parts.append(repr(key))
            _walk(value[key], parts)
        parts.append("}")
    elif is_dataclass(value) and not isinstance(value, type):
        parts.append(kind.__name__ + "(")
        for name in _field_names(kind):  # type: ignore[arg-type]
            _walk(getattr(value, name), parts)
        parts.append(")")
    else:
        raise TypeError(f"cannot digest a {type(value).__name__}")


def _walk_items(items: Any, parts: list[str]) -> None:
    # The items of a sequence (often thousands of documents), handled inline.
    for item in items:
        item_kind = type(item)
        if item_kind is str:
            parts.append(repr(item))
        elif hasattr(item_kind, "fingerprint") and item.fingerprint:
            parts.append(f"#{item_kind.__name__}:{item.fingerprint}")
        else:
            _walk(item, parts)
