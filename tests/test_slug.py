"""Slugs of tags and headings in any script, ASCII ids, and Unicode-equal names (SPEC §12)."""

from __future__ import annotations

import unicodedata

import pytest

from briefgen.slug import id_slug, is_valid_id, name_key, nfc, slugify


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize("text,slug", [
    ("EU institutions", "eu-institutions"),
    ("Russia–Ukraine crisis", "russia-ukraine-crisis"),
    ("Dragoș Tudorache!", "dragos-tudorache"),
    ("Straße & Œuvre", "strasse-oeuvre"),
    ("Дипломатия", "дипломатия"),
    ("Переговоры в Женеве", "переговоры-в-женеве"),
    ("外交", "外交"),
    ("カレー・ライス", "カレー-ライス"),  # the prolonged sound mark is a letter, the dot is not
    ("Ελληνική Δημοκρατία", "ελληνική-δημοκρατία"),  # accents kept off Latin letters
    ("हिन्दी भाषा", "हिन्दी-भाषा"),  # vowel signs and virama stay with their letters
    ("سياسة خارجية", "سياسة-خارجية"),
    ("Kyiv / Київ 2022", "kyiv-київ-2022"),
    ("  --!!--  ", ""),
])
def test_slug_keeps_letters_of_every_script(text, slug):
    assert slugify(text) == slug


def test_decomposed_and_composed_text_have_one_slug():
    for text in ("José Müller", "Йошкар-Ола", "Ελληνική", "Hồ Chí Minh"):
        assert slugify(nfd(text)) == slugify(text)
        assert unicodedata.is_normalized("NFC", slugify(nfd(text)))


def test_ids_for_file_names_stay_ascii():
    assert id_slug("Bad_Id") == "bad-id"
    assert id_slug("Dragoș") == "dragos"
    assert id_slug("Дипломатия") == ""  # no ASCII letter to keep: the caller proposes one
    assert not is_valid_id("дипломатия")


def test_name_keys_ignore_case_and_encoding():
    assert name_key(nfd("JOSÉ MÜLLER")) == name_key("josé müller")
    assert name_key("İstanbul") == name_key(nfd("İSTANBUL"))
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("José") != name_key("Jose")  # accents are not folded in names
    assert nfc(nfd("Müller")) == "Müller"
