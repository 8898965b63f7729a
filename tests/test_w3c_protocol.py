"""The W3C SPARQL 1.1 Protocol tests (``tests/fixtures/w3c-protocol/manifest.ttl``) against a live endpoint.

One pytest case per manifest entry. Query tests run on a read-only endpoint whose store holds
``data1.nt``..``data3.nt`` as named graphs (named by the manifest's ``rdfs:label``). Update tests
run on a writable endpoint with the token, and must be refused without it, both by that endpoint
(401) and by the read-only one (403).
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

sys.path.insert(0, str(Path(__file__).parent))
from server_support import LiveServer, build_store  # noqa: E402

from sahelkg.serving.endpoint import create_app  # noqa: E402

# The W3C test data, carried in the repository (W3C Test Suite licence; see the folder's README.md).
W3C_DIR = Path(os.environ.get("SAHELKG_W3C_DIR", Path(__file__).parent / "fixtures" / "w3c-protocol"))
MANIFEST = W3C_DIR / "manifest.ttl"
TOKEN = "w3c-token"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")

TABULAR = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}
# The manifest says only "tabular" for a SELECT; the rows each query must give are ours to state.
TABULAR_ROWS = {"SELECT (1 AS ?value) {}": [{"value": "1"}]}


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[int]  # status classes: 2, 3, 4
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    requests: tuple[HttpRequest, ...]
    graph_data: tuple[tuple[Path, str], ...]

    @property
    def is_update(self) -> bool:
        return "update" in self.name


def load_manifest() -> list[ProtocolTest]:
    g = rdflib.Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in rdflib.collection.Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        requests = []
        for req in rdflib.collection.Collection(g, g.value(action, HT.requests)):
            headers = {}
            header_list = g.value(req, HT.headers)
            if header_list is not None:
                for h in rdflib.collection.Collection(g, header_list):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            body = None
            content = g.value(req, HT.body)
            if content is not None:
                encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(content, CNT.chars)).encode(encoding.lower())
            resp = g.value(req, HT.resp)
            statuses = frozenset(int(str(s).rsplit("StatusCode", 1)[1][0]) for s in g.objects(resp, MF.expectedStatus))
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            requests.append(
                HttpRequest(
                    method=str(g.value(req, HT.methodName)),
                    path=str(g.value(req, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    expected_status=statuses,
                    expected_format=str(fmt) if fmt is not None else None,
                    expected_boolean=boolean.toPython() if boolean is not None else None,
                )
            )
        data = tuple(
            (Path(str(g.value(d, UT.graph)).removeprefix("file://")), str(g.value(d, RDFS.label)))
            for d in g.objects(entry, UT.graphData)
        )
        tests.append(ProtocolTest(str(entry).rsplit("#", 1)[1], str(g.value(entry, MF.name)), tuple(requests), data))
    return tests


TESTS = load_manifest()
QUERY_TESTS = [t for t in TESTS if not t.is_update]
UPDATE_TESTS = [t for t in TESTS if t.is_update]


def test_manifest_has_34_tests() -> None:
    assert (len(TESTS), len(QUERY_TESTS), len(UPDATE_TESTS)) == (34, 20, 14)


def graph_data_quads() -> list[pyoxigraph.Quad]:
    quads = []
    for test in TESTS:
        for path, label in test.graph_data:
            for q in pyoxigraph.parse(path=str(W3C_DIR / path.name), format=pyoxigraph.RdfFormat.N_TRIPLES):
                quads.append(pyoxigraph.Quad(q.subject, q.predicate, q.object, pyoxigraph.NamedNode(label)))
    return list(dict.fromkeys(quads))


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory):
    path = build_store(tmp_path_factory.mktemp("w3c-ro") / "store", graph_data_quads())
    with LiveServer(create_app(path, extra_routes=[])) as live:
        yield live


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory):
    path = build_store(tmp_path_factory.mktemp("w3c-rw") / "store", graph_data_quads())
    with LiveServer(create_app(path, write_token=TOKEN, extra_routes=[])) as live:
        yield live


def send(client: httpx.Client, server: LiveServer, request: HttpRequest, extra_headers: dict[str, str] | None = None) -> httpx.Response:
    assert request.path.startswith("/sparql/")
    url = server.sparql + request.path.removeprefix("/sparql/")  # the manifest's /sparql/ is our /sparql
    headers = {**request.headers, **(extra_headers or {})}
    return client.request(request.method, url, headers=headers, content=request.body)


def query_text(request: HttpRequest) -> str:
    """The query a request sends (in the body or the URL's ``query`` parameter)."""
    from urllib.parse import parse_qs, urlsplit

    if request.body is not None:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return parse_qs(request.body.decode("utf-8"))["query"][0]
        return request.body.decode("utf-8")
    return parse_qs(urlsplit(request.path).query)["query"][0]


def tabular_rows(media_type: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a SELECT answer in any of the four tabular formats, as {variable: lexical value}."""
    if media_type == "text/csv":
        import csv
        import io

        return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    results = pyoxigraph.parse_query_results(content, format=pyoxigraph.QueryResultsFormat.from_media_type(media_type))
    assert isinstance(results, pyoxigraph.QuerySolutions), "a SELECT answered with a boolean"
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


def test_every_select_has_its_expected_rows() -> None:
    selects = {query_text(r) for t in TESTS for r in t.requests if r.expected_format == "tabular"}
    assert selects == set(TABULAR_ROWS)
    assert tabular_rows("text/tab-separated-values", b"?value\n1\n") == [{"value": "1"}]
    assert tabular_rows("text/csv", b"value\r\n1\r\n") == [{"value": "1"}]


def check_response(request: HttpRequest, response: httpx.Response) -> None:
    assert response.status_code // 100 in request.expected_status, (response.status_code, response.text)
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if request.expected_format == "boolean":
        if media_type == "application/sparql-results+json":
            value = json.loads(response.content)["boolean"]
        else:
            assert media_type == "application/sparql-results+xml", media_type
            root = ET.fromstring(response.content)
            value = root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"  # type: ignore[union-attr]
        if request.expected_boolean is not None:
            assert value is request.expected_boolean
    elif request.expected_format == "tabular":
        assert media_type in TABULAR, media_type
        assert tabular_rows(media_type, response.content) == TABULAR_ROWS[query_text(request)]
    elif request.expected_format == "RDF":
        assert media_type in RDF_TYPES, media_type
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.name)
def test_query(test: ProtocolTest, read_only: LiveServer) -> None:
    with httpx.Client(timeout=30) as client:
        for request in test.requests:
            check_response(request, send(client, read_only, request))


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=lambda t: t.name)
def test_update_with_token(test: ProtocolTest, writable: LiveServer) -> None:
    with httpx.Client(timeout=30) as client:
        for request in test.requests:
            check_response(request, send(client, writable, request, {"Authorization": f"Bearer {TOKEN}"}))


def _count(client: httpx.Client, server: LiveServer) -> str:
    r = client.get(server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    return str(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=lambda t: t.name)
def test_update_refused_without_token(test: ProtocolTest, writable: LiveServer, read_only: LiveServer) -> None:
    first = test.requests[0]
    with httpx.Client(timeout=30) as client:
        for server, status in ((writable, 401), (read_only, 403)):
            before = _count(client, server)
            response = send(client, server, first)
            assert response.status_code // 100 == 4, response.text
            if first.expected_status & {2, 3}:  # a valid update: refused for want of a token, nothing else
                assert response.status_code == status, response.text
            assert _count(client, server) == before
