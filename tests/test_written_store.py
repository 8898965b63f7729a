"""Writes over HTTP and the build: the next build notices a store changed behind its back and rebuilds it."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pyoxigraph

sys.path.insert(0, str(Path(__file__).parent))
from server_support import LiveServer  # noqa: E402

from sahelkg.build import CHANGED_BEHIND, build  # noqa: E402
from sahelkg.checks import check_graph  # noqa: E402
from sahelkg.serving.endpoint import create_app  # noqa: E402
from sahelkg.settings import PACKAGE_ROOT, Settings  # noqa: E402
from sahelkg.store import StoreLayout, open_read_only  # noqa: E402

TOKEN = "t0ken"
EDIT = "https://example.org/edit"
ASK_EDIT = f"ASK {{ <{EDIT}> ?p ?o }}"


def settings_for(tmp: Path, corpus: Path) -> Settings:
    return Settings.from_env(store=str(tmp / "store"), corpus_dir=corpus, ontology_dir=PACKAGE_ROOT / "ontology",
                             queries_dir=PACKAGE_ROOT / "queries")


def has_edit(store_path: str | Path) -> bool:
    result = open_read_only(store_path).query(ASK_EDIT, use_default_graph_as_union=True)
    assert isinstance(result, pyoxigraph.QueryBoolean)
    return bool(result)


def changed_message(settings: Settings) -> list[str]:
    return [p.message for p in check_graph(settings) if "changed after" in p.message]


def test_a_build_after_writes_over_http_rebuilds_the_store_from_the_corpus(tmp_path: Path, min_corpus: Path) -> None:
    s = settings_for(tmp_path, min_corpus)
    first = build(s)
    layout = StoreLayout(s.store)
    assert first.full and layout.changed_since_build() is False
    assert changed_message(s) == []
    graph = f"{s.base_iri}graph/article/t1"
    with LiveServer(create_app(s.store, write_token=TOKEN, extra_routes=[])) as live:
        update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EDIT}> <{EDIT}#p> "edited over HTTP" }} }}'
        r = httpx.post(live.sparql, data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204
    assert has_edit(s.store)
    assert layout.changed_since_build() is True
    assert changed_message(s) == [
        "the store was changed after `sahelkg build` made it (written over HTTP with a write token, or opened for "
        "writing): it is no longer the corpus's graph, and those changes are not in the corpus; the next "
        "`sahelkg build` rebuilds it from the corpus"
    ]
    # Nothing changed in the corpus: an incremental build said "up to date" and kept the edit.
    again = build(s)
    assert (again.full, again.up_to_date, again.reason) == (True, False, CHANGED_BEHIND)
    assert not has_edit(s.store)
    assert layout.changed_since_build() is False and changed_message(s) == []
    assert build(s).up_to_date


def test_reading_a_store_is_not_changing_it(tmp_path: Path, min_corpus: Path) -> None:
    s = settings_for(tmp_path, min_corpus)
    build(s)
    with LiveServer(create_app(s.store, extra_routes=[])) as live:  # read-only workers
        r = httpx.get(live.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert r.status_code == 200
    assert StoreLayout(s.store).changed_since_build() is False
    result = build(s)
    assert result.up_to_date and result.reason == "nothing changed"
