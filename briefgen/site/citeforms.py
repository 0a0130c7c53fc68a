"""How a citation reads (SPEC §6, §12): one grammar, two styles, two places.

On a page that has a Sources list, a numeric citation is ``[see 1, p. 4; 2]`` and an in-text one
``Wire [1, p. 4]``; in the author-date style ``(see Vance 2023, p. 4; Wire 2022)`` and
``Vance (2023, p. 4)``, the year alone when the author is suppressed (``[-@a]``). Each links
to the source's item in the list. Where there is no list (cards, feeds, meta descriptions) a
number would point at nothing, so a numeric citation names the publisher instead
(``(see Wire, p. 4)``, ``Wire (p. 4)``) and an author-date one keeps its words; neither links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from briefgen.citations import CiteItem, Phrase

SOURCE_ANCHOR = "bg-source-"
NUMERIC = "numeric"


@dataclass(frozen=True, slots=True)
class Shown:
    """What a cited source is shown as."""

    id: str
    title: str
    number: int  # in the page's Sources list
    author: str  # the name of the author-date style ("" in the numeric style)
    publisher: str  # as the Sources list shows it ("" where the numeric style shows a number)
    year: str


@dataclass(frozen=True, slots=True)
class Cited:
    item: CiteItem
    source: Shown | None  # None: the id names no source (reported), shown as written


class _Words:
    """HTML and plain text written side by side."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.text: list[str] = []

    def add(self, phrase: Phrase) -> None:
        self.html.append(phrase.html)
        self.text.append(phrase.text)

    def plain(self, text: str) -> None:
        self.add(Phrase(escape(text), text))

    def label(self, text: str, source: Shown, linked: bool) -> None:
        if not linked:
            self.plain(text)
            return
        self.html.append(f'<a href="#{SOURCE_ANCHOR}{escape(source.id)}" '
                         f'title="{escape(source.title)}">{escape(text)}</a>')
        self.text.append(text)

    def phrase(self, css: str) -> Phrase:
        return Phrase(f'<span class="{css}">{"".join(self.html)}</span>', "".join(self.text))


def bracketed(cited: Sequence[Cited], style: str, linked: bool) -> Phrase:
    """A citation in brackets (``[@a, p. 4; see @b]``), where a Sources list is (``linked``)
    or where none is."""
    numbers = style == NUMERIC and linked
    plain = all(not c.item.prefix.text and not c.item.suffix.text for c in cited)
    separator = ", " if numbers and plain else "; "
    words = _Words()
    words.plain("[" if numbers else "(")
    for index, one in enumerate(cited):
        if index:
            words.plain(separator)
        if one.item.prefix.text:
            words.add(one.item.prefix)
            words.plain(" ")
        source = one.source
        if source is None:
            words.plain(f"@{one.item.source_id}")
        elif numbers:
            words.label(str(source.number), source, linked)
        elif style == NUMERIC:
            words.plain(source.publisher)
        else:
            name = source.year if one.item.suppress_author else f"{source.author} {source.year}"
            words.label(name, source, linked)
        words.add(one.item.suffix)
    words.plain("]" if numbers else ")")
    return words.phrase("bg-cite")


def intext(cited: Cited, style: str, linked: bool) -> Phrase:
    """An in-text citation of a source (``@a [p. 4]``), where a Sources list is (``linked``)
    or where none is."""
    source, suffix = cited.source, cited.item.suffix
    assert source is not None  # an in-text id that names no source stays as written
    words = _Words()
    if style == NUMERIC and not linked:
        words.plain(source.publisher)
        if suffix.text:
            words.plain(" (")
            words.add(Phrase(suffix.html.removeprefix(", "), suffix.text.removeprefix(", ")))
            words.plain(")")
        return words.phrase("bg-cite bg-cite-intext")
    numeric = style == NUMERIC
    words.plain(f"{source.publisher} [" if numeric else f"{source.author} (")
    words.label(str(source.number) if numeric else source.year, source, linked)
    words.add(suffix)
    words.plain("]" if numeric else ")")
    return words.phrase("bg-cite bg-cite-intext")
