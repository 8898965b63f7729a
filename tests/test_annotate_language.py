"""The annotator's language modules: dates, counts, triggers, relations and claims (EN and FR).

Each fixture file under tests/fixtures/annotate/ lists sentences written for these tests (not taken
from the corpus) with the exact records expected, including sentences where nothing must be found.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sahelkg.annotate.dates import find_dates, find_publication_date
from sahelkg.annotate.model import Mention
from sahelkg.annotate.numbers import find_counts, parse_number_words
from sahelkg.annotate.patterns import FAMILIES, find_claims, find_relations
from sahelkg.annotate.triggers import LexiconError, find_triggers, lexicon, parse_lexicon
from sahelkg.corpus import parse_date_value
from sahelkg.graph.ontology import Ontology, load_ontology
from sahelkg.vocab import SK

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures" / "annotate"


def _cases(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((FIX / name).read_text(encoding="utf-8"))


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [f"{c['lang']}-{c.get('case') or c['text'][:40]}" for c in cases]


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology(ROOT / "ontology" / "sahelkg.ttl")


# -- dates ------------------------------------------------------------------------------------------------
DATE_CASES = _cases("dates.yaml")


@pytest.mark.parametrize("case", DATE_CASES, ids=_ids(DATE_CASES))
def test_dates(case: dict[str, Any]) -> None:
    pub = dt.date.fromisoformat(case["published"]) if case["published"] else None
    got = find_dates(case["text"], case["lang"], pub)
    assert [{"text": d.text, **{k: v for k, v in d.block.items() if k != "text"}} for d in got] == case["expect"]
    for d in got:
        assert case["text"][d.start:d.end] == d.text == d.block["text"]


def test_every_date_block_is_valid_for_the_checker() -> None:
    """Values parse as the corpus reader parses them; a basis other than stated has a derivation;
    unknown has no value; precision matches the value."""
    for case in DATE_CASES:
        pub = dt.date.fromisoformat(case["published"]) if case["published"] else None
        for d in find_dates(case["text"], case["lang"], pub):
            b = d.block
            assert b["basis"] in ("stated", "relative", "context", "unknown")
            if b["basis"] != "stated":
                assert b["derivation"]
            if b["basis"] == "unknown":
                assert not {"value", "begin", "end"} & set(b)
                continue
            for key in ("value", "begin", "end"):
                if key in b:
                    _, precision, _, _ = parse_date_value(b[key])
                    assert precision == b["precision"], (case["text"], b)


def test_a_weekday_is_never_resolved_without_a_publication_date() -> None:
    for text, lang in [("They attacked on Friday evening.", "en"), ("Ils ont attaqué samedi matin.", "fr"),
                       ("Yesterday, two soldiers died.", "en"), ("Hier, deux soldats sont morts.", "fr")]:
        (d,) = find_dates(text, lang, None)
        assert d.block["basis"] == "unknown" and "value" not in d.block


def test_dateparser_fills_nothing_from_today() -> None:
    """A day and month without a year is not given this year's date when there is no publication date."""
    (d,) = find_dates("The attack of 5 September killed three.", "en", None)
    assert d.block == {"basis": "unknown", "text": "5 September",
                       "derivation": "'5 September' has no year, and the article has no publication date to take it from"}


def test_dateparser_is_asked_only_for_complete_dates() -> None:
    """dateparser parses a matched day-month-year; given less it returns nothing rather than today's parts."""
    from sahelkg.annotate.dates import _parse_full

    assert _parse_full("1er août 2014".replace("1er", "1"), "fr") == dt.date(2014, 8, 1)
    assert _parse_full("Nov. 12, 2018", "en") == dt.date(2018, 11, 12)
    assert _parse_full("12 November", "en") is None
    assert _parse_full("November 2018", "en") is None
    assert _parse_full("31 février 2018", "fr") is None


@pytest.mark.parametrize("text, lang, expected", [
    ("Sahel news\nPosted on Sep 24, 2021 by staff\nFriday morning, a soldier died.", "en", ("Sep 24, 2021", "2021-09-24")),
    ("Titre\nPublié le 12/11/2018 à 10h, mis à jour le 13/11/2018 à 8h\nTexte.", "fr", ("12/11/2018", "2018-11-12")),
    ("Mis à jour le 13 novembre 2018\nPublié le 12 novembre 2018\nTexte.", "fr", ("12 novembre 2018", "2018-11-12")),
    ("Une attaque\nlundi 12 novembre 2018\nLe camp a été attaqué.", "fr", ("lundi 12 novembre 2018", "2018-11-12")),
    ("Updated: March 3, 2020\nThe base was shelled.", "en", ("March 3, 2020", "2020-03-03")),
    ("Ouagadougou, 5 oct. 2022 (AFP) — Onze soldats ont été tués.", "fr", ("5 oct. 2022", "2022-10-05")),
    ("NIAMEY, Niger, March 3, 2020 - Gunmen stormed a post.", "en", ("March 3, 2020", "2020-03-03")),
])
def test_publication_date(text: str, lang: str, expected: tuple[str, str]) -> None:
    d = find_publication_date(text, lang)
    assert d is not None
    assert (d.text, d.block["value"], d.block["basis"], d.block["precision"]) == (*expected, "stated", "day")
    assert text[d.start:d.end] == d.text


def test_no_publication_date_in_a_text_without_one() -> None:
    assert find_publication_date("Two soldiers were killed Monday in Mali.\nThe army said so in 2013.", "en") is None
    # a date in the first sentence is an event's date, not the article's
    assert find_publication_date("Gao, le 12 novembre 2018 a été attaquée par des jihadistes.", "fr") is None


# -- counts -----------------------------------------------------------------------------------------------
COUNT_CASES = _cases("counts.yaml")


@pytest.mark.parametrize("case", COUNT_CASES, ids=_ids(COUNT_CASES))
def test_counts(case: dict[str, Any]) -> None:
    got = find_counts(case["text"], case["lang"])
    assert [{"text": c.text, **{k: v for k, v in c.block.items() if k != "text"}} for c in got] == case["expect"]
    for c in got:
        assert case["text"][c.start:c.end] == c.text == c.block["text"]


@pytest.mark.parametrize("words, lang, value", [
    ("twenty-three", "en", 23), ("one hundred and twenty", "en", 120), ("two thousand five hundred", "en", 2500),
    ("vingt et un", "fr", 21), ("soixante-dix-sept", "fr", 77), ("quatre-vingts", "fr", 80),
    ("deux cents", "fr", 200), ("trois mille", "fr", 3000), ("septante", "fr", 70), ("soldats", "fr", None),
])
def test_number_words(words: str, lang: str, value: int | None) -> None:
    assert parse_number_words(words, lang) == value


# -- triggers ---------------------------------------------------------------------------------------------
TRIGGER_CASES = _cases("triggers.yaml")


@pytest.mark.parametrize("case", TRIGGER_CASES, ids=_ids(TRIGGER_CASES))
def test_triggers(case: dict[str, Any]) -> None:
    got = find_triggers(case["text"], case["lang"])
    assert [{"text": t.text, "event_type": t.event_type, "voice": t.voice, "modality": t.modality,
             "confidence": t.confidence} for t in got] == case["expect"]
    for t in got:
        assert case["text"][t.start:t.end] == t.text


def test_every_lexicon_class_is_an_event_class_of_the_ontology(onto: Ontology) -> None:
    classes = {e.event_type for entries in lexicon().entries.values() for e in entries}
    for cls in classes:
        assert cls in SK, f"{cls} is not declared in sahelkg.vocab"
        assert SK.term("Event") in onto.superclasses(SK.term(cls)), f"{cls} is not an Event subclass"


def test_the_lexicon_covers_each_ontology_event_label(onto: Ontology) -> None:
    """Every core event class has an entry in both languages (the lexicon was seeded from the labels)."""
    core = {"Death", "Injury", "Neutralization", "Capture", "ArmedClash", "AirOrDroneStrike", "SuicideBomb",
            "RemoteExplosiveLandmineIED", "AttackOnCivilians", "AbductionForcedDisappearance", "Arrest",
            "Deployment", "Reinforcement", "Withdrawal", "Redeployment", "Summit", "Announcement", "Raid",
            "OperationLaunch", "MilitaryAction", "Award", "Coup", "Agreement", "BaseHandover"}
    for lang in ("en", "fr"):
        have = {e.event_type for e in lexicon().entries[lang]}
        assert core - have == set(), lang


def test_the_lexicon_is_loaded_once() -> None:
    assert lexicon() is lexicon()


def test_a_broken_lexicon_entry_is_named() -> None:
    with pytest.raises(LexiconError, match=r"test.yaml: fr\[0\]: pattern 'tu\(e' is not a valid regular expression"):
        parse_lexicon({"en": [], "fr": [{"class": "Death", "pos": "verb", "pattern": "tu(e", "confidence": 0.5}]}, "test.yaml")
    with pytest.raises(LexiconError, match=r"test.yaml: en\[0\]: pos 'adverb' is not one of verb, noun, phrase"):
        parse_lexicon({"en": [{"class": "Death", "pos": "adverb", "pattern": "x", "confidence": 0.5}]}, "test.yaml")
    with pytest.raises(LexiconError, match=r"modality.en\[0\]: modality 'soon' is not one of"):
        parse_lexicon({"modality": {"en": [{"marker": "soon", "modality": "soon"}]}}, "test.yaml")


# -- relations and claims -----------------------------------------------------------------------------------
PATTERN_CASES = _cases("patterns.yaml")


def _mentions(text: str, specs: list[list[str]]) -> list[Mention]:
    out, pos = [], 0
    for surface, entity, typ in specs:
        i = text.index(surface, pos)
        out.append(Mention(i, i + len(surface), surface, entity, typ))
        pos = i + len(surface)
    return out


@pytest.mark.parametrize("case", PATTERN_CASES, ids=_ids(PATTERN_CASES))
def test_relations_and_claims(case: dict[str, Any]) -> None:
    text, lang = case["text"], case["lang"]
    ms = _mentions(text, case["mentions"])
    rels = find_relations(text, lang, ms)
    assert [{"subject": r.subject, "property": r.property, "object": r.object, "quote": text[r.start:r.end]}
            for r in rels] == case["relations"]
    claims = find_claims(text, lang, ms)
    assert [{"speaker": c.speaker, "stance": c.stance,
             "about": text[c.about_start:c.about_end] if c.about_start is not None else None}
            for c in claims] == case["claims"]
    for c in claims:
        assert (c.start, c.end) == (0, len(text.rstrip()))  # the quote is the sentence


def test_the_type_families_follow_the_ontology(onto: Ontology) -> None:
    roots = {"person": "Person", "organization": "Organization", "unit": "MilitaryUnit", "place": "Place",
             "agent": "Agent", "force": "Organization"}
    for family, classes in FAMILIES.items():
        for cls in classes:
            assert SK.term(roots[family]) in onto.superclasses(SK.term(cls)), (family, cls)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'de': write en or fr"):
        find_triggers("Zwei Soldaten wurden getötet.", "de")
    with pytest.raises(ValueError, match="language 'de': write en or fr"):
        find_counts("Zwei Soldaten.", "de")
