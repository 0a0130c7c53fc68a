"""Atom feeds are written as text: whatever the titles and summaries hold, the feed is
well-formed XML that gives every value back exactly."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from briefgen.config import load_config
from briefgen.site.settings import site_settings
from briefgen.urls import Urls
from briefgen.web.feeds import ATOM_NS, FeedItem, atom

ROOT = Path(__file__).resolve().parent.parent
# Any text XML 1.0 allows, but not CR, which an XML parser turns into LF in element text.
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r")
                   | st.sampled_from("\n\t&<>\"'"))
A = f"{{{ATOM_NS}}}"


@given(title=xml_text, summary=xml_text, category=xml_text, author=xml_text, link=xml_text)
def test_feed_is_well_formed_and_keeps_every_value(title, summary, category, author, link):
    config, _ = load_config(ROOT)
    assert config is not None
    when = datetime(2022, 1, 31, tzinfo=UTC)
    item = FeedItem("urn:x", title, link, when, when, summary, (category,), (author,))
    root = ET.fromstring(atom(site_settings(config), Urls(config.base_url), "feed.xml", "", "Site", [item]))
    entry = root.find(f"{A}entry")
    assert entry is not None
    assert (entry.findtext(f"{A}title") or "") == title
    assert (entry.findtext(f"{A}summary") or "") == summary
    assert (entry.findtext(f"{A}author/{A}name") or "") == author
    found = entry.find(f"{A}category")
    assert found is not None and found.get("term") == category
    found = entry.find(f"{A}link")
    assert found is not None and found.get("href") == link
