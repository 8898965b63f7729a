"""The corpus validator: the real corpus passes; each kind of broken input gives its exact error."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import missing
from click.testing import CliRunner

from sahelkg.cli import main
from sahelkg.corpus import check_corpus, load_corpus
from sahelkg.errors import CorpusError
from sahelkg.graph.ontology import load_ontology
from sahelkg.settings import PACKAGE_ROOT


@pytest.fixture(scope="module")
def ontology():
    return load_ontology(PACKAGE_ROOT / "ontology" / "sahelkg.ttl")


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """1-based line of the nth line containing ``text`` (so expectations follow the file, not a run)."""
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    return hits[nth - 1]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors(corpus: Path, ontology) -> list[str]:
    return [str(p) for p in check_corpus(corpus, ontology).problems if p.severity == "error"]


def test_real_corpus_validates(ontology):
    report = check_corpus(PACKAGE_ROOT / "corpus", ontology)
    assert [str(p) for p in report.problems] == []
    assert sorted(a.id for a in report.articles) == [
        "000_8c355021fff2e163", "001_af0646745c3fb3a7", "002_b43efc41ee202923",
        "003_284cecf88603a7fc", "004_6c0a91cd67c955b8",
    ]


def test_articles_are_the_seeds_unchanged():
    # tests/fixtures/seeds.sha256 holds the SHA-256 of the five articles as received (`sha256sum -c` reads it)
    import hashlib

    table = (Path(__file__).parent / "fixtures" / "seeds.sha256").read_text(encoding="utf-8").split()
    expected = dict(zip(table[1::2], table[::2]))
    assert len(expected) == 5
    for name, digest in expected.items():
        assert hashlib.sha256((PACKAGE_ROOT / "corpus" / "articles" / name).read_bytes()).hexdigest() == digest, name


def test_articles_are_the_shared_seeds_unchanged():
    seeds = PACKAGE_ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():  # the seeds beside the checkout are an extra; the table above always runs
        missing("../shared/seeds is not beside this checkout (optional; tests/fixtures/seeds.sha256 was checked)")
    names = sorted(seed.name for seed in seeds.glob("*.txt"))
    assert names
    for name in names:
        assert (PACKAGE_ROOT / "corpus" / "articles" / name).read_bytes() == (seeds / name).read_bytes()


def test_fixture_corpus_validates(min_corpus, ontology):
    report = load_corpus(min_corpus, ontology)
    (article,) = report.articles
    (event,) = article.events
    assert (event.type, event.anchor.exact, event.anchor.start, event.anchor.end) == (
        "Neutralization", "the Barkhane force neutralized two fighters near Gossi", 15, 69,
    )
    assert event.trigger.exact == "neutralized" and event.trigger.start == 34
    assert event.participants == (("attacker", "operation-barkhane"), ("victim", "fighters"))
    assert (event.date.iso, event.date.precision, event.date.basis) == ("2020-05-03", "day", "stated")


def test_quote_not_in_text(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '"the Barkhane force neutralized two fighters near Gossi"', '"the Barkhane force killed two fighters near Gossi"')
    line = line_of(ann, "killed two fighters")
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line}: event e1: quote "the Barkhane force killed two fighters near Gossi" not found in the '
        "article text; copy the quote exactly from the article text; the nearest text is "
        '"the Barkhane force neutralized two fighters near Gossi" (line 1)'
    ]


def test_quote_with_wrong_apostrophe_gets_a_hint(tmp_path, min_corpus, ontology):
    text = min_corpus / "articles" / "t1.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("Gossi is in Mali", "Gossi’s region is in Mali"), encoding="utf-8")
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, 'quote: "Gossi is in Mali"', "quote: \"Gossi's region is in Mali\"")
    line = line_of(ann, "region is in Mali")
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line}: relation r1: quote "Gossi\'s region is in Mali" not found in the article text (a near '
        "match exists: copy quotes, apostrophes, spaces and case exactly as in the text); the nearest text is "
        '"Gossi’s region is in Mali" (line 1)'
    ]


def test_ambiguous_quote(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '{entity: gossi, quote: "Gossi", occurrence: 1}', '{entity: gossi, quote: "Gossi"}')
    line = line_of(ann, '{entity: gossi, quote: "Gossi"}')
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line}: mention of gossi: quote "Gossi" is ambiguous: it occurs 2 times in the article text; '
        "add occurrence: N, or a prefix or suffix"
    ]


def test_changed_text_is_detected(min_corpus, ontology):
    text = min_corpus / "articles" / "t1.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("Barkhane said", "The force said"), encoding="utf-8")
    ann = min_corpus / "annotations" / "t1.yaml"
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, "Barkhane said")}: claim c1: quote "Barkhane said the raid was a success" not found '
        "in the article text; copy the quote exactly from the article text; the nearest text is "
        '"force said the raid was a success" (line 1)'
    ]


def test_unknown_entity(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "victim: [fighters]", "victim: [nobody]")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'victim: [nobody]')}: event e1 victim: unknown entity 'nobody': "
        "add it to the registry or to this file's entities"
    ]


def test_wrong_type_for_a_role(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "victim: [fighters]", "victim: [gossi]")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'victim: [gossi]')}: event e1 victim: 'gossi' is a Settlement, but Agent is expected"
    ]


def test_wrong_type_for_a_place(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "place: {entity: gossi, precision: near}", "place: {entity: operation-barkhane, precision: near}")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'place: {entity: operation-barkhane')}: event e1 place: 'operation-barkhane' is a "
        "MilitaryOperation, but Place is expected"
    ]


def test_relation_outside_domain(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "property: locatedIn, subject: gossi", "property: memberOf, subject: gossi")
    line = line_of(ann, "property: memberOf")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line}: relation r1: the subject is a Settlement, but memberOf needs a Agent",
        f"{ann}:{line}: relation r1: the object is a Country, but memberOf needs a Organization",
    ]


def test_malformed_date(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, 'value: "2020-05-03", precision: day', 'value: "2020-02-30", precision: day')
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, '2020-02-30')}: event e1 date: '2020-02-30' is not a calendar date "
        "(day is out of range for month)"
    ]


def test_date_pattern_is_checked_by_the_schema(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, 'value: "2020-05-03", precision: day', 'value: "3 May 2020", precision: day')
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, '3 May 2020', 2)}: events/0/date/value: '3 May 2020' does not match "
        "'^(\\\\d{4}(-\\\\d{2}(-\\\\d{2})?)?|--\\\\d{2}-\\\\d{2})$'"
    ]


def test_inferred_date_needs_a_derivation(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "precision: day, basis: stated}", "precision: day, basis: context}")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'basis: context')}: event e1 date: basis context needs a derivation saying how "
        "the date was obtained"
    ]


def test_malformed_yaml(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "victim: [fighters]", "victim: [fighters")
    (problem,) = errors(min_corpus, ontology)
    assert problem.startswith(f"{ann}:{line_of(ann, 'count:')}: malformed YAML: ")
    assert problem.endswith("; fix the syntax (indentation, quoting, colons)")


def test_duplicate_ids_and_keys(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "{id: c1, speaker", "{id: e1, speaker")
    edit(ann, "  id: t1\n", "  id: t1\n  language: fr\n")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'language: en')}: duplicate key 'language': each key may appear once in a mapping",
        f"{ann}:{line_of(ann, '{id: e1, speaker')}: duplicate id 'e1' (already used by a event)",
    ]


def test_unknown_field_and_unknown_type(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "type: Neutralization", "type: Neutralisation\n    plaec: gossi")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'plaec: gossi')}: events/0: Additional properties are not allowed "
        "('plaec' was unexpected); did you mean 'place'?"
    ]
    edit(ann, "\n    plaec: gossi", "")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'type: Neutralisation')}: event e1: 'Neutralisation' is not an event class of the ontology; "
        "did you mean 'Neutralization'?"
    ]


def test_trigger_must_be_inside_its_quote(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, 'trigger: "neutralized"', 'trigger: "success"')
    assert errors(min_corpus, ontology) == [
        f'{ann}:{line_of(ann, "trigger:")}: event e1 trigger: quote "success" not found inside its quote; '
        "it occurs in the text, but outside the quote it must be part of"
    ]


def test_all_errors_reported_at_once(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    reg = min_corpus / "registry" / "entities.yaml"
    edit(ann, "victim: [fighters]", "victim: [nobody]")
    edit(ann, 'quote: "Gossi is in Mali"', 'quote: "Gossi is in Niger"')
    edit(reg, "type: Country", "type: Kountry")
    assert errors(min_corpus, ontology) == [
        f"{reg}:{line_of(reg, 'type: Kountry')}: entity mali: unknown type 'Kountry': not a class of the ontology; did you mean 'Country'?",
        f"{ann}:{line_of(ann, 'victim: [nobody]')}: event e1 victim: unknown entity 'nobody': add it to the "
        "registry or to this file's entities",
        f'{ann}:{line_of(ann, "Gossi is in Niger")}: relation r1: quote "Gossi is in Niger" not found in the '
        'article text; copy the quote exactly from the article text; the nearest text is "Gossi is in Mali" (line 1)',
    ]


def test_coordinates_need_a_source(min_corpus, ontology):
    reg = min_corpus / "registry" / "entities.yaml"
    edit(reg, ', source: "annotator: test fixture"}', "}")
    assert errors(min_corpus, ontology) == [
        f"{reg}:{line_of(reg, 'coordinates:')}: 1/coordinates: 'source' is a required property"
    ]


def test_cli_check_corpus_exit_codes(min_corpus, monkeypatch):
    monkeypatch.setenv("SAHELKG_CORPUS", str(min_corpus))
    runner = CliRunner()
    ok = runner.invoke(main, ["check", "corpus"])
    assert (ok.exit_code, ok.output) == (0, "check corpus: 0 error(s), 0 warning(s)\n")
    edit(min_corpus / "annotations" / "t1.yaml", "victim: [fighters]", "victim: [nobody]")
    bad = runner.invoke(main, ["check", "corpus"])
    assert bad.exit_code == 1
    assert "event e1 victim: unknown entity 'nobody'" in bad.output
    assert bad.output.endswith("check corpus: 1 error(s), 0 warning(s)\n")


def test_load_corpus_raises_with_every_problem(min_corpus, ontology):
    edit(min_corpus / "annotations" / "t1.yaml", "victim: [fighters]", "victim: [nobody]")
    with pytest.raises(CorpusError) as info:
        load_corpus(min_corpus, ontology)
    assert len(info.value.problems) == 1
    assert str(info.value).startswith("1 error(s) in the corpus:\n")


# --------------------------------------------------------------------------------------------
# what the articles say beyond plain facts (issue 21)


def test_modality_shared_dates_and_hedged_participants_are_read(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "      victim: [fighters]", "      victim: [{entity: fighters, certainty: probable}]\n    modality: planned")
    edit(ann, "about: [e1], quote:", "about: [e1], date_of: e1, quote:")
    (article,) = load_corpus(min_corpus, ontology).articles
    (event,) = article.events
    assert (event.modality, event.hedged, event.participants) == (
        "planned", (("victim", "fighters", "probable"),), (("attacker", "operation-barkhane"), ("victim", "fighters")))
    (claim,) = article.claims
    assert (claim.date, claim.date_from) == (event.date, "e1")


def test_partial_dates_are_read(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, '{text: "On 3 May 2020", value: "2020-05-03", precision: day, basis: stated}',
         '{text: "On 3 May 2020", value: "--05-03", precision: day, time_of_day: "06:30", basis: stated, '
         'conflicts_with: [published]}')
    (article,) = load_corpus(min_corpus, ontology).articles
    d = article.events[0].date
    assert (d.iso, d.month_day, d.day_of_year, d.begin, d.time_of_day, d.conflicts_with) == (
        "--05-03", "--05-03", 124, None, "06:30", ("published",))


def test_date_of_needs_a_fact_with_a_date(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "about: [e1], quote:", "about: [e1], date_of: r1, quote:")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'id: c1')}: claim c1 date_of: r1 has no date of its own; point at the fact that "
        "carries the date"
    ]


def test_conflicts_with_must_name_another_dated_fact(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "precision: day, basis: stated}", "precision: day, basis: stated, conflicts_with: [c1]}")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'conflicts_with')}: event e1 date conflicts_with: 'c1' is not another fact of this file "
        "with a date of its own"
    ]


def test_a_season_and_an_open_period(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, 'value: "2020-05-03", precision: day, basis: stated}', 'begin: "2019-24", basis: stated}')
    d = load_corpus(min_corpus, ontology).articles[0].events[0].date
    # the winter of 2019 runs from December 2019 to February 2020; no end: the period is open
    assert (d.iso, d.precision, d.begin.isoformat(), d.end) == ("2019-24/..", "season", "2019-12-01", None)


def test_a_place_needs_an_entity_or_a_reference(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "place: {entity: gossi, precision: near}", "place: {precision: near}")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'place:')}: event e1 place: give entity (where it happened), or reference with bearing "
        "and distance_km for a place relative to another"
    ]
    edit(ann, "place: {precision: near}", "place: {precision: near, bearing: north, distance_km: 30, reference: gossi}")
    place = load_corpus(min_corpus, ontology).articles[0].events[0].place
    assert (place.entity, place.reference, place.bearing, place.distance_km) == (None, "gossi", "north", 30)


def test_a_registry_copy_of_a_dated_statement_must_keep_its_date(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    reg = min_corpus / "registry" / "entities.yaml"
    edit(ann, 'quote: "Gossi is in Mali"}', 'quote: "Gossi is in Mali", date: {value: "2020", basis: stated}}')
    report = check_corpus(min_corpus, ontology)
    assert [str(p) for p in report.problems] == [
        f"{reg}:{line_of(reg, 'id: gossi')}: entity gossi: fact locatedIn mali (from t1/r1): the article dates it "
        "2020; copy its date"
    ]
    assert [p.severity for p in report.problems] == ["warning"]
    edit(reg, 'source: "t1/r1"}', 'source: "t1/r1", date: {value: "2020", basis: stated}}')
    assert [str(p) for p in check_corpus(min_corpus, ontology).problems] == []


def test_a_place_between_two_places(min_corpus, ontology):
    ann = min_corpus / "annotations" / "t1.yaml"
    edit(ann, "place: {entity: gossi, precision: near}", "place: {between: [gossi, mali], precision: region}")
    place = load_corpus(min_corpus, ontology).articles[0].events[0].place
    assert (place.entity, place.reference, place.between) == (None, None, ("gossi", "mali"))
    edit(ann, "place: {between: [gossi, mali], precision: region}", "place: {between: [gossi, nowhere], reference: gossi}")
    assert errors(min_corpus, ontology) == [
        f"{ann}:{line_of(ann, 'place:')}: event e1 place: between names the places it lies between; give it without "
        "reference, bearing or distance_km",
        f"{ann}:{line_of(ann, 'place:')}: event e1 place between: unknown entity 'nowhere': add it to the registry or "
        "to this file's entities",
    ]


def test_records_are_built_with_keywords_only():
    """A record of many fields written positionally could swap two of them unseen: it is refused."""
    from sahelkg.corpus import Count

    assert Count(best=2, low=None, high=3, approximate=False, text="two", unit=None).high == 3
    with pytest.raises(TypeError):
        Count(2, None, 3, False, "two", None)  # type: ignore[misc]


def test_a_facts_annotation_file_and_line():
    """The graph's problems find the annotation file of an article and the line of a fact in it."""
    from sahelkg.corpus import CorpusFiles, annotation_line

    files = CorpusFiles(PACKAGE_ROOT / "corpus")
    ann = files.annotation_file("000_8c355021fff2e163")
    assert ann == PACKAGE_ROOT / "corpus" / "annotations" / "000_8c355021fff2e163.yaml"
    assert annotation_line(ann, "e1") == line_of(ann, "  - id: e1")
    assert annotation_line(ann, "r1") == line_of(ann, "  - id: r1")
    assert annotation_line(ann, None) == line_of(ann, "article:")
    assert annotation_line(ann, "e999") is None
    assert annotation_line(files.annotation_file("no-such-article"), "e1") is None

