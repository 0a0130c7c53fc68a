"""The settings a build reads, split by what reads them, so that changing one (the site's
title) does not make everything that reads another (how Markdown is parsed) stale."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefgen.config import SiteConfig
from briefgen.datetext import DateStyle
from briefgen.wording import Words, english, site_words


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True, slots=True)
class ParseSettings:
    """What shapes the parse of a file: raw HTML allowed or not, the time zone of dates,
    the language of month names in dates written another way."""

    unsafe_html: bool
    timezone: str
    language: str = "en"

    @property
    def zone(self) -> tzinfo:
        return _zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Flags:
    """How this build was asked for (the clock is not a flag: see ``Reader.now``)."""

    drafts: bool
    future: bool
    versioned_assets: bool  # asset URLs end in ?v=<digest> (not in the preview)


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """What pages, feeds and exports show of the configuration."""

    title: str
    description: str
    language: str
    base_url: str
    timezone: str
    citation_style: str
    feed_limit: int
    # The texts shown around the content, in the site's language (English by default).
    words: Words = field(default_factory=english)

    @property
    def zone(self) -> tzinfo:
        return _zone(self.timezone)

    @property
    def dates(self) -> DateStyle:
        """How dates are shown, as the templates' ``time`` filter shows them."""
        return DateStyle.for_site(self.language, self.zone, self.words.dates)


def parse_settings(config: SiteConfig) -> ParseSettings:
    return ParseSettings(config.unsafe_html, config.timezone_name, config.language)


def site_settings(config: SiteConfig) -> SiteSettings:
    return SiteSettings(config.title, config.description, config.language, config.base_url,
                        config.timezone_name, config.citation_style, config.feed_limit,
                        site_words(config.language, config.words))
