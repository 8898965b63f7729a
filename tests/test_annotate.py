"""`sahelkg annotate`: drafts of new articles, on texts written for these tests (not the corpus articles).

Each rule is checked in English and French with the exact item it must produce; the draft must
validate with the corpus checker, build, and stay apart in the graph (sk:reviewStatus sk:Draft).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sahelkg.annotate import AnnotateError, Annotator, annotate_file, annotate_folder
from sahelkg.annotate.entities import rule_proposals, spacy_available, spacy_proposals
from sahelkg.annotate.gazetteer import Gazetteer
from sahelkg.annotate.language import detect_language
from sahelkg.annotate.text import sentences
from sahelkg.annotate.writer import quote
from sahelkg.cli import main
from sahelkg.corpus import CorpusReader, check_corpus, split_header
from sahelkg.errors import Problem
from sahelkg.graph.ontology import load_ontology
from sahelkg.settings import PACKAGE_ROOT, Settings

from conftest import missing, select


def need_spacy(*langs: str) -> None:
    """spaCy and its models (the extra nlp, which scripts/setup.sh installs): skip without, fail in CI."""
    for lang in langs:
        if not spacy_available(lang):
            missing(f"spaCy or its {lang} model is not installed: pip install -e '.[nlp]'")

REGISTRY = """
- id: operation-barkhane
  type: MilitaryOperation
  label: {en: "Operation Barkhane", fr: "opération Barkhane"}
  aliases: {en: ["Barkhane"], fr: ["Barkhane", "la force Barkhane"]}
- id: jnim
  type: JihadistGroup
  label: {en: "Group for the Support of Islam and Muslims", fr: "Groupe de soutien à l'islam et aux musulmans"}
  aliases: {en: ["JNIM", "GSIM"], fr: ["GSIM", "JNIM"]}
- id: malian-armed-forces
  type: ArmedForce
  label: {en: "Malian Armed Forces", fr: "Forces armées maliennes"}
  aliases: {en: ["Malian army", "FAMa"], fr: ["armée malienne", "FAMa"]}
- id: french-armed-forces
  type: ArmedForce
  label: {en: "French Armed Forces", fr: "armées françaises"}
  aliases: {en: ["French army"], fr: ["armée française"]}
- id: mali
  type: Country
  label: {en: "Mali", fr: "Mali"}
  aliases: {fr: ["le Mali"]}
- id: gao
  type: Settlement
  label: {en: "Gao", fr: "Gao"}
- id: menaka
  type: Settlement
  label: {en: "Menaka", fr: "Ménaka"}
- id: major
  type: MilitaryRank
  label: {en: "Major", fr: "commandant"}
  aliases: {en: ["major"], fr: ["Commandant"]}
- id: pascal-ianni
  type: Person
  label: {en: "Pascal Ianni", fr: "Pascal Ianni"}
- id: ied
  type: ImprovisedExplosiveDevice
  label: {en: "improvised explosive device", fr: "engin explosif improvisé"}
  aliases: {en: ["IED"], fr: ["EEI", "engin explosif"]}
"""


@pytest.fixture(scope="module")
def ontology() -> Any:
    return load_ontology(PACKAGE_ROOT / "ontology" / "sahelkg.ttl")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """An empty corpus with the fixture registry and the real schemas."""
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "registry").mkdir()
    (root / "registry" / "entities.yaml").write_text(REGISTRY, encoding="utf-8")
    shutil.copytree(PACKAGE_ROOT / "corpus" / "schema", root / "schema")
    return root


@pytest.fixture
def annotator(corpus: Path, ontology: Any) -> Annotator:
    problems: list[Problem] = []
    registry = CorpusReader(corpus, ontology).read_registry(problems)
    assert problems == []
    return Annotator(registry, ontology, use_model=False, schema=corpus / "schema" / "annotation.schema.json")


def draft(annotator: Annotator, text: str, aid: str = "a1") -> dict[str, Any]:
    return annotator.annotate(text, aid).doc


def mentions(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(m["entity"], m["quote"] if "occurrence" not in m else (m["quote"], m["occurrence"])) for m in doc.get("mentions", [])]


def event(doc: dict[str, Any], etype: str) -> dict[str, Any]:
    found = [e for e in doc.get("events", []) if e["type"] == etype]
    assert len(found) == 1, doc.get("events")
    return found[0]


# ---------------------------------------------------------------------------- the header convention

def test_split_header_keeps_metadata_out_of_the_body() -> None:
    text = "# source: https://example.org/a\n# Date: 2021-09-24\n# title: A title\n\nGao, Mali.\n# not header\n"
    header, body = split_header(text)
    assert header == {"source": "https://example.org/a", "date": "2021-09-24", "title": "A title"}
    assert body == "Gao, Mali.\n# not header\n"
    assert split_header("No header.\n# source: x\n") == ({}, "No header.\n# source: x\n")
    # only one blank line belongs to the header
    assert split_header("# lang: fr\n\n\nTexte") == ({"lang": "fr"}, "\nTexte")
    # a byte-order mark before the header does not hide it
    assert split_header("\ufeff# lang: fr\nTexte") == ({"lang": "fr"}, "Texte")


def test_check_counts_quotes_in_the_body_after_the_header(corpus: Path, ontology: Any) -> None:
    (corpus / "articles" / "h1.txt").write_text("# source: https://example.org/h1\n# date: 2021-03-12\n\nGao is in Mali.\n", encoding="utf-8")
    (corpus / "annotations" / "h1.yaml").write_text(
        "article: {id: h1, language: en}\nmentions:\n  - {entity: gao, quote: Gao}\n  - {entity: mali, quote: Mali}\n",
        encoding="utf-8")
    report = check_corpus(corpus, ontology)
    assert report.errors == []
    [article] = report.articles
    assert article.text == "Gao is in Mali.\n"
    assert [(m.entity, m.anchor.start, m.anchor.end) for m in article.mentions] == [("gao", 0, 3), ("mali", 10, 14)]
    # a quote inside the header is not text: it is not found
    (corpus / "annotations" / "h1.yaml").write_text(
        "article: {id: h1, language: en}\nmentions:\n  - {entity: gao, quote: example}\n", encoding="utf-8")
    [problem] = check_corpus(corpus, ontology).errors
    assert 'quote "example" not found in the article text' in problem.message


def test_header_gives_the_article_metadata(annotator: Annotator) -> None:
    doc = draft(annotator, "# source: https://example.org/news/7\n# date: 2021-09-24\n# publisher: Example News\n"
                           "# lang: en\n\nGao was calm on Friday.\n")
    assert doc["article"] == {
        "id": "a1", "language": "en", "publisher": "Example News", "url": "https://example.org/news/7",
        "published": {"text": "2021-09-24", "value": "2021-09-24", "precision": "day", "basis": "stated"},
        "drafted_by": doc["article"]["drafted_by"],
    }
    assert doc["article"]["drafted_by"].startswith("sahelkg annotate ")


# ---------------------------------------------------------------------------- language, sentences, quotes

def test_language_is_detected_from_function_words() -> None:
    assert detect_language("Les soldats de la force ont quitté la base, selon un communiqué.") == "fr"
    assert detect_language("The soldiers of the force left the base, according to a statement.") == "en"


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = "Gen. Smith arrived in Gao. M. Dupont est parti.\n\nA new paragraph!"
    assert [text[s:e] for s, e in sentences(text)] == ["Gen. Smith arrived in Gao.", "M. Dupont est parti.", "A new paragraph!"]


def test_an_ambiguous_quote_gets_its_occurrence() -> None:
    text = "Gao and Gao again, then Gao."
    assert quote(text, 0, 3) == {"text": "Gao", "occurrence": 1}
    assert quote(text, 24, 27) == {"text": "Gao", "occurrence": 3}
    assert quote(text, 4, 11) == "and Gao"
    # a trigger counts its occurrences inside its event's quote only
    assert quote(text, 8, 11, within=(4, 17)) == "Gao"


def test_repeated_mentions_are_anchored_by_occurrence_in_en_and_fr(annotator: Annotator) -> None:
    doc = draft(annotator, "Gao was attacked. Residents of Gao fled to Menaka.")
    assert mentions(doc)[:3] == [("gao", ("Gao", 1)), ("gao", ("Gao", 2)), ("menaka", "Menaka")]
    doc = draft(annotator, "Ménaka est calme. La ville de Ménaka reste sous couvre-feu.")
    assert [m for m in mentions(doc) if m[0] == "menaka"] == [("menaka", ("Ménaka", 1)), ("menaka", ("Ménaka", 2))]


# ---------------------------------------------------------------------------- registry names

def test_french_elisions_determiners_accents_and_apostrophes(annotator: Annotator) -> None:
    doc = draft(annotator, "Le soutien de l’opération Barkhane à l'armée malienne, et la force Barkhane au MALI, à Menaka.")
    assert mentions(doc) == [
        ("operation-barkhane", "opération Barkhane"), ("malian-armed-forces", "armée malienne"),
        ("operation-barkhane", "force Barkhane"), ("mali", "MALI"), ("menaka", "Menaka"),
    ]


def test_longest_name_first_and_case_guards(annotator: Annotator) -> None:
    gaz = annotator.gazetteer("en")
    found = gaz.find("The Group for the Support of Islam and Muslims (JNIM), not jnim nor the mali fabric, hit Operation Barkhane.")
    assert [(m.entity, m.text) for m in found] == [
        ("jnim", "Group for the Support of Islam and Muslims"), ("jnim", "JNIM"), ("operation-barkhane", "Operation Barkhane"),
    ]


def test_a_registry_person_by_surname_alone(annotator: Annotator) -> None:
    found = annotator.gazetteer("en").find("Colonel Pascal Ianni spoke. Ianni said the army would stay.")
    assert [(m.entity, m.text) for m in found] == [("pascal-ianni", "Pascal Ianni"), ("pascal-ianni", "Ianni")]


def test_a_rank_word_is_a_rank_only_before_a_name_or_capitalised(annotator: Annotator) -> None:
    found = annotator.gazetteer("en").find("After a major attack, Major Brown left.")
    assert [(m.entity, m.text, m.start) for m in found] == [("major", "Major", 22)]
    found = annotator.gazetteer("fr").find("Le commandant Jean Dupont et le commandant de la force.")
    assert [(m.entity, m.text, m.start) for m in found] == [("major", "commandant", 3)]


def test_a_hyphenated_word_is_not_a_mention(annotator: Annotator) -> None:
    assert [m.text for m in annotator.gazetteer("en").find("Mali-based groups left Mali.")] == ["Mali"]


# ---------------------------------------------------------------------------- new entities (rules)

def test_rules_propose_a_person_after_a_rank_in_en_and_fr() -> None:
    en = {(p.label, p.type) for p in rule_proposals("Master Corporal John Smith was wounded, said Colonel Ann Brown.", "en")}
    assert {("John Smith", "Person"), ("Ann Brown", "Person"), ("Master Corporal", "MilitaryRank"), ("Colonel", "MilitaryRank")} <= en
    fr = {(p.label, p.type) for p in rule_proposals("Le sergent-chef Jean Dupont a été blessé, a indiqué le porte-parole Pierre Martin.", "fr")}
    assert {("Jean Dupont", "Person"), ("Pierre Martin", "Person"), ("sergent-chef", "MilitaryRank"), ("porte-parole", "Position")} <= fr


def test_rules_propose_speakers_and_described_persons() -> None:
    en = {(p.label, p.type) for p in rule_proposals('"We will stay," said Amadou Diallo. Iyad Ag Ghaly, the leader of the group, spoke.', "en")}
    assert {("Amadou Diallo", "Person"), ("Iyad Ag Ghaly", "Person")} <= en
    fr = {(p.label, p.type) for p in rule_proposals("Selon Jean-Hervé Martin, un chercheur de l'institut, la situation empire.", "fr")}
    assert ("Jean-Hervé Martin", "Person") in fr and not any(label.startswith("Selon") for label, _ in fr)


def test_rules_propose_katibas_units_groups_and_places() -> None:
    fr = {(p.label, p.type) for p in rule_proposals(
        "La katiba Serma et le Front de libération du Macina (FLM) ont été visés près de Tessit par le 2e régiment "
        "étranger de parachutistes, dans la forêt de Wagadou.", "fr")}
    assert {("katiba Serma", "Katiba"), ("Front de libération du Macina", "ArmedGroup"), ("FLM", "ArmedGroup"),
            ("Tessit", "Settlement"), ("2e régiment étranger de parachutistes", "Regiment"), ("Wagadou", "Forest")} <= fr
    en = {(p.label, p.type) for p in rule_proposals("The 1st Parachute Chasseur Regiment patrolled near Boulkessi.", "en")}
    assert {("1st Parachute Chasseur Regiment", "Regiment"), ("Boulkessi", "Settlement")} <= en


def test_new_entities_become_local_entities_with_every_mention(annotator: Annotator) -> None:
    doc = draft(annotator, "Sergeant John Smith was wounded in Gao. Smith was evacuated.")
    [smith] = [e for e in doc["entities"] if e["type"] == "Person"]
    assert smith == {
        "id": "john-smith", "type": "Person", "label": "John Smith", "quote": "John Smith",
        "note": "not in the registry; proposed from a name after a rank or title: add it to the registry if it recurs",
        "status": "draft", "confidence": 0.8,
    }
    assert [m for m in mentions(doc) if m[0] == "john-smith"] == [("john-smith", "John Smith"), ("john-smith", ("Smith", 2))]


def test_a_registry_name_is_not_proposed_again(annotator: Annotator) -> None:
    doc = draft(annotator, "Fighting near Gao and in the region of Menaka.")
    assert "entities" not in doc
    assert mentions(doc) == [("gao", "Gao"), ("menaka", "Menaka")]


def test_spacy_adds_names_the_rules_miss() -> None:
    need_spacy("en", "fr")
    en = {(p.label, p.type) for p in spacy_proposals("Emmanuel Macron met Mohamed Bazoum in Niamey on Monday.", "en")}
    assert ("Emmanuel Macron", "Person") in en and ("Mohamed Bazoum", "Person") in en
    fr = {(p.label, p.type) for p in spacy_proposals("Emmanuel Macron a rencontré Mohamed Bazoum à Niamey lundi.", "fr")}
    assert ("Emmanuel Macron", "Person") in fr


# ---------------------------------------------------------------------------- events, roles, dates, counts

def test_active_attack_in_english_with_place_date_and_operation(annotator: Annotator) -> None:
    doc = draft(annotator, "# date: 2021-03-15\n\nJNIM attacked the Malian army near Gao on 12 March 2021 during Operation Barkhane.")
    ev = event(doc, "ArmedClash")
    assert ev["participants"] == {"attacker": ["jnim"], "target": ["malian-armed-forces"]}
    assert ev["trigger"] == "attacked"
    assert ev["place"] == {"entity": "gao", "precision": "near"}
    assert ev["date"] == {"text": "12 March 2021", "value": "2021-03-12", "precision": "day", "basis": "stated"}
    assert ev["operation"] == "operation-barkhane"
    assert ev["status"] == "draft" and 0 < ev["confidence"] <= 1


def test_passive_attack_in_english(annotator: Annotator) -> None:
    ev = event(draft(annotator, "The Malian army was attacked by JNIM in Menaka."), "ArmedClash")
    assert ev["participants"] == {"target": ["malian-armed-forces"], "attacker": ["jnim"]}
    assert ev["place"] == {"entity": "menaka", "precision": "exact"}


def test_active_attack_in_french(annotator: Annotator) -> None:
    ev = event(draft(annotator, "Le 12 mars 2021, le GSIM a attaqué l'armée malienne à Ménaka."), "ArmedClash")
    assert ev["participants"] == {"attacker": ["jnim"], "target": ["malian-armed-forces"]}
    assert ev["place"] == {"entity": "menaka", "precision": "exact"}
    assert ev["date"] == {"text": "12 mars 2021", "value": "2021-03-12", "precision": "day", "basis": "stated"}


def test_a_relative_date_and_a_count_range_in_english(annotator: Annotator) -> None:
    doc = draft(annotator, "# date: 2021-09-24\n\nBetween 10 and 15 soldiers were killed by JNIM near Gao on Monday.")
    ev = event(doc, "Death")
    assert ev["count"] == {"low": 10, "high": 15, "text": "Between 10 and 15", "unit": "soldier"}
    assert ev["participants"]["attacker"] == ["jnim"]
    assert ev["date"]["value"] == "2021-09-20" and ev["date"]["basis"] == "relative" and ev["date"]["precision"] == "day"


def test_passive_death_in_french_with_a_count_range_and_an_instrument(annotator: Annotator) -> None:
    doc = draft(annotator, "Entre 10 et 15 soldats ont été tués par le GSIM avec un engin explosif improvisé près de Gao.")
    ev = event(doc, "Death")
    assert ev["participants"]["attacker"] == ["jnim"]
    [victims] = ev["participants"]["victim"]
    assert next(e for e in doc["entities"] if e["id"] == victims)["type"] == "PersonGroup"
    assert ev["count"] == {"low": 10, "high": 15, "text": "Entre 10 et 15", "unit": "soldat"}
    assert ev["instruments"] == ["ied"]


def test_no_date_is_assumed_from_the_publication_date(annotator: Annotator) -> None:
    ev = event(draft(annotator, "# date: 2021-03-15\n\nJNIM attacked the Malian army near Gao."), "ArmedClash")
    assert "date" not in ev


def test_the_spacy_path_in_a_whole_draft(corpus: Path, ontology: Any) -> None:
    need_spacy("en")
    registry = CorpusReader(corpus, ontology).read_registry([])
    with_model = Annotator(registry, ontology, use_model=True)
    doc = with_model.annotate("Emmanuel Macron met the Malian army in Gao.", "a1").doc
    [macron] = [e for e in doc["entities"] if e["label"] == "Emmanuel Macron"]
    assert (macron["type"], macron["note"].split("from ")[1]) == ("Person", "spaCy entity PERSON: add it to the registry if it recurs")
    assert [m["entity"] for m in doc["mentions"]] == [macron["id"], "malian-armed-forces", "gao"]


def test_a_text_with_no_entity_at_all(annotator: Annotator) -> None:
    doc = draft(annotator, "It rained all day and the market stayed open.")
    assert doc == {"article": {
        "id": "a1", "language": "en",
        "published": {"basis": "unknown", "derivation": "the text states no publication date: add it if known"},
        "drafted_by": doc["article"]["drafted_by"]}}


# ---------------------------------------------------------------------------- the file: validates, builds, kept apart

TEXT_EN = ("# source: https://example.org/news/1\n# date: 2021-03-15\n\n"
           "Mali: an attack near Gao\n\n"
           "JNIM attacked the Malian army near Gao on 12 March 2021. Two soldiers were killed by JNIM. "
           "Colonel Ann Brown said that the French army would stay in Mali.\n")
TEXT_FR = ("Le 12 mars 2021, le GSIM a attaqué l'armée malienne à Ménaka. Deux soldats ont été tués. "
           "La force Barkhane a neutralisé une dizaine de terroristes près de Gao, selon l’armée française.\n")


def settings_for(corpus: Path, tmp_path: Path) -> Settings:
    return Settings.from_env(store=str(tmp_path / "store"), root=PACKAGE_ROOT, ontology_dir=PACKAGE_ROOT / "ontology",
                             corpus_dir=corpus, queries_dir=PACKAGE_ROOT / "queries")


def test_drafts_validate_build_and_stay_apart_in_the_graph(corpus: Path, annotator: Annotator, ontology: Any, tmp_path: Path) -> None:
    from sahelkg.build import build
    from sahelkg.store import open_read_only

    (corpus / "articles" / "en1.txt").write_text(TEXT_EN, encoding="utf-8")
    (corpus / "articles" / "fr1.txt").write_text(TEXT_FR, encoding="utf-8")
    done, skipped, failed = annotate_folder(annotator, corpus / "articles")
    assert [p.name for p, _ in done] == ["en1.yaml", "fr1.yaml"] and skipped == [] and failed == []
    report = check_corpus(corpus, ontology)
    assert [str(p) for p in report.problems if p.severity == "error"] == []
    assert {a.id for a in report.articles} == {"en1", "fr1"}
    build(settings_for(corpus, tmp_path), full=True)
    store = open_read_only(tmp_path / "store")
    drafts = select(store, "SELECT ?id WHERE { ?e a sk:ArmedClash ; sk:annotationId ?id ; sk:reviewStatus sk:Draft }")
    assert sorted(r["id"] for r in drafts) == ["e1", "e1"]
    conf = select(store, """SELECT ?c WHERE { ?e a sk:ArmedClash ; sk:sourceArticle/sk:articleId "en1" .
        ?a oa:hasBody ?e ; oa:motivatedBy oa:describing ; sk:reviewStatus sk:Draft ; sk:confidence ?c }""")
    assert len(conf) == 1 and 0 < float(conf[0]["c"]) <= 1
    # a reviewer accepts the English attack: it leaves the drafts
    path = corpus / "annotations" / "en1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["events"][0]["status"] = "reviewed"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build(settings_for(corpus, tmp_path))
    store = open_read_only(tmp_path / "store")
    reviewed = "FILTER NOT EXISTS { ?e sk:reviewStatus sk:Draft }"
    rows = select(store, f"SELECT ?art WHERE {{ ?e a sk:ArmedClash ; sk:sourceArticle/sk:articleId ?art . {reviewed} }}")
    assert rows == [{"art": "en1"}]


def test_named_queries_tell_drafts_apart(corpus: Path, annotator: Annotator, tmp_path: Path) -> None:
    from sahelkg.build import build

    (corpus / "articles" / "fr1.txt").write_text(TEXT_FR, encoding="utf-8")
    annotate_folder(annotator, corpus / "articles")
    settings = settings_for(corpus, tmp_path)
    build(settings, full=True)
    runner = CliRunner()
    env = {"SAHELKG_CORPUS": str(corpus)}
    store = str(tmp_path / "store")
    every = runner.invoke(main, ["query", "events-by-type", "--store", store, "--format", "csv"], env=env)
    reviewed = runner.invoke(main, ["query", "events-by-type", "-p", "drafts=false", "--store", store, "--format", "csv"], env=env)
    assert every.exit_code == 0 and reviewed.exit_code == 0, every.output + reviewed.output
    assert len(every.output.strip().splitlines()) > 1
    assert len(reviewed.output.strip().splitlines()) == 1  # the header only: every event is a draft
    listed = runner.invoke(main, ["query", "draft-facts", "-p", "article=fr1", "--store", store, "--format", "csv"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert lines[0].startswith("articleId,annotationId,type,confidence,quote")
    assert any(",e1," in line for line in lines[1:])


# ---------------------------------------------------------------------------- the command line and bad input

def test_cli_writes_then_refuses_to_overwrite_without_force(corpus: Path, tmp_path: Path) -> None:
    art = corpus / "articles" / "en1.txt"
    art.write_text(TEXT_EN, encoding="utf-8")
    runner = CliRunner()
    env = {"SAHELKG_CORPUS": str(corpus)}
    first = runner.invoke(main, ["annotate", str(art), "--no-model"], env=env)
    assert first.exit_code == 0, first.output
    out = corpus / "annotations" / "en1.yaml"
    assert out.exists() and f"{out}: draft (en," in first.output
    out.write_text("article: {id: en1, language: en}\n", encoding="utf-8")
    again = runner.invoke(main, ["annotate", str(art), "--no-model"], env=env)
    assert again.exit_code == 1
    assert f"error: {out} exists: sahelkg annotate never overwrites an annotation; pass --force to replace it" in again.output
    assert out.read_text(encoding="utf-8") == "article: {id: en1, language: en}\n"
    forced = runner.invoke(main, ["annotate", str(art), "--no-model", "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["article"]["url"] == "https://example.org/news/1"


def test_cli_id_and_output(corpus: Path, tmp_path: Path) -> None:
    art = tmp_path / "received.txt"
    art.write_text("Gao is calm.", encoding="utf-8")
    res = CliRunner().invoke(main, ["annotate", str(art), "--id", "new_1", "-o", str(tmp_path / "x.yaml"), "--no-model"],
                             env={"SAHELKG_CORPUS": str(corpus)})
    assert res.exit_code == 0, res.output
    assert yaml.safe_load((tmp_path / "x.yaml").read_text(encoding="utf-8"))["article"]["id"] == "new_1"
    bad = CliRunner().invoke(main, ["annotate", str(art), "--id", "no spaces", "--no-model"], env={"SAHELKG_CORPUS": str(corpus)})
    assert bad.exit_code == 1 and "article id 'no spaces': use only letters, digits, '_' and '-'" in bad.output


def test_a_folder_skips_articles_already_annotated_and_reports_bad_files(corpus: Path, annotator: Annotator) -> None:
    (corpus / "articles" / "a.txt").write_text("Gao is calm.", encoding="utf-8")
    (corpus / "articles" / "b.txt").write_text("Menaka is calm.", encoding="utf-8")
    (corpus / "annotations" / "a.yaml").write_text("kept\n", encoding="utf-8")
    (corpus / "articles" / "c.txt").write_bytes("Gao était calme.".encode("latin-1"))
    done, skipped, failed = annotate_folder(annotator, corpus / "articles")
    assert [p.name for p, _ in done] == ["b.yaml"] and [p.name for p in skipped] == ["a.txt"]
    assert [str(e) for e in failed] == [f"{corpus / 'articles' / 'c.txt'}: not UTF-8 text (byte 0xe9 at offset 4); "
                                        "convert it to UTF-8 first, e.g. iconv -f latin1 -t utf-8"]
    assert (corpus / "annotations" / "a.yaml").read_text(encoding="utf-8") == "kept\n"


def test_a_non_utf8_file_is_a_clear_error_naming_it(annotator: Annotator, tmp_path: Path) -> None:
    art = tmp_path / "latin.txt"
    art.write_bytes("Le soldat a été tué à Gao.".encode("latin-1"))
    with pytest.raises(AnnotateError) as e:
        annotate_file(annotator, art)
    assert str(e.value) == (f"{art}: not UTF-8 text (byte 0xe9 at offset 12); convert it to UTF-8 first, "
                            "e.g. iconv -f latin1 -t utf-8")
    assert not (tmp_path / "latin.yaml").exists()


def test_an_empty_file_is_a_clear_error(annotator: Annotator, tmp_path: Path, corpus: Path) -> None:
    art = tmp_path / "empty.txt"
    art.write_text("# source: https://example.org/x\n\n  \n", encoding="utf-8")
    with pytest.raises(AnnotateError, match=r"^article empty: the text is empty \(after its header lines\): nothing to annotate$"):
        annotate_file(annotator, art)
    res = CliRunner().invoke(main, ["annotate", str(art), "--no-model"], env={"SAHELKG_CORPUS": str(corpus)})
    assert res.exit_code == 1 and "nothing to annotate" in res.output
    assert not (tmp_path / "empty.yaml").exists()


def test_the_gazetteer_works_without_an_ontology(annotator: Annotator) -> None:
    gaz = Gazetteer(annotator.registry, None, "fr")
    assert [(m.entity, m.text) for m in gaz.find("les FAMa et le GSIM")] == [("malian-armed-forces", "FAMa"), ("jnim", "GSIM")]


# ---------------------------------------------------------------------------- more rules, EN and FR

def test_rules_for_armies_governments_positions_armed_groups_and_weapons() -> None:
    fr = {(p.label, p.type) for p in rule_proposals(
        "Le gouvernement malien et la ministre des Armées ont salué l'armée nigérienne face à un groupe armé "
        "terroriste équipé de roquettes, alors que les groupes armés se multiplient.", "fr")}
    assert {("gouvernement malien", "Government"), ("ministre des Armées", "Position"), ("armée nigérienne", "ArmedForce"),
            ("un groupe armé terroriste", "ArmedGroup"), ("roquettes", "Rocket")} <= fr
    assert not any(label.startswith("groupes armés") for label, _ in fr)  # a kind of group, not one group
    en = {(p.label, p.type) for p in rule_proposals(
        "The Chadian army and the Minister of the Armed Forces said a jihadist group fired mortars at the camp.", "en")}
    assert {("Chadian army", "ArmedForce"), ("Minister of the Armed Forces", "Position"),
            ("a jihadist group", "ArmedGroup"), ("mortars", "HeavyWeapon")} <= en


def test_places_between_two_names_and_in_appositions() -> None:
    fr = {(p.label, p.type) for p in rule_proposals("Les combats ont eu lieu entre Boni et Hombori.", "fr")}
    en = {(p.label, p.type) for p in rule_proposals("Fighting between Ansongo and Labbezanga.", "en")}
    assert {("Boni", "Settlement"), ("Hombori", "Settlement")} <= fr
    assert {("Ansongo", "Settlement"), ("Labbezanga", "Settlement")} <= en
    appositions = {(p.label, p.type) for p in rule_proposals(
        "Tessit, a town in the region, and Boni, une localité du centre, near Kidal, in northern Mali.", "en")}
    assert {("Tessit", "Settlement"), ("Boni", "Settlement"), ("Kidal", "Settlement")} <= appositions


def test_plurals_of_registry_common_nouns(annotator: Annotator) -> None:
    assert [(m.entity, m.text) for m in annotator.gazetteer("fr").find("Des engins explosifs et un engin explosif.")] == [
        ("ied", "engins explosifs"), ("ied", "engin explosif")]


def test_a_later_report_of_the_same_death_and_a_tally_are_not_new_events(annotator: Annotator) -> None:
    doc = draft(annotator, "Sergeant John Smith was killed near Gao. The death of John Smith shocked the army. "
                           "Since 2013, 50 soldiers have been killed in Mali.")
    assert [(e["type"], e["participants"]) for e in doc["events"]] == [("Death", {"victim": ["john-smith"]})]


def test_headline_events_are_left_to_the_body(annotator: Annotator) -> None:
    doc = draft(annotator, "JNIM attacks the Malian army near Gao\n\nJNIM attacked the Malian army near Gao on Monday.")
    [ev] = doc["events"]
    assert ev["quote"] == "JNIM attacked the Malian army near Gao on Monday."


def test_claims_get_their_speaker_and_stance(annotator: Annotator) -> None:
    doc = draft(annotator, "La force Barkhane a neutralisé des terroristes près de Gao, selon l’armée française.")
    [claim] = doc["claims"]
    assert (claim["speaker"], claim["stance"], claim["status"]) == ("french-armed-forces", "states", "draft")
    assert claim["about"] == [doc["events"][0]["id"]]


def test_spacy_persons_in_a_locative_context_are_places() -> None:
    need_spacy("en")
    found = {(p.label, p.type) for p in spacy_proposals("The convoy drove from Gao to Ansongo near Labbezanga.", "en")}
    assert all(t != "Person" for _, t in found), found


def test_cli_folder_drafts_the_good_files_and_exits_1_naming_the_bad_one(corpus: Path) -> None:
    (corpus / "articles" / "good.txt").write_text("Gao is calm.", encoding="utf-8")
    (corpus / "articles" / "empty.txt").write_text("", encoding="utf-8")
    res = CliRunner().invoke(main, ["annotate", str(corpus / "articles"), "--no-model", "-q"], env={"SAHELKG_CORPUS": str(corpus)})
    assert res.exit_code == 1
    assert f"{corpus / 'annotations' / 'good.yaml'}: draft (en, 0 entities, 1 mentions, 0 events" in res.output
    assert "error: article empty: the text is empty (after its header lines): nothing to annotate" in res.output
    assert sorted(p.name for p in (corpus / "annotations").iterdir()) == ["good.yaml"]


def test_a_weapon_trigger_takes_its_target_and_the_death_results_from_it(annotator: Annotator) -> None:
    doc = draft(annotator, "Two French soldiers were killed when their vehicle hit an IED near Menaka.")
    death, blast = event(doc, "Death"), event(doc, "RemoteExplosiveLandmineIED")
    assert death["participants"] == {"victim": ["two-french-soldiers"]}
    assert blast["participants"] == {"target": ["two-french-soldiers"]}
    assert (death["result_of"], death["count"]["value"], "count" in blast) == (blast["id"], 2, False)
    assert next(e for e in doc["entities"] if e["id"] == "two-french-soldiers")["type"] == "PersonGroup"


def test_a_planned_event_is_never_drafted_as_one_that_happened(annotator: Annotator) -> None:
    doc = draft(annotator, "France will withdraw its troops from Gao. JNIM attacked the Malian army near Gao.")
    if "modality" in annotator.event_keys:  # the schema has modality (COMMON.md item 3): it is written
        assert [(e["type"], e.get("modality")) for e in doc["events"]] == [("Withdrawal", "planned"), ("ArmedClash", None)]
    else:  # without it, the planned withdrawal is left out rather than stated as a fact
        assert [(e["id"], e["type"]) for e in doc["events"]] == [("e1", "ArmedClash")]


def _types(text: str, lang: str) -> list[tuple[str, str]]:
    from sahelkg.annotate.triggers import find_triggers
    return [(t.text, t.event_type) for t in find_triggers(text, lang)]


def test_an_operation_carried_out_is_an_event_and_a_named_operation_is_not() -> None:
    assert _types("Malian troops conducted a clearing operation near Gao.", "en") == [
        ("conducted a clearing operation", "MilitaryAction")]
    assert _types("He was wounded during a sweeping operation.", "en") == [
        ("wounded", "Injury"), ("operation", "MilitaryAction")]
    assert _types("Operation Serval ended and the operation Barkhane began.", "en") == []
    assert _types("Les soldats ont mené une opération près de Gao.", "fr") == [("ont mené une opération", "MilitaryAction")]
    assert _types("Les forces de l’opération Serval sont parties.", "fr") == []


def test_receiving_a_medal_is_an_award_and_founding_a_group_an_establishment() -> None:
    assert _types("Sergeant Paul Martin received the military medal in 2020.", "en") == [
        ("received the military medal", "Award")]
    assert _types("Il a reçu la médaille militaire.", "fr") == [("reçu la médaille", "Award")]
    assert _types("The group was founded in 2015; the UN established a mission.", "en") == [
        ("was founded", "Establishment"), ("established", "Establishment")]
    assert _types("Un groupe armé créé en 2015.", "fr") == [("créé", "Establishment")]


def test_a_title_case_line_inside_the_body_has_no_events(annotator: Annotator) -> None:
    doc = draft(annotator, "Malian Soldiers Killed In Attack Near Gao\n\nThe story below is older.\n\n"
                           "Trois Soldats Tués Près De Gao\n\nJNIM attacked the Malian army near Gao on Monday.")
    assert [e["quote"] for e in doc["events"]] == ["JNIM attacked the Malian army near Gao on Monday."]


def test_the_verb_that_reports_a_death_wins_over_an_earlier_noun_that_recalls_it(annotator: Annotator) -> None:
    doc = draft(annotator, "After the death of Sergeant John Smith, the army left Gao. "
                           "Sergeant John Smith died of his wounds near Gao on Monday.")
    deaths = [e for e in doc["events"] if e["type"] == "Death"]
    assert [(e["quote"], e["participants"]) for e in deaths] == [
        ("Sergeant John Smith died of his wounds near Gao on Monday.", {"victim": ["john-smith"]})]


def test_an_operation_has_an_agent_and_a_target_in_en_and_fr(annotator: Annotator) -> None:
    doc = draft(annotator, "The Barkhane force conducted an operation against JNIM near Gao.")
    assert event(doc, "MilitaryAction")["participants"] == {"agent": ["operation-barkhane"], "target": ["jnim"]}
    doc = draft(annotator, "La force Barkhane a mené une opération contre le JNIM près de Gao.")
    assert event(doc, "MilitaryAction")["participants"] == {"agent": ["operation-barkhane"], "target": ["jnim"]}


def test_what_is_founded_is_a_participant_and_who_receives_a_medal_the_recipient(annotator: Annotator) -> None:
    doc = draft(annotator, "In 2017 the Malian army established the Barkhane force in Mali.")
    assert event(doc, "Establishment")["participants"] == {"agent": ["malian-armed-forces"], "participant": ["operation-barkhane"]}
    doc = draft(annotator, "Le JNIM, créé en 2017, opère au Mali.")
    assert event(doc, "Establishment")["participants"] == {"participant": ["jnim"]}
    doc = draft(annotator, "Sergeant Paul Martin of the Barkhane force received the military medal.")
    assert event(doc, "Award")["participants"] == {"recipient": ["paul-martin"]}


def test_seized_weapons_return_fire_and_hors_de_combat_in_en_and_fr() -> None:
    assert _types("Rifles, grenades and a motorcycle were seized.", "en") == [
        ("Rifles, grenades and a motorcycle were seized", "DisruptedWeaponsUse")]
    assert _types("Soldiers seized weapons near Gao.", "en") == [("seized weapons", "DisruptedWeaponsUse")]
    assert _types("Des armes et des munitions ont été saisies.", "fr") == [
        ("armes et des munitions ont été saisies", "DisruptedWeaponsUse")]
    assert _types("The soldiers returned fire.", "en") == [("returned fire", "ArmedClash")]
    assert _types("Les assaillants ont riposté.", "fr") == [("ont riposté", "ArmedClash")]
    assert _types("L'armée a mis hors de combat dix terroristes.", "fr") == [("mis hors de combat", "Neutralization")]


def test_based_on_and_bare_intervention_are_no_events() -> None:
    assert _types("Une stratégie fondée sur le partenariat.", "fr") == []
    assert _types("Peace cannot come through military intervention alone.", "en") == []
    assert _types("France prepared an intervention in Libya.", "en") == [("intervention", "MilitaryAction")]


def test_a_demonstrative_recalls_an_event_and_to_strike_is_no_strike(annotator: Annotator) -> None:
    doc = draft(annotator, "The Malian army conducted an operation near Gao. This operation was a success. "
                           "We are able to strike JNIM at any time.")
    assert [(e["type"], e["quote"]) for e in doc["events"]] == [
        ("MilitaryAction", "The Malian army conducted an operation near Gao.")]
    doc = draft(annotator, "Les soldats ont mené une opération près de Gao. Cette opération a duré deux jours.")
    assert [e["type"] for e in doc["events"]] == ["MilitaryAction"]
    doc = draft(annotator, "The army sent troops to attack JNIM.")
    assert doc.get("events", []) == []
    doc = draft(annotator, "The dispute led to fighting near Gao.")
    assert [e["type"] for e in doc["events"]] == ["ArmedClash"]


def test_a_bare_plural_group_is_one_entity_and_a_counted_one_keeps_its_thousands() -> None:
    from sahelkg.annotate.entities import choose, rule_proposals, to_mentions
    text = "Les terroristes ont attaqué Gao. Les terroristes ont fui. Sept terroristes ont été tués. Environ 4 000 militaires sont déployés."
    ms, _first = to_mentions(choose(rule_proposals(text, "fr"), []), text, set())
    groups = [(m.text, m.entity) for m in ms if m.type == "PersonGroup"]
    assert groups == [("Les terroristes", "les-terroristes"), ("Les terroristes", "les-terroristes"),
                      ("Sept terroristes", "sept-terroristes"), ("4 000 militaires", "4-000-militaires")]
    text = "The jihadists fled; jihadists came back, and 1,200 soldiers arrived."
    ms, _first = to_mentions(choose(rule_proposals(text, "en"), []), text, set())
    assert [(m.text, m.entity) for m in ms if m.type == "PersonGroup"] == [
        ("The jihadists", "the-jihadists"), ("jihadists", "the-jihadists"), ("1,200 soldiers", "1-200-soldiers")]


def test_the_definite_description_takes_up_the_indefinite_one_in_en_and_fr(annotator: Annotator) -> None:
    doc = draft(annotator, "A French paratrooper was killed near Gao on Monday. The French paratrooper had served in Chad.")
    assert [(m["entity"], m["quote"]) for m in doc["mentions"] if m["entity"].startswith("a-french")] == [
        ("a-french-paratrooper", "A French paratrooper"), ("a-french-paratrooper", "The French paratrooper")]
    from sahelkg.annotate.entities import choose, rule_proposals, to_mentions
    text = "Un soldat malien a été blessé. Le soldat malien a été évacué. Le soldat français est indemne."
    ms, _first = to_mentions(choose(rule_proposals(text, "fr"), []), text, set())
    assert [(m.text, m.entity) for m in ms if m.type == "Person"] == [
        ("Un soldat malien", "un-soldat-malien"), ("Le soldat malien", "un-soldat-malien")]


def test_a_clash_has_sides_and_an_attack_an_attacker_and_a_target(annotator: Annotator) -> None:
    doc = draft(annotator, "The Malian army was caught in a clash with JNIM near Gao.")
    assert event(doc, "ArmedClash")["participants"] == {"participant": ["malian-armed-forces", "jnim"]}
    doc = draft(annotator, "L'armée malienne a subi un accrochage avec le JNIM près de Gao.")
    assert event(doc, "ArmedClash")["participants"] == {"participant": ["malian-armed-forces", "jnim"]}
    doc = draft(annotator, "JNIM attacked the Malian army near Gao.")
    assert event(doc, "ArmedClash")["participants"] == {"attacker": ["jnim"], "target": ["malian-armed-forces"]}


def test_fatal_wounds_mines_stepped_on_and_regained_control_in_en_and_fr() -> None:
    assert _types("A soldier was fatally wounded near Gao.", "en") == [("fatally wounded", "Death")]
    assert _types("Un soldat a été mortellement blessé.", "fr") == [("mortellement blessé", "Death")]
    assert _types("His vehicle drove over an artisanal mine.", "en") == [("drove over an artisanal mine", "RemoteExplosiveLandmineIED")]
    assert _types("They were victims of a homemade bomb.", "en") == [("homemade bomb", "RemoteExplosiveLandmineIED")]
    assert _types("Le groupe pratique le minage des routes.", "fr") == [("minage", "RemoteExplosiveLandmineIED")]
    assert _types("The army helped the government regain control of the north.", "en") == [
        ("regain control", "GovernmentRegainsTerritory")]


def test_who_steps_on_a_mine_is_its_target(annotator: Annotator) -> None:
    doc = draft(annotator, "The Malian army stepped on a landmine near Gao.")
    assert event(doc, "RemoteExplosiveLandmineIED")["participants"] == {"target": ["malian-armed-forces"]}


def test_a_plural_is_a_kind_unless_counted_and_a_recalled_count_is_no_new_event(annotator: Annotator) -> None:
    doc = draft(annotator, "The militias resort to suicide bombings near Gao.")
    assert doc.get("events", []) == []
    doc = draft(annotator, "Two suicide bombings hit Gao on Monday.")
    assert [e["type"] for e in doc["events"]] == ["SuicideBomb"]
    doc = draft(annotator, "Trois attaques ont visé Gao lundi. Ces trois attaques ont choqué le pays.")
    assert [e["quote"] for e in doc["events"]] == ["Trois attaques ont visé Gao lundi."]


def test_attack_helicopters_and_the_area_of_operations_are_no_events() -> None:
    assert _types("Two attack helicopters were deployed to the area of operation.", "en") == [("deployed", "Deployment")]
    assert _types("Des hélicoptères d’attaque survolent le théâtre des opérations.", "fr") == []
    assert _types("The attack on Gao failed.", "en") == [("attack", "ArmedClash")]


def test_a_name_that_holds_a_registry_place_is_one_name(annotator: Annotator) -> None:
    doc = draft(annotator, "La katiba du Gao a frappé. Le G5 Sahel soutient la force conjointe du G5 Sahel.")
    assert [(m["entity"], m["quote"] if isinstance(m["quote"], str) else m["quote"]) for m in doc["mentions"]] == [
        ("katiba-du-gao", "katiba du Gao"), ("g5-sahel", "G5 Sahel"), ("force-conjointe-du-g5-sahel", "force conjointe du G5 Sahel")]
    types_ = {e["id"]: e["type"] for e in doc["entities"]}
    assert (types_["katiba-du-gao"], types_["g5-sahel"], types_["force-conjointe-du-g5-sahel"]) == ("Katiba", "Organization", "ArmedForce")


def test_us_as_a_pronoun_is_no_nationality() -> None:
    found = {(p.label, p.type) for p in rule_proposals("These forces us to act, said the US forces.", "en")}
    assert ("forces us", "ArmedForce") not in found and ("US forces", "ArmedForce") in found


def test_security_forces_by_nationality_or_country_in_en_and_fr() -> None:
    found = [(p.label, p.type) for p in rule_proposals(
        "Niger's security forces, the country's army and Malian security forces met les forces de sécurité maliennes.", "en")
        if p.source == "rule:army"]
    assert found == [("Niger's security forces", "ArmedForce"), ("Malian security forces", "ArmedForce"),
                     ("forces de sécurité maliennes", "ArmedForce")]


def test_a_participle_adjective_takes_its_noun_as_victim_and_a_government_regains_as_agent(annotator: Annotator) -> None:
    doc = draft(annotator, "Parmi les terroristes neutralisés, le chef du JNIM a été identifié.")
    assert event(doc, "Neutralization")["participants"]["victim"] == ["les-terroristes"]
    doc = draft(annotator, "The Malian army regained control of Gao on Monday.")
    ev = event(doc, "GovernmentRegainsTerritory")
    assert (ev["participants"], ev["place"]["entity"]) == ({"agent": ["malian-armed-forces"]}, "gao")


def test_according_to_introduces_a_speaker_not_a_place() -> None:
    from sahelkg.annotate.entities import _located
    text = "According to Jean Dupont, the convoy went to Gao. Speaking to Paul Martin, he left."
    assert [_located(text, text.index(w)) for w in ("Jean", "Gao", "Paul")] == [False, True, False]


def test_a_country_that_announces_or_decides_is_its_government(corpus: Path, ontology: Any) -> None:
    (corpus / "registry" / "entities.yaml").write_text(REGISTRY + """
- id: france
  type: Country
  label: {en: "France", fr: "France"}
- id: french-government
  type: Government
  label: {en: "Government of France", fr: "Gouvernement français"}
  aliases: {en: ["France", "Paris"], fr: ["France", "Paris"]}
""", encoding="utf-8")
    problems: list[Problem] = []
    registry = CorpusReader(corpus, ontology).read_registry(problems)
    assert problems == []
    ann = Annotator(registry, ontology, use_model=False, schema=corpus / "schema" / "annotation.schema.json")
    def france(doc: dict[str, Any]) -> list[str]:
        return [m["entity"] for m in doc["mentions"] if "France" in str(m["quote"])]

    assert france(ann.annotate("France announced its withdrawal from Mali. French troops went to France.", "a1").doc) == [
        "french-government", "france"]
    assert france(ann.annotate("La France a décidé de quitter le Mali. Il vit en France.", "a2").doc) == [
        "french-government", "france"]


def test_a_language_is_no_place_for_spacy(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import sahelkg.annotate.entities as ner

    text = "The group is called Jnim in Arabic and operates in Mali."
    ents = [SimpleNamespace(label_="PERSON", start_char=text.index(w), end_char=text.index(w) + len(w)) for w in ("Arabic", "Mali")]
    monkeypatch.setattr(ner, "_spacy_model", lambda lang: (lambda t: SimpleNamespace(ents=ents)))
    assert [(p.label, p.type) for p in ner.spacy_proposals(text, "en")] == [("Mali", "Settlement")]


def test_reaffirming_is_an_announcement_and_a_move_of_forces_a_redeployment() -> None:
    assert _types("Chad reaffirmed its support to the force.", "en") == [("reaffirmed", "Announcement")]
    assert _types("Le Tchad a réaffirmé son soutien.", "fr") == [("réaffirmé", "Announcement")]
    assert _types("Paris is studying a gradual move of its special forces to Niger.", "en") == [
        ("move of its special forces", "Redeployment")]
    assert _types("Le transfert des forces spéciales vers le Niger a commencé.", "fr") == [
        ("transfert des forces", "Redeployment")]


def test_established_that_and_created_panic_are_no_establishment() -> None:
    assert _types("The inquiry established that the convoy was ambushed.", "en") == [("ambushed", "ArmedClash")]
    assert _types("The rumour created panic in Gao.", "en") == []


def test_a_title_case_line_has_no_rank_before_a_name() -> None:
    found = {(p.label, p.type) for p in rule_proposals("French Soldier Killed In Attack Near Gao\n\nSergeant Paul Martin died.", "en")}
    assert found == {("Paul Martin", "Person"), ("Sergeant", "MilitaryRank")}


def test_a_region_named_after_a_registry_town_is_another_place(annotator: Annotator) -> None:
    doc = draft(annotator, "Fighters crossed the Gao region before they reached Gao. Ils ont quitté la région de Gao.")
    assert [m["entity"] for m in doc["mentions"]] == ["gao-region", "gao", "region-de-gao"]
    assert {e["id"]: e["type"] for e in doc["entities"]}["gao-region"] == "AdministrativeRegion"
