"""The synthetic corpus generator (bench/synth.py): a tiny corpus validates and builds, deterministically."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pyoxigraph
import pytest

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
    _synth().generate(out, 20, entities=400, seed=7)
    return out


def test_shape_of_the_corpus(corpus: Path) -> None:
    import yaml

    assert len(list((corpus / "articles").glob("*.txt"))) == 20
    assert {p.name for p in (corpus / "schema").iterdir()} == {"annotation.schema.json", "registry.schema.json"}
    anns = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((corpus / "annotations").glob("*.yaml"))]
    assert all(len(a["events"]) >= 4 and a["relations"] and len(a["claims"]) == 1 and len(a["mentions"]) >= 5 for a in anns)
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
    again = _synth().generate(tmp_path / "again", 20, entities=400, seed=7, jobs=2)
    assert _digest(again) == _digest(corpus)
    other = _synth().generate(tmp_path / "other", 20, entities=400, seed=8)
    assert _digest(other) != _digest(corpus)


def test_validates_and_builds(corpus: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(corpus_dir=corpus, store=str(tmp_path / "store"))
    assert [p for p in run_checks(settings, "corpus") if p.severity == "error"] == []
    result = build(settings, full=True)
    assert result.full and len(result.articles_rebuilt) == 20 and result.quads > 10_000
    store = open_read_only(tmp_path / "store")
    n = next(iter(store.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/sahelkg/ontology#Event> }",
        use_default_graph_as_union=True,
    )))["n"]
    assert int(n.value) >= 80
    assert isinstance(n, pyoxigraph.Literal)
