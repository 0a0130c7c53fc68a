"""Where every page lives: site-relative paths, links under base_url, absolute URLs."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

# The site's sections, in the order of the menu, by the key of their name in the site's words;
# the free pages follow them there.
SECTIONS = (("briefings", "briefings/"), ("timeline", "timeline/"), ("actors", "actors/"),
            ("sources", "sources/"), ("topics", "tags/"))


@dataclass(frozen=True, slots=True)
class Urls:
    """Links in pages are root-relative (``/briefs/actors/x/``) so the same HTML works under
    the preview server; feeds, JSON and metadata use absolute URLs."""

    base_url: str

    @property
    def prefix(self) -> str:
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def link(self, rel: str) -> str:
        """``rel`` is a site path such as ``actors/x/`` or ``feed.xml``."""
        return self.prefix + _quote(rel)

    def absolute(self, rel: str) -> str:
        return _absolute(self.base_url, rel)

    @staticmethod
    def fragment(element_id: str) -> str:
        """A link to an element of the same page: ``#`` and the id, percent-encoded as every
        other URL is (entry ids may hold letters of any script)."""
        return "#" + _quote(element_id)

    # Site paths of every kind of page.
    @staticmethod
    def briefing(briefing_id: str, entry_id: str | None = None) -> str:
        return f"briefings/{briefing_id}/" + (f"#{entry_id}" if entry_id else "")

    @staticmethod
    def actor(actor_id: str) -> str:
        return f"actors/{actor_id}/"

    @staticmethod
    def source(source_id: str) -> str:
        return f"sources/{source_id}/"

    @staticmethod
    def tag(slug: str) -> str:
        return f"tags/{slug}/"

    @staticmethod
    def year(year: int) -> str:
        return f"timeline/{year}/"

    @staticmethod
    def page(page_id: str) -> str:
        return f"{page_id}/"


@functools.lru_cache(maxsize=65536)
def _quote(rel: str) -> str:
    return quote(rel, safe="/#:@!$&'()*+,;=-._~%")


@functools.lru_cache(maxsize=65536)
def _absolute(base_url: str, rel: str) -> str:
    urls = Urls(base_url)
    return urls.origin + urls.link(rel)


def output_file(rel: str) -> str:
    """The file a site path is written to: ``actors/x/`` → ``actors/x/index.html``."""
    rel = rel.split("#", 1)[0]
    if rel == "" or rel.endswith("/"):
        return rel + "index.html"
    return rel
