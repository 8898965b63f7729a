"""The SPARQL endpoint with real clients (SPARQLWrapper, rdflib, httpx) against a live server."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).parent))
from conftest import missing  # noqa: E402
from server_support import LiveServer, build_store, pid_gone  # noqa: E402

from sahelkg.errors import QueryError  # noqa: E402
from sahelkg.serving.endpoint import (  # noqa: E402
    DEMOTED_NICE,
    WorkerPool,
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    EndpointError,
    create_app,
    negotiate,
)
from sahelkg.serving.endpoint.workers import _Client, _Worker  # noqa: E402
from sahelkg.sparql import add_using, has_dataset_clause, keywords, uses_network  # noqa: E402
from sahelkg.store import StoreLayout  # noqa: E402

EX = "http://example.org/"
GA, GB, GBULK = EX + "graph/a", EX + "graph/b", EX + "graph/bulk"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
N, L = pyoxigraph.NamedNode, pyoxigraph.Literal
BULK = 1000
TOKEN = "s3cret-token"
# A cross product over the bulk graph: 10^9 rows, minutes of work for pyoxigraph.
RUNAWAY = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GBULK}> {{ ?a ?b ?c }} GRAPH <{GBULK}> {{ ?d ?e ?f }} "
    f"GRAPH <{GBULK}> {{ ?g ?h ?i }} }}"
)
TIMEOUT_S = 3.0


def fixture_quads() -> list[pyoxigraph.Quad]:
    ga, gb, gbulk = N(GA), N(GB), N(GBULK)
    q = pyoxigraph.Quad
    quads = [
        q(N(EX + "alice"), N(RDF_TYPE), N(EX + "Person"), ga),
        q(N(EX + "alice"), N(EX + "name"), L("Alice"), ga),
        q(N(EX + "alice"), N(EX + "knows"), N(EX + "bob"), ga),
        q(N(EX + "bob"), N(RDF_TYPE), N(EX + "Person"), gb),
        q(N(EX + "bob"), N(EX + "name"), L("Bob"), gb),
        q(N(EX + "bob"), N(EX + "label"), L("SERVICE <http://example.org/x> # not a keyword"), gb),
        q(N(EX + "gao"), N(RDF_TYPE), N(EX + "Place"), gb),
        q(N(EX + "gao"), N(EX + "name"), L("Gao", language="fr"), gb),
    ]
    quads += [q(N(f"{EX}n{i}"), N(EX + "value"), L(str(i), datatype=N("http://www.w3.org/2001/XMLSchema#integer")), gbulk) for i in range(BULK)]
    return quads


TOTAL = len(fixture_quads())  # 1008


async def _api_route(request: Request) -> JSONResponse:
    """A route like the web pages' ones: uses app.state.sparql."""
    sparql = request.app.state.sparql
    rows = await sparql.select_json(f"SELECT ?name WHERE {{ <{EX}alice> <{EX}name> ?name }}")
    media_type, body = await sparql.query(f"CONSTRUCT WHERE {{ <{EX}alice> ?p ?o }}", result_format="ntriples")
    try:
        await sparql.query("SELECT * WHERE { ?s ?p }")
        error = None
    except EndpointError as e:
        error = [e.status, e.message.splitlines()[0]]
    return JSONResponse({"rows": rows, "media_type": media_type, "lines": len(body.splitlines()), "error": error})


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("ro") / "store", fixture_quads())


@pytest.fixture(scope="module")
def server(store_path: Path):
    app = create_app(store_path, workers=4, timeout_s=TIMEOUT_S, extra_routes=[Route("/api-test", _api_route)])
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def limited(store_path: Path):
    app = create_app(store_path, workers=1, max_result_bytes=2000, max_body_bytes=5000, max_query_chars=3000, extra_routes=[])
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory):
    path = build_store(tmp_path_factory.mktemp("rw") / "store", fixture_quads())
    app = create_app(path, write_token=TOKEN, timeout_s=10, extra_routes=[])
    with LiveServer(app) as live:
        yield live


@pytest.fixture()
def client():
    with httpx.Client(timeout=30) as c:
        yield c


def select_values(body: bytes, var: str) -> list[str]:
    return [b[var]["value"] for b in json.loads(body)["results"]["bindings"]]


# --------------------------------------------------------------------------- real clients


@pytest.mark.parametrize("fmt", [JSON, XML, CSV])
def test_sparqlwrapper_select(server: LiveServer, fmt: str) -> None:
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(f"SELECT ?name WHERE {{ ?p a <{EX}Person> ; <{EX}name> ?name }} ORDER BY ?name")
    sw.setReturnFormat(fmt)
    result = sw.query()
    assert result.response.status == 200
    converted = result.convert()
    if fmt == JSON:
        assert [b["name"]["value"] for b in converted["results"]["bindings"]] == ["Alice", "Bob"]
    elif fmt == XML:
        names = [e.firstChild.data for e in converted.getElementsByTagName("literal")]
        assert names == ["Alice", "Bob"]
    else:
        assert converted.decode().splitlines() == ["name", "Alice", "Bob"]


def test_sparqlwrapper_ask(server: LiveServer) -> None:
    sw = SPARQLWrapper(server.sparql)
    sw.setReturnFormat(JSON)
    sw.setQuery(f"ASK {{ <{EX}alice> <{EX}knows> <{EX}bob> }}")
    assert sw.query().convert()["boolean"] is True
    sw.setQuery(f"ASK {{ <{EX}bob> <{EX}knows> <{EX}alice> }}")
    assert sw.query().convert()["boolean"] is False


def test_sparqlwrapper_construct_turtle(server: LiveServer) -> None:
    sw = SPARQLWrapper(server.sparql)
    sw.setQuery(f"CONSTRUCT {{ ?s <{EX}name> ?n }} WHERE {{ ?s <{EX}name> ?n }}")
    sw.setReturnFormat(TURTLE)
    result = sw.query()
    assert result.response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=result.convert(), format="turtle")
    assert {(str(s), str(o)) for s, _, o in graph} == {
        (EX + "alice", "Alice"),
        (EX + "bob", "Bob"),
        (EX + "gao", "Gao"),
    }


def test_rdflib_sparqlstore(server: LiveServer) -> None:
    store = SPARQLStore(server.sparql)
    graph = rdflib.Graph(store=store)
    rows = graph.query(f"SELECT ?s ?name WHERE {{ ?s <{EX}name> ?name FILTER(lang(?name) = '') }} ORDER BY ?name")
    assert [(str(r.s), str(r.name)) for r in rows] == [(EX + "alice", "Alice"), (EX + "bob", "Bob")]
    assert bool(graph.query(f"ASK {{ <{EX}gao> a <{EX}Place> }}").askAnswer) is True


def test_get_post_form_and_post_direct_agree(server: LiveServer, client: httpx.Client) -> None:
    query = f"SELECT ?s WHERE {{ ?s a <{EX}Person> }} ORDER BY ?s"
    get = client.get(server.sparql, params={"query": query})
    form = client.post(server.sparql, data={"query": query})
    direct = client.post(server.sparql, content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    for r in (get, form, direct):
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/sparql-results+json"
        assert select_values(r.content, "s") == [EX + "alice", EX + "bob"]


def test_api_for_other_modules(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.url + "/api-test")
    assert r.status_code == 200
    data = r.json()
    assert [b["name"]["value"] for b in data["rows"]["results"]["bindings"]] == ["Alice"]
    assert data["media_type"] == "application/n-triples"
    assert data["lines"] == 3
    assert data["error"][0] == 400
    assert data["error"][1].startswith("malformed query at line 1, column")


# --------------------------------------------------------------------------- datasets


def test_default_graph_is_the_union(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert select_values(r.content, "n") == [str(TOTAL)]


def test_protocol_dataset(server: LiveServer, client: httpx.Client) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = client.get(server.sparql, params={"query": count, "default-graph-uri": GA})
    assert select_values(r.content, "n") == ["3"]
    r = client.get(server.sparql, params=[("query", count), ("default-graph-uri", GA), ("default-graph-uri", GB)])
    assert select_values(r.content, "n") == ["8"]
    named = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    r = client.get(server.sparql, params={"query": named, "named-graph-uri": GB})
    assert select_values(r.content, "g") == [GB]
    r = client.get(server.sparql, params={"query": count, "named-graph-uri": GB})
    assert select_values(r.content, "n") == ["0"]  # only named graphs given: the default graph is empty


def test_query_dataset_clauses_are_respected(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{GA}> WHERE {{ ?s ?p ?o }}"})
    assert select_values(r.content, "n") == ["3"]
    # the protocol's dataset wins over the query's
    r = client.get(
        server.sparql,
        params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{GA}> WHERE {{ ?s ?p ?o }}", "default-graph-uri": GB},
    )
    assert select_values(r.content, "n") == ["5"]


def test_invalid_graph_iri_is_400(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400
    assert "default-graph-uri" in r.text


# --------------------------------------------------------------------------- content negotiation


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/*;q=0.9, application/sparql-results+xml;q=0.1", "text/csv; charset=utf-8"),
    ],
)
def test_select_conneg(server: LiveServer, client: httpx.Client, accept: str, media_type: str) -> None:
    r = client.get(server.sparql, params={"query": f"SELECT ?s WHERE {{ ?s a <{EX}Place> }}"}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == media_type
    assert r.headers["vary"] == "Accept"
    fmt = {"application/sparql-results+xml": "xml", "text/tab-separated-values": "tsv", "text/csv": "csv"}.get(
        media_type.split(";")[0], "json"
    )
    if fmt == "csv":  # pyoxigraph does not read CSV results (lossy)
        assert r.text.splitlines() == ["s", f"{EX}gao"]
    else:
        parsed = pyoxigraph.parse_query_results(r.content, format=pyoxigraph.QueryResultsFormat.from_extension(fmt))
        assert [str(row["s"]) for row in parsed] == [f"<{EX}gao>"]


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        (None, "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-quads", "application/n-quads", "nquads"),
        ("application/trig", "application/trig", "trig"),
        ("text/turtle;q=0.1, application/rdf+xml;q=0.8", "application/rdf+xml", "xml"),
    ],
)
def test_construct_conneg(server: LiveServer, client: httpx.Client, accept: str | None, media_type: str, rdflib_format: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get(server.sparql, params={"query": f"DESCRIBE <{EX}alice>"}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"] == media_type
    graph = rdflib.Dataset() if rdflib_format in ("nquads", "trig") else rdflib.Graph()
    graph.parse(data=r.content, format=rdflib_format)
    assert len(graph) == 3 or len(list(graph.quads())) == 3


def test_format_parameter_overrides_accept(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": "SELECT * WHERE {} ", "format": "csv"}, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    r = client.get(server.sparql, params={"query": f"DESCRIBE <{EX}alice>", "format": "json"})
    assert r.headers["content-type"] == "application/ld+json"
    r = client.get(server.sparql, params={"query": "ASK {}", "format": "bogus"})
    assert r.status_code == 406


def test_406_when_nothing_acceptable(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    # acceptable for SELECT, not for CONSTRUCT
    r = client.get(server.sparql, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
    assert "CONSTRUCT" in r.text
    r = client.get(server.sparql, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json;q=0"})
    assert r.status_code == 406


# --------------------------------------------------------------------------- status codes


def test_400_malformed_query_with_position(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": "SELECT ?s WHERE {\n  ?s ?p ?o FILTER(?o = ) }"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text.splitlines() == [
        "malformed query at line 2, column 27: expected an expression (a variable, a value, or a function such as "
        "STR or COUNT)", "  ?s ?p ?o FILTER(?o = ) }", " " * 26 + "^"]  # the parser says column 27


def test_400_names_an_undeclared_prefix_and_the_declaration_to_add(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params={"query": "SELECT * WHERE {\n  ?e a sk:Death }"})
    assert r.status_code == 400
    assert r.text.splitlines() == [
        "malformed query at line 2, column 8: unknown prefix sk: add PREFIX sk: <https://w3id.org/sahelkg/ontology#>",
        "  ?e a sk:Death }", " " * 7 + "^"]


def test_400_for_protocol_misuse(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql, params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400 and "more than one query" in r.text
    r = client.get(server.sparql, params={"update": "CLEAR ALL"})
    assert r.status_code == 400 and "POST" in r.text
    r = client.post(server.sparql, data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert r.status_code == 400
    r = client.post(server.sparql, data={"nothing": "here"})
    assert r.status_code == 400
    r = client.post(server.sparql, content=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.text


def test_405_other_methods(server: LiveServer, client: httpx.Client) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        r = client.request(method, server.sparql, params={"query": "ASK {}"})
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
    r = client.post(server.url + "/.well-known/void")
    assert r.status_code == 405


def test_415_unsupported_content_type(server: LiveServer, client: httpx.Client) -> None:
    r = client.post(server.sparql, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.text
    r = client.post(server.sparql, content=b"query=ASK%20%7B%7D")  # no Content-Type at all
    assert r.status_code == 415
    r = client.post(
        server.sparql, content="ASK {}".encode("utf-16"), headers={"Content-Type": "application/sparql-query; charset=UTF-16"}
    )
    assert r.status_code == 415


def test_413_body_and_query_limits(limited: LiveServer, client: httpx.Client) -> None:
    big = "ASK {} #" + "x" * 6000
    r = client.post(limited.sparql, content=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert "request body larger than 5000 bytes" in r.text
    long_query = "ASK {} #" + "x" * 3500  # under the body limit, over the query limit
    r = client.post(limited.sparql, content=long_query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert "longer than 3000 characters" in r.text
    r = client.get(limited.sparql, params={"query": long_query})
    assert r.status_code == 414


def test_result_size_limit(limited: LiveServer, client: httpx.Client) -> None:
    r = client.get(limited.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 500
    assert r.text.startswith("result larger than 2000 bytes")
    r = client.get(limited.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
    assert r.status_code == 200


def test_service_is_refused(server: LiveServer, client: httpx.Client) -> None:
    for query in (
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { service silent <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o .SERVICE<http://127.0.0.1:1/sparql>{ ?s ?p ?o } }",
        "PREFIX e: <http://127.0.0.1:1/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { <http://x/a\\#> ?p ?o } SERVICE",
    ):
        r = client.get(server.sparql, params={"query": query})
        assert r.status_code == 400, query
        assert "SERVICE" in r.text
    # the word in a string, an IRI, a comment or a variable is not a SERVICE call
    query = f'SELECT ?service WHERE {{ ?service <{EX}label> "SERVICE <http://example.org/x> # not a keyword" }} # SERVICE <x>'
    r = client.get(server.sparql, params={"query": query})
    assert r.status_code == 200
    assert select_values(r.content, "service") == [EX + "bob"]


def test_service_allowed_with_federation(store_path: Path, client: httpx.Client) -> None:
    app = create_app(store_path, workers=1, allow_federation=True, extra_routes=[])
    with LiveServer(app) as live:
        r = client.get(live.sparql, params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
        assert r.status_code == 500  # it tried: nothing listens on port 1
        assert "evaluation failed" in r.text
        sd = rdflib.Graph().parse(data=client.get(live.sparql).text, format="turtle")
        assert (None, rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#feature"),
                rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery")) in sd



# --------------------------------------------------------------------------- HTTP: upgrade requests, long GETs

H2C = {"Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA"}


def raw(url: str, method: str, target: str, headers: dict[str, str], body: bytes | None = None,
        *, chunked: bool = False) -> tuple[int, bytes]:
    """One request with exactly these headers (http.client adds only Host, and Content-Length or
    Transfer-Encoding for a body); no URL length limit, unlike httpx."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, target, body=iter([body]) if chunked and body is not None else body,
                     headers=headers, encode_chunked=chunked)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def graph_lines(live: LiveServer, graph: str) -> list[str]:
    r = httpx.get(live.url + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    return sorted(r.text.splitlines()) if r.status_code == 200 else [f"HTTP {r.status_code}"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_request_that_asks_to_upgrade_keeps_its_body(writable: LiveServer, chunked: bool) -> None:
    # Java's HttpClient (so Apache Jena) sends Upgrade: h2c; under httptools the body was dropped:
    # queries got 400, INSERT DATA 204 with nothing inserted, a Graph Store PUT emptied the graph.
    auth = {"Authorization": f"Bearer {TOKEN}"}
    form = {**H2C, "Content-Type": "application/x-www-form-urlencoded"}
    query = f"SELECT ?n WHERE {{ <{EX}alice> <{EX}name> ?n }}"
    status, body = raw(writable.url, "POST", "/sparql", form, urllib.parse.urlencode({"query": query}).encode(), chunked=chunked)
    assert status == 200 and select_values(body, "n") == ["Alice"]
    status, body = raw(writable.url, "POST", "/sparql", {**H2C, "Content-Type": "application/sparql-query"}, query.encode(), chunked=chunked)
    assert status == 200 and select_values(body, "n") == ["Alice"]
    graph = f"{EX}graph/h2c-{int(chunked)}"
    insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}h> <{EX}name> "H" }} }}'
    status, _ = raw(writable.url, "POST", "/sparql", {**H2C, **auth, "Content-Type": "application/sparql-update"}, insert.encode(), chunked=chunked)
    assert status == 204 and graph_lines(writable, graph) == [f'<{EX}h> <{EX}name> "H" .']
    target = "/store?" + urllib.parse.urlencode({"graph": graph})
    turtle = f'<{EX}p> <{EX}name> "P" .'.encode()
    status, _ = raw(writable.url, "PUT", target, {**H2C, **auth, "Content-Type": "text/turtle"}, turtle, chunked=chunked)
    assert status == 204 and graph_lines(writable, graph) == [f'<{EX}p> <{EX}name> "P" .']


def test_a_lost_body_is_refused_not_read_as_empty(tmp_path: Path) -> None:
    # Under a server that drops the body of an upgrade request (uvicorn with httptools), the
    # endpoint refuses the request instead of reading it as empty.
    path = build_store(tmp_path / "store", fixture_quads()[:3])
    app = create_app(path, write_token=TOKEN, timeout_s=10, extra_routes=[])
    with LiveServer(app, http="httptools") as live:
        headers = {**H2C, "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
        target = "/store?" + urllib.parse.urlencode({"graph": GA})
        status, body = raw(live.url, "PUT", target, headers, f'<{EX}p> <{EX}name> "P" .'.encode())
        assert status == 400
        assert body.decode().startswith("the request body was lost on its way in (0 bytes arrived, 54 bytes announced); nothing was run")
        assert graph_lines(live, GA) == sorted(
            [f"<{EX}alice> <{RDF_TYPE}> <{EX}Person> .", f'<{EX}alice> <{EX}name> "Alice" .', f"<{EX}alice> <{EX}knows> <{EX}bob> ."]
        )
        update = f'INSERT DATA {{ GRAPH <{GA}> {{ <{EX}p> <{EX}name> "P" }} }}'
        status, body = raw(live.url, "POST", "/sparql", {**headers, "Content-Type": "application/sparql-update"}, update.encode(), chunked=True)
        assert status == 400 and b"a chunked body announced" in body


def test_long_get_queries_are_answered_or_refused_414(server: LiveServer, limited: LiveServer) -> None:
    # 64 KiB to 100,000 characters by GET got the HTTP parser's bare 400 "Invalid HTTP request received."
    def long_ask(chars: int) -> str:
        head = f"ASK {{ <{EX}alice> <{EX}name> \"Alice\" }} #"
        return head + "é" * (chars - len(head))

    for chars in (70_000, 100_000):
        target = "/sparql?" + urllib.parse.urlencode({"query": long_ask(chars)})
        status, body = raw(server.url, "GET", target, {"Accept": "application/sparql-results+json"})
        assert (status, json.loads(body)["boolean"]) == (200, True)
    target = "/sparql?" + urllib.parse.urlencode({"query": long_ask(100_001)})
    status, body = raw(server.url, "GET", target, {})
    assert (status, body) == (414, b"query longer than 100000 characters; send it with POST\n")
    target = "/sparql?" + urllib.parse.urlencode({"query": long_ask(80_000)})
    status, body = raw(limited.url, "GET", target, {})
    assert (status, body) == (414, b"query longer than 3000 characters; send it with POST\n")


# --------------------------------------------------------------------------- Apache Jena (Java's HttpClient)

JENA_JARS = (
    "jena-cmds jena-arq jena-core jena-base jena-iri jena-shacl jena-shex jena-rdfconnection jena-tdb jena-tdb2 "
    "jena-dboe-base jena-dboe-index jena-dboe-storage jena-dboe-trans-data jena-dboe-transaction commons-cli "
    "commons-codec commons-compress commons-csv commons-io commons-lang3 dexx.collection gson guava caffeine "
    "httpclient httpclient-cache httpcore jackson-core jackson-databind jackson-annotations jsonld-java "
    "jakarta.json-api titanium-json-ld protobuf thrift slf4j-api slf4j-simple commons-logging jcl-over-slf4j"
).split()


@pytest.fixture(scope="module")
def jena_classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The class path of Debian's Apache Jena (libapache-jena-java), which ships no scripts."""
    if shutil.which("java") is None:
        missing("needs Java 17 (apt-get install default-jre-headless); CI installs it")
    java = Path("/usr/share/java")
    if not (java / "jena-cmds.jar").exists():
        missing("needs Apache Jena (apt-get install libapache-jena-java); CI installs it")
    # Debian's jena-core.jar moves Jena's copy of Xerces to the package xerces.* but leaves its
    # message bundles under org/apache/jena/ext/xerces/: put them where the classes look.
    resources = tmp_path_factory.mktemp("xerces")
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(java / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = resources / "xerces" / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([str(resources)] + [str(java / f"{j}.jar") for j in JENA_JARS if (java / f"{j}.jar").exists()])


@pytest.mark.java
@pytest.mark.parametrize("post", [True, False], ids=["post", "get"])
def test_jena_rsparql(server: LiveServer, jena_classpath: str, tmp_path: Path, post: bool) -> None:
    query = tmp_path / "q.rq"
    query.write_text(f"SELECT ?name WHERE {{ ?p a <{EX}Person> ; <{EX}name> ?name }} ORDER BY ?name", encoding="utf-8")
    out = subprocess.run(
        ["java", "-cp", jena_classpath, "arq.rsparql", f"--service={server.sparql}", f"--query={query}", "--results=csv",
         *(["--post"] if post else [])],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["name", "Alice", "Bob"]


JAVA_PUT = """
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class GraphPut {
    public static void main(String[] args) throws Exception {
        // The default client speaks HTTP/2: on http:// it asks the server to upgrade (Upgrade: h2c).
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0]))
            .header("Content-Type", "text/turtle")
            .header("Authorization", "Bearer " + args[1])
            .PUT(HttpRequest.BodyPublishers.ofString(args[2]))
            .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.statusCode());
    }
}
"""


@pytest.mark.java
def test_java_httpclient_graph_store_put(writable: LiveServer, jena_classpath: str, tmp_path: Path) -> None:
    # A Graph Store PUT of one triple answered 204 and left the graph empty (2,522 triples -> 0).
    source = tmp_path / "GraphPut.java"
    source.write_text(JAVA_PUT, encoding="utf-8")
    graph = EX + "graph/java"
    url = writable.url + "/store?" + urllib.parse.urlencode({"graph": graph})
    for body, status in ((f'<{EX}j> <{EX}name> "J" .', "201"), (f'<{EX}k> <{EX}name> "K" .', "204")):
        out = subprocess.run(["java", str(source), url, TOKEN, body], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == [status]
        assert graph_lines(writable, graph) == [body]

# --------------------------------------------------------------------------- timeouts and concurrency


def test_timeout_kills_the_runaway_query(server: LiveServer, client: httpx.Client) -> None:
    before = set(server.wait_for_pool())
    replaced = server.pool.replaced
    r = client.get(server.sparql, params={"query": RUNAWAY})
    assert r.status_code == 504
    assert f"longer than {TIMEOUT_S:g} s and was stopped" in r.text
    # the worker that ran it was killed and a new one took its place (the deadline only ends a hang).
    # The killed worker leaves the pool in a background task after the 504 is sent: wait for that state.
    deadline = time.monotonic() + 60
    while (server.pool.replaced == replaced or not before - set(server.pool.pids())
           or len(server.pool.pids()) < 4):
        assert time.monotonic() < deadline, "the worker was not replaced"
        time.sleep(0.05)
    after = set(server.pool.pids())
    gone = before - after
    assert len(gone) == 1 and len(after - before) == 1
    assert pid_gone(gone.pop())
    r = client.get(server.sparql, params={"query": f"ASK {{ <{EX}alice> ?p ?o }}"})
    assert r.status_code == 200 and r.json()["boolean"] is True


@pytest.fixture(scope="module")
def patient_server(store_path: Path):
    """A server whose queries run for up to 10 minutes: a slow query ends only when its client hangs up."""
    with LiveServer(create_app(store_path, workers=4, timeout_s=600, extra_routes=[])) as live:
        yield live


def send_unread(server: LiveServer, query: str):  # -> socket.socket
    """Send a query on a raw socket and return the socket unread: the query runs until the socket closes."""
    import socket
    from urllib.parse import urlencode

    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(f"GET /sparql?{urlencode({'query': query})} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


def wait_for_a_demoted_worker(server: LiveServer) -> list[int]:
    """Block until a worker runs at the demoted priority (its query ran past LONG_QUERY_S); the nice values."""
    deadline = time.monotonic() + 60  # ends a hang only
    while True:
        nice = sorted(os.getpriority(os.PRIO_PROCESS, pid) for pid in server.pool.pids())
        if nice and nice[-1] > 0:
            return nice
        assert time.monotonic() < deadline, "no worker was demoted"
        time.sleep(0.02)


def test_light_queries_run_while_a_slow_one_is_in_flight(patient_server: LiveServer) -> None:
    server = patient_server
    server.wait_for_pool()
    slow = send_unread(server, RUNAWAY)
    try:
        wait_for_a_demoted_worker(server)  # the slow query is now running on a worker
        with httpx.Client(timeout=60) as c:
            for i in range(30):
                r = c.get(server.sparql, params={"query": f"SELECT ?v WHERE {{ <{EX}n{i}> <{EX}value> ?v }}"})
                assert r.status_code == 200 and select_values(r.content, "v") == [str(i)]
        slow.setblocking(False)
        with pytest.raises(BlockingIOError):  # all the light queries were answered; the slow one still runs
            slow.recv(1)
    finally:
        slow.close()


def wait_for(condition, what: str, timeout: float = 30) -> None:
    """Block until ``condition()`` holds (a state of the server), or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def client_from(address: str, timeout: float = 60) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (127.0.0.0/8 is all loopback): another client."""
    return httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(local_address=address))


class Runaway(threading.Thread):
    """The runaway query sent from ``address`` in a thread; ``response`` once answered."""

    def __init__(self, url: str, address: str) -> None:
        super().__init__(daemon=True)
        self.url, self.address = url, address
        self.response: httpx.Response | None = None

    def run(self) -> None:
        with client_from(self.address) as c:
            self.response = c.get(self.url, params={"query": RUNAWAY})


def test_long_queries_give_way_and_leave_the_base_to_the_others(server: LiveServer) -> None:
    base = set(server.wait_for_pool())
    runaway = Runaway(server.sparql, "127.0.0.1")
    runaway.start()
    wait_for(lambda: len(server.pool.long_pids()) == 1 and len(server.pool.pids()) == server.pool.size + 1,
             "the query to go long and a fresh worker to take its place")
    (long_pid,) = server.pool.long_pids()
    nice = {pid: os.getpriority(os.PRIO_PROCESS, pid) for pid in server.pool.pids()}
    runaway.join()
    assert long_pid in base and nice.pop(long_pid) == DEMOTED_NICE  # only the worker running the long query gave way
    assert list(nice.values()) == [0] * server.pool.size
    assert runaway.response is not None and runaway.response.status_code == 504
    wait_for(lambda: server.pool.long_pids() == [] and long_pid not in server.pool.pids(), "the long query's worker to go")
    assert pid_gone(long_pid)


def test_light_queries_are_answered_while_as_many_runaways_as_workers_run(store_path: Path) -> None:
    # Four heavy queries on four workers blocked every light query until the timeout (27.2 s for a
    # one-triple lookup): here two on two.
    app = create_app(store_path, workers=2, timeout_s=20, extra_routes=[])
    with LiveServer(app) as live:
        live.wait_for_pool()
        runaways = [Runaway(live.sparql, f"127.0.0.{n}") for n in (2, 3)]
        for r in runaways:
            r.start()
        wait_for(lambda: len(live.pool.long_pids()) == 2, "both runaway queries to go long")
        with client_from("127.0.0.1") as c:
            for i in range(20):
                r = c.get(live.sparql, params={"query": f"SELECT ?v WHERE {{ <{EX}n{i}> <{EX}value> ?v }}"})
                assert r.status_code == 200 and select_values(r.content, "v") == [str(i)]
        assert [r.is_alive() and r.response is None for r in runaways] == [True, True]  # answered while they ran
        assert live.pool.replaced == 0
        for r in runaways:
            r.join()
        assert [r.response.status_code for r in runaways if r.response is not None] == [504, 504]


def test_a_client_with_too_many_long_queries_gets_429(store_path: Path) -> None:
    app = create_app(store_path, workers=2, timeout_s=20, max_long_queries_per_client=1, extra_routes=[])
    with LiveServer(app) as live:
        live.wait_for_pool()
        runaways = [Runaway(live.sparql, "127.0.0.5") for _ in range(2)]
        for r in runaways:
            r.start()
        wait_for(lambda: any(r.response is not None for r in runaways), "one of the two to be answered")
        refused = next(r.response for r in runaways if r.response is not None)
        assert refused.status_code == 429
        assert refused.text == (f"this query was stopped after 1 s: 1 of your queries are running long already; "
                                "send it again when one of them is answered\n")
        assert 1 <= int(refused.headers["retry-after"]) <= 20
        assert len(live.pool.long_pids()) == 1  # the other one runs on
        with client_from("127.0.0.6") as c:  # another client is not concerned
            assert c.get(live.sparql, params={"query": f"ASK {{ <{EX}alice> ?p ?o }}"}).json()["boolean"] is True


def test_a_query_going_long_when_the_long_places_are_taken_gets_503(store_path: Path) -> None:
    app = create_app(store_path, workers=2, timeout_s=20, max_long_queries=1, extra_routes=[])
    with LiveServer(app) as live:
        live.wait_for_pool()
        first = Runaway(live.sparql, "127.0.0.7")
        first.start()
        wait_for(lambda: len(live.pool.long_pids()) == 1, "the first query to go long")
        second = Runaway(live.sparql, "127.0.0.8")
        second.start()
        second.join()
        assert second.response is not None and second.response.status_code == 503
        assert second.response.text == ("this query was stopped after 1 s: the server runs 1 long queries already, "
                                        "its most; try again later\n")
        assert 1 <= int(second.response.headers["retry-after"]) <= 20
        assert first.is_alive() and len(live.pool.long_pids()) == 1



def test_waiting_queries_are_served_round_robin_and_heavy_clients_keep_to_their_share() -> None:
    # The pool's hand-out alone, with stand-ins for worker processes (nothing runs on them).
    async def scenario() -> None:
        pool = WorkerPool("/nonexistent/store", size=2)
        first, second = object.__new__(_Worker), object.__new__(_Worker)
        pool._workers.update([first, second])
        pool._idle.extend([first, second])
        # A heavy client (a query of its ran long) holds at most half of the base: its second query
        # waits although a worker is free, and another client's query takes that worker at once.
        pool._clients["10.0.0.9"] = _Client(heavy_until=time.monotonic() + 60)
        taken, heavy = await pool._acquire("10.0.0.9", 5)
        assert heavy
        waiting = asyncio.ensure_future(pool._acquire("10.0.0.9", 5))
        await asyncio.sleep(0)
        assert not waiting.done() and len(pool._idle) == 1
        light, heavy = await pool._acquire("10.0.0.1", 5)
        assert not heavy and not pool._idle
        waiting.cancel()
        # Waiting queries go round robin between clients, each client's in order (it was first come,
        # first served: A's three before B's one).
        order: list[str] = []

        async def ask(key: str, n: int) -> None:
            worker, _ = await pool._acquire(key, 5)
            order.append(f"{key}{n}")
            pool._release(worker)  # answered at once: the worker goes to the next one waiting

        tasks = [asyncio.ensure_future(ask("A", n)) for n in (1, 2, 3)]
        await asyncio.sleep(0)
        tasks.append(asyncio.ensure_future(ask("B", 1)))
        await asyncio.sleep(0)
        assert order == []
        pool._release(light)
        await asyncio.gather(*tasks)
        assert order == ["A1", "B1", "A2", "A3"]

    asyncio.run(scenario())

def test_client_hanging_up_stops_the_query(store_path: Path) -> None:
    app = create_app(store_path, workers=2, timeout_s=3600, extra_routes=[])
    with LiveServer(app) as live:
        busy_before = set(live.wait_for_pool())
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(live.sparql, params={"query": RUNAWAY}, timeout=1.5)
        deadline = time.monotonic() + 120  # ends a hang only: without the hang-up it would run for an hour
        # the stopped worker leaves the pool in a background task: wait for that state
        while live.pool.replaced == 0 or not busy_before - set(live.pool.pids()):
            assert time.monotonic() < deadline, "the query was not stopped"
            time.sleep(0.05)
        assert len(busy_before - set(live.pool.pids())) == 1
        r = httpx.get(live.sparql, params={"query": "ASK {}"})
        assert r.status_code == 200


def test_queries_run_in_parallel(server: LiveServer) -> None:
    # four medium queries on four workers take about as long as one, not four times as long; from
    # four clients, as one client may run only two queries long at once (half of the workers)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GBULK}> {{ ?a ?b ?c }} GRAPH <{GBULK}> {{ ?d ?e ?f }} }}"
    results: list[httpx.Response] = []

    def run(address: str) -> None:
        with client_from(address) as c:
            results.append(c.get(server.sparql, params={"query": query}))

    threads = [threading.Thread(target=run, args=(f"127.0.1.{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [select_values(r.content, "n") for r in results] == [[str(BULK * BULK)]] * 4


# --------------------------------------------------------------------------- writes


def test_writes_are_off_by_default(server: LiveServer, client: httpx.Client) -> None:
    r = client.post(server.sparql, content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert "writes are disabled" in r.text
    r = client.post(server.sparql, data={"update": "CLEAR ALL"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403
    r = client.put(server.url + "/store", params={"graph": GA}, content=b"", headers={"Content-Type": "text/turtle"})
    assert r.status_code == 403
    r = client.delete(server.url + "/store", params={"graph": GA})
    assert r.status_code == 403
    r = client.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    assert select_values(r.content, "n") == [str(TOTAL)]


def test_update_needs_the_token(writable: LiveServer, client: httpx.Client) -> None:
    update = f'INSERT DATA {{ GRAPH <{EX}graph/new> {{ <{EX}carol> <{EX}name> "Carol" }} }}'
    headers = {"Content-Type": "application/sparql-update"}
    r = client.post(writable.sparql, content=update.encode(), headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Bearer realm="sahelkg"'
    r = client.post(writable.sparql, content=update.encode(), headers={**headers, "Authorization": "Bearer wrong"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]
    ask = f"ASK {{ <{EX}carol> ?p ?o }}"
    assert client.get(writable.sparql, params={"query": ask}).json()["boolean"] is False
    r = client.post(writable.sparql, content=update.encode(), headers={**headers, "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204
    assert client.get(writable.sparql, params={"query": ask}).json()["boolean"] is True


def test_update_with_using_parameters(writable: LiveServer, client: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    update = f"INSERT {{ GRAPH <{EX}graph/copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    r = client.post(writable.sparql, params={"using-graph-uri": GA}, data={"update": update}, headers=auth)
    assert r.status_code == 204
    r = client.get(writable.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": EX + "graph/copy"})
    assert select_values(r.content, "n") == ["3"]
    conflict = f"WITH <{GA}> INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    r = client.post(writable.sparql, params={"using-graph-uri": GA}, data={"update": conflict}, headers=auth)
    assert r.status_code == 400
    r = client.post(writable.sparql, data={"update": "CLEAR XYZ"}, headers=auth)
    assert r.status_code == 400
    assert r.text.startswith("malformed update at line 1, column")


def test_load_refused(writable: LiveServer, client: httpx.Client) -> None:
    r = client.post(writable.sparql, data={"update": "LOAD <http://127.0.0.1:1/data.ttl>"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400
    assert "LOAD" in r.text


def test_graph_store_protocol(writable: LiveServer, client: httpx.Client) -> None:
    store = writable.url + "/store"
    graph = EX + "graph/gsp"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    turtle = {"Content-Type": "text/turtle"}
    assert client.get(store, params={"graph": graph}).status_code == 404
    body = f'<{EX}d> <{EX}name> "D" .'.encode()
    assert client.put(store, params={"graph": graph}, content=body, headers=turtle).status_code == 401
    assert client.put(store, params={"graph": graph}, content=body, headers={**turtle, **auth}).status_code == 201
    assert client.put(store, params={"graph": graph}, content=body, headers={**turtle, **auth}).status_code == 204
    more = f'<{EX}e> <{EX}name> "E" .'.encode()
    r = client.post(store, params={"graph": graph}, content=more, headers={"Content-Type": "application/n-triples", **auth})
    assert r.status_code == 204
    r = client.get(store, params={"graph": graph}, headers={"Accept": "application/n-triples"})  # reads need no token
    assert r.status_code == 200
    assert sorted(r.text.splitlines()) == [f'<{EX}d> <{EX}name> "D" .', f'<{EX}e> <{EX}name> "E" .']
    assert client.head(store, params={"graph": graph}).status_code == 200
    r = client.put(store, params={"graph": graph}, content=b"<a> <b", headers={**turtle, **auth})
    assert r.status_code == 400
    r = client.put(store, params={"graph": graph}, content=body, headers={"Content-Type": "image/png", **auth})
    assert r.status_code == 415
    assert client.delete(store, params={"graph": graph}).status_code == 401
    assert client.delete(store, params={"graph": graph}, headers=auth).status_code == 204
    assert client.get(store, params={"graph": graph}).status_code == 404
    assert client.get(store).status_code == 400
    assert client.get(store, params={"default": ""}).status_code == 200


def test_void_follows_writes(writable: LiveServer, client: httpx.Client) -> None:
    def triples() -> int:
        g = rdflib.Graph().parse(data=client.get(writable.url + "/.well-known/void").text, format="turtle")
        ds = rdflib.URIRef(writable.url + "/.well-known/void#dataset")
        return int(g.value(ds, rdflib.URIRef("http://rdfs.org/ns/void#triples")))

    before = triples()
    update = f'INSERT DATA {{ GRAPH <{EX}graph/void> {{ <{EX}v> <{EX}name> "V" }} }}'
    r = client.post(writable.sparql, data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 204
    assert triples() == before + 1


# --------------------------------------------------------------------------- descriptions, CORS


def test_service_description(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.sparql)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    me = rdflib.URIRef(server.sparql)
    assert (me, rdflib.RDF.type, SD.Service) in g
    assert (me, SD.endpoint, me) in g
    assert (me, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (me, SD.supportedLanguage, SD.SPARQL11Update) not in g
    assert (me, SD.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in g
    r = client.get(server.sparql, headers={"Accept": "application/rdf+xml"})
    assert r.headers["content-type"] == "application/rdf+xml"
    assert (me, rdflib.RDF.type, SD.Service) in rdflib.Graph().parse(data=r.text, format="xml")


def test_void(server: LiveServer, client: httpx.Client) -> None:
    r = client.get(server.url + "/.well-known/void")
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    ds = rdflib.URIRef(server.url + "/.well-known/void#dataset")
    assert (ds, rdflib.RDF.type, VOID.Dataset) in g
    assert int(g.value(ds, VOID.triples)) == TOTAL
    assert int(g.value(ds, VOID.properties)) == 5
    subsets = {str(g.value(s, SD.name)): int(g.value(s, VOID.triples)) for s in g.objects(ds, VOID.subset)}
    assert subsets == {GA: 3, GB: 5, GBULK: BULK}
    partitions = {str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities)) for p in g.objects(ds, VOID.classPartition)}
    assert partitions == {EX + "Person": 2, EX + "Place": 1}
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef(server.sparql)) in g
    r = client.get(server.url + "/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"] == "application/ld+json"


def test_cors(server: LiveServer, client: httpx.Client) -> None:
    origin = {"Origin": "https://yasgui.example"}
    r = client.get(server.sparql, params={"query": "ASK {}"}, headers=origin)
    assert r.headers["access-control-allow-origin"] == "*"
    r = client.get(server.sparql, params={"query": "ASK {"}, headers=origin)  # errors too
    assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "*"
    r = client.options(
        server.sparql,
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization"},
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "content-type, authorization"
    r = client.options(server.sparql)  # a plain OPTIONS
    assert r.status_code == 204 and "POST" in r.headers["allow"]


# --------------------------------------------------------------------------- store generations, lifecycle


def test_new_generation_is_picked_up(tmp_path: Path, client: httpx.Client) -> None:
    path = build_store(tmp_path / "store", fixture_quads()[:3])
    app = create_app(path, workers=2, extra_routes=[])
    count = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
    with LiveServer(app) as live:
        assert select_values(client.get(live.sparql, params=count).content, "n") == ["3"]
        build_store(path, fixture_quads()[:5])  # what `sahelkg build` does: a new generation, then the swap
        for _ in range(4):  # every worker reopens
            assert select_values(client.get(live.sparql, params=count).content, "n") == ["5"]
        pids = live.pool.pids()
    assert all(pid_gone(pid) for pid in pids)  # the workers stop with the server


def test_missing_store_is_503(tmp_path: Path, client: httpx.Client) -> None:
    app = create_app(tmp_path / "nothing", workers=1, extra_routes=[])
    live = LiveServer(app)
    live._thread.start()
    try:
        while not live._server.started:
            time.sleep(0.01)
        r = client.get(live.sparql, params={"query": "ASK {}"})
        assert r.status_code == 503
        assert "no store here" in r.text
    finally:
        live.__exit__(None)


def test_serve_is_ready_fast_and_stops_its_workers(store_path: Path, client: httpx.Client) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1] / "src"), os.environ.get("PYTHONPATH", "")])}
    code = f"from sahelkg.serving.endpoint import serve; serve({str(store_path)!r}, port={port}, log_level='warning', extra_routes=[])"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        ready = False
        deadline = time.monotonic() + 120  # ends a hang only
        while not ready and time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = client.get(f"http://127.0.0.1:{port}/sparql", timeout=5).status_code == 200
            except httpx.TransportError:
                time.sleep(0.02)
        assert ready, "serve never answered"
        r = client.get(f"http://127.0.0.1:{port}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert select_values(r.content, "n") == [str(TOTAL)]
        children = _descendants(proc.pid)
        assert children  # the forkserver and the workers
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
    assert all(pid_gone(pid) for pid in children)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, parent in parents.items() if parent == p]
        found += kids
        frontier += kids
    return found


# --------------------------------------------------------------------------- the pure functions


def test_negotiate_follows_q_values_and_specificity() -> None:
    assert negotiate("application/sparql-results+xml;q=0.5, */*;q=0.1", RESULTS_FORMATS).name == "xml"
    assert negotiate("text/*, text/csv;q=0", RESULTS_FORMATS).name == "tsv"
    assert negotiate("application/json", GRAPH_FORMATS).name == "jsonld"
    assert negotiate("", GRAPH_FORMATS).name == "turtle"
    assert negotiate("text/html", GRAPH_FORMATS) is None


def test_keyword_scanner() -> None:
    assert [k.word for k in keywords("SELECT * WHERE { ?s ?p 'WHERE' . ?s ex:where ?o } # WHERE")] == ["SELECT", "WHERE"]
    assert [k.word for k in keywords('ASK { ?s ?p """a " "" FROM""" }')] == ["ASK"]
    assert has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    assert not has_dataset_clause("SELECT ?from { ?from ?p 'FROM' }")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { SERVICE <http://e/s> { ?s ?p ?o } }", True),
        ("SELECT * { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } }", True),
        ("select * { service silent <http://e/s> { ?s ?p ?o } }", True),
        ("SELECT * { \\u0053ERVICE <http://e/s> { ?s ?p ?o } }", True),
        ("SELECT * { ?s ex:service <http://e/s> }", False),
        ("SELECT ?service { ?service ?p 'SERVICE <x>' }", False),
        ("SELECT * { ?s ?p ?o } # SERVICE", False),
    ],
)
def test_uses_network(text: str, expected: bool) -> None:
    assert uses_network(text) is expected


def test_uses_network_in_updates() -> None:
    assert uses_network("LOAD <http://e/x.ttl>", update=True)
    assert uses_network("load silent <http://e/x.ttl> INTO GRAPH <http://g>", update=True)
    assert not uses_network("INSERT DATA { <http://a> <http://b> 'LOAD <x>' }", update=True)


def test_add_using() -> None:
    update = "PREFIX ex: <http://e/> DELETE WHERE { ?a ?b ?c } ; INSERT { ?s ex:p ?o } WHERE { ?s ex:q ?o }"
    assert add_using(update, ["http://g1"], ["http://g2"]) == (
        "PREFIX ex: <http://e/> DELETE WHERE { ?a ?b ?c } ; INSERT { ?s ex:p ?o } "
        "USING <http://g1> USING NAMED <http://g2> WHERE { ?s ex:q ?o }"
    )
    # the endpoint answers it 400 (test_update_with_using_parameters)
    with pytest.raises(QueryError, match="the SPARQL protocol forbids both at once"):
        add_using("WITH <http://g> INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", ["http://g1"], [])
