"""The synthetic corpus generator (bench/synth.py): a tiny corpus validates and builds, deterministically."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import yaml

from conftest import run_query, select
from sahelkg.build import build
from sahelkg.checks import run_checks
from sahelkg.settings import Settings
from sahelkg.store import open_read_only

ROOT = Path(__file__).resolve().parents[1]


def _synth():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = module
    spec.loader.exec_module(module)
    return module


def _digest(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "corpus"
    _synth().generate(out, 50, entities=400, seed=7)
    return out


@pytest.fixture(scope="module")
def anns(corpus: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((corpus / "annotations").glob("*.yaml"))}


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    store = tmp_path_factory.mktemp("synth-store") / "store"
    build(Settings.from_env(corpus_dir=corpus, store=str(store)), full=True)
    return open_read_only(store)


ID = "https://w3id.org/sahelkg/id/"


def test_shape_of_the_corpus(corpus: Path) -> None:
    assert len(list((corpus / "articles").glob("*.txt"))) == 50
    assert {p.name for p in (corpus / "schema").iterdir()} == {"annotation.schema.json", "registry.schema.json"}
    anns = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((corpus / "annotations").glob("*.yaml"))]
    assert all(len(a["events"]) >= 4 and a["relations"] and len(a["claims"]) in (1, 2) and len(a["mentions"]) >= 5 for a in anns)
    events = [e for a in anns for e in a["events"]]
    roles = {r for e in events for r in e.get("participants", {})}
    assert {"attacker", "target", "victim", "agent"} <= roles
    assert {e["date"]["basis"] for e in events if "date" in e} >= {"stated", "relative", "context"}
    assert any("begin" in e.get("date", {}) for e in events)  # spans
    assert any("reference" in e.get("place", {}) for e in events)  # "30 km north of X"
    assert any("low" in e.get("count", {}) for e in events) and any(e.get("count", {}).get("approximate") for e in events)
    registry = [e for p in (corpus / "registry").glob("*.yaml") for e in yaml.safe_load(p.read_text(encoding="utf-8"))]
    assert len(registry) >= 400
    assert all(e["coordinates"]["source"] == "annotator: synthetic" for e in registry if "coordinates" in e)


def test_deterministic(corpus: Path, tmp_path: Path) -> None:
    again = _synth().generate(tmp_path / "again", 50, entities=400, seed=7, jobs=2)
    assert _digest(again) == _digest(corpus)
    other = _synth().generate(tmp_path / "other", 50, entities=400, seed=8)
    assert _digest(other) != _digest(corpus)


def test_validates_and_builds(corpus: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(corpus_dir=corpus, store=str(tmp_path / "store"))
    assert [p for p in run_checks(settings, "corpus") if p.severity == "error"] == []
    result = build(settings, full=True)
    assert result.full and len(result.articles_rebuilt) == 50 and result.quads > 25_000
    store = open_read_only(tmp_path / "store")
    n = next(iter(store.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/sahelkg/ontology#Event> }",
        use_default_graph_as_union=True,
    )))["n"]
    assert int(n.value) >= 200
    assert isinstance(n, pyoxigraph.Literal)


# --------------------------------------------------------------------------- the constructs the queries read
# Each named query below answers on the synthetic store exactly what the annotation files state: the rows
# are compared with the items computed from the YAML, not just counted.

def _items(anns: dict[str, dict[str, Any]], section: str) -> list[tuple[str, dict[str, Any]]]:
    """(article id, item) for every item of ``section`` (events, relations, claims, observations) of every file."""
    return [(aid, x) for aid, a in anns.items() for x in a.get(section, [])]


def test_disputed_facts(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    disputes = {(aid, ID + f"{aid}/{c['about'][0]}", c["speaker"]) for aid, c in _items(anns, "claims")
                if c["stance"] in ("disputes", "denies")}
    rows = run_query(built, "disputed-facts")
    assert disputes and {(r["disputeArticle"], r["fact"], r["disputedByLabel"]) for r in rows} == {
        (aid, fact, _label(built, speaker)) for aid, fact, speaker in disputes}
    assert all(r["assertStanceLabel"] in ("claims", "alleges") and r["disputeStanceLabel"] in ("disputes", "denies")
               and r["assertedByLabel"] != r["disputedByLabel"] for r in rows)


def _label(store: pyoxigraph.Store, eid: str) -> str:
    """The English label of registry entity ``eid``."""
    return select(store, f'SELECT ?l WHERE {{ <{ID}{eid}> rdfs:label ?l FILTER(LANG(?l) = "en") }}')[0]["l"]


def test_aggregate_counts(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    expected = {(ID + f"{aid}/{o['id']}", o["count"]["text"], o["date"]["text"])
                for aid, o in _items(anns, "observations") if o["type"] == "AggregateCount"}
    rows = run_query(built, "aggregate-counts")
    assert expected and {(r["observation"], r["asWritten"], r["dateAsWritten"]) for r in rows} == expected
    assert {r["countedOutcomeLabel"] for r in rows} <= {"killed", "neutralized"}


def test_neutralized_persons(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    expected = {(ID + f"{aid}/{e['id']}", ID + v) for aid, e in _items(anns, "events")
                if e["type"] == "Neutralization" for v in e.get("participants", {}).get("victim", [])}
    rows = run_query(built, "neutralized-persons")
    assert expected and {(r["event"], r["victim"]) for r in rows} == expected
    # every victim's group comes from the registry's memberOf fact (and, for a katiba, its affiliations)
    assert {r["victim"] for r in rows if r["relationLabel"] == "member of" and r["group"]} == {v for _, v in expected}


def test_positions_held(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    expected = {(ID + f"{aid}/{r['id']}", ID + r["subject"], ID + r["object"]) for aid, r in _items(anns, "relations")
                if r["property"] == "holdsPosition"}
    rows = run_query(built, "positions-held")
    held = {(r["statement"], r["person"], r["object"]) for r in rows if r["object"].startswith(ID + "minister-of-defence-of-")}
    assert expected and held == expected


def test_planned_events(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    expected = {(ID + f"{aid}/{e['id']}", e["modality"]) for aid, e in _items(anns, "events") if "modality" in e}
    rows = run_query(built, "planned-events")
    assert expected and {(r["fact"], r["modalityLabel"]) for r in rows} == expected
    assert {r["kindLabel"] for r in rows} == {"deployment"} and not any(r["date"] for r in rows)


def test_event_accounts_of_the_stand_in(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    synth = _synth()
    event = synth.stand_ins(synth.Registry(7, 400))["001_af0646745c3fb3a7/e1"]
    accounts = {ID + f"{aid}/{e['id']}" for aid, e in _items(anns, "events") if event in e.get("same_as", [])}
    rows = run_query(built, "event-accounts", event=ID + event)
    assert accounts and {r["report"] for r in rows} == accounts | {ID + event}


def test_draft_facts(built: pyoxigraph.Store, anns: dict[str, dict[str, Any]]) -> None:
    expected = {(aid, r["id"], r["confidence"]) for aid, r in _items(anns, "relations") if r.get("status") == "draft"}
    rows = run_query(built, "draft-facts")
    assert expected and {(r["articleId"], r["annotationId"], float(r["confidence"] or "nan")) for r in rows} == expected
