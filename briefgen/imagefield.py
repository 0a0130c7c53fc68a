"""The ``image:`` key of front matter: ``{src, alt, caption?, credit?}`` (SPEC §3, §4).

``alt`` is required but may be empty: ``alt: ""`` says the image is decoration, which only
the editor can know, so leaving the key out (or writing it without a value) is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from briefgen.model import ImageSpec
from briefgen.schema import (
    INVALID,
    Field,
    ReadContext,
    Record,
    Text,
    read_record,
)
from briefgen.yamlsource import NULL, STR

IMAGE_KEYS: dict[str, Field] = {
    "src": Field(Text(), required=True),
    "caption": Field(Text(literal=True)),
    "credit": Field(Text(literal=True)),
}
_ALT_HINT = ("describe what it shows for readers who cannot see it, or write alt: \"\" if it "
             "is only decoration")


@dataclass(frozen=True, slots=True)
class ImageOf:
    """Reads an image mapping into an ``ImageSpec``."""

    def read(self, node: yaml.Node, ctx: ReadContext, key: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == STR:
            ctx.error(node, f"'{key}' expects src and alt, not a path alone; write "
                            f"{key}: {{src: {node.value}, alt: \"What it shows\"}}")
            return INVALID
        record = read_record(node, IMAGE_KEYS, ctx, "an image", frozenset({"alt"}))
        if not isinstance(record, Record):
            return INVALID
        alt = _alt(record, ctx)
        src = record.get("src")
        if not isinstance(src, str) or alt is None:
            return INVALID
        return ImageSpec(src.strip(), alt, _text(record, "caption"), _text(record, "credit"),
                         record.where("src"), max(1, len(src)))


def _alt(record: Record, ctx: ReadContext) -> str | None:
    node = record.get("alt")
    if node is None:
        ctx.diags.error(record.loc, f"missing required key 'alt' in an image; {_ALT_HINT}")
        return None
    assert isinstance(node, yaml.Node)
    if isinstance(node, yaml.ScalarNode) and node.tag == NULL:
        ctx.error(node, f"'alt' has no value; {_ALT_HINT}")
        return None
    alt = Text(literal=True).read(node, ctx, "alt")  # an attribute: Markdown shows as typed
    return alt if isinstance(alt, str) else None


def _text(record: Record, key: str) -> str | None:
    value = record.get(key)
    return value.strip() or None if isinstance(value, str) else None
