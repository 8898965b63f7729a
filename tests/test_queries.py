"""The named queries in queries/: every file parses and runs, and each answers its question exactly.

The real corpus is built once per session into each kind of store (``any_store`` in conftest.py: the embedded
store, Oxigraph's server, Virtuoso), and every answer must be the same in each. Expected values are read from the
article texts in corpus/articles/, not copied from a run: the comment above each value quotes the sentence it
comes from. Entities appear under their registry labels (the text's "7th Battalion of the Alpine Hunters" is the
"7th Alpine Hunters Battalion"), article-local ones under the words of their article ("a sniper"); where a row
is keyed by an annotation id, the comment gives the words that id annotates.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from conftest import run_query as run
from sahelkg import queries as q
from sahelkg.cli import main
from sahelkg.settings import PACKAGE_ROOT, Settings

QUERIES_DIR = PACKAGE_ROOT / "queries"
ARTICLES_DIR = PACKAGE_ROOT / "corpus" / "articles"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))
ID = "https://w3id.org/sahelkg/id/"
SK = "https://w3id.org/sahelkg/ontology#"
A000, A001, A002, A003, A004 = (
    "000_8c355021fff2e163", "001_af0646745c3fb3a7", "002_b43efc41ee202923", "003_284cecf88603a7fc",
    "004_6c0a91cd67c955b8",
)


# --------------------------------------------------------------------------- helpers

def cols(rows: list[dict[str, str]], *names: str) -> list[tuple[str, ...]]:
    """The given columns of each row, in row order."""
    return [tuple(r[n] for n in names) for r in rows]


def article_text(article_id: str) -> str:
    """The article text as the build normalises it (NFC, \\n line ends): quote offsets count in it."""
    raw = (ARTICLES_DIR / f"{article_id}.txt").read_text(encoding="utf-8")
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def invoke(*args: str, input: str | None = None):  # noqa: A002 - click's own name
    return CliRunner().invoke(main, list(args), input=input)


# Every query must have a test of its exact answer below: this is the list of those tests' queries.
TESTED = {
    "soldiers-killed", "neutralized-persons", "events-by-type", "events-by-place", "events-by-period",
    "events-by-operation", "armed-group-affiliations", "group-members", "operation-lifecycle",
    "operation-partners", "troop-strengths", "running-death-totals", "aggregate-counts", "events-with-equipment",
    "claims", "disputed-facts", "entity-names", "article-facts", "statement-support", "fact-support",
    "persons-by-rank", "persons-by-role", "places", "places-within", "timeline", "actor-network", "actor-events",
    "hedged-facts", "articles", "groups-by-area", "planned-events", "event-accounts", "positions-held",
    "draft-facts",
}


# Virtuoso 7.2.5 (Debian bookworm's virtuoso-opensource-7) answers these tests' queries other than SPARQL 1.1 says,
# or fails on them. Isolated on the same data: a query with two `*` property paths (`?o sk:partOf* <op>` with
# `?t rdfs:subClassOf* sk:Event`) returns no rows where Oxigraph returns 12; a FILTER inside OPTIONAL does not see
# a variable bound outside by VALUES or BIND (parameters are therefore written in place for Virtuoso, which fixed
# `timeline`); actor-network stops with "SR084: Division by 0" (Virtuoso raises the error of `1/0` in a SELECT
# expression; persons-by-role groups its dates over the dated statements alone instead and now agrees). Marked strict:
# a test here that starts passing on Virtuoso fails, so the list stays exact.
VIRTUOSO_DIVERGES = {
    "test_query_parses_and_runs[virtuoso-en-actor-network]", "test_query_parses_and_runs[virtuoso-fr-actor-network]",
    *(f"test_labels_follow_lang[virtuoso-{lang}-{name}]" for lang in ("en", "fr")
      for name in ("actor-network",)),
    "test_csv_and_json_parse_back[virtuoso-actor-network]",
    "test_soldiers_killed[virtuoso]", "test_soldiers_killed_in_french[virtuoso]",
    # not investigated yet: Virtuoso answers no row where a UNION branch BINDs a boolean that a FILTER then reads
    "test_events_by_place_relative_to_a_place_inside[virtuoso]",
    "test_armed_group_affiliations[virtuoso]", "test_group_members_of_al_qaeda[virtuoso]",
    "test_group_members_of_jnim_and_isgs[virtuoso]", "test_operation_lifecycle_barkhane[virtuoso]",
    "test_events_with_the_reaper_drone[virtuoso]", "test_events_with_helicopters_by_class[virtuoso]",
    "test_events_with_explosive_devices[virtuoso]",
    "test_actor_network_attacks[virtuoso]", "test_actor_network_co_participation_and_weight[virtuoso]",
}


@pytest.fixture(autouse=True)
def _virtuoso_divergences(request: pytest.FixtureRequest) -> None:
    if request.node.name in VIRTUOSO_DIVERGES:
        request.applymarker(pytest.mark.xfail(reason="Virtuoso 7.2.5 departs from SPARQL 1.1 here (see VIRTUOSO_DIVERGES)",
                                              strict=True))


# --------------------------------------------------------------------------- every query

def test_at_least_25_queries_and_each_has_an_exact_test() -> None:
    names = {p.stem for p in QUERY_FILES}
    assert len(names) >= 25
    assert names == TESTED, f"without an exact test: {sorted(names - TESTED)}; gone: {sorted(TESTED - names)}"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_query_header(path: Path) -> None:
    named = q.load_query_file(path)
    assert named.summary and len(named.summary) <= 120
    assert named.description
    assert named.params, "every query declares its parameters (at least ?lang when it shows labels)"
    text = path.read_text(encoding="utf-8")
    for param in named.params:
        assert f"?{param.name}" in text.split("\nSELECT", 1)[1], f"?{param.name} is declared but never used"
    assert "ORDER BY" in text, "rows come in a deterministic order"
    assert re.search(r"^PREFIX ", text, re.M)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_query_parses_and_runs(any_store: pyoxigraph.Store, path: Path, lang: str) -> None:
    named = q.load_query_file(path)
    table = q.run_select(any_store, named.text, q.bind_params(named, {}, lang), str(path))
    assert table.variables
    # the order is total: a second run gives the same rows in the same order
    assert q.run_select(any_store, named.text, q.bind_params(named, {}, lang), str(path)) == table


@pytest.mark.parametrize("path", [p for p in QUERY_FILES if q.load_query_file(p).param("lang") is not None],
                         ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_labels_follow_lang(any_store: pyoxigraph.Store, path: Path, lang: str) -> None:
    """A *Label column holds a label in the requested language whenever the node has one; a label in the
    other language only for a node that has none in the requested one."""
    other = {"fr": "en", "en": "fr"}[lang]
    # the labels in the other language of the nodes that also have one in the requested language
    misplaced = {(sol["l"].value, other) for sol in any_store.query(
        "SELECT DISTINCT ?l WHERE { ?x ?p ?l . ?x ?p2 ?wanted "
        "VALUES ?p { <http://www.w3.org/2004/02/skos/core#prefLabel> <http://www.w3.org/2000/01/rdf-schema#label> } "
        "VALUES ?p2 { <http://www.w3.org/2004/02/skos/core#prefLabel> <http://www.w3.org/2000/01/rdf-schema#label> } "
        f'FILTER(LANG(?l) = "{other}" && LANG(?wanted) = "{lang}") }}', use_default_graph_as_union=True)}
    assert misplaced  # the registry's entities have labels in both languages
    named = q.load_query_file(path)
    table = q.run_select(any_store, named.text, q.bind_params(named, {}, lang), str(path))
    tagged = [(var, term.value, term.language) for row in table.rows for var, term in zip(table.variables, row)
              if var.endswith("Label") and isinstance(term, pyoxigraph.Literal) and term.language]
    if path.stem in NO_LABELS_BY_DEFAULT:
        assert tagged == []
        return
    assert any(language == lang for _, _, language in tagged), "no label in the requested language"
    assert {language for _, _, language in tagged} <= {"fr", "en"}
    assert [t for t in tagged if (t[1], t[2]) in misplaced] == []


# Queries whose only *Label columns are empty with their default parameters on the real corpus.
NO_LABELS_BY_DEFAULT = {
    "statement-support": "the default relation (katiba du Gourma memberOf JNIM) is stated with no certainty",
}


# --------------------------------------------------------------------------- the French soldiers killed

def test_soldiers_killed(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "soldiers-killed")
    assert cols(rows, "article", "victimLabel", "rankLabel", "unitLabel", "count", "date", "precisionLabel",
                "dateAsWritten", "placeLabel", "placePrecisionLabel", "causeLabel", "meansLabel",
                "attackerLabel") == [
        # 003: "A French paratrooper was killed in Northern Mali on Wednesday during a clash with an armed
        # terrorist group"; Wednesday = October 29 ("on October 27, two days before the death"), 2014 by context
        (A003, "A French paratrooper", "", "", "", "2014-10-29", "day", "on\u00a0Wednesday", "Northern Mali",
         "within the region", "armed clash", "", "an armed terrorist group"),
        # 001: "Five days earlier, three soldiers of the 1st Jägerregiment from Thierville-sur-Meuse (Meuse) were
        # also victims of a self-made bomb"; five days before January 2 (2021) is 28 December 2020
        (A001, "three soldiers of the 1st Jägerregiment", "", "1st Chasseur Regiment", "3", "2020-12-28", "day",
         "Five days earlier", "", "", "remote explosive, landmine or IED", "improvised explosive device", ""),
        # 001: "On January 2, two soldiers, including a woman, both from the 2nd Hussar Regiment Haguenau
        # (Bas-Rhin), were killed in their light armored car (LAV) by an “improvised explosive device”"
        (A001, "two soldiers, including a woman", "", "2nd Hussar Regiment", "2", "2021-01-02", "day",
         "On January 2", "", "", "remote explosive, landmine or IED", "improvised explosive device", ""),
        # 001: "A French soldier was killed in action in Mali on Friday morning" (posted Friday Sep 24, 2021);
        # "Master Corporal Maxime Blasco from the 7th Battalion of the Alpine Hunters of Varces"; "in the N’Daki
        # forest"; "Master Corporal Maxime Blasco was hit by a sniper"
        (A001, "Maxime Blasco", "Master Corporal", "7th Alpine Hunters Battalion", "", "2021-09-24", "day",
         "Friday morning", "N'Daki forest", "exact location", "injury", "", "a sniper"),
        # 001: the army press release's own account of the same death, "Very badly injured, Master Corporal Maxime
        # Blasco quickly succumbed to his injuries": a second report of it, linked to the first (same_as), which
        # shares its date ("Friday morning")
        (A001, "Maxime Blasco", "Master Corporal", "7th Alpine Hunters Battalion", "", "2021-09-24", "day",
         "Friday morning", "N'Daki forest", "exact location", "injury", "", "a sniper"),
        # 000: "His legionnaire comrade Dmytro Martynyouk succumbed to his injuries after having jumped on an
        # artisanal mine"; "Brigadier Dmytro Martynyouk"; "In the space of four days" (the article has no date)
        (A000, "Dmytro Martynyouk", "brigadier", "1st Foreign Cavalry Regiment", "", "", "",
         "In the space of four days", "", "", "remote explosive, landmine or IED", "landmine", ""),
        # 000: "the legionnaire Kévin Clément who was killed Monday in Mali"; "the 1st class legionnaire";
        # "Both were part of the foreign cavalry regiment of Carpiagne"; "fatally injured by a bullet during a
        # collision"
        (A000, "Kévin Clément", "Legionnaire First Class", "1st Foreign Cavalry Regiment", "", "", "", "Monday",
         "Mali", "within the country", "armed clash", "", ""),
    ]
    quotes = {r["victimLabel"]: r["quote"] for r in rows}
    assert [r["quote"] for r in rows if r["victimLabel"] == "Maxime Blasco"] == [
        "A French soldier was killed in action in Mali on Friday morning",
        "Very badly injured, Master Corporal Maxime Blasco quickly succumbed to his injuries"]
    assert quotes["Kévin Clément"] == (
        "it is the legionnaire Kévin Clément who was killed Monday in Mali, during an operation aiming to flush out "
        "terrorists")
    for row in rows:
        assert row["quote"] in article_text(row["article"])


def test_soldiers_killed_in_french(any_store: pyoxigraph.Store) -> None:
    rows = {r["victimLabel"]: r for r in run(any_store, "soldiers-killed", lang="fr")}
    blasco = rows["Maxime Blasco"]
    # caporal-chef is the French rank behind "Master Corporal"
    assert (blasco["rankLabel"], blasco["unitLabel"], blasco["placeLabel"], blasco["causeLabel"],
            blasco["precisionLabel"]) == ("caporal-chef", "7e bataillon de chasseurs alpins", "forêt de N'Daki",
                                          "blessure", "jour")
    assert rows["Dmytro Martynyouk"]["meansLabel"] == "mine terrestre"


def test_soldiers_killed_of_another_force(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "soldiers-killed", force=f"{ID}nigerien-security-forces")
    # 003: "Nine members of Niger's security forces were killed on October 30 on the border between Niger and
    # Mali, in an area frequented by jihadists. The attackers were not identified"
    assert cols(rows, "victimLabel", "count", "date", "placeLabel", "attackerLabel") == [
        ("Nigerien Defence and Security Forces", "9", "2014-10-30", "Mali–Niger border", ""),
    ]


# --------------------------------------------------------------------------- neutralized people and their groups

def test_neutralized_persons(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "neutralized-persons")
    assert cols(rows, "article", "date", "victimLabel", "relationLabel", "groupLabel", "certaintyLabel",
                "attackerLabel", "placeLabel") == [
        # 004: "il apparaît très probable que figure, parmi les terroristes neutralisés, le chef de la katiba du
        # Gourma connu sous le nom de Almansour Ag Alkassam" (night of 11 to 12 November 2018, région du Gourma)
        (A004, "2018-11-11/2018-11-12", "Almansour Ag Alkassam", "leads", "Katiba du Gourma", "very probable",
         "French Armed Forces", "Gourma"),
        # 004: "La riposte des militaires français a permis de ... neutraliser sept terroristes", members of the
        # group the operation targeted ("une opération contre un groupe terroriste")
        (A004, "2018-11-11/2018-11-12", "sept terroristes", "member of", "un groupe terroriste", "",
         "French Armed Forces", "Gourma"),
        # 001: "Master Corporal Maxime Blasco was hit by a sniper who was neutralized by the commandos" (Friday
        # 24 September 2021, N'Daki forest); "taken at close range by other elements of the armed terrorist group.
        # During this action, ... hit by a sniper": a member of that group, probably (r22)
        (A001, "2021-09-24", "a sniper", "member of", "an armed terrorist group", "",
         "A group of commands from the Barkhane Troop", "N'Daki forest"),
        # 002: "On March 28, 2022, the French force eliminated the jihadist Boubacar Banon, from the Support Group
        # for Islam and Muslims (GSIM or Jnim in Arabic)"; "an important executive affiliated with Al-Qaeda";
        # "She claimed the neutralization in northern Mali": the place is Northern Mali; "30 kilometers north of
        # Gossi" places it relative to Gossi, not at Gossi
        (A002, "2022-03-28", "Boubacar Banon", "affiliated with", "Al-Qaeda", "", "Operation Barkhane",
         "Northern Mali"),
        (A002, "2022-03-28", "Boubacar Banon", "member of", "Group for the Support of Islam and Muslims", "",
         "Operation Barkhane", "Northern Mali"),
        # 001: "Paris in August claimed in Mali the “neutralization” of the leader of the Islamic State jihadist
        # group in the Greater Sahara (EIGS), Adnan Abou Walid al-Sahraoui": "in August" dates the claim, and
        # who neutralized him is not said
        (A001, "", "Adnan Abou Walid al-Sahraoui", "leads", "Islamic State in the Greater Sahara", "", "", "Mali"),
    ]


def test_neutralized_persons_in_french(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "neutralized-persons", lang="fr")
    assert {r["relationLabel"] for r in rows} == {"dirige", "membre de", "affilié à"}
    assert ("Almansour Ag Alkassam", "très probable") in cols(rows, "victimLabel", "certaintyLabel")


# --------------------------------------------------------------------------- events by type, place, period, operation

def test_events_by_type_death(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-type", type=f"{SK}Death")
    assert cols(rows, "article", "date", "eventLabel") == [
        # 003: "On November 2, 2013, two French journalists, Ghislaine Dupont and Claude Verlon were kidnapped and
        # killed in Kidal"
        (A003, "2013-11-02", "death: Ghislaine Dupont, Claude Verlon (2013-11-02)"),
        # 003: "A French paratrooper was killed in Northern Mali on Wednesday" (29 October 2014)
        (A003, "2014-10-29", "death: A French paratrooper (2014-10-29)"),
        # 003: "Nine members of Niger's security forces were killed on October 30"
        (A003, "2014-10-30", "death: Nigerien Defence and Security Forces (2014-10-30)"),
        # 001: "Five days earlier, three soldiers of the 1st Jägerregiment ... were also victims"
        (A001, "2020-12-28", "death: three soldiers of the 1st Jägerregiment (2020-12-28)"),
        # 001: "On January 2, two soldiers, including a woman, ... were killed"
        (A001, "2021-01-02", "death: two soldiers, including a woman (2021-01-02)"),
        # 001: "A French soldier was killed in action in Mali on Friday morning", and the army press release's
        # account of the same death: "Very badly injured, Master Corporal Maxime Blasco quickly succumbed"
        (A001, "2021-09-24", "death: Maxime Blasco (2021-09-24)"),
        (A001, "2021-09-24", "death: Maxime Blasco (2021-09-24)"),
        # 000: "Kévin Clément who was killed Monday in Mali" and "Dmytro Martynyouk succumbed to his injuries":
        # no date can be resolved, in the order of the text
        (A000, "", "death: Kévin Clément"),
        (A000, "", "death: Dmytro Martynyouk"),
    ]
    assert {r["eventTypeLabel"] for r in rows} == {"death"}


def test_the_reviewed_corpus_has_no_drafts(real_store: pyoxigraph.Store) -> None:
    # every hand annotation is reviewed: nothing awaits review, and leaving drafts out changes nothing
    # (tests/test_annotate.py checks both on drafts written by sahelkg annotate)
    assert run(real_store, "draft-facts") == []
    every = run(real_store, "events-by-type")
    assert len(every) > 20
    assert run(real_store, "events-by-type", drafts="false") == every


def test_events_by_type_includes_subclasses(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-type", type=f"{SK}ExplosionRemoteViolence")
    assert cols(rows, "article", "date", "eventTypeLabel") == [
        # 001: "Five days earlier, ... victims of a self-made bomb" (28 December 2020)
        (A001, "2020-12-28", "remote explosive, landmine or IED"),
        # 001: "were killed in their light armored car (LAV) by an “improvised explosive device”" (January 2)
        (A001, "2021-01-02", "remote explosive, landmine or IED"),
        # 002: "He was neutralized by a drone strike while riding a motorcycle 30 kilometers north of Gossi"
        (A002, "2022-03-28", "air or drone strike"),
        # 000: "after having jumped on an artisanal mine" (undated)
        (A000, "", "remote explosive, landmine or IED"),
        # 004: "privilégie l’affrontement indirect en ayant recours au piégeage ou au minage des axes de
        # communication" (a habitual mode of action, undated)
        (A004, "", "remote explosive, landmine or IED"),
    ]
    everything = run(any_store, "events-by-type")
    assert len(rows) < len(everything)
    assert set(cols(rows, "event")) <= set(cols(everything, "event"))


def test_events_by_place_includes_places_inside(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-place", place=f"{ID}gourma")
    got = {(r["article"], r["annotationId"], r["whereLabel"]) for r in rows}
    assert got == {
        # 004: "Dans la nuit du 11 au 12 novembre 2018, dans la région du Gourma au Mali": the operation (e1), the
        # heliborne raid (e2), the warning shots (e3), the terrorists' answer (e4), the riposte (e5), the seven
        # neutralized (e6), the seizure (e7), the leader very probably among them (e8); and the katiba's mining
        # of roads: "Il sévit dans la région du Gourma au Mali ... au minage des axes de communication" (e10)
        *{(A004, f"e{i}", "Gourma") for i in (1, 2, 3, 4, 5, 6, 7, 8, 10)},
        # 001: in the N’Daki forest, which is "in Gourma, Mali": the death (e1), the discovery by the Reaper
        # (e3), the helicopters (e4), the commandos (e5), the close-range attack (e6), the sniper's hit (e7)
        # and his neutralization (e8), and the army press release's account of the death (e19)
        *{(A001, f"e{i}", "N'Daki forest") for i in (1, 3, 4, 5, 6, 7, 8, 19)},
        # 001: "a reconnaissance and harassment operation ... in the Gossi region"
        (A001, "e2", "Gossi"),
    }
    # 002: Banon "neutralized by a drone strike ... 30 kilometers north of Gossi" is not at Gossi (30 km north of
    # it may be outside the Gourma): listed only when relative places are asked for
    assert not [r for r in rows if r["article"] == A002]


def test_events_by_place_relative_to_a_place_inside(any_store: pyoxigraph.Store) -> None:
    plain = run(any_store, "events-by-place", place=f"{ID}gourma")
    rows = run(any_store, "events-by-place", place=f"{ID}gourma", relative="true")
    assert [r for r in rows if r["byReference"] == "false"] == plain
    # 002: "He was neutralized by a drone strike while riding a motorcycle 30 kilometers north of Gossi" (the strike
    # e3, placed only relative to Gossi) and the neutralization, "claimed ... in northern Mali" (e2: its own place,
    # Northern Mali, is not in the Gourma), both by their reference place Gossi, which is
    assert cols([r for r in rows if r["byReference"] == "true"], "article", "annotationId", "whereLabel", "distanceKm",
                "bearing", "referenceLabel", "placePrecisionLabel") == [
        (A002, "e2", "Gossi", "30", "north", "Gossi", "within the region"),
        (A002, "e3", "Gossi", "30", "north", "Gossi", "near the location"),
    ]
    # in Mali, the neutralization counts once, by its own place Northern Mali; the strike by its reference Gossi
    mali = run(any_store, "events-by-place", relative="true")
    assert sorted(cols([r for r in mali if r["article"] == A002 and r["annotationId"] in ("e2", "e3")],
                       "annotationId", "whereLabel", "byReference")) == [
        ("e2", "Northern Mali", "false"), ("e3", "Gossi", "true")]


def test_events_by_place_narrower_place(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-place", place=f"{ID}kidal")
    # 003: "two French journalists, Ghislaine Dupont and Claude Verlon were kidnapped and killed in Kidal"
    assert cols(rows, "date", "eventTypeLabel") == [
        ("2013-11-02", "abduction or forced disappearance"), ("2013-11-02", "death")]


def test_events_by_period_overlapping_a_day(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-period", **{"from": "2018-11-12", "to": "2018-11-12"})
    assert cols(rows, "date", "precisionLabel", "article", "annotationId") == [
        # 001: "French troops in Mali, who have been fighting against jihadists in the Sahel for eight years": the
        # years 2013 to 2021 cover the day
        ("2013/2021", "year", A001, "e18"),
        # 004: "en cours d’opérationnalisation" at the time of the communiqué, November 2018: the month
        # overlaps the day
        ("2018-11", "month", A004, "e12"),
        # 004: "Dans la nuit du 11 au 12 novembre 2018": the span overlaps its second day
        *[("2018-11-11/2018-11-12", "day", A004, f"e{i}") for i in range(1, 9)],
    ]


def test_events_by_period_a_year(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-period", **{"from": "2021-01-01", "to": "2021-12-31"})
    assert {(r["article"], r["annotationId"], r["date"]) for r in rows} == {
        # 001: "French troops in Mali, who have been fighting against jihadists in the Sahel for eight years"
        (A001, "e18", "2013/2021"),
        # 001: "On January 2, two soldiers ... were killed ... by an “improvised explosive device”"
        (A001, "e14", "2021-01-02"), (A001, "e15", "2021-01-02"),
        # 001: "received the military medal ... in June"
        (A001, "e10", "2021-06"),
        # 001: Friday 24 September 2021: the death (e1), the operation (e2), the discovery (e3), the helicopters
        # (e4), the commandos (e5), the attack (e6), the hit (e7), the sniper neutralized (e8), "the Elysee
        # announced in the evening" (e9), the army press release's account of the death (e19)
        *{(A001, f"e{i}", "2021-09-24") for i in (*range(1, 10), 19)},
    }
    # "Five days earlier" than January 2, 2021 is 28 December 2020: outside the year
    assert (A001, "e17") not in {(r["article"], r["annotationId"]) for r in rows}


def test_events_by_operation_serval(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-operation", operation=f"{ID}operation-serval")
    # 003: "In January 2013, Islamist forces launched an unprecedented attack on the south of the country,
    # triggering French military intervention. Operation Serval ... successfully halted the jihadist advance,
    # and helped the Malian government regain control of Northern Mali, including the Islamist stronghold of Gao."
    assert cols(rows, "article", "annotationId", "eventTypeLabel", "placeLabel", "operationOfEventLabel") == [
        (A003, "e6", "deployment", "Mali", "Operation Serval"),
        (A003, "e7", "military action", "", "Operation Serval"),
        (A003, "e8", "government regains territory", "Northern Mali", "Operation Serval"),
        (A003, "e9", "government regains territory", "Gao", "Operation Serval"),
    ]


def test_events_by_operation_barkhane(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-by-operation")
    # 000 "Operation Barkhane", 001 "the Barkhane Force", 002 "the French force Barkhane", 004 "l’opération
    # Barkhane"; 003 only "In August 2014, Operation Serval was replaced by Operation Barkhane", its launch
    assert {r["article"] for r in rows} == {A000, A001, A002, A003, A004}
    in_003 = [r for r in rows if r["article"] == A003]
    assert cols(in_003, "date", "eventTypeLabel") == [("2014-08", "operation launch")]
    assert {r["operationOfEventLabel"] for r in rows} == {"Operation Barkhane"}


# --------------------------------------------------------------------------- armed groups and affiliations

def test_armed_group_affiliations(any_store: pyoxigraph.Store) -> None:
    rows = [r for r in run(any_store, "armed-group-affiliations") if r["relationLabel"]]
    assert cols(rows, "armedGroupLabel", "relationLabel", "otherLabel", "stated", "viaLabel") == [
        # the registry: AQIM is al-Qaeda's North African branch; 003: "Tuareg rebels from Mali's National
        # Movement for the Liberation of Azawad (MNLA) joined armed Islamist groups like Ansar Dine, al Qaeda in
        # the Islamic Maghreb (AQIM), and MUJAO"
        ("Al-Qaeda in the Islamic Maghreb", "affiliated with", "Al-Qaeda", "true", ""),
        ("Al-Qaeda in the Islamic Maghreb", "partner of", "National Movement for the Liberation of Azawad", "true", ""),
        ("Ansar Dine", "partner of", "National Movement for the Liberation of Azawad", "true", ""),
        # 001: "the Al-Qaeda-affiliated Support Group for Islam and Muslims (GSIM)"
        ("Group for the Support of Islam and Muslims", "affiliated with", "Al-Qaeda", "true", ""),
        # 004: "La katiba du Gourma est un groupe armé terroriste, créé en 2014, membre du Rassemblement pour la
        # Victoire de l’Islam et des Musulmans (RVIM)": and so affiliated with al-Qaeda, through the RVIM/JNIM
        ("Katiba du Gourma", "affiliated with", "Al-Qaeda", "false", "Group for the Support of Islam and Muslims"),
        ("Katiba du Gourma", "member of", "Group for the Support of Islam and Muslims", "true", ""),
        ("Movement for Unity and Jihad in West Africa", "partner of", "National Movement for the Liberation of Azawad",
         "true", ""),
        ("National Movement for the Liberation of Azawad", "partner of", "Al-Qaeda in the Islamic Maghreb", "true", ""),
        ("National Movement for the Liberation of Azawad", "partner of", "Ansar Dine", "true", ""),
        ("National Movement for the Liberation of Azawad", "partner of", "Movement for Unity and Jihad in West Africa",
         "true", ""),
        # 002: "against the various Al-Qaida groups and the Islamic State in the Greater Sahara (EIGS)"
        ("the various Al-Qaida groups", "affiliated with", "Al-Qaeda", "true", ""),
    ]


def test_armed_group_affiliations_of_one_group(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "armed-group-affiliations", group=f"{ID}katiba-du-gourma", lang="fr")
    assert cols(rows, "armedGroupLabel", "groupTypeLabel", "relationLabel", "otherLabel") == [
        ("katiba du Gourma", "katiba", "affilié à", "Al-Qaïda"),
        ("katiba du Gourma", "katiba", "membre de", "Groupe de soutien à l'islam et aux musulmans"),
    ]


def test_group_members_of_al_qaeda(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "group-members")
    assert cols(rows, "memberLabel", "relationLabel", "throughLabel", "stated") == [
        ("Al-Qaeda in the Islamic Maghreb", "affiliated with", "", "true"),
        # 002: "an important executive affiliated with Al-Qaeda"
        ("Boubacar Banon", "affiliated with", "", "true"),
        # 001: "the Al-Qaeda-affiliated Support Group for Islam and Muslims (GSIM)"
        ("Group for the Support of Islam and Muslims", "affiliated with", "", "true"),
        # 004: the katiba du Gourma, "membre du Rassemblement pour la Victoire de l’Islam et des Musulmans"
        ("Katiba du Gourma", "affiliated with", "Group for the Support of Islam and Muslims", "false"),
        # 002: "the various Al-Qaida groups"
        ("the various Al-Qaida groups", "affiliated with", "", "true"),
        # 004: "le chef de la katiba du Gourma connu sous le nom de Almansour Ag Alkassam"
        ("Almansour Ag Alkassam", "leads", "Katiba du Gourma", "true"),
    ]


def test_group_members_of_jnim_and_isgs(any_store: pyoxigraph.Store) -> None:
    jnim = run(any_store, "group-members", group=f"{ID}jnim")
    assert cols(jnim, "memberLabel", "relationLabel", "throughLabel") == [
        # 004: "le chef de la katiba du Gourma ... Almansour Ag Alkassam"
        ("Almansour Ag Alkassam", "leads", "Katiba du Gourma"),
        # 002: "the jihadist Boubacar Banon, from the Support Group for Islam and Muslims (GSIM or Jnim in Arabic)"
        ("Boubacar Banon", "member of", ""),
        # 004: "membre du Rassemblement pour la Victoire de l’Islam et des Musulmans (RVIM)"
        ("Katiba du Gourma", "member of", ""),
    ]
    # 001: "the leader of the Islamic State jihadist group in the Greater Sahara (EIGS), Adnan Abou Walid al-Sahraoui"
    isgs = run(any_store, "group-members", group=f"{ID}isgs")
    assert cols(isgs, "memberLabel", "relationLabel", "throughLabel") == [
        ("Adnan Abou Walid al-Sahraoui", "leads", "")]


def test_groups_by_area_in_mali(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "groups-by-area")
    assert cols(rows, "armedGroupLabel", "areaLabel") == [
        # 000: "the northern desert of Mali, where Al-Qaeda was installed in the Islamic Maghreb"
        ("Al-Qaeda in the Islamic Maghreb", "Northern Mali"),
        # 003: MNLA "joined armed Islamist groups like Ansar Dine, ... AQIM ... and MUJAO ... to seize the
        # northern half of Mali"
        ("Ansar Dine", "Northern Mali"),
        # 004: "Il sévit dans la région du Gourma au Mali"
        ("Katiba du Gourma", "Gourma"),
        ("Movement for Unity and Jihad in West Africa", "Northern Mali"),
        ("National Movement for the Liberation of Azawad", "Northern Mali"),
        # 002: "a network of active cells in the Gao region"
        ("a network of active cells in the Gao region", "Gao Region"),
    ]
    # 000: "This is where a new group has taken root: the Islamic State for the Greater Sahara" (the three-border
    # region "on the border between Mali, Niger and Burkina-Faso": in the Sahel, not inside Mali)
    sahel = cols(run(any_store, "groups-by-area", place=f"{ID}sahel"), "armedGroupLabel", "areaLabel")
    assert ("Islamic State in the Greater Sahara", "Three-border area") in sahel
    assert set(cols(rows, "armedGroupLabel", "areaLabel")) < set(sahel)


# --------------------------------------------------------------------------- operations

def test_operation_lifecycle_serval(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "operation-lifecycle", operation=f"{ID}operation-serval")
    assert cols(rows, "date", "kindLabel", "otherLabel", "placeLabel", "article") == [
        # 003: "In January 2013, Islamist forces launched an unprecedented attack ..., triggering French military
        # intervention. Operation Serval ..."
        ("2013-01", "deployment", "", "Mali", A003),
        # 003: "In August 2014, Operation Serval was replaced by Operation Barkhane"
        ("2014-08", "succeeded by", "Operation Barkhane", "", A003),
        # 001: "the anti-jihadist operations Serval and then Barkhane"
        ("", "succeeded by", "Operation Barkhane", "", A001),
    ]


def test_operation_lifecycle_barkhane(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "operation-lifecycle", operation=f"{ID}operation-barkhane")
    assert cols(rows, "date", "kindLabel", "placeLabel", "article", "quote") == [
        # 004: "l’opération Barkhane a été lancée le 1er août 2014"
        ("2014-08-01", "operation launch", "", A004, "l’opération Barkhane a été lancée le 1er août 2014"),
        # 003: "In August 2014, Operation Serval was replaced by Operation Barkhane, a counter-terrorism operation in
        # Africa's Sahel region"
        ("2014-08", "operation launch", "Sahel", A003, "In August 2014, Operation Serval was replaced by Operation "
         "Barkhane, a counter-terrorism operation in Africa's Sahel region"),
        ("2014-08", "succeeds", "", A003, "In August 2014, Operation Serval was replaced by Operation Barkhane"),
        # 000: "since January, the numbers of Operation Barkhane have increased from 4,500 to 5,100": a period open
        # at its end
        ("2020-01/..", "reinforcement", "", A000, "since January, the numbers of Operation Barkhane have increased "
         "from 4,500 to 5,100"),
        # 002: "Paris is considering a gradual move of French Barkhane forces to Niger" (at the time of writing, 2022)
        ("2022", "other strategic development", "", A002, "Paris is considering a gradual move of French Barkhane "
         "forces to Niger at the request of Nigerien President Mohamed Bazoum"),
        # 002: "In February 2022, France announced its withdrawal before six months"
        ("2022-02", "announcement", "", A002, "In February 2022, France announced its withdrawal before six months "
         "at the request of the Malian junta"),
        # 000: "a redeployment of Operation Barkhane in the cross-border area between Mali, Niger and Burkina-Faso"
        ("", "redeployment", "Three-border area", A000, "a redeployment of Operation Barkhane in the cross-border "
         "area between Mali, Niger and Burkina-Faso"),
        # 001: "Serval and then Barkhane"
        ("", "succeeds", "", A001, "Serval and then Barkhane"),
        # 002: "During its withdrawal from Mali, the French force Barkhane"
        ("", "withdrawal", "Mali", A002, "During its withdrawal from Mali, the French force Barkhane"),
        # 002: the move itself, which "Paris is considering": not done (modality considered)
        ("", "redeployment", "Niger", A002, "a gradual move of French Barkhane forces to Niger"),
        # 002: "The Nigerien parliament must decide in the coming days on the arrival of the European forces Takuba
        # and Barkhane on its soil"
        ("", "other strategic development", "Niger", A002, "The Nigerien parliament must decide in the coming days on "
         "the arrival of the European forces Takuba and Barkhane on its soil"),
    ]
    assert {r["quote"][:30]: r["modalityLabel"] for r in rows if r["modalityLabel"]} == {
        "a gradual move of French Barkh": "considered", "The Nigerien parliament must d": "expected"}


def test_operation_partners(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "operation-partners", operation=f"{ID}operation-barkhane")
    assert {(r["relationLabel"], r["otherLabel"]): (int(r["statements"]), int(r["articles"])) for r in rows} == {
        # the registry: Barkhane is French ("Conduite par les armées françaises")
        ("has country", "France"): (1, 0),
        # 000: "two French soldiers engaged in Operation Barkhane"
        ("has participating force", "Dmytro Martynyouk"): (1, 1),
        ("has participating force", "Kévin Clément"): (1, 1),
        # 004: "les forces françaises de l’opération Barkhane" (and the registry)
        ("has participating force", "French Armed Forces"): (2, 1),
        # 003: "the operation, which targets Mauritania, Mali, Niger, Chad, and Burkina Faso", "a counter-terrorism
        # operation in Africa's Sahel region" (each also in the registry); 002: "Barkhane continues to operate in
        # Mali"; 000: "a redeployment of Operation Barkhane in the cross-border area between Mali, Niger and
        # Burkina-Faso"; the registry: 004's "bande sahélo-saharienne (BSS)"
        ("operates in", "Mauritania"): (2, 1), ("operates in", "Mali"): (3, 2), ("operates in", "Niger"): (2, 1),
        ("operates in", "Chad"): (2, 1), ("operates in", "Burkina Faso"): (2, 1), ("operates in", "Sahel"): (2, 1),
        ("operates in", "Three-border area"): (1, 1), ("operates in", "Sahel-Sahara region"): (1, 0),
        # 004: "en partenariat avec les pays du G5 Sahel"; 002: "Barkhane also intervenes in support of the Malian
        # Armed Forces (FAMA) at their request" (each also in the registry)
        ("partner of", "G5 Sahel"): (2, 1), ("partner of", "Malian Armed Forces"): (2, 1),
        # 003: "In August 2014, Operation Serval was replaced by Operation Barkhane"; 001: "Serval and then Barkhane"
        ("succeeds", "Operation Serval"): (3, 2),
    }
    takuba = run(any_store, "operation-partners", operation=f"{ID}task-force-takuba")
    assert ("sub-operation of", "Operation Barkhane") in cols(takuba, "relationLabel", "otherLabel")


def test_troop_strengths(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "troop-strengths")
    assert cols(rows, "observedLabel", "value", "approximate", "unit", "asWritten", "placeLabel", "date",
                "accordingToLabel", "article") == [
        # 002: "Some 2,400 French soldiers are still present in Mali, out of a total of 4,600 in the Sahel" ("Some"
        # hedges the 2,400 only)
        ("French Armed Forces", "2400", "true", "soldiers", "Some 2,400", "Mali", "2022", "", A002),
        ("French Armed Forces", "4600", "false", "soldiers", "4,600", "Sahel", "2022", "", A002),
        # 004: "Elle regroupe environ 4 000 militaires" (November 2018)
        ("Operation Barkhane", "4000", "true", "soldiers", "environ 4 000", "", "2018-11", "", A004),
        # 000: "since January, the numbers of Operation Barkhane have increased from 4,500 to 5,100"
        ("Operation Barkhane", "4500", "false", "soldiers", "4,500", "", "2020-01", "", A000),
        ("Operation Barkhane", "5100", "false", "soldiers", "5,100", "", "2020", "", A000),
        # 003: "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali";
        # "currently comprises 11,200 soldiers and 1,440 police officers"
        ("United Nations Multidimensional Integrated Stabilization Mission in Mali", "22", "false", "percent",
         "22 percent", "Northern Mali", "2014", "Government of France", A003),
        ("United Nations Multidimensional Integrated Stabilization Mission in Mali", "1440", "false",
         "police officers", "1,440", "", "2014", "", A003),
        ("United Nations Multidimensional Integrated Stabilization Mission in Mali", "11200", "false", "soldiers",
         "11,200", "", "2014", "", A003),
    ]
    barkhane = run(any_store, "troop-strengths", entity=f"{ID}operation-barkhane")
    assert cols(barkhane, "value") == [("4000",), ("4500",), ("5100",)]


def test_running_death_totals(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "running-death-totals")
    assert cols(rows, "observedLabel", "countedOutcomeLabel", "value", "asWritten", "placeLabel", "asOf",
                "article") == [
        # 003: "This is the tenth French soldier to be killed since France sent troops into Mali in 2013."
        ("French Armed Forces", "killed", "10", "the tenth French soldier", "Mali", "2014-10-29", A003),
        # 001: "His death brings the number of French soldiers serving in the Sahel since 2013 in the
        # anti-jihadist operations Serval and then Barkhane to 52"
        ("French Armed Forces", "killed", "52", "52", "Sahel", "2021-09-24", A001),
    ]
    assert run(any_store, "running-death-totals", outcome=f"{SK}OutcomeNeutralized") == []
    assert len(run(any_store, "running-death-totals", lang="fr", outcome=f"{SK}OutcomeKilled")) == 2


def test_aggregate_counts(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "aggregate-counts")
    assert cols(rows, "countedOutcomeLabel", "value", "approximate", "asWritten", "placeLabel", "date",
                "dateAsWritten", "accordingToLabel", "article") == [
        # 003: "a series of lethal attacks, which led to ten MINUSMA fatalities in the month of October"
        ("killed", "10", "false", "ten", "", "2014-10", "in the month of October", "", A003),
        # 002: "“It’s about thirty (jihadists) neutralized in the Liptako ...” insisted Colonel Ianni"
        ("neutralized", "30", "true", "about thirty", "Liptako", "2022", "in recent weeks", "Pascal Ianni", A002),
        # 000: "with a hundred jihadists neutralized each month"
        ("neutralized", "100", "true", "a hundred", "", "", "each month", "", A000),
    ]
    neutralized = run(any_store, "aggregate-counts", outcome=f"{SK}OutcomeNeutralized")
    assert cols(neutralized, "value") == [("30",), ("100",)]


# --------------------------------------------------------------------------- equipment

def test_events_with_the_reaper_drone(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-with-equipment", equipment=f"{ID}mq-9-reaper")
    assert cols(rows, "date", "eventTypeLabel", "article", "quote") == [
        # 004: "Cette opération a été menée par un raid héliporté appuyé par un drone Reaper"
        ("2018-11-11/2018-11-12", "raid", A004,
         "Cette opération a été menée par un raid héliporté appuyé par un drone Reaper"),
        # 001: "Elements of an armed terrorist group were discovered early in the morning in the N’Daki forest by
        # a Reaper drone"
        ("2021-09-24", "military action", A001, "Elements of an armed terrorist group were discovered early in the "
         "morning in the N’Daki forest by a Reaper drone"),
    ]


def test_events_with_helicopters_by_class(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-with-equipment", equipmentClass=f"{SK}Helicopter")
    assert cols(rows, "instrumentLabel", "instrumentTypeLabel", "date", "article") == [
        # 004: "un raid héliporté" (heliborne: helicopters of an unnamed type)
        ("helicopter", "helicopter", "2018-11-11/2018-11-12", A004),
        # 001: "A patrol of two attack helicopters was quickly deployed to neutralize them"
        ("attack helicopter", "attack helicopter", "2021-09-24", A001),
    ]


def test_events_with_explosive_devices(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "events-with-equipment", equipmentClass=f"{SK}ExplosiveDevice", lang="fr")
    assert cols(rows, "instrumentLabel", "date", "article") == [
        # 004: "des composants servant à la fabrication d’IED ... ont été saisis"
        ("engin explosif improvisé", "2018-11-11/2018-11-12", A004),
        # 001: "victims of a self-made bomb" (28 December 2020), "by an “improvised explosive device”" (January 2)
        ("engin explosif improvisé", "2020-12-28", A001),
        ("engin explosif improvisé", "2021-01-02", A001),
        # 000: "after having jumped on an artisanal mine"
        ("mine terrestre", "", A000),
        # 004: "au piégeage ou au minage des axes de communication"
        ("engin explosif improvisé", "", A004),
        ("mine terrestre", "", A004),
    ]


# --------------------------------------------------------------------------- claims and disagreement

def test_claims_disputed(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "claims", stance=f"{SK}StanceDisputes")
    # 003: "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali, a claim
    # disputed by MINUSMA."
    assert cols(rows, "article", "claimantLabel", "claimStanceLabel", "aboutLabel", "quote") == [
        (A003, "United Nations Multidimensional Integrated Stabilization Mission in Mali", "disputes",
         "troop strength: United Nations Multidimensional Integrated Stabilization Mission in Mali 22",
         "a claim disputed by MINUSMA"),
    ]


def test_claims_warnings(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "claims", stance=f"{SK}StanceWarns")
    assert cols(rows, "article", "claimantLabel", "claimStanceLabel") == [
        # 001: "Jean-Yves Le Drian, warned that the use of these mercenaries was “incompatible” with maintaining
        # French troops in Mali"
        (A001, "Jean-Yves Le Drian", "warns"),
        # 003: "Diop fears that his country "once again runs the risk of becoming a destination for hordes of
        # terrorists""
        (A003, "Abdoulaye Diop", "warns"),
    ]


def test_claims_hedged_attribution(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "claims", speaker=f"{ID}andre-bourgeot")
    hedged = [r for r in rows if r["certaintyLabel"]]
    # 003: Bourgeot: "The French paratrooper who was killed recently ... was probably [killed] by the AQIM or the
    # MUJAO": one claim, two alternative attackers
    assert cols(hedged, "certaintyLabel", "aboutLabel", "claimedAttackerLabel", "disjunctive", "quote") == [
        ("probable", "death: A French paratrooper (2014-10-29)", "Al-Qaeda in the Islamic Maghreb", "true",
         "was probably [killed] by the AQIM or the MUJAO"),
        ("probable", "death: A French paratrooper (2014-10-29)", "Movement for Unity and Jihad in West Africa", "true",
         "was probably [killed] by the AQIM or the MUJAO"),
    ]
    assert {r["claimantLabel"] for r in rows} == {"André Bourgeot"}
    # the rows follow the text
    starts = [article_text(A003).index(r["quote"]) for r in rows]
    assert starts == sorted(starts)


def test_claims_of_responsibility(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "claims", speaker=f"{ID}jnim", lang="fr")
    # 001: "Both fatal attacks were alleged by the Al-Qaeda-affiliated Support Group for Islam and Muslims (GSIM)"
    jnim_fr = "Groupe de soutien à l'islam et aux musulmans"
    assert {(r["claimantLabel"], r["claimStanceLabel"], r["claimedAttackerLabel"]) for r in rows} == {
        (jnim_fr, "revendique", jnim_fr)}
    assert len(rows) == 2  # about the attack of January 2 and the one five days earlier


def test_disputed_facts(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "disputed-facts")
    # 003: "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali, a claim
    # disputed by MINUSMA."
    assert cols(rows, "assertedByLabel", "assertStanceLabel", "assertQuote", "disputedByLabel",
                "disputeStanceLabel", "disputeQuote", "assertArticle", "disputeArticle") == [
        ("Government of France", "alleges",
         "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali",
         "United Nations Multidimensional Integrated Stabilization Mission in Mali", "disputes",
         "a claim disputed by MINUSMA", A003, A003),
    ]
    assert rows[0]["fact"] == f"{ID}{A003}/o4"


def test_hedged_facts(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "hedged-facts")
    assert cols(rows, "certaintyLabel", "kindLabel", "article", "quote") == [
        # 004: "A ce stade de l’évaluation de l’opération, il apparaît très probable que figure, parmi les
        # terroristes neutralisés, le chef de la katiba du Gourma": the communiqué's claim and the event
        ("very probable", "claim", A004,
         "A ce stade de l’évaluation de l’opération, il apparaît très probable que figure, parmi les terroristes "
         "neutralisés, le chef de la katiba du Gourma connu sous le nom de Almansour Ag Alkassam"),
        ("very probable", "neutralization", A004, "il apparaît très probable que figure, parmi les terroristes "
         "neutralisés, le chef de la katiba du Gourma connu sous le nom de Almansour Ag Alkassam"),
        # 001: the sniper, probably one of the "other elements of the armed terrorist group" (r22)
        ("probable", "relation statement", A001, "taken at close range by other elements of the armed terrorist "
         "group. During this action, Master Corporal Maxime Blasco was hit by a sniper"),
        # 003: "was probably [killed] by the AQIM or the MUJAO"
        ("probable", "claim", A003, "was probably [killed] by the AQIM or the MUJAO"),
        # 004: "La neutralisation probable chef de la katiba du Gourma est un nouveau coup sévère"
        ("probable", "claim", A004, "La neutralisation probable chef de la katiba du Gourma est un nouveau coup "
         "sévère porté aux groupes terroristes de la région et en particulier au RVIM"),
        # 001: Wagner, "which is described as close to Russian power"
        ("possible", "relation statement", A001, "which is described as close to Russian power"),
        # 003: Le Drian "does not rule out an intervention in Libya"
        ("possible", "claim", A003, "does not rule out an intervention in Libya"),
    ]


# --------------------------------------------------------------------------- names, articles, support

def test_entity_names_of_jnim(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "entity-names")
    assert [r for r in cols(rows, "kind", "language", "name", "article", "mentions") if r[0] == "mention"] == [
        # 001: "the Al-Qaeda-affiliated Support Group for Islam and Muslims (GSIM)"
        ("mention", "en", "GSIM", A001, "1"),
        # 002: "the Support Group for Islam and Muslims (GSIM or Jnim in Arabic)", "weakens the Jnim"
        ("mention", "en", "GSIM", A002, "1"),
        ("mention", "en", "Jnim", A002, "1"),
        ("mention", "en", "Support Group for Islam and Muslims (GSIM or Jnim in Arabic)", A002, "1"),
        ("mention", "en", "Support Group for Islam and Muslims (GSIM)", A001, "1"),
        ("mention", "en", "the Jnim", A002, "1"),
        # 004: "membre du Rassemblement pour la Victoire de l’Islam et des Musulmans (RVIM)", "en particulier au RVIM"
        ("mention", "fr", "RVIM", A004, "2"),
        ("mention", "fr", "Rassemblement pour la Victoire de l’Islam et des Musulmans", A004, "1"),
    ]
    preferred = [(r["language"], r["name"]) for r in rows if r["kind"] == "preferred"]
    assert preferred == [("en", "Group for the Support of Islam and Muslims"),
                         ("fr", "Groupe de soutien à l'islam et aux musulmans")]
    aliases = {(r["language"], r["name"]) for r in rows if r["kind"] == "alias"}
    assert {("en", "GSIM"), ("en", "JNIM"), ("fr", "RVIM"), ("fr", "GSIM")} <= aliases
    for r in rows:
        if r["kind"] == "mention":
            assert r["name"] in article_text(r["article"])


def test_entity_names_of_isgs(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "entity-names", entity=f"{ID}isgs")
    mentions = {(r["article"], r["name"]) for r in rows if r["kind"] == "mention"}
    # 000: "the Islamic State for the Greater Sahara"; 001: "the Islamic State jihadist group in the Greater Sahara
    # (EIGS)"; 002: "the Islamic State in the Greater Sahara (EIGS)"
    assert (A000, "Islamic State for the Greater Sahara") in mentions
    assert (A001, "EIGS") in mentions and (A002, "EIGS") in mentions
    assert {r["language"] for r in rows if r["kind"] == "preferred"} == {"en", "fr"}


def test_articles(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "articles")
    assert cols(rows, "article", "title", "language", "published", "precisionLabel", "publisher") == [
        # 000 prints no title, no date ("the Pau summit last December", numbers up "since January": 2020)
        (A000, "", "en", "2020", "year", ""),
        # 001: "Posted on Sep 24, 2021 at 4:23 pm"
        (A001, "", "en", "2021-09-24", "day", ""),
        # 002: its first line is the title; its latest date is "March 28, 2022"
        (A002, "During its withdrawal from Mali, the French force Barkhane continues its anti-jihadist fight in "
         "cooperation with the Malian armed forces", "en", "2022", "year", ""),
        # 003: "French Soldier Killed In Mali In Clash With Armed Terrorists"; "VICE News spoke to Philippe Hugon"
        (A003, "French Soldier Killed In Mali In Clash With Armed Terrorists", "en", "2014", "year", "VICE News"),
        # 004: "BARKHANE : la force Barkhane met hors de combat un groupe terroriste au Mali."
        (A004, "BARKHANE : la force Barkhane met hors de combat un groupe terroriste au Mali.", "fr", "2018-11",
         "month", ""),
    ]
    assert [r["basisLabel"] for r in run(any_store, "articles", lang="fr")][1] == "date énoncée"


def test_article_facts_follow_the_text(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "article-facts", article=A004)
    ids = [r["annotationId"] for r in rows]
    # 004 in reading order: the night operation (e1) "dans la région du Gourma au Mali" (r4) "les forces
    # françaises de l’opération Barkhane" (r5) "contre un groupe terroriste qui avait été formellement identifié"
    # (c3); the raid (e2), the warning shots (e3), the answer (e4, r13), the riposte (e5), the seven neutralized
    # (e6), the seizure (e7), the leader very probably among them (c1, e8, r3), the katiba "créé en 2014" (e9),
    # "membre du ... RVIM" (r1), "Il sévit dans la région du Gourma" (r2), the mining (e10), "La neutralisation
    # probable" (c2, c4), the partnership (r6), the launch (e11), the BSS countries (r8-r12), "Elle regroupe environ
    # 4 000 militaires" (o1), the G5 Sahel joint force (r7, e12)
    assert ids[:3] == ["e1", "r4", "r5"]
    assert ids.index("c1") < ids.index("e8") < ids.index("r3") < ids.index("e9") < ids.index("r1")
    assert ids[-3:] == ["o1", "r7", "e12"]
    assert {"e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10", "e11", "e12"} <= set(ids)
    kinds = dict(zip(ids, (r["kindLabel"] for r in rows)))
    assert (kinds["e2"], kinds["r1"], kinds["c1"], kinds["o1"]) == ("raid", "member of", "claim", "troop strength")
    french = {r["annotationId"]: r["kindLabel"] for r in run(any_store, "article-facts", article=A004, lang="fr")}
    assert (french["r1"], french["o1"]) == ("membre de", "effectif")


@pytest.mark.parametrize("article", [A000, A001, A002, A003, A004])
def test_article_facts_quotes_are_the_text_at_their_offsets(any_store: pyoxigraph.Store, article: str) -> None:
    rows = run(any_store, "article-facts", article=article)
    assert rows
    text = article_text(article)
    for r in rows:
        assert text[int(r["start"]):int(r["end"])] == r["quote"], r["annotationId"]
    starts = [int(r["start"]) for r in rows]
    assert starts == sorted(starts)


def test_statement_support(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "statement-support")
    # 004: "La katiba du Gourma est un groupe armé terroriste, créé en 2014, membre du Rassemblement pour la
    # Victoire de l’Islam et des Musulmans (RVIM)"; and the registry's fact citing it
    assert cols(rows, "source", "article", "quote") == [
        ("article", A004, "membre du Rassemblement pour la Victoire de l’Islam et des Musulmans (RVIM)"),
        ("registry", "", ""),
    ]
    assert rows[1]["registrySource"]
    # an entailed triple has no statement: katiba du Gourma affiliated with al-Qaeda holds only by transitivity
    assert run(any_store, "statement-support", property=f"{SK}affiliatedWith", object=f"{ID}al-qaeda") == []
    # 003: "Jean-Yves Le Drian, the French minister of defense" on "October 27"
    le_drian = run(any_store, "statement-support", subject=f"{ID}jean-yves-le-drian", property=f"{SK}holdsPosition",
                   object=f"{ID}minister-of-defence-of-france")
    assert ("article", A003, "2014-10-27") in cols(le_drian, "source", "article", "date")


def test_fact_support_of_a_disputed_figure(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "fact-support")
    # 003: "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali, a claim
    # disputed by MINUSMA."
    assert cols(rows, "article", "support", "speakerLabel", "claimStanceLabel", "quote") == [
        (A003, "claim", "Government of France", "alleges",
         "French authorities allege that MINUSMA deployed only 22 percent of its forces in Northern Mali"),
        (A003, "states", "", "", "MINUSMA deployed only 22 percent of its forces in Northern Mali"),
        (A003, "claim", "United Nations Multidimensional Integrated Stabilization Mission in Mali", "disputes",
         "a claim disputed by MINUSMA"),
    ]


def test_fact_support_of_an_entity(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "fact-support", fact=f"{ID}maxime-blasco")
    text = article_text(A001)
    # 001 names him "A French soldier", "Maxime Blasco" three times and "the victim"
    assert cols(rows, "article", "support", "quote") == [
        (A001, "mention", "A French soldier"), (A001, "mention", "Maxime Blasco"), (A001, "mention", "the victim"),
        (A001, "mention", "Maxime Blasco"), (A001, "mention", "Maxime Blasco"),
    ]
    for r in rows:
        start = int(r["start"])
        assert text[start:start + len(r["quote"])] == r["quote"]


def test_fact_support_of_an_event(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "fact-support", fact=f"{ID}{A001}/e1")
    # 001: "A French soldier was killed in action in Mali on Friday morning, the Elysee announced in the evening"
    assert rows[0]["support"] == "states"
    assert rows[0]["quote"] == "A French soldier was killed in action in Mali on Friday morning"
    speakers = {(r["speakerLabel"], r["claimStanceLabel"]) for r in rows if r["support"] == "claim"}
    # "the Elysee announced"; "According to the members of the army"; "said the army press release"
    assert {("French Presidency", "announces"), ("French Armed Forces", "states")} <= speakers


# --------------------------------------------------------------------------- persons and places

def test_persons_by_rank(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "persons-by-rank")
    assert cols(rows, "rankLabel", "personLabel", "memberOfLabel") == [
        # 002: "Colonel Pascal Ianni"
        ("Colonel", "Pascal Ianni", ""),
        # 003: "a coup by General Amadou Sanogo"; the registry: an officer of the Malian army
        ("General", "Amadou Sanogo", "Malian Armed Forces"),
        # 002: "General Du Peyroux, representative of Operation Barkhane in Mali"
        ("General", "General Du Peyroux", ""),
        # 000: "the 1st class legionnaire Kévin Clément"; "Both were part of the foreign cavalry regiment of
        # Carpiagne"; "two French soldiers"; "his squadron"
        ("Legionnaire First Class", "Kévin Clément", "1st Foreign Cavalry Regiment"),
        ("Legionnaire First Class", "Kévin Clément", "French Armed Forces"),
        ("Legionnaire First Class", "Kévin Clément", "his squadron"),
        # 001: "Master Corporal Maxime Blasco from the 7th Battalion of the Alpine Hunters of Varces"
        ("Master Corporal", "Maxime Blasco", "7th Alpine Hunters Battalion"),
        # 000: "Brigadier Dmytro Martynyouk"
        ("brigadier", "Dmytro Martynyouk", "1st Foreign Cavalry Regiment"),
        ("brigadier", "Dmytro Martynyouk", "French Armed Forces"),
    ]
    generals = run(any_store, "persons-by-rank", rank=f"{ID}general", lang="fr")
    assert cols(generals, "rankLabel", "personLabel") == [("général", "Amadou Sanogo"),
                                                          ("général", "général Du Peyroux")]


def test_persons_by_role(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "persons-by-role")
    assert cols(rows, "personLabel", "roleLabel", "objectLabel", "organizationLabel", "asOf") == [
        # 003: "a call by Malian foreign affairs minister, Abdoulaye Diop" (October 2014)
        ("Abdoulaye Diop", "holds position", "Minister of Foreign Affairs of Mali", "Government of Mali", "2014-10"),
        # 001: "the leader of the Islamic State jihadist group in the Greater Sahara (EIGS), Adnan Abou Walid
        # al-Sahraoui"
        ("Adnan Abou Walid al-Sahraoui", "leads", "Islamic State in the Greater Sahara", "", ""),
        # 004: "le chef de la katiba du Gourma connu sous le nom de Almansour Ag Alkassam"
        ("Almansour Ag Alkassam", "leads", "Katiba du Gourma", "", ""),
        # 003: "President Barack Obama announced this past summer" (summer 2014: ISO 8601-2 season 22)
        ("Barack Obama", "holds position", "President of the United States", "", "2014-22"),
        # 001: "President Emmanuel Macron’s “particularly strong emotions”"
        ("Emmanuel Macron", "holds position", "President of France", "Government of France", ""),
        # 002: "General Du Peyroux, representative of Operation Barkhane in Mali"
        ("General Du Peyroux", "holds position", "Representative of Operation Barkhane in Mali", "Operation Barkhane",
         ""),
        # 003: "UN chief of peacekeeping operations, Herve Ladsous"
        ("Hervé Ladsous", "holds position", "UN Under-Secretary-General for Peacekeeping Operations", "United Nations",
         "2014"),
        # 001 (posted Sep 24, 2021): "The head of French diplomacy, Jean-Yves Le Drian"; 003: "Jean-Yves Le Drian,
        # the French minister of defense" speaking "on October 27" (2014)
        ("Jean-Yves Le Drian", "holds position", "French Minister for Foreign Affairs", "Government of France",
         "2021-09-24"),
        ("Jean-Yves Le Drian", "holds position", "French Minister of Defence", "Government of France", "2014-10-27"),
        # 002: "Nigerien President Mohamed Bazoum"
        ("Mohamed Bazoum", "holds position", "President of Niger", "", ""),
        # 002: "the spokesman for the Chief of Staff of the French Armed Forces, Colonel Pascal Ianni"
        ("Pascal Ianni", "holds position", "Spokesperson for the Chief of Staff of the French Armed Forces",
         "French Armed Forces General Staff", ""),
        ("Pascal Ianni", "spokesperson for", "French Armed Forces General Staff", "", ""),
    ]
    presidents = run(any_store, "persons-by-role", position=f"{ID}president-of-france", lang="fr")
    assert cols(presidents, "personLabel", "roleLabel", "objectLabel", "organizationLabel") == [
        ("Emmanuel Macron", "occupe la fonction", "président de la République française", "Gouvernement français")]


def test_places(any_store: pyoxigraph.Store) -> None:
    # 003: "the Islamist stronghold of Gao" in "Northern Mali"; the registry places the city (GeoNames 2457163) in
    # the Gao Region
    assert cols(run(any_store, "places", place=f"{ID}gao"), "placeLabel", "placeTypeLabel", "latitude", "longitude",
                "coordinatePrecisionLabel", "coordinateSource", "parentLabel") == [
        ("Gao", "settlement", "16.27167", "-0.04472", "exact location", "geonames:2457163", "Gao Region")]
    # 001: "in Gourma, Mali” in the Gossi region ... in the N’Daki forest": no coordinates without a source
    assert cols(run(any_store, "places", place=f"{ID}n-daki-forest"), "placeLabel", "placeTypeLabel", "latitude",
                "parentLabel") == [("N'Daki forest", "forest", "", "Gourma")]
    # a border zone lies in both countries
    assert cols(run(any_store, "places", place=f"{ID}niger-mali-border"), "parentLabel") == [("Mali",), ("Niger",)]


def test_places_within_mali(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "places-within")
    assert cols(rows, "depth", "placeLabel", "parentLabel") == [
        # 001: "the ruling junta in Bamako" (the registry: the capital of Mali)
        ("1", "Bamako", "Mali"),
        # 004: "la région du Gourma au Mali"
        ("1", "Gourma", "Mali"),
        # 001: "the border between Mali and Burkina Faso"; 003: "the border between Niger and Mali" (border zones
        # lie in both countries)
        ("1", "Mali–Burkina Faso border", "Burkina Faso"), ("1", "Mali–Burkina Faso border", "Mali"),
        ("1", "Mali–Niger border", "Mali"), ("1", "Mali–Niger border", "Niger"),
        # 003: "Northern Mali"; "the south of the country"
        ("1", "Northern Mali", "Mali"), ("1", "Southern Mali", "Mali"),
        # 002: "the Gao region"; 003: "the Kidal region" (regions of the north in the registry)
        ("2", "Gao Region", "Northern Mali"),
        # 001: "in Gourma, Mali” in the Gossi region", "in the N’Daki forest"
        ("2", "Gossi", "Gourma"), ("2", "Kidal Region", "Northern Mali"), ("2", "N'Daki forest", "Gourma"),
        # 003: "the Adrar des Ifoghas", "the Islamist stronghold of Gao", "Kidal, in Northern Mali"
        ("3", "Adrar des Ifoghas", "Kidal Region"), ("3", "Gao", "Gao Region"), ("3", "Kidal", "Kidal Region"),
    ]
    assert "Liptako" not in {r["placeLabel"] for r in rows}  # in the three-border area, not inside Mali
    depths = [int(r["depth"]) for r in rows]
    assert depths == sorted(depths)
    gourma = run(any_store, "places-within", region=f"{ID}gourma")
    assert cols(gourma, "depth", "placeLabel") == [("1", "Gossi"), ("1", "N'Daki forest")]


# --------------------------------------------------------------------------- timeline and network

def test_timeline(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "timeline")
    assert cols(rows, "date", "eventTypeLabel", "article") == [
        # 003: "Military campaigns and international forces have been struggling for two years" (2012-2014)
        ("2012/2014", "military action", A003),
        # 003: "Mali was plunged into chaos in March 2012, after Tuareg rebels ... joined armed Islamist groups ...
        # to seize the northern half of Mali after a coup by General Amadou Sanogo"
        ("2012-03", "non-state actor overtakes territory", A003),
        ("2012-03", "coup", A003),
        # 003: "In January 2013, Islamist forces launched an unprecedented attack on the south of the country,
        # triggering French military intervention"
        ("2013-01", "armed clash", A003),
        ("2013-01", "deployment", A003),
        # 003: Serval (January 2013 to August 2014) "successfully halted the jihadist advance, and helped the
        # Malian government regain control of Northern Mali"
        ("2013-01/2014-08", "military action", A003),
        ("2013-01/2014-08", "government regains territory", A003),
        # 001: "fighting against jihadists in the Sahel for eight years"
        ("2013/2021", "military action", A001),
        # 003: "On November 2, 2013, two French journalists ... were kidnapped and killed in Kidal"
        ("2013-11-02", "abduction or forced disappearance", A003),
        ("2013-11-02", "death", A003),
        # 004: the katiba "créé en 2014"; 003: "President Barack Obama announced this past summer" (the summer of
        # 2014, June to August: it sorts after the whole year, which begins earlier)
        ("2014", "establishment", A004),
        ("2014-22", "announcement", A003),
        # 004: "l’opération Barkhane a été lancée le 1er août 2014"; 003: "In August 2014, Operation Serval was
        # replaced by Operation Barkhane"
        ("2014-08-01", "operation launch", A004),
        ("2014-08", "operation launch", A003),
        # 003: Diop's call (October), which "comes on the heels of a series of lethal attacks, which led to ten
        # MINUSMA fatalities in the month of October"; "The French government announced on October 10"
        ("2014-10", "announcement", A003),
        ("2014-10", "series of events", A003),
        ("2014-10-10", "announcement", A003),
        # 003: the paratrooper "killed in Northern Mali on Wednesday", "died in a raid on this area"
        ("2014-10-29", "death", A003),
        ("2014-10-29", "raid", A003),
        # 003: "Nine members of Niger's security forces were killed on October 30"
        ("2014-10-30", "armed clash", A003),
        ("2014-10-30", "death", A003),
        # 004: "la force conjointe du G5 Sahel en cours d’opérationnalisation"; "Dans la nuit du 11 au 12 novembre
        # 2018 ... une opération contre un groupe terroriste"; "neutraliser sept terroristes"; the leader very
        # probably among them
        ("2018-11", "establishment", A004),
        ("2018-11-11/2018-11-12", "military action", A004),
        ("2018-11-11/2018-11-12", "neutralization", A004),
        ("2018-11-11/2018-11-12", "neutralization", A004),
        # 000: "the Pau summit last December"; "since January, the numbers of Operation Barkhane have increased"
        ("2019-12", "summit", A000),
        ("2020-01/..", "reinforcement", A000),
        # 001: "Five days earlier, three soldiers ... were also victims of a self-made bomb"
        ("2020-12-28", "remote explosive, landmine or IED", A001),
        ("2020-12-28", "death", A001),
        # 001: "On January 2, two soldiers, including a woman, ... were killed ... by an “improvised explosive
        # device”"
        ("2021-01-02", "death", A001),
        ("2021-01-02", "remote explosive, landmine or IED", A001),
        # 001: "received the military medal ... in June"
        ("2021-06", "award", A001),
        # 001: "A French soldier was killed in action in Mali on Friday morning, the Elysee announced in the
        # evening"; "a reconnaissance and harassment operation"; "hit by a sniper who was neutralized"
        ("2021-09-24", "death", A001),
        ("2021-09-24", "announcement", A001),
        ("2021-09-24", "military action", A001),
        ("2021-09-24", "injury", A001),
        ("2021-09-24", "neutralization", A001),
        # 001: the army press release's account of the same death, "quickly succumbed to his injuries"
        ("2021-09-24", "death", A001),
        # 002: "several operations in recent weeks"; "Paris is considering a gradual move ... to Niger"; "In
        # February 2022, France announced its withdrawal"
        ("2022", "military action", A002),
        ("2022", "other strategic development", A002),
        ("2022-02", "announcement", A002),
        # 002: "On March 28, 2022, the French force eliminated the jihadist Boubacar Banon", "by a drone strike"
        ("2022-03-28", "neutralization", A002),
        ("2022-03-28", "air or drone strike", A002),
        # 003: "on April 25 the UN established MINUSMA": the year is not stated, so it comes after every dated
        # event, in the order of the day in the year
        ("--04-25", "establishment", A003),
    ]
    # sub-events that are not outcomes are left out: 004's warning shots belong to the raid; so are undated
    # events: 000 "killed Monday"
    assert f"{ID}{A004}/e3" not in {r["event"] for r in rows}
    assert f"{ID}{A000}/e1" not in {r["event"] for r in rows}
    assert {r["categoryLabel"] for r in rows} == {
        "battle", "explosion or remote violence", "violence against civilians", "strategic development",
        "outcome event", "operational event", "series of events"}
    # 002: "Paris is considering a gradual move of French Barkhane forces to Niger" (a move considered, not done)
    assert f"{ID}{A002}/e11" not in {r["event"] for r in rows}


def test_actor_network_attacks(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "actor-network", relation="attack")
    assert {(r["sourceLabel"], r["targetLabel"]): (r["weight"], r["firstDate"], r["lastDate"]) for r in rows} == {
        # 004: the French forces against "un groupe terroriste" in "la nuit du 11 au 12 novembre 2018": the
        # operation, the raid, the warning shots and the riposte; the terrorists' answer; "neutraliser sept
        # terroristes", among them very probably "le chef de la katiba du Gourma"
        ("French Armed Forces", "un groupe terroriste"): ("4", "2018-11-11", "2018-11-12"),
        ("un groupe terroriste", "French Armed Forces"): ("1", "2018-11-11", "2018-11-12"),
        ("French Armed Forces", "sept terroristes"): ("1", "2018-11-11", "2018-11-12"),
        ("French Armed Forces", "Almansour Ag Alkassam"): ("1", "2018-11-11", "2018-11-12"),
        # 004: the katiba's mines: "Les premières victimes de ce mode d’action sont les populations civiles et les
        # forces de sécurité maliennes" (undated)
        ("Katiba du Gourma", "les populations civiles"): ("1", "", ""),
        ("Katiba du Gourma", "les forces de sécurité maliennes"): ("1", "", ""),
        # 001: "a reconnaissance and harassment operation by the Barkhane Force"; "The command group was taken at
        # close range by other elements of the armed terrorist group. During this action, Master Corporal Maxime
        # Blasco was hit by a sniper who was neutralized by the commandos" (the hit and the death)
        ("Operation Barkhane", "an armed terrorist group"): ("1", "2021-09-24", "2021-09-24"),
        ("an armed terrorist group", "A group of commands from the Barkhane Troop"): ("1", "2021-09-24", "2021-09-24"),
        ("a sniper", "Maxime Blasco"): ("2", "2021-09-24", "2021-09-24"),
        ("A group of commands from the Barkhane Troop", "a sniper"): ("1", "2021-09-24", "2021-09-24"),
        # 001: "French troops in Mali, who have been fighting against jihadists in the Sahel for eight years"
        ("French Armed Forces", "jihadists"): ("1", "2013-01-01", "2021-12-31"),
        # 002: "the French force eliminated the jihadist Boubacar Banon", "by a drone strike"; "several operations
        # in recent weeks in Mali against the various Al-Qaida groups and the Islamic State in the Greater Sahara"
        ("Operation Barkhane", "Boubacar Banon"): ("2", "2022-03-28", "2022-03-28"),
        ("Operation Barkhane", "the various Al-Qaida groups"): ("1", "2022-01-01", "2022-12-31"),
        ("Operation Barkhane", "Islamic State in the Greater Sahara"): ("1", "2022-01-01", "2022-12-31"),
        # 003: "Military campaigns and international forces have been struggling for two years to track down and
        # destroy roving terrorist groups"; "Operation Serval ... successfully halted the jihadist advance"
        ("international forces", "roving terrorist groups"): ("1", "2012-01-01", "2014-12-31"),
        ("Operation Serval", "Islamist forces"): ("1", "2013-01-01", "2014-08-31"),
        # 003: "A French paratrooper was killed in Northern Mali on Wednesday during a clash with an armed terrorist
        # group"; Dupont and Verlon "were kidnapped and killed in Kidal ... by terrorist group AQIM"; "the army had
        # destroyed an armed convoy" (the destruction itself is not dated)
        ("an armed terrorist group", "A French paratrooper"): ("1", "2014-10-29", "2014-10-29"),
        ("Al-Qaeda in the Islamic Maghreb", "Ghislaine Dupont"): ("2", "2013-11-02", "2013-11-02"),
        ("Al-Qaeda in the Islamic Maghreb", "Claude Verlon"): ("2", "2013-11-02", "2013-11-02"),
        ("French Armed Forces", "an armed convoy"): ("1", "", ""),
    }
    assert all(r["edge"] == "attack" for r in rows)
    weights = [int(r["weight"]) for r in rows]
    assert weights == sorted(weights, reverse=True)
    assert all(r["source"].startswith(ID) and r["target"].startswith(ID) for r in rows)


def test_actor_network_co_participation_and_weight(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "actor-network", relation="co-participation")
    pairs = {frozenset((r["sourceLabel"], r["targetLabel"])): r["weight"] for r in rows}
    # 003: "Tuareg rebels from Mali's National Movement for the Liberation of Azawad (MNLA) joined armed Islamist
    # groups like Ansar Dine, al Qaeda in the Islamic Maghreb (AQIM), and MUJAO"
    for a, b in [("National Movement for the Liberation of Azawad", "Ansar Dine"),
                 ("Ansar Dine", "Al-Qaeda in the Islamic Maghreb"),
                 ("Al-Qaeda in the Islamic Maghreb", "Movement for Unity and Jihad in West Africa")]:
        assert pairs[frozenset((a, b))] == "1"
    # 003: Serval "helped the Malian government regain control of Northern Mali, including ... Gao"
    assert pairs[frozenset(("Government of Mali", "Operation Serval"))] == "2"
    # 001 "the ruling junta in Bamako, which wants to sign a contract with ... Wagner"; 002 "the Malian junta ...
    # welcoming Wagner’s Russian mercenaries"
    assert pairs[frozenset(("Government of Mali", "Wagner Group"))] == "2"
    assert all(r["source"] < r["target"] for r in rows)
    heavy = run(any_store, "actor-network", minWeight="2")
    assert heavy and all(int(r["weight"]) >= 2 for r in heavy)
    assert len(heavy) < len(run(any_store, "actor-network"))


def test_actor_events(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "actor-events")
    assert cols(rows, "date", "roleLabel", "eventTypeLabel", "article") == [
        # 003: "joined armed Islamist groups like Ansar Dine, al Qaeda in the Islamic Maghreb (AQIM) ... to seize
        # the northern half of Mali" (March 2012)
        ("2012-03", "has attacker", "non-state actor overtakes territory", A003),
        # 003: "kidnapped and killed in Kidal, in Northern Mali in a retaliation action by terrorist group AQIM"
        ("2013-11-02", "has attacker", "abduction or forced disappearance", A003),
        ("2013-11-02", "has attacker", "death", A003),
    ]
    fama = run(any_store, "actor-events", actor=f"{ID}operation-barkhane", lang="fr")
    # 002: "Barkhane also intervenes in support of the Malian Armed Forces (FAMA) at their request"
    assert ("a pour force d'appui", "action militaire") in cols(fama, "roleLabel", "eventTypeLabel")
    # 002: "He was neutralized by a drone strike": Barkhane as the attacker, not also as a mere participant
    strike = [r["roleLabel"] for r in fama if r["eventTypeLabel"] == "frappe aérienne ou de drone"]
    assert strike == ["a pour attaquant"]


# --------------------------------------------------------------------------- formats and the command line

@pytest.mark.parametrize("name", ["soldiers-killed", "troop-strengths", "actor-network"])
def test_csv_and_json_parse_back(any_store: pyoxigraph.Store, name: str) -> None:
    named = q.find_query(QUERIES_DIR, name)
    table = q.run_select(any_store, named.text, q.bind_params(named, {}, "en"), name)
    plain = [[q.term_value(t) for t in row] for row in table.rows]
    parsed_csv = list(csv.reader(io.StringIO(q.render(table, "csv"))))
    assert parsed_csv[0] == list(table.variables)
    assert parsed_csv[1:] == plain
    parsed_tsv = list(csv.reader(io.StringIO(q.render(table, "tsv")), delimiter="\t"))
    assert parsed_tsv[1:] == plain
    parsed_json = json.loads(q.render(table, "json"))
    assert [[("" if r[v] is None else str(r[v]).lower() if isinstance(r[v], bool) else str(r[v]))
             for v in table.variables] for r in parsed_json] == plain
    parsed_jsonl = [json.loads(line) for line in q.render(table, "jsonl").splitlines()]
    assert parsed_jsonl == parsed_json


def test_cli_csv_matches_the_library(real_store: pyoxigraph.Store, real_settings: Settings) -> None:
    result = invoke("query", "soldiers-killed", "--store", real_settings.store, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows == run(real_store, "soldiers-killed")


def test_cli_json_in_french_with_params(real_store: pyoxigraph.Store, real_settings: Settings) -> None:
    result = invoke("query", "troop-strengths", "--store", real_settings.store, "--format", "json", "--lang", "fr",
                    "-p", f"entity={ID}operation-barkhane")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    # 004 "Elle regroupe environ 4 000 militaires"; 000 "from 4,500 to 5,100"
    assert [(r["observedLabel"], r["value"], r["approximate"], r["precisionLabel"]) for r in rows] == [
        ("opération Barkhane", 4000, True, "mois"), ("opération Barkhane", 4500, False, "mois"),
        ("opération Barkhane", 5100, False, "année")]


def test_cli_table_shows_labels_not_iris(real_settings: Settings) -> None:
    result = invoke("query", "running-death-totals", "--store", real_settings.store)
    assert result.exit_code == 0, result.output
    assert "French Armed Forces" in result.output
    assert "52" in result.output and "(2 rows)" in result.output
    assert ID not in result.output  # the ?observation IRI is shown as its label
    md = invoke("query", "running-death-totals", "--store", real_settings.store, "--format", "md")
    assert md.output.startswith("| observedLabel | countedOutcomeLabel |")


def test_cli_list(real_settings: Settings) -> None:
    result = invoke("query", "--list", "--store", real_settings.store)
    assert result.exit_code == 0
    listed = dict(line.split("\t", 1) for line in result.output.splitlines())
    assert set(listed) == {p.stem for p in QUERY_FILES}
    assert listed["disputed-facts"] == q.load_query_file(QUERIES_DIR / "disputed-facts.rq").summary


def test_cli_file_and_stdin(real_settings: Settings, real_store: object, tmp_path: Path) -> None:
    text = (QUERIES_DIR / "running-death-totals.rq").read_text(encoding="utf-8")
    path = tmp_path / "totals.rq"
    path.write_text(text, encoding="utf-8")
    by_name = invoke("query", "running-death-totals", "--store", real_settings.store, "--format", "csv")
    by_file = invoke("query", "-f", str(path), "--store", real_settings.store, "--format", "csv")
    by_stdin = invoke("query", "-", "--store", real_settings.store, "--format", "csv", input=text)
    assert by_name.exit_code == by_file.exit_code == by_stdin.exit_code == 0
    assert by_name.output == by_file.output == by_stdin.output


def test_cli_stdin_declares_the_well_known_prefixes_it_leaves_out(real_settings: Settings, real_store: object) -> None:
    text = "SELECT ?label WHERE {\n  <https://w3id.org/sahelkg/id/gossi> skos:prefLabel ?label .\n}\nORDER BY ?label\n"
    result = invoke("query", "-", "--store", real_settings.store, "--format", "csv", input=text)
    assert result.exit_code == 0, result.output
    assert result.stderr == "note: declared PREFIX skos: (not in the query)\n"
    assert result.stdout == "label\nGossi\nGossi\n"


def test_cli_syntax_errors_are_said_as_a_person_would(real_settings: Settings, real_store: object) -> None:
    cases = {
        # an unknown prefix that is not one of the project's: where it is, and what to add
        "SELECT ?s WHERE {\n  ?s ex:name ?n }": "stdin:2:6: malformed SPARQL: unknown prefix ex: declare it with "
                                                "PREFIX ex: <...>\n  ?s ex:name ?n }\n     ^\n",
        # a misspelt keyword: the keyword meant, at the word itself
        "SELEC ?s WHERE { ?s ?p ?o }": "stdin:1:1: malformed SPARQL: 'SELEC' is not a SPARQL keyword: did you mean "
                                       "SELECT?\nSELEC ?s WHERE { ?s ?p ?o }\n^\n",
        # no list of Unicode ranges: what kind of thing was expected, and the missing brace
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY": "stdin:1:38: malformed SPARQL: expected a variable, \"(\", a prefixed "
                                                "name or an IRI\n"
                                                "SELECT ?s WHERE { ?s ?p ?o } ORDER BY\n" + " " * 37 + "^\n",
        "SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }": "stdin:1:46: malformed SPARQL: the SELECT names a variable "
                                                        "that is neither grouped nor aggregated: add it to GROUP BY or "
                                                        "wrap it in SAMPLE(...)\n"
                                                        "SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }\n" + " " * 45 + "^\n",
    }
    for text, expected in cases.items():
        result = invoke("query", "-", "--store", real_settings.store, input=text)
        assert (result.exit_code, result.output) == (1, "error: " + expected), text


def test_cli_unknown_parameter(real_settings: Settings) -> None:
    result = invoke("query", "claims", "--store", real_settings.store, "-p", "speeker=x")
    assert result.exit_code == 2
    assert result.output == "error: query 'claims' has no parameter 'speeker' (its parameters: speaker, stance, lang)\n"


def test_cli_parameter_of_the_wrong_type(real_settings: Settings) -> None:
    result = invoke("query", "actor-network", "--store", real_settings.store, "-p", "minWeight=two")
    assert result.exit_code == 2
    assert result.output == ("error: parameter minWeight='two': not a valid integer: invalid literal for int() "
                             "with base 10: 'two'\n")
    result = invoke("query", "events-by-period", "--store", real_settings.store, "-p", "from=March 2012")
    assert result.exit_code == 2
    assert result.output == "error: parameter from='March 2012': not a valid date: write YYYY-MM-DD\n"
    result = invoke("query", "group-members", "--store", real_settings.store, "-p", "group=jnim")
    assert result.exit_code == 2
    assert result.output == ("error: parameter group='jnim': not a valid iri: an IRI must be absolute, "
                             "e.g. https://w3id.org/sahelkg/id/jnim\n")


def test_cli_unknown_query(real_settings: Settings) -> None:
    result = invoke("query", "french-soldiers", "--store", real_settings.store)
    assert result.exit_code == 2
    known = ", ".join(p.stem for p in QUERY_FILES)
    assert result.output == f"error: no query named 'french-soldiers' in {QUERIES_DIR}; known queries: {known}\n"


def test_cli_malformed_query_gives_line_and_column(real_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("#+ summary: deaths, badly ordered\n"
                    "PREFIX sk: <https://w3id.org/sahelkg/ontology#>\n"
                    "SELECT ?e WHERE {\n"
                    "  ?e a sk:Death .\n"
                    "}\n"
                    "ORDER ?e\n", encoding="utf-8")
    result = invoke("query", "-f", str(path), "--store", real_settings.store)
    assert result.exit_code == 1
    assert result.output == f"error: {path}:6:9: malformed SPARQL: expected BY\nORDER ?e\n        ^\n"


def test_cli_malformed_query_with_parameters_keeps_its_lines(real_settings: Settings, tmp_path: Path) -> None:
    """The VALUES block that binds parameters must not move the reported position."""
    path = tmp_path / "broken.rq"
    path.write_text("#+ summary: broken\n"
                    "#+ param: lang (lang, en) labels\n"
                    "SELECT ?x\n"
                    "WHERE {\n"
                    "  ?x nope:label ?lang .\n"
                    "}\n", encoding="utf-8")
    result = invoke("query", "-f", str(path), "--store", real_settings.store)
    assert result.exit_code == 1
    assert result.output == (f"error: {path}:5:6: malformed SPARQL: unknown prefix nope: declare it with "
                             "PREFIX nope: <...>\n  ?x nope:label ?lang .\n     ^\n")


def test_cli_malformed_parameter_header(real_settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "header.rq"
    path.write_text("#+ summary: s\n#+ param: n (number, 3) how many\nSELECT ?n { }\n", encoding="utf-8")
    result = invoke("query", "-f", str(path), "--store", real_settings.store)
    assert result.exit_code == 1
    assert result.output == (f"error: {path}:2: malformed parameter 'n (number, 3) how many'; write "
                             "'#+ param: name (type, default) description' with type one of string, iri, integer, "
                             "decimal, date, datetime, lang, boolean\n")


# --------------------------------------------------------------------------- documentation

def test_docs_list_every_query_with_its_summary_and_parameters() -> None:
    doc = (PACKAGE_ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    for path in QUERY_FILES:
        named = q.load_query_file(path)
        assert f"### `{named.name}`" in doc, named.name
        section = doc.split(f"### `{named.name}`", 1)[1].split("\n### ", 1)[0]
        assert named.summary in section, named.name
        for param in named.params:
            assert f"`{param.name}`" in section, (named.name, param.name)


# --------------------------------------------------------------------------- what did not happen, accounts, offices held

def test_planned_events(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "planned-events")
    assert cols(rows, "modalityLabel", "kindLabel", "date", "statedInLabel", "article", "quote") == [
        # 002: "Paris is considering a gradual move of French Barkhane forces to Niger" (the consideration, e8, is
        # dated 2022 by context; the move, not done, is not dated)
        ("considered", "redeployment", "", "other strategic development: Government of France (2022)", A002,
         "a gradual move of French Barkhane forces to Niger"),
        # 002: "The Nigerien parliament must decide in the coming days"
        ("expected", "other strategic development", "", "", A002,
         "The Nigerien parliament must decide in the coming days on the arrival of the European forces Takuba and "
         "Barkhane on its soil"),
        # 003: Le Drian "does not rule out an intervention in Libya"
        ("hypothetical", "military action", "", "Jean-Yves Le Drian: states", A003, "an intervention in Libya"),
        # 001: "the ruling junta in Bamako, which wants to sign a contract with ... Wagner"; Le Drian "warned that
        # the use of these mercenaries was “incompatible” with maintaining French troops in Mali"
        ("intended", "other strategic development", "", "Jean-Yves Le Drian: warns", A001,
         "the ruling junta in Bamako, which wants to sign a contract with the sulphurous Russian paramilitary company "
         "Wagner"),
    ]
    considered = run(any_store, "planned-events", modality=f"{SK}Considered", lang="fr")
    assert cols(considered, "modalityLabel", "kindLabel", "fact") == [("envisagé", "redéploiement", f"{ID}{A002}/e11")]


def test_event_accounts_in_one_article(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "event-accounts", event=f"{ID}{A001}/e19")
    assert cols(rows, "article", "annotationId", "quote", "claimantLabel", "stanceLabel") == [
        # 001: "A French soldier was killed in action in Mali on Friday morning, the Elysee announced in the evening,
        # expressing President Emmanuel Macron’s “particularly strong emotions”"; "According to the members of the
        # army, the victim was killed ..."
        (A001, "e1", "A French soldier was killed in action in Mali on Friday morning", "Emmanuel Macron", "states"),
        (A001, "e1", "A French soldier was killed in action in Mali on Friday morning", "French Armed Forces",
         "states"),
        (A001, "e1", "A French soldier was killed in action in Mali on Friday morning", "French Presidency",
         "announces"),
        # 001: "Very badly injured, Master Corporal Maxime Blasco quickly succumbed to his injuries, ”said the army
        # press release"
        (A001, "e19", "Very badly injured, Master Corporal Maxime Blasco quickly succumbed to his injuries",
         "French Armed Forces", "states"),
    ]
    # the same rows from the other account
    assert run(any_store, "event-accounts", event=f"{ID}{A001}/e1") == rows


def test_event_accounts_across_articles(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "event-accounts", event=f"{ID}{A004}/e11")
    assert cols(rows, "article", "annotationId", "quote", "claimantLabel") == [
        # 003: "In August 2014, Operation Serval was replaced by Operation Barkhane"; 004: "l’opération Barkhane a été
        # lancée le 1er août 2014": told by the articles themselves, no speaker
        (A003, "e10", "In August 2014, Operation Serval was replaced by Operation Barkhane, a counter-terrorism "
         "operation in Africa's Sahel region", ""),
        (A004, "e11", "l’opération Barkhane a été lancée le 1er août 2014", ""),
    ]


def test_positions_held_by_le_drian(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "positions-held", who=f"{ID}jean-yves-le-drian")
    assert cols(rows, "roleLabel", "objectLabel", "date", "dateAsWritten", "basisLabel", "origin", "source") == [
        # 003: "Jean-Yves Le Drian, the French minister of defense" speaking on RFI "on October 27" (2014 by context),
        # and the registry's copy of that statement, which keeps its date
        ("holds position", "French Minister of Defence", "2014-10-27", "October 27", "date from context", "article",
         A003),
        ("holds position", "French Minister of Defence", "2014-10-27", "October 27", "date from context", "registry",
         f"{A003}/r17"),
        # 001 (posted Sep 24, 2021): "The head of French diplomacy, Jean-Yves Le Drian"
        ("holds position", "French Minister for Foreign Affairs", "2021-09-24", "", "date from context", "article",
         A001),
        ("holds position", "French Minister for Foreign Affairs", "2021-09-24", "", "date from context", "registry",
         f"{A001}/r11"),
    ]


def test_positions_held_keeps_seasons_and_hedges(any_store: pyoxigraph.Store) -> None:
    rows = {(r["personLabel"], r["origin"]): r for r in run(any_store, "positions-held")}
    # 003: "President Barack Obama announced this past summer": President in the summer of 2014
    obama = rows[("Barack Obama", "registry")]
    assert (obama["objectLabel"], obama["date"], obama["dateAsWritten"]) == (
        "President of the United States", "2014-22", "this past\u00a0summer")
    # 003: "General Amadou Sanogo", the rank as the article gives it in 2014; and an undated registry fact after it
    sanogo = [r for r in run(any_store, "positions-held", who=f"{ID}amadou-sanogo") if r["origin"] == "registry"]
    assert cols(sanogo, "roleLabel", "objectLabel", "date") == [
        ("has rank", "General", "2014"), ("member of", "Malian Armed Forces", "")]


def test_events_by_period_an_open_period_runs_to_the_time_of_writing(any_store: pyoxigraph.Store) -> None:
    # 000: "since January, the numbers of Operation Barkhane have increased from 4,500 to 5,100": from January 2020
    # (the year from the annotator's knowledge) to the time of writing, 2020
    june = run(any_store, "events-by-period", **{"from": "2020-06-01", "to": "2020-06-30"})
    assert cols(june, "date", "precisionLabel", "article", "annotationId") == [
        # 001: "fighting against jihadists in the Sahel for eight years" (2013 to 2021)
        ("2013/2021", "year", A001, "e18"),
        ("2020-01/..", "month", A000, "e9"),
    ]
    later = run(any_store, "events-by-period", **{"from": "2021-06-01", "to": "2021-06-30"})
    assert (A000, "e9") not in cols(later, "article", "annotationId")


def test_positions_held_dates_a_specialty(any_store: pyoxigraph.Store) -> None:
    rows = run(any_store, "positions-held", who=f"{ID}andre-bourgeot")
    assert cols([r for r in rows if r["origin"] == "article"], "roleLabel", "objectLabel", "date", "source") == [
        # 003: "André Bourgeot, research director at the CNRS (National Center of Scientific Research) and a specialist
        # in nomadic societies within the Sahel-Sahara region", interviewed in 2014
        ("has specialty", "nomadic societies of the Sahel-Sahara", "2014", A003),
        ("member of", "French National Centre for Scientific Research", "2014", A003),
    ]

