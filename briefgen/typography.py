"""Typographic marks in Markdown prose: quotation marks of the site's language, dashes, the
ellipsis, and French spacing before high punctuation.

Only the ``text`` tokens of an inline run are touched, as soon as it is parsed: code spans,
raw HTML shown as text, character escapes and entities (``\\"``, ``&quot;``), autolinks,
bare URLs, link targets and citations are other tokens and keep what the editor typed, and
so does every YAML text field (titles, names), which never goes through Markdown. Quotation
marks are paired by markdown-it-py's own smartquotes pass; only the marks are the language's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from markdown_it.rules_core.smartquotes import process_inlines
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

NBSP, NNBSP = "\u00a0", "\u202f"
VERBATIM = "briefgenVerbatim"  # set in a parse's env: its text is left as typed

# Double open, double close, single open, single close (after CLDR's delimiters); the
# apostrophe is ’ in every language. Looked up by the whole tag, then its language.
_QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "de-ch": ("«", "»", "‹", "›"),
    "fr": (f"«{NBSP}", f"{NBSP}»", "“", "”"),
    "es": ("«", "»", "“", "”"),
    "ca": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("«", "»", "“", "”"),
    "pt-br": ("“", "”", "‘", "’"),
    "nl": ("‘", "’", "“", "”"),
    "da": ("“", "”", "‘", "’"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "nb": ("«", "»", "‘", "’"),
    "nn": ("«", "»", "‘", "’"),
    "no": ("«", "»", "‘", "’"),
    "pl": ("„", "”", "«", "»"),
    "cs": ("„", "“", "‚", "‘"),
    "sk": ("„", "“", "‚", "‘"),
    "sl": ("„", "“", "‚", "‘"),
    "hr": ("„", "“", "‚", "‘"),
    "sr": ("„", "“", "‘", "’"),
    "et": ("„", "“", "‚", "‘"),
    "lt": ("„", "“", "‚", "‘"),
    "ro": ("„", "”", "«", "»"),
    "hu": ("„", "”", "»", "«"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "be": ("«", "»", "„", "“"),
    "bg": ("„", "“", "„", "“"),
    "el": ("«", "»", "“", "”"),
    "tr": ("“", "”", "‘", "’"),
    "he": ("”", "”", "’", "’"),
    "ar": ("«", "»", "“", "”"),
    "fa": ("«", "»", "“", "”"),
    "ja": ("「", "」", "『", "』"),
    "zh": ("“", "”", "‘", "’"),
    "zh-hant": ("「", "」", "『", "』"),
    "zh-tw": ("「", "」", "『", "』"),
    "zh-hk": ("「", "」", "『", "』"),
    "ko": ("“", "”", "‘", "’"),
}
DEFAULT_QUOTES = _QUOTES["en"]

_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.M)
_EN_DASH_SPACED = re.compile(r"(^|\s)--(?=\s|$)", re.M)
_EN_DASH = re.compile(r"(^|[^-\s])--(?=[^-\s]|$)", re.M)
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
# French: a no-break space before ; ! ? (narrow) and : (full width), so that they never
# start a line.
_FRENCH_NARROW = re.compile(r" ([;!?])")
_FRENCH_COLON = re.compile(r" :(?=\s|$)")
# Raw HTML (see ``_raw_html_apart``).
RAW_HTML = "briefgenRawHtml"  # in the meta of raw HTML shown as text
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
_CODE_ELEMENTS = frozenset({"script", "style", "code", "pre", "kbd", "samp", "var", "textarea",
                            "math", "svg"})
# A URL written as text: kept as typed (its dashes and quotes are part of an address).
_URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>]+")


def quotes_for(language: str) -> tuple[str, str, str, str]:
    """The quotation marks of a language tag (``de-AT`` → German's)."""
    parts = language.lower().replace("_", "-").split("-")
    for length in range(len(parts), 0, -1):
        found = _QUOTES.get("-".join(parts[:length]))
        if found is not None:
            return found
    return DEFAULT_QUOTES


@dataclass(frozen=True, slots=True)
class Typesetter:
    """The typography of one language, applied to each inline run as it is parsed."""

    quotes: tuple[str, str, str, str]
    french: bool = False

    @classmethod
    def for_language(cls, language: str) -> Typesetter:
        return cls(quotes_for(language), language.lower().split("-")[0] == "fr")

    def apply(self, inline: Token, state: StateCore, before: Token | None = None) -> None:
        """Typeset the children of ``inline`` (its source tells whether any can change).
        ``state.md.options.quotes`` must hold ``self.quotes``. ``before``: what the text of
        the children follows, when they are the rest of a run cut short (see ``closed``)."""
        text = inline.content  # the test of ``wanted``, written out: it runs on every run
        if inline.children and ("'" in text or '"' in text or "--" in text or "..." in text
                                or (self.french and self.wanted(text))):
            self.typeset(inline.children, state, before)

    def closed(self, run: list[Token], source: str, state: StateCore,
               before: Token | None) -> list[Token] | None:
        """``run``, the first tokens of a long inline run, typeset as they would be with the
        whole run, if nothing in them waits for a token still to come: no quotation mark
        left unpaired, no raw HTML element left open. Otherwise None, and ``run`` untouched.
        ``source``: the text the tokens were parsed from; ``before``: what it follows."""
        if _open_elements(run):
            return None
        if not self.wanted(source):
            return run
        trial = [_copy(token) for token in run]
        self.typeset(trial, state, before)
        # A quotation mark still straight may be an opener that a later mark would close.
        if any(token.type == "text" and ("'" in token.content or '"' in token.content)
               for token in trial):
            return None
        return trial

    def wanted(self, text: str) -> bool:
        """Whether anything in ``text`` may change (substring tests: most text has none of
        these, and a test of each is quicker than one pattern)."""
        return "'" in text or '"' in text or "--" in text or "..." in text or (
            self.french and any(f" {mark}" in text for mark in ";:!?"))

    def typeset(self, children: list[Token], state: StateCore,
                before: Token | None = None) -> None:
        children[:] = list(_with_urls_apart(_raw_html_apart(children)))
        for token in children:
            if token.type == "text":
                token.content = self._marks(token.content)
            elif token.type == "image":  # its alt text and its caption (title) are prose
                self.typeset(token.children or [], state)
                title = token.attrGet("title")
                if title:
                    token.attrSet("title", self._phrase(str(title), state))
            elif token.type == "wikilink" and token.meta["label"]:
                token.meta["label"] = self._phrase(token.meta["label"], state)
        with _links_as_shown(children):
            # The mark before the first one is told apart by the character before it.
            process_inlines(children if before is None else [before, *children], state)

    def _phrase(self, text: str, state: StateCore) -> str:
        """Prose held outside the text of the run: a link's own label (its target is not
        prose), an image's caption (its address is not)."""
        if not self.wanted(text):
            return text
        alone = [Token("text", "", 0, content=text)]
        self.typeset(alone, state)
        return "".join(token.content for token in alone)

    def _marks(self, text: str) -> str:
        if "--" in text:
            text = _EM_DASH.sub("\\1\u2014", text)
            text = _EN_DASH_SPACED.sub("\\1\u2013", text)
            text = _EN_DASH.sub("\\1\u2013", text)
        if "..." in text:
            text = _ELLIPSIS.sub("…", text)
        if self.french and " " in text:
            text = _FRENCH_NARROW.sub(NNBSP + "\\1", text)
            text = _FRENCH_COLON.sub(NBSP + ":", text)
        return text


def _raw_html_apart(children: list[Token]) -> list[Token]:
    """Text inside raw HTML elements keeps what was typed (made ``text_special``): inside
    any element when raw HTML is shown as text (``<b>"x"</b>`` is shown as written), and
    inside elements whose text is code when it is passed through (``<script>``, ``<code>``)."""
    _follow_elements(children, mark=True)
    return children


def _open_elements(children: list[Token]) -> list[str]:
    """The raw HTML elements that ``_raw_html_apart`` would find open after ``children``."""
    return _follow_elements(children, mark=False)


def _follow_elements(children: list[Token], mark: bool) -> list[str]:
    open_tags: list[str] = []
    for token in children:
        shown = token.type == "text_special" and token.meta.get(RAW_HTML)
        if shown or token.type == "html_inline":
            _follow_tag(token.content, open_tags, everything=bool(shown))
        elif mark and token.type == "text" and open_tags:
            token.type = "text_special"
    return open_tags


def _copy(token: Token) -> Token:
    """A copy that typesetting can change without changing ``token``."""
    return token.copy(attrs=dict(token.attrs), meta=dict(token.meta),
                      children=[_copy(child) for child in token.children]
                      if token.children is not None else None)


def shown_before(token: Token) -> Token:
    """What the text after ``token`` follows, for pairing quotation marks: a link's words
    (as ``_links_as_shown`` has them), any other token's text."""
    content = token.meta["label"] or token.meta["target"] if token.type == "wikilink" \
        else token.content
    return Token("text_special", "", 0, content=content, level=token.level)


def _follow_tag(tag: str, open_tags: list[str], everything: bool) -> None:
    match = _TAG.match(tag)
    if match is None:
        return
    closing, name = match.group(1) == "/", match.group(2).lower()
    if closing:
        if name in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name):]
    elif not tag.rstrip().endswith("/>") and name not in _VOID \
            and (everything or name in _CODE_ELEMENTS):
        open_tags.append(name)


def _with_urls_apart(children: list[Token]) -> Iterator[Token]:
    """The tokens, with every URL kept as typed: an autolink's text and each URL written in
    text become ``text_special`` (markdown-it's kind for escaped characters, which no
    typographic rule touches and which is joined back into the text afterwards)."""
    in_autolink = False
    for token in children:
        if token.type == "link_open" and token.info == "auto":
            in_autolink = True
        elif token.type == "link_close" and token.info == "auto":
            in_autolink = False
        elif token.type == "text" and in_autolink:
            token.type = "text_special"
        elif token.type == "text" and ("://" in token.content or "www." in token.content):
            yield from _split_urls(token)
            continue
        yield token


def _split_urls(token: Token) -> Iterator[Token]:
    last = 0
    for match in _URL.finditer(token.content):
        if match.start() > last:
            yield _piece(token, "text", token.content[last:match.start()])
        yield _piece(token, "text_special", match.group(0))
        last = match.end()
    if last < len(token.content):
        yield _piece(token, "text", token.content[last:])


def _piece(token: Token, kind: str, content: str) -> Token:
    return Token(kind, "", 0, content=content, level=token.level)


@contextmanager
def _links_as_shown(children: list[Token]) -> Iterator[None]:
    """While quotes are paired, a ``[[link]]`` stands for the words it shows, so that the
    quote in ``[[lavrov]]'s`` follows a letter (an apostrophe), not a bracket."""
    links = [(token, token.content) for token in children if token.type == "wikilink"]
    for token, _ in links:
        token.content = token.meta["label"] or token.meta["target"]
    try:
        yield
    finally:
        for token, content in links:
            token.content = content
