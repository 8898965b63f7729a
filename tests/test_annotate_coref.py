"""The annotator's coreference and entity rules (issue 19, second pass), on sentences written for these tests.

Each rule is tested in English and in French: definite descriptions taking up the last compatible entity,
a soldier named soon after with his rank, borders and the tri-border area, garrison towns, demonyms,
governments by their power words, kinds of materiel, and what must not become an entity (a predicate, a
French adjective, a language).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import missing
from sahelkg.annotate import Annotator
from sahelkg.annotate.entities import rule_proposals
from sahelkg.corpus import CorpusReader
from sahelkg.errors import Problem
from sahelkg.graph.ontology import load_ontology
from sahelkg.settings import PACKAGE_ROOT

SAHEL_COUNTRIES = """
- id: mali
  type: Country
  label: {en: "Mali", fr: "Mali"}
- id: niger
  type: Country
  label: {en: "Niger", fr: "Niger"}
"""
REGISTRY = SAHEL_COUNTRIES + """
- id: hawks-brigade
  type: JihadistGroup
  label: {en: "Hawks Brigade", fr: "Brigade des Faucons"}
- id: russia
  type: Country
  label: {en: "Russia", fr: "Russie"}
- id: france
  type: Country
  label: {en: "France", fr: "France"}
- id: helicopter
  type: Helicopter
  label: {en: "helicopter", fr: "hélicoptère"}
- id: sergeant
  type: MilitaryRank
  label: {en: "Sergeant", fr: "sergent"}
- id: anne-leroy
  type: Person
  label: {en: "Anne Leroy", fr: "Anne Leroy"}
  aliases: {en: ["Corporal Anne Leroy"], fr: ["caporal Anne Leroy"]}
- id: military-medal
  type: Decoration
  label: {en: "Military Medal", fr: "Médaille militaire"}
  aliases: {en: ["military medal"], fr: ["médaille militaire"]}
"""


def make_annotator(root: Path, registry_yaml: str) -> Annotator:
    """An annotator (rules only) on a registry written for the test, with the corpus schemas."""
    ontology = load_ontology(PACKAGE_ROOT / "ontology" / "sahelkg.ttl")
    (root / "registry").mkdir()
    (root / "registry" / "entities.yaml").write_text(registry_yaml, encoding="utf-8")
    shutil.copytree(PACKAGE_ROOT / "corpus" / "schema", root / "schema")
    problems: list[Problem] = []
    registry = CorpusReader(root, ontology).read_registry(problems)
    assert problems == []
    return Annotator(registry, ontology, use_model=False, schema=root / "schema" / "annotation.schema.json")


@pytest.fixture(scope="module")
def annotator(tmp_path_factory: pytest.TempPathFactory) -> Annotator:
    return make_annotator(tmp_path_factory.mktemp("corpus"), REGISTRY)


def doc_of(annotator: Annotator, text: str) -> dict[str, Any]:
    return annotator.annotate(text, "t1").doc


def refs(doc: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(entity, quote, coref) of every mention."""
    return [(m["entity"], m["quote"], m.get("coref", False)) for m in doc.get("mentions", [])]


def local(doc: dict[str, Any]) -> dict[str, str]:
    """label -> type of the article-local entities."""
    return {e["label"]: e["type"] for e in doc.get("entities", [])}


# ---------------------------------------------------------------------------- definite descriptions
@pytest.mark.parametrize("text, description", [
    ("The Hawks Brigade attacked a convoy near Tessit on Monday. The group later withdrew to the hills.", "The group"),
    ("La Brigade des Faucons a attaqué un convoi près de Tessit lundi. Le groupe s'est ensuite retiré.", "Le groupe"),
])
def test_the_group_takes_up_the_last_named_armed_group(annotator: Annotator, text: str, description: str) -> None:
    doc = doc_of(annotator, text)
    assert ("hawks-brigade", description, True) in refs(doc)
    [m] = [m for m in doc["mentions"] if m["quote"] == description]
    assert m["confidence"] < 0.9  # a coreference is less sure than a name


@pytest.mark.parametrize("text", [
    "The group later withdrew to the hills. Nothing else was said.",
    "Le groupe s'est ensuite retiré. Rien d'autre n'a été dit.",
])
def test_a_description_without_antecedent_links_nothing(annotator: Annotator, text: str) -> None:
    assert not [r for r in refs(doc_of(annotator, text)) if r[2]]


@pytest.mark.parametrize("text, intro, again", [
    ("Soldiers were ambushed by an armed terrorist group near Tessit. The armed terrorist group fled north.",
     "an armed terrorist group", "The armed terrorist group"),
    ("Des soldats ont été pris à partie par un groupe terroriste près de Tessit. Les terroristes ont fui vers le nord.",
     "un groupe terroriste", "Les terroristes"),
])
def test_a_definite_description_joins_the_group_introduced_before(annotator: Annotator, text: str, intro: str,
                                                                   again: str) -> None:
    doc = doc_of(annotator, text)
    groups = [e for e in doc["entities"] if e["type"] == "ArmedGroup"]
    assert [e["label"] for e in groups] == [intro]  # one group, not two
    assert (groups[0]["id"], again, True) in refs(doc)


@pytest.mark.parametrize("text, name, description", [
    ("Sergeant Paul Martin was shot near Tessit on Monday. The victim was evacuated to Gao.",
     "Paul Martin", "The victim"),
    ("Le sergent Paul Martin a été blessé près de Tessit lundi. Le militaire a été évacué vers Gao.",
     "Paul Martin", "Le militaire"),
])
def test_the_victim_takes_up_the_last_named_person(annotator: Annotator, text: str, name: str, description: str) -> None:
    doc = doc_of(annotator, text)
    [person] = [e["id"] for e in doc["entities"] if e["label"] == name]
    assert (person, description, True) in refs(doc)


@pytest.mark.parametrize("text, intro", [
    ("A French soldier was killed in Mali on Friday. Sergeant Paul Martin, 24, was hit by a sniper.",
     "A French soldier"),
    ("Un militaire français a été tué au Mali vendredi. Le sergent Paul Martin, 24 ans, a été touché par un tireur.",
     "Un militaire français"),
])
def test_a_soldier_named_soon_after_with_his_rank_is_the_same_person(annotator: Annotator, text: str, intro: str) -> None:
    doc = doc_of(annotator, text)
    [person] = [e["id"] for e in doc["entities"] if e["label"] == "Paul Martin"]
    assert (person, intro, True) in refs(doc)
    assert intro not in local(doc)  # no unnamed soldier left beside him
    death = [e for e in doc.get("events", []) if e["type"] == "Death"]
    assert death and person in death[0]["participants"]["victim"]


def test_a_name_without_a_rank_is_not_the_soldier(annotator: Annotator) -> None:
    doc = doc_of(annotator, "A French soldier was killed in Mali on Friday. President Jean Durand expressed his grief.")
    assert not [r for r in refs(doc) if r[1] == "A French soldier" and r[2]]


# ---------------------------------------------------------------------------- what is no entity
@pytest.mark.parametrize("text, lang", [
    ("La katiba Serma est un groupe armé terroriste, créé en 2015.", "fr"),
    ("The Hawks Brigade is an armed terrorist group founded in 2015.", "en"),
])
def test_a_predicate_is_not_an_entity(text: str, lang: str) -> None:
    assert not [p for p in rule_proposals(text, lang) if p.source == "rule:armed-group"]


def test_a_french_adjective_after_a_noun_is_not_a_group() -> None:
    found = [(p.label, p.source) for p in rule_proposals("Un coup porté aux groupes terroristes de la région.", "fr")]
    assert not [f for f in found if f[1] == "rule:group"]
    # the same word as a noun is a group
    assert ("les terroristes", "rule:group") in [(p.label, p.source) for p in rule_proposals(
        "Après les tirs, les terroristes ont répliqué.", "fr")]


@pytest.mark.parametrize("text, lang", [("The group is known as Al-Hamra in Arabic.", "en"),
                                        ("Le groupe publie ses vidéos en Tamasheq et à Kidal.", "fr")])
def test_a_language_is_not_a_place(text: str, lang: str) -> None:
    places = {p.label for p in rule_proposals(text, lang) if p.source == "rule:place"}
    assert not places & {"Arabic", "Tamasheq"}


# ---------------------------------------------------------------------------- borders, garrisons, demonyms
@pytest.mark.parametrize("text, border", [
    ("Fighting resumed along the border between Mali and Niger on Sunday.", "border between Mali and Niger"),
    ("Les combats ont repris à la frontière entre le Niger et le Mali dimanche.", "frontière entre le Niger et le Mali"),
])
def test_a_border_between_countries_keeps_the_countries(annotator: Annotator, text: str, border: str) -> None:
    doc = doc_of(annotator, text)
    assert local(doc) == {border: "GeographicRegion"}
    assert {r[0] for r in refs(doc)} >= {"mali", "niger"}


@pytest.mark.parametrize("text", [
    "The army patrols the three borders. The tri-border area is the most dangerous.",
    "L'armée patrouille dans la zone des trois frontières. Les trois frontières sont dangereuses.",
])
def test_the_tri_border_area_is_one_entity(annotator: Annotator, text: str) -> None:
    doc = doc_of(annotator, text)
    [area] = [e["id"] for e in doc["entities"] if e["type"] == "GeographicRegion"]
    # the second wording does not hold the first one's words: a coreference, as the checker reads it
    assert [r[2] for r in refs(doc) if r[0] == area] == [False, True]


@pytest.mark.parametrize("text, demonym", [
    ("The junta hired Russian mercenaries last year.", "Russian"),
    ("La junte a recruté des mercenaires russes l'an dernier.", "russes"),
])
def test_a_demonym_mentions_its_registry_country(annotator: Annotator, text: str, demonym: str) -> None:
    assert ("russia", demonym, False) in refs(doc_of(annotator, text))


@pytest.mark.parametrize("text, lang, gov", [
    ("The Malian junta expelled the ambassador.", "en", "Malian junta"),
    ("Les autorités nigériennes ont démenti.", "fr", "autorités nigériennes"),
    ("The deal is close to Russian power.", "en", "Russian power"),
])
def test_a_government_by_its_power_word(text: str, lang: str, gov: str) -> None:
    assert (gov, "Government") in {(p.label, p.type) for p in rule_proposals(text, lang)}


# ---------------------------------------------------------------------------- materiel
@pytest.mark.parametrize("text, lang, expect", [
    ("Heavy weapons and communications equipment were seized; he received the military medal.", "en",
     {("Heavy weapons", "HeavyWeapon"), ("communications equipment", "CommunicationEquipment"),
      ("military medal", "Decoration")}),
    ("Des armes lourdes et des moyens de communication ont été saisis ; il a reçu la médaille militaire.", "fr",
     {("armes lourdes", "HeavyWeapon"), ("moyens de communication", "CommunicationEquipment"),
      ("médaille militaire", "Decoration")}),
])
def test_materiel_and_decorations(text: str, lang: str, expect: set[tuple[str, str]]) -> None:
    assert expect <= {(p.label, p.type) for p in rule_proposals(text, lang)}


@pytest.mark.parametrize("text, specific", [
    ("Two attack helicopters were deployed at once.", "attack helicopters"),
    ("Deux hélicoptères de combat ont été engagés.", "hélicoptères de combat"),
])
def test_a_more_specific_kind_replaces_the_registry_kind(annotator: Annotator, text: str, specific: str) -> None:
    doc = doc_of(annotator, text)
    assert local(doc) == {specific: "AttackHelicopter"}
    assert "helicopter" not in {r[0] for r in refs(doc)}


# ---------------------------------------------------------------------------- positions
@pytest.mark.parametrize("text, lang, position", [
    ("The head of French diplomacy, a veteran, flew to Niamey.", "en", "head of French diplomacy"),
    ("Le chef de la diplomatie malienne, arrivé lundi, a démenti.", "fr", "chef de la diplomatie malienne"),
    ("The Malian foreign affairs minister, quoted by the press, denied it.", "en", "Malian foreign affairs minister"),
    ("Le ministre nigérien de la Défense, en visite, l'a confirmé.", "fr", "ministre nigérien de la Défense"),
    ("said the spokesman for the Chief of Staff of the Armed Forces.", "en",
     "spokesman for the Chief of Staff of the Armed Forces"),
    ("the UN chief of peacekeeping operations warned.", "en", "UN chief of peacekeeping operations"),
])
def test_an_unnamed_official_is_a_position(text: str, lang: str, position: str) -> None:
    assert (position, "Position") in {(p.label, p.type) for p in rule_proposals(text, lang)}


@pytest.mark.parametrize("text, lang", [
    ("Malian foreign affairs minister Moussa Traoré denied it.", "en"),
    ("Le chef de la diplomatie malienne Moussa Traoré a démenti.", "fr"),
])
def test_a_position_before_a_name_is_a_title_not_an_entity(text: str, lang: str) -> None:
    assert not [p for p in rule_proposals(text, lang) if p.source == "rule:position"]


FRANCE_GOV = """
- id: french-government
  type: Government
  label: {en: "Government of France", fr: "Gouvernement français"}
  aliases: {en: ["Paris"], fr: ["Paris"]}
- id: malian-government
  type: Government
  label: {en: "Government of Mali", fr: "Gouvernement du Mali"}
  aliases: {en: ["Bamako"], fr: ["Bamako"]}
- id: paris
  type: Settlement
  label: {en: "Paris", fr: "Paris"}
"""


@pytest.fixture(scope="module")
def capitals(tmp_path_factory: pytest.TempPathFactory) -> Annotator:
    """An annotator whose registry names two governments by their capitals, and Paris as a town."""
    return make_annotator(tmp_path_factory.mktemp("capitals"), FRANCE_GOV)


@pytest.mark.parametrize("text, lang", [
    ("The relations between Paris and Bamako are tense. Paris is considering a withdrawal.", "en"),
    ("Les tensions entre Paris et Bamako persistent. Paris, lundi, a annoncé un retrait.", "fr"),
])
def test_capitals_in_a_diplomatic_relation_or_deciding_are_governments(capitals: Annotator, text: str, lang: str) -> None:
    got = refs(doc_of(capitals, text))
    assert [r[0] for r in got] == ["french-government", "malian-government", "french-government"]


def test_a_capital_that_is_only_a_place_stays_a_place(capitals: Annotator) -> None:
    assert refs(doc_of(capitals, "The convoy left Paris on Monday for the border.")) == [("paris", "Paris", False)]


# ---------------------------------------------------------------------------- spaCy in title-case lines
@pytest.mark.parametrize("lang, headline, body", [
    ("en", "Soldier Injured In Clash With Gunmen", "Two soldiers were hurt on Monday."),
    ("fr", "Un Soldat Français Blessé Dans Une Embuscade", "Deux soldats ont été blessés lundi."),
])
def test_spacy_takes_no_name_from_a_title_case_line(lang: str, headline: str, body: str) -> None:
    from sahelkg.annotate.entities import _spacy_model, spacy_available, spacy_proposals

    if not spacy_available(lang):
        missing(f"spaCy or its {lang} model is not installed: pip install -e '.[nlp]'")
    text = f"{headline}\n\n{body}"
    # the model does read a name in the headline ("Soldier Injured", "Soldat Blessé") ...
    assert [e for e in _spacy_model(lang)(text).ents if e.end_char <= len(headline) and e.label_ in ("PER", "PERSON", "ORG")]
    # ... which is no proposal
    assert [p for p in spacy_proposals(text, lang) if p.end <= len(headline)] == []


@pytest.mark.parametrize("text, quote", [("He received the military medal in June.", "military medal"),
                                         ("Il a reçu la médaille militaire en juin.", "médaille militaire"),
                                         ("He received the Military Medal in June.", "Military Medal")])
def test_a_lower_case_alias_is_not_hidden_by_a_capitalised_label(annotator: Annotator, text: str, quote: str) -> None:
    assert ("military-medal", quote, False) in refs(doc_of(annotator, text))


@pytest.mark.parametrize("text, intro, name", [
    ("A French soldier died in Mali on Friday. Corporal Anne Leroy was hit by a mine.", "A French soldier",
     "Corporal Anne Leroy"),
    ("Un militaire français est mort au Mali vendredi. Le caporal Anne Leroy a sauté sur une mine.",
     "Un militaire français", "caporal Anne Leroy"),
])
def test_a_registry_name_that_holds_the_rank_names_the_soldier(annotator: Annotator, text: str, intro: str,
                                                               name: str) -> None:
    got = refs(doc_of(annotator, text))
    assert ("anne-leroy", intro, True) in got and ("anne-leroy", name, False) in got


@pytest.mark.parametrize("text, lang", [
    ("La force regroupe environ 4 000 militaires dans la région.", "fr"),
    ("The mission currently comprises 11,200 soldiers and police.", "en"),
    ("A force of 5,100 soldiers is deployed in the Sahel.", "en"),
])
def test_the_strength_of_a_force_is_not_a_group(text: str, lang: str) -> None:
    assert not [p for p in rule_proposals(text, lang) if p.source == "rule:group"]


def test_a_counted_group_elsewhere_is_still_a_group() -> None:
    assert [p.label for p in rule_proposals("L'attaque a tué 4 000 militaires selon le bilan.", "fr")
            if p.source == "rule:group"] == ["4 000 militaires"]


NATIONAL = SAHEL_COUNTRIES + """
- id: fama
  type: ArmedForce
  label: {en: "Malian Armed Forces", fr: "Forces armées maliennes"}
  facts:
    - {property: country, object: mali, source: "annotator: written for the test"}
- id: malian-government
  type: Government
  label: {en: "Government of Mali", fr: "Gouvernement du Mali"}
  facts:
    - {property: country, object: mali, source: "annotator: written for the test"}
"""


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Annotator:
    """An annotator whose registry holds Mali's army and government (with their country) but nothing of Niger's."""
    return make_annotator(tmp_path_factory.mktemp("national"), NATIONAL)


@pytest.mark.parametrize("text, quote, entity", [
    ("The Malian army retook the town.", "Malian army", "fama"),
    ("L'armée malienne a repris la ville.", "armée malienne", "fama"),
    ("The Malian junta expelled the envoy.", "Malian junta", "malian-government"),
    ("La junte malienne a expulsé l'envoyé.", "junte malienne", "malian-government"),
])
def test_a_national_body_the_registry_holds_is_found_by_its_country(national: Annotator, text: str, quote: str,
                                                                   entity: str) -> None:
    doc = doc_of(national, text)
    assert (entity, quote, True) in refs(doc)
    assert "entities" not in doc


@pytest.mark.parametrize("text, label", [
    ("The Nigerien army retook the town.", "Nigerien army"),  # no Nigerien army in the registry: a new entity
    ("Les forces de sécurité maliennes ont repris la ville.", "forces de sécurité maliennes"),  # broader than the army
])
def test_other_national_bodies_stay_new(national: Annotator, text: str, label: str) -> None:
    assert local(doc_of(national, text)) == {label: "ArmedForce"}


def test_the_group_reaches_back_past_a_few_sentences_about_something_else(annotator: Annotator) -> None:
    text = ("Un soldat a été tué lundi par un groupe armé près de Boni. Le soldat servait depuis 2019. Il avait 28 ans. "
            "Son unité a été relevée. Le groupe a revendiqué l'attaque mardi.")
    doc = doc_of(annotator, text)
    [group] = [e["id"] for e in doc["entities"] if e["type"] == "ArmedGroup"]
    assert (group, "Le groupe", True) in refs(doc)


@pytest.mark.parametrize("text", [
    "An armed group attacked Boni on Monday. Later, an armed group was seen near Tessit.",
    "Un groupe armé a attaqué Boni lundi. La katiba Serma est un groupe armé jihadiste.",
])
def test_an_indefinite_description_written_again_is_not_the_same_entity(annotator: Annotator, text: str) -> None:
    doc = doc_of(annotator, text)
    groups = [e["id"] for e in doc["entities"] if e["type"] == "ArmedGroup"]
    assert len([r for r in refs(doc) if r[0] in groups]) == len(groups) == (2 if text.startswith("An") else 1)


@pytest.mark.parametrize("text", [
    "Barkhane neutralise un groupe terroriste au Mali\n\nLes soldats ont neutralisé un groupe terroriste près de Boni.",
    "Soldiers strike an armed group in Mali\n\nSoldiers struck an armed group near Boni on Monday.",
    "MALI : l'armée neutralise un groupe terroriste.\n\nL'armée a neutralisé un groupe terroriste près de Boni.",
])
def test_the_headline_restates_the_body(annotator: Annotator, text: str) -> None:
    doc = doc_of(annotator, text)
    groups = [e["id"] for e in doc["entities"] if e["type"] == "ArmedGroup"]
    assert len(groups) == 1 and len([r for r in refs(doc) if r[0] == groups[0]]) == 2
