"""The annotator's workbench: the warnings that catch silent mistakes, "did you mean", search by name
(CLI and /api/search) and the diff of the last build."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from test_corpus import edit, line_of

from sahelkg.cli import main
from sahelkg.corpus import check_corpus
from sahelkg.graph.ontology import load_ontology
from sahelkg.settings import PACKAGE_ROOT, Settings


@pytest.fixture(scope="module")
def ontology():
    return load_ontology(PACKAGE_ROOT / "ontology" / "sahelkg.ttl")


def warnings(corpus: Path, ontology) -> list[str]:
    return [str(p) for p in check_corpus(corpus, ontology).problems if p.severity == "warning"]


def errors(corpus: Path, ontology) -> list[str]:
    return [str(p) for p in check_corpus(corpus, ontology).problems if p.severity == "error"]


# --------------------------------------------------------------------------- warnings (EN fixture)

GOSSI_MALI = '{entity: gossi, quote: "Mali"}'
PREFIX_LINE = 'prefix: "Operation "'
SUFFIX_LINE = 'suffix: " sad"'


def test_a_mention_linked_to_the_wrong_entity_is_a_warning(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '{entity: mali, quote: "Mali"}', '{entity: gossi, quote: "Mali"}')
    assert warnings(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, GOSSI_MALI)}: mention of gossi: the quote "Mali" matches '
        'none of its names ("Gossi"); link the right entity, add the name to the registry\'s aliases, or mark a '
        'coreference ("the force", "he") with coref: true',
    ]  # (the name "Mali" is inside a mention, so it is not reported as never mentioned)


def test_a_marked_coreference_is_not_checked_against_names(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '  - {entity: mali, quote: "Mali"}', '  - {entity: mali, quote: "Mali"}\n'
         '  - {entity: operation-barkhane, quote: "the Barkhane force"}\n  - {entity: operation-barkhane, quote: "the raid"}')
    line = line_of(ann, 'quote: "the raid"}')
    assert warnings(min_corpus, ontology) == [
        f'{ann}:{line}: mention of operation-barkhane: the quote "the raid" matches none of its names ("Operation '
        'Barkhane", "opération Barkhane", "Barkhane"); link the right entity, add the name to the registry\'s '
        'aliases, or mark a coreference ("the force", "he") with coref: true',
    ]
    edit(ann, 'quote: "the raid"}', 'quote: "the raid", coref: true}')
    assert warnings(min_corpus, ontology) == []


def test_a_weekday_that_contradicts_the_date(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, 'date: {text: "On 3 May 2020"', 'date: {text: "On Saturday 3 May 2020"')
    # 3 May 2020 was a Sunday
    assert warnings(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, "On Saturday")}: event e1 date: "Saturday" in "On Saturday 3 May 2020", but 2020-05-03 '
        "is a Sunday; check the value or the derivation",
    ]
    edit(ann, "On Saturday 3 May", "On Sunday 3 May")
    assert warnings(min_corpus, ontology) == []


def test_a_victim_without_affiliation(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "  - {id: r2, property: memberOf", "  - {id: r2, property: operatesIn")
    edit(ann, "subject: fighters, object: armed-group", "subject: armed-group, object: gossi")
    assert warnings(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'victim: [fighters]')}: event e1 victim: fighters has no affiliation (no memberOf, "
        "affiliatedWith, partOf, leads, commands, spokespersonFor, holdsPosition in this file or the registry), so "
        "the questions asked by force (soldiers-killed, neutralized-persons) leave it out; add the relation the "
        "text states",
    ]


# --------------------------------------------------------------------------- warnings (FR)

def test_french_unmentioned_name(corpus_copy, ontology):
    ann = corpus_copy / "annotations" / "004_6c0a91cd67c955b8.yaml"
    edit(ann, '  - {entity: helicopter, quote: "héliporté"}', "")
    assert warnings(corpus_copy, ontology) == [
        f'{ann}:{line_of(ann, "mentions:")}: "héliporté" (a name of registry entity helicopter) occurs in the text '
        '(line 7) but no mention links helicopter: add a mention, e.g. {entity: helicopter, quote: "héliporté"}',
    ]


def test_french_weekday(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "language: en", "language: fr")
    edit(ann, 'date: {text: "On 3 May 2020"', 'date: {text: "le lundi 3 mai 2020"')
    assert warnings(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, "lundi")}: event e1 date: "lundi" in "le lundi 3 mai 2020", but 2020-05-03 is a '
        "Sunday; check the value or the derivation",
    ]


# --------------------------------------------------------------------------- did you mean, quotes

def test_did_you_mean(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "attacker: [operation-barkhane]", "attacker: [operation-barkane]")
    edit(ann, "type: Neutralization", "type: MortarAttack")
    edit(ann, "property: locatedIn", "property: locatedin")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'MortarAttack')}: event e1: 'MortarAttack' is not an event class of the ontology; "
        "did you mean 'ShellingArtilleryMissileAttack'?",
        f"{ann}:{line_of(ann, 'operation-barkane')}: event e1 attacker: unknown entity 'operation-barkane': add it "
        "to the registry or to this file's entities; did you mean 'operation-barkhane'?",
        f"{ann}:{line_of(ann, 'locatedin')}: relation r1: unknown relation property 'locatedin'; did you mean "
        "'locatedIn'?",
    ]


def test_did_you_mean_a_role(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "attacker: [operation-barkhane]", "atacker: [operation-barkhane]")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'atacker')}: events/0/participants: Additional properties are not allowed ('atacker' "
        "was unexpected); did you mean 'attacker'?",
    ]


def test_a_quote_whose_prefix_fails_says_so(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '{entity: operation-barkhane, quote: "Barkhane", occurrence: 1}',
         '{entity: operation-barkhane, quote: {text: "Barkhane", prefix: "Operation "}}')
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, PREFIX_LINE)}: mention of operation-barkhane: quote "Barkhane" occurs '
        '2 time(s) in the article text, but never after the prefix "Operation " (the nearest: "ar Gossi. " before '
        "occurrence 2, line 1); fix the prefix, or drop it and give occurrence: N",
    ]


def test_a_quote_whose_suffix_fails_says_so(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '{entity: operation-barkhane, quote: "Barkhane", occurrence: 1}',
         '{entity: operation-barkhane, quote: {text: "Barkhane", suffix: " sad"}}')
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, SUFFIX_LINE)}: mention of operation-barkhane: quote "Barkhane" occurs 2 '
        'time(s) in the article text, but never before the suffix " sad" (the nearest: " sai" after occurrence 2, '
        "line 1); fix the suffix, or drop it and give occurrence: N",
    ]


# --------------------------------------------------------------------------- search

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Settings:
    store = tmp_path_factory.mktemp("workbench") / "store"
    settings = Settings.from_env(store=str(store), root=PACKAGE_ROOT)
    from sahelkg.build import build

    build(settings, full=True)
    return settings


def top(settings: Settings, text: str, *args: str) -> list[tuple[str, str]]:
    result = CliRunner().invoke(main, ["search", "--store", str(settings.store), "--format", "json", *args, text])
    assert result.exit_code == 0, result.output
    return [(h["id"], h["matched"]) for h in json.loads(result.output)]


@pytest.mark.parametrize(("typed", "expected"), [
    ("Abu Walid al-Sahraoui", ("adnan-abou-walid-al-sahraoui", "Abou Walid al-Sahraoui")),  # a vowel changed
    ("Blasko", ("maxime-blasco", "Blasco")),  # misspelt
    ("FORET DE N'DAKI", ("n-daki-forest", "forêt de Ndaki")),  # case, accents and apostrophe folded
    ("n’daki", ("n-daki-forest", "N'Daki")),  # a curly apostrophe for a straight one, lower case
    ("NMLA", ("mnla", "National Movement for the Liberation of Azawad")),  # initials
    ("gsim", ("jnim", "GSIM")),  # case
])
def test_search_ranks_the_entity_first(built, typed, expected):
    assert top(built, typed)[0] == expected


def test_search_by_type_and_language(built):
    assert top(built, "Barkhane", "--type", "MilitaryOperation", "--limit", "1") == [("operation-barkhane", "Barkhane")]
    assert top(built, "foret de ndaki", "--lang", "fr", "--limit", "1") == [("n-daki-forest", "forêt de Ndaki")]


def test_search_table(built):
    result = CliRunner().invoke(main, ["search", "--store", str(built.store), "--limit", "1", "Blasko"])
    assert result.output == (
        "id\ttype\tscore\tlabels\tmatched\tmentioned in\n"
        "maxime-blasco\tPerson\t83\tMaxime Blasco@en; Maxime Blasco@fr\tBlasco\t001_af0646745c3fb3a7\n"
    )


def test_api_search(built):
    from test_web import serve

    from sahelkg.serving.endpoint import create_app
    from sahelkg.serving.web import web_routes

    app = create_app(built.store, workers=1, extra_routes=web_routes(built.queries_dir))
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as c:
        r = c.get("/api/search", params={"q": "Blasko", "limit": 1})
        assert r.status_code == 200
        assert r.json() == {"q": "Blasko", "type": None, "lang": None, "results": [{
            "id": "maxime-blasco", "iri": "https://w3id.org/sahelkg/id/maxime-blasco", "types": ["Person"],
            "labels": {"en": "Maxime Blasco", "fr": "Maxime Blasco"}, "matched": "Blasco", "score": 83.3,
            "articles": ["001_af0646745c3fb3a7"]}]}
        r = c.get("/api/search", params={"q": "ndaki", "lang": "fr", "type": "Place", "limit": 1})
        assert [(h["id"], h["labels"]) for h in r.json()["results"]] == [("n-daki-forest", {"fr": "forêt de N'Daki"})]
        assert c.get("/api/search", params={"q": ""}).json() == {"error": "give the name to look for as q=TEXT"}
        assert c.get("/api/search", params={"q": "x", "limit": "0"}).status_code == 400


# --------------------------------------------------------------------------- diff

def test_diff_after_an_edit(tmp_path, corpus_copy):
    settings = Settings.from_env(store=str(tmp_path / "store"), root=PACKAGE_ROOT, corpus_dir=corpus_copy)
    runner = CliRunner()
    from sahelkg.build import build

    build(settings, full=True)
    ann = corpus_copy / "annotations" / "004_6c0a91cd67c955b8.yaml"
    edit(ann, "    instruments: [helicopter, mq-9-reaper]", "    instruments: [mq-9-reaper]")
    edit(ann, "  - id: r2\n", "  - id: r2x\n")
    result = build(settings)
    from sahelkg.build.diff import render

    expected = (
        "004_6c0a91cd67c955b8 (changed): 1 added, 1 removed, 1 changed\n"
        "  + r2x operatesIn: Katiba du Gourma operates in Gourma\n"
        "  - r2 operatesIn: Katiba du Gourma operates in Gourma\n"
        "  ~ e2 Raid: raid: un groupe terroriste (2018-11-11/2018-11-12) [hasInstrument]\n"
    )
    assert render(result.diff) == expected
    out = runner.invoke(main, ["diff", "--store", str(settings.store), "004_6c0a91cd67c955b8"])
    assert (out.exit_code, out.output) == (0, expected)
    missing = runner.invoke(main, ["diff", "--store", str(settings.store), "000_8c355021fff2e163"])
    assert (missing.exit_code, missing.output) == (2, "error: ARTICLE '000_8c355021fff2e163': the last build did not change it\n")


def test_diff_of_a_removed_article_and_of_a_full_build(tmp_path, corpus_copy, ontology):
    from sahelkg.build import build

    settings = Settings.from_env(store=str(tmp_path / "store"), root=PACKAGE_ROOT, corpus_dir=corpus_copy)
    build(settings, full=True)
    gone = "000_8c355021fff2e163"
    facts = sorted(next(a for a in check_corpus(corpus_copy, ontology).articles if a.id == gone).fact_ids)
    (corpus_copy / "articles" / f"{gone}.txt").unlink()
    (corpus_copy / "annotations" / f"{gone}.yaml").unlink()
    (d,) = build(settings).diff
    assert (d.article, d.status, d.added, d.changed) == (gone, "removed", [], [])
    assert sorted(e["id"] for e in d.removed) == facts
    # a registry change makes the build full: the diff still covers the articles whose files changed
    edit(corpus_copy / "registry" / "places.yaml", "id: gossi", "id: gossi\n  # edited")
    ann = corpus_copy / "annotations" / "004_6c0a91cd67c955b8.yaml"
    edit(ann, "    instruments: [helicopter, mq-9-reaper]", "    instruments: [mq-9-reaper]")
    result = build(settings)
    assert result.full
    assert [(d.article, d.status, [e["id"] for e in d.changed]) for d in result.diff] == [
        ("004_6c0a91cd67c955b8", "changed", ["e2"])]


def test_build_shows_graph_warnings_at_their_line(tmp_path, min_corpus):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "stance: states, about: [e1], quote", "stance: claims, quote")
    store = tmp_path / "store"
    result = CliRunner().invoke(main, ["build", "-q", "--store", str(store)],
                                env={"SAHELKG_CORPUS": str(min_corpus)})
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f'warning: {ann}:{line_of(ann, "id: c1,")}: c1 (quote "Barkhane said the raid was a success"): A claim that '
        "claims, disputes, denies or alleges should say what: at least one sk:claimAbout, sk:claimedAttacker or "
        "sk:claimedVictim (only a statement, warning, announcement or admission may be an opinion whose content is "
        "its quote). (value https://w3id.org/sahelkg/id/t1/c1)",
    ]
