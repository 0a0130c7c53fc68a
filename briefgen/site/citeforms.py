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
CITE_ANCHOR = "bg-cite-"  # the id of a citation's link: bg-cite-<source-id>-<n>
NUMERIC = "numeric"


@dataclass(frozen=True, slots=True)
class Shown:
    """What a cited source is shown as."""

    number: int  # in the page's Sources list
    author: str  # the name of the author-date style ("" in the numeric style)
    publisher: str  # as the Sources list shows it ("" where the numeric style shows a number)
    year: str
    attributes: str  # of a link to its item in the Sources list

    @staticmethod
    def of(source_id: str, title: str, number: int, author: str, publisher: str,
           year: str) -> Shown:
        return Shown(number, author, publisher, year,
                     f' href="#{SOURCE_ANCHOR}{escape(source_id)}" title="{escape(title)}"')

    def link(self, anchor: str) -> str:
        """The opening tag of a link to the source's item; ``anchor`` is the link's own id,
        which the item links back to ("" for none)."""
        return f'<a id="{anchor}"{self.attributes}>' if anchor else f"<a{self.attributes}>"


def cite_anchor(source_id: str, occurrence: int) -> str:
    """The id of a page's ``occurrence``-th link to a source's item (from 1)."""
    return f"{CITE_ANCHOR}{source_id}-{occurrence}"


@dataclass(frozen=True, slots=True)
class Cited:
    item: CiteItem
    source: Shown | None  # None: the id names no source (reported), shown as written
    anchor: str = ""  # the id of its link (see ``Shown.link``)

    def unmarked(self) -> Cited:
        """The same citation without an id, for a second copy on one page."""
        return Cited(self.item, self.source) if self.anchor else self


class _Words:
    """HTML and plain text written side by side."""

    __slots__ = ("html", "text")

    def __init__(self, first: str) -> None:
        self.html, self.text = [first], [first]

    def mark(self, mark: str) -> None:
        """Punctuation, which needs no escaping."""
        self.html.append(mark)
        self.text.append(mark)

    def add(self, phrase: Phrase) -> None:
        self.html.append(phrase.html)
        self.text.append(phrase.text)

    def name(self, text: str, source: Shown | None = None, anchor: str = "") -> None:
        """Words of the site's data; a link to the Sources list with ``source``."""
        self.html.append(f"{source.link(anchor)}{escape(text)}</a>" if source else escape(text))
        self.text.append(text)

    def phrase(self, css: str) -> Phrase:
        return Phrase(f'<span class="{css}">{"".join(self.html)}</span>', "".join(self.text))


def bracketed(cited: Sequence[Cited], style: str, linked: bool) -> Phrase:
    """A citation in brackets (``[@a, p. 4; see @b]``), where a Sources list is (``linked``)
    or where none is."""
    numbers = style == NUMERIC and linked
    only = cited[0] if len(cited) == 1 else None
    if numbers and only and only.source and not only.item.prefix.text:
        # The usual citation, [@id] or [@id, p. 4], written at once.
        number, suffix = str(only.source.number), only.item.suffix
        return Phrase(f'<span class="bg-cite">[{only.source.link(only.anchor)}{number}</a>'
                      f'{suffix.html}]</span>',
                      f"[{number}{suffix.text}]")
    plain = all(not c.item.prefix.text and not c.item.suffix.text for c in cited)
    separator = ", " if numbers and plain else "; "
    words = _Words("[" if numbers else "(")
    for index, one in enumerate(cited):
        if index:
            words.mark(separator)
        if one.item.prefix.text:
            words.add(one.item.prefix)
            words.mark(" ")
        source = one.source
        link = source if linked else None
        if source is None:
            words.name(f"@{one.item.source_id}")
        elif numbers:
            words.name(str(source.number), link, one.anchor)
        elif style == NUMERIC:
            words.name(source.publisher)
        else:
            name = source.year if one.item.suppress_author else f"{source.author} {source.year}"
            words.name(name, link, one.anchor)
        words.add(one.item.suffix)
    words.mark("]" if numbers else ")")
    return words.phrase("bg-cite")


def intext(cited: Cited, style: str, linked: bool) -> Phrase:
    """An in-text citation of a source (``@a [p. 4]``), where a Sources list is (``linked``)
    or where none is."""
    source, suffix = cited.source, cited.item.suffix
    assert source is not None  # an in-text id that names no source stays as written
    numeric = style == NUMERIC
    words = _Words("")
    words.name(source.publisher if numeric else source.author)
    if numeric and not linked:
        if suffix.text:
            words.mark(" (")
            words.add(Phrase(suffix.html.removeprefix(", "), suffix.text.removeprefix(", ")))
            words.mark(")")
        return words.phrase("bg-cite bg-cite-intext")
    words.mark(" [" if numeric else " (")
    words.name(str(source.number) if numeric else source.year, source if linked else None,
               cited.anchor)
    words.add(suffix)
    words.mark("]" if numeric else ")")
    return words.phrase("bg-cite bg-cite-intext")
