"""The web side of the endpoint: entity pages, content negotiation, the named-query API, the query page.

The fixture store follows docs/graph-model.md exactly: a registry entity with labels in English and
French and aliases, a registry place with coordinates, an article, a death event with its victim, date,
place, annotation and quote selector, a relation with its statement node, and the entailments in
graph:inferred. The app is the endpoint's own (create_app with web_routes mounted).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
import textwrap
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
import uvicorn

from sahelkg.serving.endpoint import create_app
from sahelkg.store import StoreLayout
from sahelkg.serving.endpoint import negotiate
from sahelkg.serving.web import bind_named_query, inject_values, ENTITY_FORMATS, web_routes
from sahelkg.queries import parse_query_text
from sahelkg.errors import UsageError

BASE = "https://w3id.org/sahelkg/"
ID = BASE + "id/"
ARTICLE = "001_af0646745c3fb3a7"

FIXTURE_TRIG = """
@prefix sk: <https://w3id.org/sahelkg/ontology#> .
@prefix id: <https://w3id.org/sahelkg/id/> .
@prefix graph: <https://w3id.org/sahelkg/graph/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .

graph:ontology {
  sk:Event a owl:Class ; rdfs:label "event"@en , "événement"@fr .
  sk:OutcomeEvent a owl:Class ; rdfs:subClassOf sk:Event ; rdfs:label "outcome event"@en .
  sk:Death a owl:Class ; rdfs:subClassOf sk:OutcomeEvent ; rdfs:label "death"@en , "mort"@fr .
  sk:Agent a owl:Class ; rdfs:label "agent"@en .
  sk:Person a owl:Class ; rdfs:subClassOf sk:Agent ; rdfs:label "person"@en , "personne"@fr .
  sk:ArmedForce a owl:Class ; rdfs:subClassOf sk:Agent ; rdfs:label "armed force"@en , "force armée"@fr .
  sk:Place a owl:Class ; rdfs:label "place"@en .
  sk:Settlement a owl:Class ; rdfs:subClassOf sk:Place ; rdfs:label "settlement"@en , "localité"@fr .
  sk:Article a owl:Class ; rdfs:label "article"@en .
  sk:RelationStatement a owl:Class ; rdfs:label "relation statement"@en .
  sk:hasParticipant a owl:ObjectProperty ; rdfs:label "has participant"@en .
  sk:hasVictim a owl:ObjectProperty ; rdfs:subPropertyOf sk:hasParticipant ;
      rdfs:label "has victim"@en , "a pour victime"@fr .
  sk:occurredAt a owl:ObjectProperty ; rdfs:label "occurred at"@en , "a eu lieu à"@fr .
  sk:memberOf a owl:ObjectProperty ; rdfs:label "member of"@en , "membre de"@fr .
}

graph:registry {
  id:maxime-blasco a sk:Person ;
      rdfs:label "Maxime Blasco"@en , "Maxime Blasco"@fr ;
      skos:prefLabel "Maxime Blasco"@en , "Maxime Blasco"@fr ;
      skos:altLabel "Corporal Blasco"@en , "caporal-chef Blasco"@fr ;
      dcterms:description "A French soldier of the 7th BCA."@en .
  id:french-armed-forces a sk:ArmedForce ;
      rdfs:label "French Armed Forces"@en , "Forces armées françaises"@fr ;
      skos:prefLabel "French Armed Forces"@en , "Forces armées françaises"@fr ;
      skos:altLabel "FAF"@en .
  id:gossi a sk:Settlement ;
      rdfs:label "Gossi"@en , "Gossi"@fr ; skos:prefLabel "Gossi"@en , "Gossi"@fr ;
      sk:latitude 15.82 ; sk:longitude -1.3 ; sk:coordinatePrecision sk:GeoExact ;
      sk:gazetteerId "geonames:2457710" ; geo:hasGeometry id:gossi/geometry .
  id:gossi/geometry a geo:Geometry ; geo:asWKT "POINT(-1.3 15.82)"^^geo:wktLiteral .
  id:evil-group a sk:ArmedForce ;
      rdfs:label "<script>alert('x')</script> & co"@en ;
      skos:altLabel "<img src=x onerror=alert(1)>"@en .
}

graph:article/001_af0646745c3fb3a7 {
  id:article/001_af0646745c3fb3a7 a sk:Article ; sk:articleId "001_af0646745c3fb3a7" ;
      dcterms:title "French soldier killed in Mali"@en ; dcterms:language "en" ;
      rdfs:label "French soldier killed in Mali"@en ;
      sk:textSha256 "0000" ; sk:mentions id:maxime-blasco , id:gossi .

  id:001_af0646745c3fb3a7/e1 a sk:Death ; rdfs:label "Death: Maxime Blasco (2021-09-24)"@en ;
      sk:hasVictim id:maxime-blasco ; sk:occurredAt id:gossi ; sk:geoPrecision sk:GeoNear ;
      sk:hasTime id:001_af0646745c3fb3a7/e1/time ;
      sk:sourceArticle id:article/001_af0646745c3fb3a7 ; sk:annotationId "e1" .
  id:001_af0646745c3fb3a7/e1/time a sk:TimeSpec ; sk:dateAsWritten "Friday" ; sk:isoDate "2021-09-24" ;
      sk:beginDate "2021-09-24T00:00:00"^^xsd:dateTime ; sk:endDate "2021-09-24T00:00:00"^^xsd:dateTime ;
      sk:datePrecision sk:PrecisionDay ; sk:dateBasis sk:BasisRelative .
  id:001_af0646745c3fb3a7/e1/annotation a oa:Annotation ; oa:hasBody id:001_af0646745c3fb3a7/e1 ;
      oa:motivatedBy oa:describing ; oa:hasTarget id:001_af0646745c3fb3a7/e1/annotation/target .
  id:001_af0646745c3fb3a7/e1/annotation/target a oa:SpecificResource ;
      oa:hasSource id:article/001_af0646745c3fb3a7 ;
      oa:hasSelector id:001_af0646745c3fb3a7/e1/annotation/quote , id:001_af0646745c3fb3a7/e1/annotation/position .
  id:001_af0646745c3fb3a7/e1/annotation/quote a oa:TextQuoteSelector ;
      oa:exact "Corporal Maxime Blasco was killed by a sniper" ;
      oa:prefix "On Friday morning, " ; oa:suffix " near Gossi." .
  id:001_af0646745c3fb3a7/e1/annotation/position a oa:TextPositionSelector ; oa:start 120 ; oa:end 165 .

  id:maxime-blasco sk:memberOf id:french-armed-forces .
  id:001_af0646745c3fb3a7/r1 a sk:RelationStatement ; sk:statementSubject id:maxime-blasco ;
      sk:statementPredicate sk:memberOf ;
      sk:statementObject id:french-armed-forces ;
      sk:sourceArticle id:article/001_af0646745c3fb3a7 ; sk:annotationId "r1" .
  id:001_af0646745c3fb3a7/r1/annotation a oa:Annotation ; oa:hasBody id:001_af0646745c3fb3a7/r1 ;
      oa:motivatedBy oa:describing ; oa:hasTarget id:001_af0646745c3fb3a7/r1/annotation/target .
  id:001_af0646745c3fb3a7/r1/annotation/target a oa:SpecificResource ;
      oa:hasSource id:article/001_af0646745c3fb3a7 ;
      oa:hasSelector id:001_af0646745c3fb3a7/r1/annotation/quote .
  id:001_af0646745c3fb3a7/r1/annotation/quote a oa:TextQuoteSelector ;
      oa:exact "Blasco, of the French army" ; oa:prefix "Corporal Maxime " ; oa:suffix ", served" .

  id:001_af0646745c3fb3a7/mention/120-142 a oa:Annotation ; oa:hasBody id:maxime-blasco ;
      oa:motivatedBy oa:identifying ; oa:hasTarget id:001_af0646745c3fb3a7/mention/120-142/target .
  id:001_af0646745c3fb3a7/mention/120-142/target a oa:SpecificResource ;
      oa:hasSource id:article/001_af0646745c3fb3a7 ;
      oa:hasSelector id:001_af0646745c3fb3a7/mention/120-142/quote .
  id:001_af0646745c3fb3a7/mention/120-142/quote a oa:TextQuoteSelector ;
      oa:exact "Corporal Maxime Blasco" ; oa:prefix "On Friday morning, " ; oa:suffix " was killed" .
}

graph:inferred {
  id:001_af0646745c3fb3a7/e1 a sk:OutcomeEvent , sk:Event ; sk:hasParticipant id:maxime-blasco .
  id:maxime-blasco a sk:Agent . id:french-armed-forces a sk:Agent . id:gossi a sk:Place .
  # the death's most specific asserted class (the build's sk:specificType shortcut: the page's events query reads it)
  id:001_af0646745c3fb3a7/e1 sk:specificType sk:Death .
}
"""

DEATHS_QUERY = """\
#+ summary: Deaths, with the victim, date and place
#+ description: One row per death event.
#+ param: lang (lang, en) language of the labels
#+ param: place (iri, https://w3id.org/sahelkg/id/gossi) where the death occurred
PREFIX sk: <https://w3id.org/sahelkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?victim ?victimLabel ?date WHERE {
  ?event a sk:Death ; sk:hasVictim ?victim ; sk:occurredAt ?place ; sk:hasTime ?t .
  ?t sk:isoDate ?date .
  OPTIONAL { ?victim rdfs:label ?victimLabel FILTER(langMatches(lang(?victimLabel), ?lang)) }
}
ORDER BY ?date
"""


def build_fixture_store(root: Path) -> Path:
    """Write the fixture graph into a committed store generation under ``root``; return the store path."""
    layout = StoreLayout(root / "store")
    new = layout.begin(incremental=False)
    store = pyoxigraph.Store(str(new))
    # Turtle's prefixed names cannot hold '/', so write id:a/b and graph:a/b as full IRIs.
    trig = re.sub(r"\b(id|graph):([A-Za-z0-9_/-]+)", lambda m: f"<{BASE}{m.group(1)}/{m.group(2)}>", FIXTURE_TRIG)
    store.load(trig.encode("utf-8"), format=pyoxigraph.RdfFormat.TRIG)
    store.flush()
    del store
    layout.commit(new)
    return layout.path


def build_fixture_queries(root: Path) -> Path:
    queries = root / "queries"
    queries.mkdir()
    (queries / "deaths.rq").write_text(DEATHS_QUERY, encoding="utf-8")
    return queries


class DirectSparql:
    """The interface of the endpoint's ``app.state.sparql`` over an in-memory pyoxigraph store, for a
    test of the routes alone (the other tests run the real endpoint)."""

    RESULTS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
    GRAPHS = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store

    async def query(self, query: str, *, result_format: str = "json", default_graph_uris=(),
                    named_graph_uris=()) -> tuple[str, bytes]:
        result = self.store.query(query, use_default_graph_as_union=True)
        if isinstance(result, pyoxigraph.QueryTriples):
            fmt = getattr(pyoxigraph.RdfFormat, self.GRAPHS[result_format])
        else:
            fmt = getattr(pyoxigraph.QueryResultsFormat, self.RESULTS[result_format])
        return fmt.media_type, result.serialize(format=fmt)

    async def select_json(self, query: str) -> dict:
        _, body = await self.query(query)
        return json.loads(body)


def make_app(store_path: Path, queries_dir: Path):
    """The endpoint's app (its worker pool, limits and SPARQL protocol) with the web routes mounted."""
    return create_app(store_path, workers=2, extra_routes=web_routes(queries_dir))


@pytest.fixture(scope="module")
def fixture_dirs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("web")
    return build_fixture_store(root), build_fixture_queries(root)


@contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yield its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture(scope="module")
def client(fixture_dirs) -> Iterator[httpx.Client]:
    """An httpx client on the app served on a loopback port."""
    store_path, queries_dir = fixture_dirs
    with serve(make_app(store_path, queries_dir)) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


# --- entity pages -------------------------------------------------------------------------------

def test_entity_page_french_label_and_type(client):
    r = client.get("/id/french-armed-forces?lang=fr", headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>Forces armées françaises</h1>" in r.text
    assert "<title>Forces armées françaises · sahelkg</title>" in r.text
    assert "force armée" in r.text  # the class label in French


def test_entity_page_language_from_accept_language(client):
    r = client.get("/id/french-armed-forces", headers={**HTML, "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "<h1>Forces armées françaises</h1>" in r.text
    r = client.get("/id/french-armed-forces", headers={**HTML, "Accept-Language": "de"})
    assert "<h1>French Armed Forces</h1>" in r.text


def test_entity_page_shows_event_with_role_date_place_quote_and_article(client):
    r = client.get("/id/maxime-blasco", headers=HTML)
    assert r.status_code == 200
    page = r.text
    assert "<h1>Maxime Blasco</h1>" in page
    assert "caporal-chef Blasco" in page and "Corporal Blasco" in page  # aliases by language
    assert "Events (1)" in page
    assert "has victim" in page and "has participant" not in page  # the entailed role is folded
    assert '<td class="date">2021-09-24</td>' in page
    assert f'href="/id/gossi" title="{ID}gossi">Gossi</a>' in page
    assert ('<span class="ctx">…On Friday morning, </span><mark>Corporal Maxime Blasco was killed by a sniper</mark>'
            '<span class="ctx"> near Gossi.…</span>') in page
    assert (f'<a href="/id/article/{ARTICLE}" title="{ID}article/{ARTICLE}">French soldier killed in Mali</a>'
            in page)
    # the relation, with its statement's quote
    assert "member of" in page and "<mark>Blasco, of the French army</mark>" in page
    # mentions
    assert "<mark>Corporal Maxime Blasco</mark>" in page


def test_entity_page_in_french_uses_french_role_and_keeps_links_in_french(client):
    page = client.get("/id/maxime-blasco?lang=fr", headers=HTML).text
    assert "a pour victime" in page
    assert f'href="/id/french-armed-forces?lang=fr"' in page
    assert "Forces armées françaises</a>" in page


def test_event_page_shows_its_quote_and_date(client):
    page = client.get(f"/id/{ARTICLE}/e1", headers=HTML).text
    assert "<h1>Death: Maxime Blasco (2021-09-24)</h1>" in page
    assert "<mark>Corporal Maxime Blasco was killed by a sniper</mark>" in page
    assert '<span class="literal">2021-09-24</span>' in page  # the time node, inline
    assert 'href="/id/maxime-blasco"' in page
    assert ">death<" in page  # the most specific type, not "event"


def test_place_page_shows_coordinates_and_events_there(client):
    page = client.get("/id/gossi", headers=HTML).text
    assert '<span class="coords">15.82, -1.3</span>' in page
    assert "occurred at" in page and "Events (1)" in page
    assert 'class="minimap"' in page


def test_article_page_lists_its_facts(client):
    page = client.get(f"/id/article/{ARTICLE}", headers=HTML).text
    assert "<h1>French soldier killed in Mali</h1>" in page
    assert "Facts stated in this article (2)" in page
    assert "<mark>Corporal Maxime Blasco was killed by a sniper</mark>" in page


def test_html_escapes_data(client):
    page = client.get("/id/evil-group", headers=HTML).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "<h1>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co</h1>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_unknown_iri_is_404_with_a_helpful_page(client):
    r = client.get("/id/no-such-thing", headers=HTML)
    assert r.status_code == 404
    assert f"<code>{ID}no-such-thing</code>" in r.text
    assert 'href="/"' in r.text
    r = client.get("/id/gos", headers=HTML)  # a similar name is suggested
    assert r.status_code == 404 and 'href="/id/gossi"' in r.text
    r = client.get("/id/no-such-thing", headers={"Accept": "text/turtle"})
    assert r.status_code == 404
    r = client.get("/id/bad%20iri", headers=HTML)
    assert r.status_code == 404


# --- content negotiation ------------------------------------------------------------------------

def _graph(text: str, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=fmt)


def test_turtle_description(client):
    r = client.get("/id/french-armed-forces", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert "Accept" in r.headers["vary"]
    g = _graph(r.text, "turtle")
    fr = rdflib.Literal("Forces armées françaises", lang="fr")
    assert (rdflib.URIRef(ID + "french-armed-forces"), rdflib.RDFS.label, fr) in g
    # incoming triples too
    assert (rdflib.URIRef(ID + "maxime-blasco"), rdflib.URIRef(BASE + "ontology#memberOf"),
            rdflib.URIRef(ID + "french-armed-forces")) in g


def test_event_description_includes_annotation_and_selector(client):
    r = client.get(f"/id/{ARTICLE}/e1", headers={"Accept": "application/n-triples"})
    assert r.headers["content-type"].startswith("application/n-triples")
    g = _graph(r.text, "nt")
    exact = rdflib.URIRef("http://www.w3.org/ns/oa#exact")
    quotes = {str(o) for o in g.objects(None, exact)}
    assert quotes == {"Corporal Maxime Blasco was killed by a sniper"}
    time = rdflib.URIRef(f"{ID}{ARTICLE}/e1/time")
    assert (time, rdflib.URIRef(BASE + "ontology#isoDate"), rdflib.Literal("2021-09-24")) in g


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # inside rdflib's JSON-LD parser
@pytest.mark.parametrize("accept, media, fmt", [
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", "json-ld"),
])
def test_other_rdf_formats(client, accept, media, fmt):
    r = client.get("/id/gossi", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    g = _graph(r.text, fmt)
    assert (rdflib.URIRef(ID + "gossi"), rdflib.RDFS.label, rdflib.Literal("Gossi", lang="en")) in g


def test_format_parameter_overrides_accept(client):
    r = client.get("/id/gossi?format=ttl", headers=HTML)
    assert r.headers["content-type"].startswith("text/turtle")
    assert client.get("/id/gossi?format=docx").status_code == 400


def test_not_acceptable(client):
    r = client.get("/id/gossi", headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_negotiate_prefers_the_server_order_on_ties():
    assert negotiate("*/*", ENTITY_FORMATS).name == "html"
    assert negotiate("text/*", ENTITY_FORMATS).name == "html"
    assert negotiate("application/*", ENTITY_FORMATS).name == "html"  # application/xhtml+xml
    assert negotiate("text/html;q=0, text/turtle", ENTITY_FORMATS).name == "turtle"
    assert negotiate("application/n-triples, */*;q=0.1", ENTITY_FORMATS).name == "ntriples"


# --- named queries ------------------------------------------------------------------------------

def test_api_lists_the_named_queries(client):
    r = client.get("/api/queries")
    assert r.status_code == 200
    [q] = r.json()["queries"]
    assert q["name"] == "deaths"
    assert q["summary"] == "Deaths, with the victim, date and place"
    assert q["description"] == "One row per death event."
    assert q["params"] == [
        {"name": "lang", "type": "lang", "default": "en", "description": "language of the labels"},
        {"name": "place", "type": "iri", "default": ID + "gossi", "description": "where the death occurred"},
    ]
    assert q["form"] == "SELECT"


def _rows(result: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]


def test_api_runs_a_named_query_with_defaults(client):
    r = client.get("/api/queries/deaths")
    assert r.status_code == 200
    data = r.json()
    assert data["head"]["vars"] == ["event", "victim", "victimLabel", "date"]
    assert _rows(data) == [{"event": f"{ID}{ARTICLE}/e1", "victim": ID + "maxime-blasco",
                            "victimLabel": "Maxime Blasco", "date": "2021-09-24"}]
    assert data["query"]["params"] == {"lang": '"en"', "place": f"<{ID}gossi>"}
    assert 'VALUES (?lang ?place) { ("en" <https://w3id.org/sahelkg/id/gossi>) }' in data["query"]["text"]


def test_api_binds_parameters(client):
    data = client.get("/api/queries/deaths", params={"lang": "fr", "place": ID + "gao"}).json()
    assert _rows(data) == []
    data = client.get("/api/queries/deaths", params={"lang": "fr"}).json()
    assert [r["date"] for r in _rows(data)] == ["2021-09-24"]


def test_api_refuses_bad_parameters_without_running_them(client):
    r = client.get("/api/queries/deaths", params={"place": "x> } ?s ?p ?o { <y"})
    assert r.status_code == 400 and "not a valid iri" in r.json()["error"]
    r = client.get("/api/queries/deaths", params={"victim": "x"})
    assert r.status_code == 400 and "no parameter 'victim'" in r.json()["error"]
    r = client.get("/api/queries/nope")
    # the message names the known queries, never the server's folder
    assert r.status_code == 404 and r.json()["error"] == "no query named 'nope'; known queries: deaths"
    r = client.get("/api/queries/a b")
    assert r.status_code == 404 and r.json()["error"] == "no query named 'a b'; known queries: deaths"


def test_api_downloads_in_other_formats(client):
    r = client.get("/api/queries/deaths", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="deaths.csv"' in r.headers["content-disposition"]
    lines = r.text.splitlines()
    assert lines[0] == "event,victim,victimLabel,date"
    assert lines[1] == f"{ID}{ARTICLE}/e1,{ID}maxime-blasco,Maxime Blasco,2021-09-24"
    r = client.get("/api/queries/deaths", params={"format": "tsv"})
    assert r.text.splitlines()[0] == "?event\t?victim\t?victimLabel\t?date"
    r = client.get("/api/queries/deaths", params={"format": "xml"})
    assert "<sparql" in r.text and "Maxime Blasco" in r.text


def test_api_labels(client):
    r = client.post("/api/labels", json={"iris": [ID + "french-armed-forces", ID + "gossi", "not an iri"],
                                         "lang": "fr"})
    assert r.json()["labels"] == {ID + "french-armed-forces": "Forces armées françaises", ID + "gossi": "Gossi"}


# --- the query page -----------------------------------------------------------------------------

def test_index_page_serves_local_assets_only(client):
    r = client.get("/", headers=HTML)
    assert r.status_code == 200
    page = r.text
    for asset in ("/static/vendor/codemirror.min.js", "/static/vendor/codemirror.min.css", "/static/app.js",
                  "/static/site.css"):
        assert asset in page
        assert client.get(asset).status_code == 200
    assert "http://" not in page.replace("http://www.w3", "") or "cdn" not in page.lower()
    assert "<script src=\"http" not in page and "<link rel=\"stylesheet\" href=\"http" not in page
    config = json.loads(page.split('<script id="config" type="application/json">')[1].split("</script>")[0])
    assert config["idBase"] == ID
    assert config["prefixes"]["sk"] == BASE + "ontology#"
    assert "Death" in config["terms"]["sk"]
    geo = client.get("/static/vendor/countries.geojson").json()
    assert "Mali" in {f["properties"]["name"] for f in geo["features"]}


# --- binding ------------------------------------------------------------------------------------

def test_inject_values_in_the_where_group_and_sub_selects():
    text = 'SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p "}" } } FILTER(?x != ?lang) } LIMIT 3'
    assert inject_values(text, {"lang": '"fr"'}) == (
        'SELECT ?x WHERE { VALUES (?lang) { ("fr") } { SELECT ?x WHERE { VALUES (?lang) { ("fr") } ?x ?p "}" } }'
        ' FILTER(?x != ?lang) } LIMIT 3')


def test_inject_values_skips_comments_strings_and_construct_templates():
    text = "# { not a group\nCONSTRUCT { ?s ?p '{' } WHERE { ?s ?p ?o }"
    assert inject_values(text, {"o": "1"}) == (
        "# { not a group\nCONSTRUCT { ?s ?p '{' } WHERE { VALUES (?o) { (1) } ?s ?p ?o }")
    assert inject_values("PREFIX ex: <http://x#> SELECT ?s WHERE { ?s ex:select ?o }", {"s": "1"}) == (
        "PREFIX ex: <http://x#> SELECT ?s WHERE { VALUES (?s) { (1) } ?s ex:select ?o }")
    assert inject_values("ASK { ?s ?p ?o }", {"s": "<http://x>"}) == 'ASK { VALUES (?s) { (<http://x>) } ?s ?p ?o }'
    assert inject_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": "<http://x>"}) == (
        "CONSTRUCT WHERE { ?s ?p ?o }\nVALUES (?s) { (<http://x>) }")


def test_bind_named_query_escapes_literals():
    q = parse_query_text("q", '#+ param: name (string, x) a name\nSELECT * WHERE { ?s ?p ?name }')
    text, terms = bind_named_query(q, {"name": 'a" } ; DROP ALL ; { "'}, None)
    assert terms == {"name": '"a\\" } ; DROP ALL ; { \\""'}
    assert text == '#+ param: name (string, x) a name\nSELECT * WHERE { VALUES (?name) { ("a\\" } ; DROP ALL ; { \\"") } ?s ?p ?name }'
    # and it still parses as the one query it was
    store = pyoxigraph.Store()
    assert list(store.query(text)) == []
    with pytest.raises(UsageError):
        bind_named_query(q, {"name": "x", "other": "y"}, None)


def test_another_base_iri(tmp_path):
    """/id/X is <base>id/X for the configured base, whatever the server's own host."""
    from starlette.applications import Starlette

    store = pyoxigraph.Store()
    store.load(b'<http://example.org/kg/id/thing> <http://www.w3.org/2000/01/rdf-schema#label> "Thing"@en ; '
               b'<http://example.org/kg/ontology#near> <http://example.org/kg/id/other> .',
               format=pyoxigraph.RdfFormat.TURTLE)
    queries = tmp_path / "queries"
    queries.mkdir()
    app = Starlette(routes=web_routes(queries, base_iri="http://example.org/kg/"))
    app.state.sparql = DirectSparql(store)
    with serve(app) as url, httpx.Client(base_url=url) as c:
        page = c.get("/id/thing", headers=HTML)
        assert page.status_code == 200 and "<h1>Thing</h1>" in page.text
        assert 'href="/id/other"' in page.text
        g = _graph(c.get("/id/thing", headers={"Accept": "text/turtle"}).text, "turtle")
        assert (rdflib.URIRef("http://example.org/kg/id/thing"), rdflib.RDFS.label, rdflib.Literal("Thing", lang="en")) in g
        assert c.get(f"/id/{ARTICLE}/e1", headers=HTML).status_code == 404
