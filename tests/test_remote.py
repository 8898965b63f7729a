"""Remote SPARQL stores: the build, queries, stats and exports against Oxigraph's server and Virtuoso.

Each kind of server is started once per session (conftest ``remote_urls``) and shared with test_queries.py
(``any_store``, the named queries' exact answers on each kind): these tests may write into it, and each
leaves the real corpus on it again.
A test that needs the real corpus on the server builds incrementally (nothing to do when an earlier test
left it there); only the tests of the full build itself build with ``full=True``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph
import pytest
from click.testing import CliRunner

from conftest import REMOTE_KINDS, remote_env
from sahelkg.build import build
from sahelkg.cli import main
from sahelkg.errors import StoreError, TooLarge
from sahelkg.store.remote import PROFILES, RemoteStore, Uploader, remote_snapshot
from sahelkg.settings import PACKAGE_ROOT, Settings
from sahelkg.store import store_stats
from test_build import assert_build_fails_on_the_publisher_shape, assert_same_quads, quads
from test_build import settings_for as embedded_settings

GRAPH = "https://w3id.org/sahelkg/graph/"
A002 = "002_b43efc41ee202923"


@pytest.fixture(scope="module", params=REMOTE_KINDS)
def server(request: pytest.FixtureRequest, remote_urls):
    """The session's server of this kind (conftest ``remote_urls``: started once, the real corpus built
    into it); every test here leaves it holding the real corpus again (``_leaves_the_real_corpus``)."""
    return SimpleNamespace(url=remote_urls(request.param), kind=request.param)


@pytest.fixture(autouse=True)
def _leaves_the_real_corpus(request: pytest.FixtureRequest):
    """After each test, the real corpus on the server again, as test_queries' ``any_store`` expects: an
    incremental build (nothing to do unless the test changed the server; a failed build changes nothing)."""
    yield
    if "server" in request.fixturenames:
        server = request.getfixturevalue("server")
        with pytest.MonkeyPatch.context() as mp:
            for k, v in remote_env(server.kind).items():
                mp.setenv(k, v)
            build(remote_settings(server.url))


@pytest.fixture
def env(server, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The server's credentials in the environment (where a build reads them)."""
    values = remote_env(server.kind)
    for k in list(values):
        monkeypatch.setenv(k, values[k])
    return values


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    s = embedded_settings(tmp_path_factory.mktemp("embedded"))
    build(s, full=True)
    return s


def remote_settings(url: str, corpus: Path | None = None, ontology: Path | None = None) -> Settings:
    return Settings.from_env(store=url, corpus_dir=corpus or PACKAGE_ROOT / "corpus",
                             ontology_dir=ontology or PACKAGE_ROOT / "ontology", queries_dir=PACKAGE_ROOT / "queries")


def remote_quads(settings: Settings, tmp_path: Path) -> list[pyoxigraph.Quad]:
    """Every data graph of the remote store (manifest and staging graphs left out)."""
    store, _ = remote_snapshot(settings, tmp_path / "copy")
    out = list(store)
    del store
    return out


WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"


def same_geometry(qs: list[pyoxigraph.Quad]) -> list[pyoxigraph.Quad]:
    """WKT literals with their coordinates rounded to 5 decimals (about a metre).

    Virtuoso stores a geo:wktLiteral as its own geometry, with 32-bit floats, and writes it back in
    its own form: "POINT(3.0 28.0)" comes back as "POINT(3 28)", "POINT(-7.97522 12.60915)" as
    "POINT(-7.975220203 12.609149933)". The same point within a centimetre, another lexical form.
    Every other literal must still come back exactly as written.
    """
    def point(m: re.Match[str]) -> str:
        return " ".join(f"{round(float(x), 5):.5f}" for x in m.group(0).split())

    out = []
    for q in qs:
        o = q.object
        if isinstance(o, pyoxigraph.Literal) and o.datatype.value == WKT:
            o = pyoxigraph.Literal(re.sub(r"-?[0-9.]+(?: -?[0-9.]+)+", point, o.value), datatype=o.datatype)
        out.append(pyoxigraph.Quad(q.subject, q.predicate, o, q.graph_name))
    return out


def assert_same_data(server, remote: list[pyoxigraph.Quad], local: list[pyoxigraph.Quad]) -> None:
    if server.kind == "virtuoso":
        remote, local = same_geometry(remote), same_geometry(local)
    assert_same_quads(remote, local)


def graph_names(settings: Settings, env: dict[str, str]) -> set[str]:
    store = RemoteStore(settings.store, env)
    return {g.value for g in store.named_graphs() if g.value.startswith(GRAPH)}


def test_full_build_writes_the_same_quads_as_the_embedded_build(server, env, embedded, tmp_path):
    s = remote_settings(server.url)
    result = build(s, full=True)
    assert (result.full, result.articles_total, result.quads) == (True, 5, len(quads(embedded.store)))
    assert_same_data(server, remote_quads(s, tmp_path), quads(embedded.store))
    # the manifest makes the next build incremental, from any machine
    again = build(s)
    assert again.up_to_date and again.reason == "nothing changed"
    assert not [g for g in graph_names(s, env) if g.startswith((GRAPH + "staging/", GRAPH + "backup/"))]


def test_incremental_build_replaces_only_the_changed_graphs(server, env, corpus_copy, tmp_path):
    s = remote_settings(server.url, corpus_copy)
    build(s)  # the copy of the real corpus: nothing to do if the server holds it already
    ann = corpus_copy / "annotations" / f"{A002}.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace(
        "\nmentions:\n", "\nmentions:\n  - {entity: gossi, quote: \"north of Gossi\"}\n", 1), encoding="utf-8")
    result = build(s)
    assert (result.full, result.articles_rebuilt, result.reason) == (False, [A002], "1 changed, 0 removed")
    full = embedded_settings(tmp_path / "full", corpus_copy)
    build(full, full=True)
    assert_same_data(server, remote_quads(s, tmp_path), quads(full.store))
    # a removed article takes its two graphs with it
    ann.unlink()
    (corpus_copy / "articles" / f"{A002}.txt").unlink()
    assert build(s).articles_removed == [A002]
    names = graph_names(s, env)
    assert GRAPH + f"article/{A002}" not in names and GRAPH + f"inferred/article/{A002}" not in names
    assert not [g for g in names if g.startswith((GRAPH + "staging/", GRAPH + "backup/"))]


def test_a_failed_upload_leaves_the_remote_graphs_as_they_were(server, env, monkeypatch, tmp_path):
    s = remote_settings(server.url)
    build(s)
    before = store_stats(RemoteStore(s.store, env), GRAPH)
    real = RemoteStore.request
    uploads = []

    def failing(self, method, url, **kwargs):
        if method in ("PUT", "POST") and (url == self.gsp_url or (url == self.update_url and b"INSERT" in kwargs.get("content", b""))):
            uploads.append(url)
            if len(uploads) == 2:
                raise StoreError(f"{method} {url}: HTTP 503: the disk is full")
        return real(self, method, url, **kwargs)

    monkeypatch.setattr(RemoteStore, "request", failing)
    monkeypatch.setenv("SAHELKG_STORE_BATCH_BYTES", "200000")
    with pytest.raises(StoreError) as info:
        build(s, full=True)
    message = str(info.value)
    # the failed graph under its final name (not its staging name), the server's answer, and what it means
    assert message.startswith(f"uploading graph <{GRAPH}") and "staging" not in message
    assert message.endswith(": HTTP 503: the disk is full; the graphs already on the server are unchanged")
    monkeypatch.setattr(RemoteStore, "request", real)
    assert store_stats(RemoteStore(s.store, env), GRAPH) == before


def test_a_shacl_violation_restores_the_previous_graphs(server, env, tmp_path):
    onto = tmp_path / "ontology"
    shutil.copytree(PACKAGE_ROOT / "ontology", onto)
    s = remote_settings(server.url, ontology=onto)
    build(s)
    before = remote_quads(s, tmp_path / "before")
    assert_build_fails_on_the_publisher_shape(s, onto)
    assert_same_quads(remote_quads(s, tmp_path / "after"), before)
    assert not [g for g in graph_names(s, env) if g.startswith((GRAPH + "staging/", GRAPH + "backup/"))]


def test_cli_query_stats_and_export_against_the_server(server, env, embedded, tmp_path):
    build(remote_settings(server.url))  # the real corpus on the server: incremental, nothing to do if it is there
    runner = CliRunner()
    local = runner.invoke(main, ["query", "soldiers-killed", "--format", "csv", "--store", embedded.store])
    remote = runner.invoke(main, ["query", "soldiers-killed", "--format", "csv", "--store", server.url])
    assert remote.exit_code == 0, remote.output
    if server.kind != "virtuoso":  # Virtuoso 7.2.5 answers soldiers-killed wrongly (test_queries.VIRTUOSO_DIVERGES)
        assert remote.output == local.output and len(remote.output.splitlines()) > 5
    stats = runner.invoke(main, ["stats", "--store", server.url])
    assert stats.exit_code == 0
    lines = stats.output.splitlines()
    assert f"{GRAPH}article/{A002}\t" in stats.output
    assert lines[-1].startswith(f"store {server.url}: ") and "(remote SPARQL server)" in lines[-1]
    for out, store in ((tmp_path / "r.csv", server.url), (tmp_path / "l.csv", embedded.store)):
        result = runner.invoke(main, ["export", "acled-csv", "-q", "-o", str(out), "--store", store])
        assert result.exit_code == 0, result.output
    rows = [list(csv.DictReader(io.StringIO(p.read_text(encoding="utf-8")))) for p in (tmp_path / "r.csv", tmp_path / "l.csv")]
    for r in rows:
        for row in r:
            row.pop("timestamp")  # the time of each build
    assert rows[0] == rows[1] and len(rows[0]) == 15


def test_the_cli_says_what_to_do_when_the_server_refuses_or_is_away(server, monkeypatch):
    runner = CliRunner()
    for k in ("SAHELKG_STORE_USER", "SAHELKG_STORE_PASSWORD", "SAHELKG_STORE_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    result = runner.invoke(main, ["stats", "--store", "http://127.0.0.1:9/sparql"])
    assert result.exit_code == 1
    assert result.output.startswith("error: http://127.0.0.1:9/sparql: cannot reach the SPARQL server")
    assert result.output.rstrip().endswith("is it running?")
    result = runner.invoke(main, ["stats", "--store", server.url.replace("http://", "http://u:p@")])
    assert "credentials in the URL are refused" in result.output and ":p@" not in result.output
    if server.kind == "virtuoso":
        # Virtuoso's authenticated endpoints ask for digest credentials: without them, a clear refusal
        monkeypatch.setenv("SAHELKG_STORE_UPDATE_URL", server.url.replace("/sparql", "/sparql-auth"))
        result = runner.invoke(main, ["build", "-q", "--full", "--store", server.url])
        assert result.exit_code == 1
        assert "HTTP 401, the server refused the request: set SAHELKG_STORE_USER and SAHELKG_STORE_PASSWORD" in result.output


def test_union_default_graph_by_listing_graphs_gives_the_same_rows(server, env, embedded):
    """The 'generic' profile (no union option known) lists the graphs as default-graph-uri."""
    from sahelkg import queries as q

    build(remote_settings(server.url))  # the real corpus on the server: incremental, nothing to do if it is there
    named = q.find_query(PACKAGE_ROOT / "queries", "troop-strengths")
    params = q.bind_params(named, {}, "en")
    generic = RemoteStore(server.url, dict(env, SAHELKG_STORE_KIND="generic", SAHELKG_STORE_GSP_URL="none"))
    assert generic.profile == PROFILES["generic"]
    from sahelkg.store import open_read_only

    expected = q.run_select(open_read_only(embedded.store), named.text, params, "troop-strengths")
    assert q.run_select(generic, named.text, params, "troop-strengths") == expected
    assert len(expected.rows) >= 3


def test_uploads_split_a_batch_the_server_finds_too_large(server, env, tmp_path):
    """A 413 halves the batch (and, for one graph, its quads) until the server takes it."""
    store = RemoteStore(server.url, env)
    real = store.request
    sizes = []

    def limited(method, url, **kwargs):
        body = kwargs.get("content", b"")
        if method in ("PUT", "POST") and len(body) > 3000 and url != store.url:
            raise TooLarge(f"{method} {url}: HTTP 413")
        sizes.append(len(body))
        return real(method, url, **kwargs)

    store.request = limited  # type: ignore[method-assign]
    graphs = [(f"{GRAPH}test/{n}", [f'<http://e/{n}/{i}> <http://e/p> "{"x" * 40} {i}" <{GRAPH}test/{n}> .\n'
                                    for i in range(60)]) for n in range(3)]
    used = Uploader(store, 1_000_000)
    used.put(graphs)
    assert used.batch_bytes < 1_000_000
    store.request = real  # type: ignore[method-assign]
    for name, lines in graphs:
        rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"))
        assert rows[0]["n"].value == "60"
    store.drop_graphs([g for g, _ in graphs])


def test_serve_forwards_queries_to_the_server(server, env, embedded):
    from server_support import LiveServer

    from sahelkg.serving.endpoint import create_app

    build(remote_settings(server.url))  # the real corpus on the server: incremental, nothing to do if it is there
    import httpx

    query = ("SELECT ?label WHERE { <https://w3id.org/sahelkg/id/maxime-blasco> "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = 'fr') }")
    with LiveServer(create_app(server.url, workers=1)) as live:
        r = httpx.get(live.sparql, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200, r.text
        assert [b["label"]["value"] for b in r.json()["results"]["bindings"]] == ["Maxime Blasco"]
        bad = httpx.get(live.sparql, params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=30)
        assert bad.status_code == 400
