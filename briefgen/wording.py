"""The words a site shows around its content, in the site's language: the theme's labels
("Sources", "Updated 3 May 2024"), the titles of the pages briefgen makes, the words of
feeds and search results, month names and how a date is put together.

Catalogues ship with the package, one YAML file per language (``words/en.yaml`` holds every
key and is the fallback of the others); the site's ``language`` picks one (``pt-BR`` reads
``pt-BR.yaml`` over ``pt.yaml`` over ``en.yaml``) and ``site.yaml``'s ``words:`` overrides
any key, so that a site in a language without a catalogue can supply all of them.

A text may depend on a number: a mapping of CLDR plural categories (``one``, ``few``,
``other``…) chosen with the language's rule. ``{name}`` marks a part filled in when shown;
an override may use only the parts the English text has, so that no page can fail on it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from briefgen.datetext import ENGLISH, DateWords
from briefgen.schema import ReadContext
from briefgen.suggest import did_you_mean
from briefgen.yamlsource import STR, describe

CATALOGUES = Path(__file__).with_name("words")
FALLBACK = "en"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
# A date pattern and the parts it must show.
DATE_PATTERNS = {"date": ("day", "month", "year"), "day_month": ("day", "month"),
                 "day": ("day",), "month_year": ("month", "year"), "first_day": (),
                 "approximately": ("date",)}
MONTH_LISTS = ("months", "months_alone")
_PART = re.compile(r"\{([a-z_]+)\}")
# A language tag as HTML's lang takes it (BCP 47's common shape: "ru", "pt-BR", "zh-Hant").
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")

# A catalogue's value: a text, or a text by plural category.
Text = str | tuple[tuple[str, str], ...]

try:  # the C loader is several times faster; the pure one reads the same files
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Words:
    """The words of one site. ``texts`` maps each key of ``en.yaml`` to its text."""

    language: str
    texts: Mapping[str, Text] = field(hash=False)
    dates: DateWords = ENGLISH

    def text(self, key: str, n: int | None = None, **parts: object) -> str:
        """The text of ``key`` with its parts filled in; ``n``: the number that chooses
        the plural form (and fills ``{n}``)."""
        if n is not None:
            parts["n"] = n
        return fill(self.pattern(key, n), parts)

    def pattern(self, key: str, n: int | None = None) -> str:
        """The text of ``key`` (its form for ``n``) with its ``{parts}`` as they are."""
        value = self.texts[key]
        if isinstance(value, str):
            return value
        forms = dict(value)
        category = plural_category(self.language, n if n is not None else 0)
        return forms.get(category) or forms["other"]

    def forms(self, key: str) -> dict[str, str]:
        """A text's forms by plural category (one ``other`` for a plain text), for scripts
        that choose a form themselves (``Intl.PluralRules``)."""
        value = self.texts[key]
        return {"other": value} if isinstance(value, str) else dict(value)


def fill(pattern: str, parts: Mapping[str, object]) -> str:
    """``pattern`` with each ``{part}`` it has a value for replaced by that value."""
    return _PART.sub(lambda m: str(parts[m[1]]) if m[1] in parts else m[0], pattern)


def language_tag(value: str | None) -> str | None:
    """``value`` when it is a language tag, else None (free text such as "Russian")."""
    return value if value and LANGUAGE_TAG.fullmatch(value) else None


def plural_category(language: str, n: int) -> str:
    """The CLDR plural category of a whole number in a language (those of the catalogues,
    and the common rules of the others: a language not known here has English's)."""
    tag = language.lower().replace("_", "-")
    primary = tag.split("-")[0]
    tens, hundreds = n % 10, n % 100
    if primary in ("ja", "zh", "ko", "vi", "th", "id", "ms", "lo", "my", "km"):
        return "other"
    if primary == "fr" or (primary == "pt" and tag != "pt-pt"):
        return "one" if n in (0, 1) else "other"
    if primary in ("ru", "uk", "be"):
        if tens == 1 and hundreds != 11:
            return "one"
        return "few" if 2 <= tens <= 4 and not 12 <= hundreds <= 14 else "many"
    if primary == "pl":
        if n == 1:
            return "one"
        return "few" if 2 <= tens <= 4 and not 12 <= hundreds <= 14 else "many"
    if primary in ("cs", "sk"):
        return "one" if n == 1 else "few" if 2 <= n <= 4 else "other"
    if primary == "ar":
        if n in (0, 1, 2):
            return ("zero", "one", "two")[n]
        return "few" if 3 <= hundreds <= 10 else "many" if hundreds >= 11 else "other"
    if primary == "he":
        return "one" if n == 1 else "two" if n == 2 else "other"
    return "one" if n == 1 else "other"


@functools.cache  # read once per process: a preview reads the words at every build
def _catalogue(code: str) -> dict[str, Any] | None:
    path = CATALOGUES / f"{code}.yaml"
    if not path.is_file():
        return None
    found = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return found if isinstance(found, dict) else None


def has_words(language: str) -> bool:
    """Whether briefgen has its own texts in ``language`` (in its main language at least)."""
    primary = language.replace("_", "-").split("-")[0].lower()
    return primary == FALLBACK or _catalogue(primary) is not None


def languages_with_words() -> list[str]:
    return sorted(path.stem for path in CATALOGUES.glob("*.yaml"))


def _codes(language: str) -> list[str]:
    """The catalogues of a language tag, most general first: ``en``, ``pt``, ``pt-BR``."""
    parts = language.replace("_", "-").split("-")
    found = [FALLBACK]
    for i in range(1, len(parts) + 1):
        tag = "-".join([parts[0].lower(), *parts[1:i]])
        if tag not in found:
            found.append(tag)
    return found


def _as_text(value: Any) -> Text:
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    return str(value)


def site_words(language: str, overrides: tuple[tuple[str, Any], ...] = ()) -> Words:
    """The words of a site in ``language``, with the overrides of its ``words:``."""
    texts: dict[str, Text] = {}
    dates: dict[str, Any] = {}
    layers = [list((_catalogue(code) or {}).items()) for code in _codes(language)]
    for layer in [*layers, list(overrides)]:
        for key, value in layer:
            if key != "dates":
                texts[key] = _as_text(value)
            elif "months" in value and "months_alone" not in value:  # one form of each
                dates.update(value, months_alone=value["months"])
            else:
                dates.update(value)
    return Words(language, texts, _date_words(dates))


@functools.cache
def english() -> Words:
    """The English words, as a site without ``language`` or ``words`` has them."""
    return site_words(FALLBACK)


def _date_words(found: dict[str, Any]) -> DateWords:
    months = tuple(str(m) for m in found["months"])
    alone = tuple(str(m) for m in found.get("months_alone") or months)
    words = DateWords(months, alone, **{key: str(found[key]) for key in DATE_PATTERNS
                                       if key in found})
    return ENGLISH if words == ENGLISH else words  # the one that dates show at once


def english_keys() -> dict[str, Any]:
    catalogue = _catalogue(FALLBACK)
    assert catalogue is not None, "the English catalogue ships with the package"
    return catalogue


def parts_of(value: Any) -> set[str]:
    """The ``{parts}`` a text (or each form of a plural text) uses."""
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for name in _PART.findall(str(text))}


def read_words(node: yaml.Node | None, ctx: ReadContext) -> tuple[tuple[str, Any], ...]:
    """``words:`` of site.yaml, checked against the English catalogue: each problem is a
    located error, and the key is left to the catalogue."""
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode):
        ctx.error(node, f"'words' must be a mapping of keys to texts, not {describe(node)}")
        return ()
    english = english_keys()
    found: list[tuple[str, Any]] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in english:
            ctx.error(key_node, f"unknown key '{key}' in words" + did_you_mean(key, english))
            continue
        value = _read_dates(value_node, ctx) if key == "dates" \
            else _read_text(key, value_node, english[key], ctx)
        if value is not None:
            found.append((key, value))
    return tuple(found)


def _string(node: yaml.Node, ctx: ReadContext, what: str) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == STR:
        return str(node.value)
    ctx.error(node, f"{what} expects text, not {describe(node)} (put it in quotes)")
    return None


def _read_text(key: str, node: yaml.Node, english: Any, ctx: ReadContext) -> Any:
    allowed = parts_of(english) | ({"n"} if isinstance(english, dict) else set())
    if isinstance(node, yaml.MappingNode) and isinstance(english, dict):
        forms: dict[str, str] = {}
        for form_node, text_node in node.value:
            form = str(form_node.value)
            if form not in CATEGORIES:
                ctx.error(form_node, f"'{form}' is not a plural form; use "
                                     f"{', '.join(CATEGORIES)}" + did_you_mean(form, CATEGORIES))
                continue
            text = _string(text_node, ctx, f"'words.{key}.{form}'")
            if text is not None and _parts_ok(key, text, allowed, text_node, ctx):
                forms[form] = text
        if "other" not in forms:
            ctx.error(node, f"'words.{key}' needs an 'other' form (the text for most numbers)")
            return None
        return forms
    text = _string(node, ctx, f"'words.{key}'")
    if text is None or not _parts_ok(key, text, allowed, node, ctx):
        return None
    return text


def _parts_ok(key: str, text: str, allowed: set[str], node: yaml.Node,
              ctx: ReadContext) -> bool:
    unknown = sorted(set(_PART.findall(text)) - allowed)
    if unknown:
        has = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "no part"
        ctx.error(node, f"'words.{key}' uses {{{unknown[0]}}}, which is not filled in "
                        f"this text (it has {has})")
        return False
    return True


def _read_dates(node: yaml.Node, ctx: ReadContext) -> dict[str, Any] | None:
    if not isinstance(node, yaml.MappingNode):
        ctx.error(node, f"'words.dates' must be a mapping, not {describe(node)}")
        return None
    found: dict[str, Any] = {}
    known = (*MONTH_LISTS, *DATE_PATTERNS)
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in known:
            ctx.error(key_node, f"unknown key '{key}' in words.dates" + did_you_mean(key, known))
        elif key in MONTH_LISTS:
            months = _read_months(key, value_node, ctx)
            if months is not None:
                found[key] = months
        else:
            text = _string(value_node, ctx, f"'words.dates.{key}'")
            if text is not None and _pattern_ok(key, text, value_node, ctx):
                found[key] = text
    return found


def _read_months(key: str, node: yaml.Node, ctx: ReadContext) -> list[str] | None:
    if not isinstance(node, yaml.SequenceNode) or len(node.value) != 12:
        ctx.error(node, f"'words.dates.{key}' must be a list of the 12 month names, "
                        "January first")
        return None
    names = [_string(item, ctx, f"an item of 'words.dates.{key}'") for item in node.value]
    for item, name in zip(node.value, names, strict=True):
        if name is not None and ("{" in name or "}" in name):
            ctx.error(item, f"a month name in 'words.dates.{key}' cannot hold braces")
            return None
    return [n for n in names if n is not None] if all(n is not None for n in names) else None


def _pattern_ok(key: str, text: str, node: yaml.Node, ctx: ReadContext) -> bool:
    needed = DATE_PATTERNS[key]
    used = set(_PART.findall(text))
    missing = [p for p in needed if p not in used]
    unknown = sorted(used - set(needed))
    if missing or unknown:
        wanted = " and ".join(f"{{{p}}}" for p in needed) or "no part"
        ctx.error(node, f"'words.dates.{key}' must show {wanted}" +
                        (f", not {{{unknown[0]}}}" if unknown else ""))
        return False
    return True
