"""The kinds of output files, apart from the code that plans and makes them (``plan``): the
engine's kinds are declared from these before any of that code is needed."""

from __future__ import annotations

OUTPUT_KINDS = ("page", "briefing_page", "actor_page", "source_page", "year_page", "tag_page",
                "free_page", "feed", "actor_feed", "tag_feed", "briefing_feed", "export",
                "asset_file", "static_file", "search_file", "image_copy")

# The exports that only join pieces in the order of their indexes (see ``Kind.spliced``).
SPLICED_EXPORTS = frozenset({"api/briefings.json", "api/entries.json", "api/actors.json",
                             "api/sources.json", "api/timelinejs.json"})
# The same for single pages: the timeline lists every entry of the site, /briefings/ every
# briefing's card.
SPLICED_PAGES = frozenset({"timeline", "briefings"})
# And whole kinds of pages: the entries of an actor, a source, a year (a topic page joins
# nothing in the default theme, but a theme's may).
SPLICED_KINDS = frozenset({"actor_page", "source_page", "year_page", "tag_page"})
