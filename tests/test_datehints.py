"""Dates written another way at the start of a heading, read back into the ISO form."""

from __future__ import annotations

import pytest

from briefgen.datehints import LANGUAGES, misdated, month_table


@pytest.mark.parametrize("heading,written,readings", [
    ("27 September 2023 Talks resume", "27 September 2023", ("2023-09-27",)),
    ("27th of September 2023", "27th of September 2023", ("2023-09-27",)),
    ("September 27, 2023 Talks", "September 27, 2023", ("2023-09-27",)),
    ("Sept. 27 2023", "Sept. 27 2023", ("2023-09-27",)),
    ("sep 7th, 2023: a note", "sep 7th, 2023", ("2023-09-07",)),
    ("09/27/2023 Talks", "09/27/2023", ("2023-09-27",)),
    ("27/09/2023 Talks", "27/09/2023", ("2023-09-27",)),
    ("27.09.2023", "27.09.2023", ("2023-09-27",)),
    ("27-09-2023 x", "27-09-2023", ("2023-09-27",)),
    ("2023/09/27 x", "2023/09/27", ("2023-09-27",)),
    ("2023.9.7 x", "2023.9.7", ("2023-09-07",)),
    # Numeric forms with two readings offer both, oldest first.
    ("03/04/2023 Talks", "03/04/2023", ("2023-03-04", "2023-04-03")),
    ("4.3.2023", "4.3.2023", ("2023-03-04", "2023-04-03")),
    ("05/05/2023 x", "05/05/2023", ("2023-05-05",)),
    # Ranges joined another way than "..".
    ("2023-09-20–2023-09-24 Summit", "2023-09-20–2023-09-24", ("2023-09-20..2023-09-24",)),
    ("2023-09-20—2023-09-24 Summit", "2023-09-20—2023-09-24", ("2023-09-20..2023-09-24",)),
    ("2023-09-20 .. 2023-09-24 Summit", "2023-09-20 .. 2023-09-24", ("2023-09-20..2023-09-24",)),
    ("2023-09-20 – 2023-09-24 Summit", "2023-09-20 – 2023-09-24", ("2023-09-20..2023-09-24",)),
    ("2023-09-20 - 2023-09-24 Summit", "2023-09-20 - 2023-09-24", ("2023-09-20..2023-09-24",)),
    ("2023-09-20/2023-09-24 Summit", "2023-09-20/2023-09-24", ("2023-09-20..2023-09-24",)),
    ("2023-09 to 2023-11 Talks", "2023-09 to 2023-11", ("2023-09..2023-11",)),
    ("20–24 September 2023 Summit", "20–24 September 2023", ("2023-09-20..2023-09-24",)),
    ("September 20-24, 2023 Summit", "September 20-24, 2023", ("2023-09-20..2023-09-24",)),
    # A time after a space, a date glued to punctuation.
    ("2023-09-27 14:30 Vote", "2023-09-27 14:30", ("2023-09-27T14:30",)),
    ("2023-09-27: Vote", "2023-09-27:", ("2023-09-27",)),
    # As word processors and hurried hands type them.
    ("2023–09–27 Vote", "2023–09–27", ("2023-09-27",)),
    ("2023\u201109\u201127 Vote", "2023\u201109\u201127", ("2023-09-27",)),
    ("2023\u221209 Vote", "2023\u221209", ("2023-09",)),
    ("2023-09-27—Vote", "2023-09-27—", ("2023-09-27",)),
    ("2023-09-27|Vote", "2023-09-27|", ("2023-09-27",)),
    ("**2023-09-27** Vote", "**2023-09-27**", ("2023-09-27",)),
    ("_2023-09-27_ Vote", "_2023-09-27_", ("2023-09-27",)),
    ("~ 2023-09 Talks", "~ 2023-09", ("~2023-09",)),
    ("c. 2023 Talks", "c. 2023", ("~2023",)),
    ("circa 2023-09 Talks", "circa 2023-09", ("~2023-09",)),
    ("2023-Sep-27 Vote", "2023-Sep-27", ("2023-09-27",)),
    ("27-sept-2023 Vote", "27-sept-2023", ("2023-09-27",)),
    ("2023-09-27T2:30pm Vote", "2023-09-27T2:30pm", ("2023-09-27T14:30",)),
    ("2023-09-27 2:30 p.m. Vote", "2023-09-27 2:30 p.m.", ("2023-09-27T14:30",)),
    ("2023-09-27T12:05am Vote", "2023-09-27T12:05am", ("2023-09-27T00:05",)),
    ("2023-09-27 9am Vote", "2023-09-27 9am", ("2023-09-27T09:00",)),
    ("2023-09-27 2 pm Vote", "2023-09-27 2 pm", ("2023-09-27T14:00",)),
    ("Wednesday, 27 September 2023 Vote", "Wednesday, 27 September 2023", ("2023-09-27",)),
    ("Wed. September 27, 2023", "Wed. September 27, 2023", ("2023-09-27",)),
    ("27/09/23 Vote", "27/09/23", ("2023-09-27",)),
    ("2023-09-27-Vote", "2023-09-27-", ("2023-09-27",)),
    ("2O23-09-27 Vote", "2O23-09-27", ("2023-09-27",)),
    ("2o23-09 Vote", "2o23-09", ("2023-09",)),
    ("03.04.23 Vote", "03.04.23", ("2023-03-04", "2023-04-03")),
])
def test_other_ways_of_writing_a_day_are_read(heading, written, readings):
    found = misdated(heading, month_table("en"))
    assert found is not None
    assert (found.text, found.readings, found.month_only) == (written, readings, False)


@pytest.mark.parametrize("heading,language,readings", [
    ("27. September 2023 Gespräche", "de", ("2023-09-27",)),
    ("3. März 2023", "de-AT", ("2023-03-03",)),
    ("1er janvier 2023 Vœux", "fr", ("2023-01-01",)),
    ("3 mars 2023", "fr", ("2023-03-03",)),
    ("27 de septiembre de 2023", "es", ("2023-09-27",)),
    ("27 settembre 2023", "it", ("2023-09-27",)),
    ("27 de setembro de 2023", "pt-BR", ("2023-09-27",)),
    ("3 maart 2023", "nl", ("2023-03-03",)),
    ("27 September 2023", "de", ("2023-09-27",)),  # English is read on every site
])
def test_month_names_in_the_sites_language(heading, language, readings):
    found = misdated(heading, month_table(language))
    assert found is not None and found.readings == readings


def test_month_names_of_other_languages_are_not_read():
    # "Mars 2020" is a rover on an English site, not March.
    assert misdated("3 mars 2023", month_table("en")) is None
    assert misdated("Mars 2020 rover lands", month_table("en")) is None
    assert misdated("Mars 2020 arrive", month_table("fr")) is not None


@pytest.mark.parametrize("heading,language,written,reading", [
    ("May 2023 elections", "en", "May 2023", "2023-05"),
    ("Sept. 2023", "en", "Sept. 2023", "2023-09"),
    ("Mai 2023 Wahlen", "de", "Mai 2023", "2023-05"),
    ("mayo de 2023", "es", "mayo de 2023", "2023-05"),
])
def test_a_month_and_year_alone_is_a_month(heading, language, written, reading):
    found = misdated(heading, month_table(language))
    assert found is not None
    assert (found.text, found.readings, found.month_only) == (written, (reading,), True)


@pytest.mark.parametrize("heading,problem", [
    ("31 February 2023 Talks", "February 2023 has 28 days"),
    ("31/31/2023", "no month 31"),
    ("2023-09-24 .. 2023-09-20 x", "ends before it starts"),
    ("20233-09-27 Vote", "its year has 5 digits"),
])
def test_impossible_readings_say_why(heading, problem):
    found = misdated(heading, month_table("en"))
    assert found is not None and found.readings == ()
    assert found.problem is not None and problem in found.problem


@pytest.mark.parametrize("heading", [
    "2023-09-27 Talks", "2023-9-27 Talks", "~2023-09 Talks", "2023-09-20..2023-09-24 Summit",
    "2024 in review", "2024: the year in review", "What to watch", "24/7 coverage",
    "1990s", "12 angry men in 2023", "Q3 2023", "Talks on 27 September 2023",
    "2023-09-27 – talks resume", "Sunday lunch", "Reactions, 2023 onwards", "24/7 news",
    "Friday's vote", "c. 500 protesters", "~ an estimate", "**Bold** move",
    "2023-24 season", "1990-91 recession", "2023-09-27T14:30 Vote", "911-12 calls",
    "Ooo-09 sounds", "2023-2024 budget", "101-5 vote",
])
def test_iso_dates_and_ordinary_titles_are_left_alone(heading):
    assert misdated(heading, month_table("en")) is None


def test_every_language_has_twelve_months():
    for language in LANGUAGES:
        assert sorted(set(month_table(language).values())) == list(range(1, 13)), language
