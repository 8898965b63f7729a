"""The HTML side of the endpoint: entity pages, the query page, and the named-query API.

:func:`web_routes` returns the Starlette routes that :func:`sahelkg.serving.endpoint.create_app` mounts
beside the SPARQL protocol. Every route reads the graph through ``request.app.state.sparql``
(the endpoint's worker pool, with its timeouts and limits), never the store directly.

- ``/id/{path}``: Linked Data. ``/id/X`` is the resource ``<base>id/X``; a browser gets an HTML page,
  a machine its description (outgoing and incoming triples, its annotations and their selectors) in
  Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation (or ``?format=``). 404 when nothing is
  known about the IRI.
- ``/``: the query page (editor, named queries, results, downloads, timeline, map); its script and
  styles are in ``static/``, with the vendored CodeMirror and country outlines in ``static/vendor/``.
- ``/api/queries`` and ``/api/queries/{name}``: the named queries and their results. Parameters are
  bound as RDF terms in a ``VALUES`` block (see :func:`inject_values`), never pasted into the query.
- ``/api/labels``: the labels of a list of IRIs in one language, for the results table.

>>> inject_values('SELECT ?x WHERE { ?x ?p ?lang }', {"lang": '"fr"'})
'SELECT ?x WHERE { VALUES (?lang) { ("fr") } ?x ?p ?lang }'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sahelkg import __version__
from sahelkg.errors import SahelKGError, UsageError
from sahelkg.queries import NamedQuery, bind_params, find_query, list_queries
from sahelkg.serving.endpoint.formats import Format, negotiate, quality_values
from sahelkg.sparql import inject_values, query_form
from sahelkg.store import generation
from sahelkg.vocab import (
    DCTERMS, DEFAULT_BASE, EVENT_CLASSES, OA, OWL, PREFIXES, RDF, RDFS, SK, SKOS,
    Namespace,
)
import sahelkg.vocab as vocab

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
MAX_FACTS = 500       # facts listed on one entity page
MAX_INCOMING = 2000   # incoming triples read for one entity page
MAX_LABEL_IRIS = 2000  # IRIs one /api/labels call may ask for

# Linked Data representations: name -> (media type, the SPARQL result format name, file extension).
RDF_FORMATS: dict[str, tuple[str, str, str]] = {
    "turtle": ("text/turtle", "turtle", "ttl"),
    "jsonld": ("application/ld+json", "jsonld", "jsonld"),
    "ntriples": ("application/n-triples", "ntriples", "nt"),
    "rdfxml": ("application/rdf+xml", "rdfxml", "rdf"),
}
FORMAT_ALIASES = {
    "html": "html", "ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
    "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml",
    "rdfxml": "rdfxml", "xml": "rdfxml",
}
# Media types a client may ask an entity IRI for, in the server's order of preference on a tie
# (each one its own Format: a wildcard such as application/* reaches every one of them).
ENTITY_FORMATS: tuple[Format, ...] = tuple(Format(rep, media, "page" if rep == "html" else "graph") for media, rep in [
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
])
# Result formats of /api/queries/{name}?format=: name -> (SPARQL result format name, extension).
RESULT_FORMATS = {
    "json": ("json", "json"), "xml": ("xml", "xml"), "csv": ("csv", "csv"), "tsv": ("tsv", "tsv"),
    **{name: (fmt, ext) for name, (_, fmt, ext) in RDF_FORMATS.items()},
}

EVENT_CLASS_IRIS = frozenset(SK.term(c) for c in EVENT_CLASSES)
RELATION_IRIS = frozenset(SK.term(p) for p in vocab.RELATION_PROPERTIES)
# The order of an entity page's table of statements: who, where, when, how many, then the rest by label.
STATEMENT_ORDER = {iri: i for i, iri in enumerate(
    [SK.term(p) for p in vocab.ROLE_PROPERTIES.values()]
    + [SK.occurredAt, SK.hasRelativeLocation, SK.hasTime, SK.hasCount, SK.claimant, SK.stance, SK.claimAbout,
       SK.claimedAttacker, SK.claimedVictim, SK.observedEntity, SK.observedPlace, SK.countedOutcome,
       SK.accordingTo, SK.partOfOperation, SK.subEventOf, SK.resultOf, SK.about, SK.certainty])}
# Shown in the page header, so left out of the table of other statements.
HEADER_PROPERTIES = frozenset({
    RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SK.latitude, SK.longitude,
    DCTERMS.description, SKOS.note, SK.text,  # an article's text: shown by its view, /article/ID
})


# --- binding parameters ------------------------------------------------------------------------

def bind_named_query(query: NamedQuery, given: dict[str, str], lang: str | None) -> tuple[str, dict[str, str]]:
    """The text of ``query`` with its parameters bound, and the bound values as N-Triples terms.

    Values are checked and turned into RDF terms by :func:`sahelkg.queries.bind_params` (an IRI
    must parse as an IRI, a literal is escaped by pyoxigraph), then bound by :func:`inject_values`.

    :raises UsageError: for an undeclared parameter or a value of the wrong type.
    """
    substitutions = bind_params(query, given, lang)
    terms = {var.value: str(term) for var, term in substitutions.items()}
    return inject_values(query.text, terms), terms


# --- language and content negotiation ----------------------------------------------------------

def choose_language(request: Request) -> str:
    """``?lang=`` if it is a language we label in, else the best of Accept-Language, else English."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for tag, q in quality_values(request.headers.get("accept-language", "")):
        primary = tag.split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


# --- reading the graph -------------------------------------------------------------------------

Sparql = Any  # the endpoint's app.state.sparql: async query(...) and select_json(...)


def _nt(iri: str) -> str:
    return str(pyoxigraph.NamedNode(iri))


def _lit(value: str) -> str:
    return str(pyoxigraph.Literal(value))


def _values(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ " + " ".join(_nt(i) for i in iris) + " }"


def _rows(result: dict) -> list[dict[str, dict]]:
    return result.get("results", {}).get("bindings", [])


def _val(row: dict, name: str) -> str | None:
    cell = row.get(name)
    return cell["value"] if cell else None


def pick_label(labels: list[tuple[str, str]], lang: str) -> str | None:
    """The best label for ``lang`` among (text, language tag) pairs: that language, English, untagged, any.

    >>> pick_label([("Gao", "en"), ("Gao (ville)", "fr")], "fr")
    'Gao (ville)'
    """
    if not labels:
        return None
    def rank(item: tuple[str, str]) -> tuple[int, str]:
        text, tag = item
        tag = tag.lower()
        if tag == lang or tag.startswith(lang + "-"):
            return (0, text)
        if tag == DEFAULT_LANGUAGE or tag.startswith(DEFAULT_LANGUAGE + "-"):
            return (1, text)
        return (2 if not tag else 3, text)
    return min(labels, key=rank)[0]


async def fetch_labels(sparql: Sparql, iris: Iterable[str], lang: str) -> dict[str, str]:
    """The label (rdfs:label or skos:prefLabel) of each IRI in ``lang`` when it has one."""
    unique = sorted({i for i in iris if i})
    found: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(unique), 400):
        chunk = unique[start:start + 400]
        result = await sparql.select_json(
            f"SELECT ?s ?l WHERE {{ {_values('s', chunk)} "
            f"{{ ?s {_nt(RDFS.label)} ?l }} UNION {{ ?s {_nt(SKOS.prefLabel)} ?l }} }}"
        )
        for row in _rows(result):
            cell = row["l"]
            found.setdefault(row["s"]["value"], []).append((cell["value"], cell.get("xml:lang", "")))
    return {iri: label for iri, labels in found.items() if (label := pick_label(labels, lang))}


@dataclass
class Quote:
    """The exact text a fact or mention is anchored to, with the text around it."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    article: str | None = None
    motivation: str | None = None
    start: int | None = None


@dataclass
class Fact:
    """An event, claim, observation or relation statement, as listed on an entity page."""

    iri: str
    roles: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    begin: str = ""
    places: set[str] = field(default_factory=set)
    quotes: list[Quote] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        return bool(self.types & EVENT_CLASS_IRIS)


@dataclass
class Relation:
    """A relation between two entities, with the statements that source it."""

    subject: str
    predicate: str
    object: str
    statements: list[tuple[str, Fact | None, str | None]] = field(default_factory=list)  # (node, fact, dcterms:source)


@dataclass
class Description:
    """Everything an entity page shows about one IRI."""

    iri: str
    outgoing: list[tuple[str, dict]]                       # (property, SPARQL JSON term)
    children: dict[str, list[tuple[str, dict]]]            # child node IRI -> its outgoing
    incoming: list[tuple[str, str]]                        # (subject, property)
    types: list[str]
    facts: list[Fact]
    own_quotes: list[Quote]                                # this fact's own annotations
    mentions: list[Quote]                                  # mention annotations of this entity
    relations: list[Relation]
    labels: dict[str, str]
    inverses: set[tuple[str, str]] = field(default_factory=set)  # (p, q): p inverse of q, both ways
    pointed: set[tuple[str, str]] = field(default_factory=set)   # (property, IRI) of every outgoing link
    truncated: bool = False

    @property
    def exists(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def literals(self, prop: str) -> list[dict]:
        return [o for p, o in self.outgoing if p == prop and o["type"] == "literal"]


ANNOTATION_QUOTES = f"""
  ?ann {_nt(OA.hasTarget)} ?target .
  OPTIONAL {{ ?ann {_nt(OA.motivatedBy)} ?motivation }}
  OPTIONAL {{ ?target {_nt(OA.hasSource)} ?source }}
  OPTIONAL {{ ?target {_nt(OA.hasSelector)} ?sel . ?sel {_nt(OA.exact)} ?exact .
             OPTIONAL {{ ?sel {_nt(OA.prefix)} ?prefix }} OPTIONAL {{ ?sel {_nt(OA.suffix)} ?suffix }} }}
  OPTIONAL {{ ?target {_nt(OA.hasSelector)} ?pos . ?pos {_nt(OA.start)} ?start }}
"""


def _quote(row: dict) -> Quote | None:
    exact = _val(row, "exact")
    if exact is None:
        return None
    start = _val(row, "start")
    return Quote(exact, _val(row, "prefix") or "", _val(row, "suffix") or "", _val(row, "source"),
                 _val(row, "motivation"), int(start) if start and start.isdigit() else None)


async def _most_specific_types(sparql: Sparql, iris: Iterable[str]) -> dict[str, set[str]]:
    unique = sorted(set(iris))
    types: dict[str, set[str]] = {}
    for start in range(0, len(unique), 400):
        chunk = unique[start:start + 400]
        result = await sparql.select_json(
            f"SELECT ?s ?type WHERE {{ {_values('s', chunk)} ?s a ?type . "
            f"FILTER(?type != {_nt(OWL.NamedIndividual)} && ?type != {_nt(OWL.Thing)}) "
            f"FILTER NOT EXISTS {{ ?s a ?sub . ?sub {_nt(RDFS.subClassOf)} ?type . FILTER(?sub != ?type) }} }}"
        )
        for row in _rows(result):
            types.setdefault(row["s"]["value"], set()).add(row["type"]["value"])
    return types


async def _facts(sparql: Sparql, iris: list[str]) -> dict[str, Fact]:
    """Date, place, article, types and quote of each fact node in ``iris``."""
    facts: dict[str, Fact] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        result = await sparql.select_json(f"""
SELECT ?f ?article ?iso ?begin ?place ?motivation ?source ?exact ?prefix ?suffix ?start WHERE {{
  {_values('f', chunk)}
  ?f {_nt(SK.sourceArticle)} ?article ; {_nt(SK.annotationId)} ?annotationId .
  OPTIONAL {{ ?f {_nt(SK.hasTime)} ?time .
             OPTIONAL {{ ?time {_nt(SK.isoDate)} ?iso }} OPTIONAL {{ ?time {_nt(SK.beginDate)} ?begin }} }}
  OPTIONAL {{ ?f {_nt(SK.occurredAt)} ?place }}
  OPTIONAL {{ ?ann {_nt(OA.hasBody)} ?f ; {_nt(OA.motivatedBy)} {_nt(OA.describing)} . {ANNOTATION_QUOTES} }}
}}""")
        for row in _rows(result):
            f = facts.setdefault(row["f"]["value"], Fact(row["f"]["value"]))
            f.articles.add(row["article"]["value"])
            if (iso := _val(row, "iso")):
                f.dates.add(iso)
            if (begin := _val(row, "begin")) and (not f.begin or begin < f.begin):
                f.begin = begin
            if (place := _val(row, "place")):
                f.places.add(place)
            q = _quote(row)
            if q and all(q.exact != o.exact or q.article != o.article for o in f.quotes):
                f.quotes.append(q)
    for iri, types in (await _most_specific_types(sparql, facts)).items():
        facts[iri].types = types
    return facts


async def _subproperty_pairs(sparql: Sparql, props: Iterable[str]) -> set[tuple[str, str]]:
    """The pairs (sub, super) among ``props`` where sub is a sub-property of super (per the ontology)."""
    unique = sorted(set(props))
    if len(unique) < 2:
        return set()
    result = await sparql.select_json(
        f"SELECT ?sub ?super WHERE {{ {_values('sub', unique)} {_values('super', unique)} "
        f"?sub {_nt(RDFS.subPropertyOf)}+ ?super . FILTER(?sub != ?super) }}")
    return {(r["sub"]["value"], r["super"]["value"]) for r in _rows(result)}


def _fold(items: list, entailed: set[tuple[str, str]], *, key: Callable[[Any], str],
          prop: Callable[[Any], str]) -> list:
    """``items`` without those whose property is a super-property of another item's with the same value."""
    by_key: dict[str, set[str]] = {}
    for item in items:
        by_key.setdefault(key(item), set()).add(prop(item))
    return [item for item in items
            if not any((other, prop(item)) in entailed for other in by_key[key(item)])]


def site_id_base(iri: str) -> str:
    """The ``.../id/`` part of one of our IRIs (the text up to and with the first ``/id/``)."""
    at = iri.find("/id/")
    return iri[:at + 4] if at >= 0 else iri


async def describe(sparql: Sparql, iri: str, lang: str) -> Description:
    """Read what an entity page shows about ``iri`` (a few SELECTs through the endpoint)."""
    s = _nt(iri)
    result = await sparql.select_json(f"""
SELECT ?p ?o ?cp ?co WHERE {{
  {s} ?p ?o .
  OPTIONAL {{ ?o ?cp ?co . FILTER(isIRI(?o) && STRSTARTS(STR(?o), {_lit(iri + "/")})) }}
}}""")
    outgoing: list[tuple[str, dict]] = []
    children: dict[str, list[tuple[str, dict]]] = {}
    seen = set()
    for row in _rows(result):
        key = (row["p"]["value"], json.dumps(row["o"], sort_keys=True))
        if key not in seen:
            seen.add(key)
            outgoing.append((row["p"]["value"], row["o"]))
        if "cp" in row:
            kids = children.setdefault(row["o"]["value"], [])
            if (row["cp"]["value"], row["co"]) not in kids:
                kids.append((row["cp"]["value"], row["co"]))

    result = await sparql.select_json(f"SELECT ?x ?p WHERE {{ ?x ?p {s} }} LIMIT {MAX_INCOMING + 1}")
    incoming = [(r["x"]["value"], r["p"]["value"]) for r in _rows(result)]
    truncated = len(incoming) > MAX_INCOMING
    incoming = incoming[:MAX_INCOMING]

    # A statement entailed by a more specific one (sk:occurredAt -> sem:hasPlace, sk:hasVictim ->
    # sk:hasParticipant) says nothing more: keep the most specific property only.
    entailed = await _subproperty_pairs(sparql, {p for p, _ in outgoing} | {p for _, p in incoming})
    pointed = {(p, o["value"]) for p, o in outgoing if o["type"] == "uri"}
    all_props = {p for p, _ in outgoing} | {p for _, p in incoming}
    outgoing = _fold(outgoing, entailed, key=lambda t: json.dumps(t[1], sort_keys=True), prop=lambda t: t[0])
    incoming = _fold(incoming, entailed, key=lambda t: t[0], prop=lambda t: t[1])

    # Facts that point at this IRI (events it takes part in, claims about it...), or state it (an
    # article); a fact's child node pointing here (<e1>/location sk:referencePlace) counts as the fact.
    roles: dict[str, set[str]] = {}
    for x, p in incoming:
        if p in (OA.hasBody, OA.hasSource, SK.statementSubject, SK.statementObject):
            continue
        roles.setdefault(x, set()).add(p)
        if "/" in x[len(site_id_base(x)):]:
            roles.setdefault(x.rsplit("/", 1)[0], set()).add(p)
    facts = await _facts(sparql, sorted(roles))
    for x, f in facts.items():
        f.roles = {r for r in roles[x] if not any((r2, r) in entailed for r2 in roles[x])}
    fact_list = sorted(facts.values(), key=lambda f: (f.begin or "9999", min(f.dates, default=""), f.iri))
    if len(fact_list) > MAX_FACTS:
        fact_list, truncated = fact_list[:MAX_FACTS], True

    result = await sparql.select_json(
        f"SELECT ?ann ?motivation ?source ?exact ?prefix ?suffix ?start WHERE {{ ?ann {_nt(OA.hasBody)} {s} . "
        f"{ANNOTATION_QUOTES} }} LIMIT 1000")
    own_quotes: list[Quote] = []
    mentions: list[Quote] = []
    for row in _rows(result):
        q = _quote(row)
        if q is None:
            continue
        is_mention = "/mention/" in row["ann"]["value"]
        (mentions if is_mention else own_quotes).append(q)
    mentions.sort(key=lambda q: (q.article or "", q.start or 0))
    own_quotes.sort(key=lambda q: (q.motivation != OA.describing, q.start or 0))

    inverses = await _inverse_pairs(sparql, all_props)
    relations = _without_inverse_duplicates(await _relations(sparql, iri, outgoing, incoming), iri, inverses)

    types = sorted(o["value"] for p, o in outgoing if p == RDF.type and o["type"] == "uri")
    specific = (await _most_specific_types(sparql, [iri])).get(iri)
    if specific:
        types = sorted(specific)

    wanted = {iri, *types, *(p for p, _ in outgoing), *(p for _, p in incoming), *(x for x, _ in incoming)}
    wanted |= {o["value"] for _, o in outgoing if o["type"] == "uri"}
    for kids in children.values():
        wanted |= {p for p, _ in kids} | {o["value"] for _, o in kids if o["type"] == "uri"}
    for f in fact_list:
        wanted |= f.types | f.places | f.articles | f.roles
    for r in relations:
        wanted |= {r.subject, r.predicate, r.object}
        for _, fact, _ in r.statements:
            if fact:
                wanted |= fact.articles
    wanted |= {q.article for q in own_quotes + mentions if q.article}
    labels = await fetch_labels(sparql, wanted, lang)
    return Description(iri, outgoing, children, incoming, types, fact_list, own_quotes, mentions,
                       relations, labels, inverses, pointed, truncated)


async def _relations(sparql: Sparql, iri: str, outgoing: list[tuple[str, dict]],
                     incoming: list[tuple[str, str]]) -> list[Relation]:
    s = _nt(iri)
    rels: dict[tuple[str, str, str], Relation] = {}
    for p, o in outgoing:
        if p in RELATION_IRIS and o["type"] == "uri":
            rels.setdefault((iri, p, o["value"]), Relation(iri, p, o["value"]))
    for x, p in incoming:
        if p in RELATION_IRIS:
            rels.setdefault((x, p, iri), Relation(x, p, iri))
    result = await sparql.select_json(f"""
SELECT ?st ?subj ?pred ?obj ?source WHERE {{
  {{ ?st {_nt(SK.statementSubject)} {s} }} UNION {{ ?st {_nt(SK.statementObject)} {s} }}
  ?st {_nt(SK.statementSubject)} ?subj ; {_nt(SK.statementPredicate)} ?pred ; {_nt(SK.statementObject)} ?obj .
  OPTIONAL {{ ?st {_nt(DCTERMS.source)} ?source }}
}} LIMIT {MAX_FACTS}""")
    rows = _rows(result)
    facts = await _facts(sparql, sorted({r["st"]["value"] for r in rows}))
    for row in rows:
        key = (row["subj"]["value"], row["pred"]["value"], row["obj"]["value"])
        rel = rels.setdefault(key, Relation(*key))
        node = row["st"]["value"]
        if all(node != n for n, _, _ in rel.statements):
            rel.statements.append((node, facts.get(node), _val(row, "source")))
    return sorted(rels.values(), key=lambda r: (r.subject != iri, r.predicate, r.subject, r.object))


async def _inverse_pairs(sparql: Sparql, props: Iterable[str]) -> set[tuple[str, str]]:
    """The pairs (p, q) among ``props`` where p is the inverse of q (both ways; (p, p) for a symmetric p)."""
    unique = sorted(set(props))
    if not unique:
        return set()
    inverse_of, symmetric = _nt(OWL.inverseOf), _nt(OWL.SymmetricProperty)
    result = await sparql.select_json(
        f"SELECT ?p ?q WHERE {{ {_values('p', unique)} {{ ?p {inverse_of} ?q }} UNION {{ ?q {inverse_of} ?p }} "
        f"UNION {{ ?p a {symmetric} . BIND(?p AS ?q) }} }}")
    pairs = {(r["p"]["value"], r["q"]["value"]) for r in _rows(result)}
    return pairs | {(q, p) for p, q in pairs}


def _without_inverse_duplicates(relations: list[Relation], iri: str, inverses: set[tuple[str, str]]) -> list[Relation]:
    """Drop an entailed relation that only restates another one backwards (Mali contains Gao, Gao locatedIn Mali)."""
    def restated(rel: Relation) -> bool:
        if rel.statements:
            return False
        for other in relations:
            if other is rel or (other.subject, other.object) != (rel.object, rel.subject):
                continue
            if (rel.predicate, other.predicate) not in inverses:
                continue
            # Keep the outward one of two entailed mirror images, and always the sourced one.
            if other.statements or rel.object == iri:
                return True
        return False
    return [rel for rel in relations if not restated(rel)]


def construct_description(iri: str) -> str:
    """The CONSTRUCT query of an IRI's machine-readable description.

    Its outgoing triples, its child nodes (``<iri>/time``...), its incoming triples, and its
    annotations with their targets and selectors.
    """
    s = _nt(iri)
    body, target, selector = _nt(OA.hasBody), _nt(OA.hasTarget), _nt(OA.hasSelector)
    return f"""CONSTRUCT {{
  {s} ?p ?o . ?c ?cp ?co . ?x ?q {s} . ?ann ?ap ?ao . ?t ?tp ?to . ?sel ?sp ?so .
}} WHERE {{
  {{ {s} ?p ?o }}
  UNION {{ {s} ?p0 ?c . ?c ?cp ?co . FILTER(isIRI(?c) && STRSTARTS(STR(?c), {_lit(iri + "/")})) }}
  UNION {{ ?x ?q {s} }}
  UNION {{ ?ann {body} {s} ; ?ap ?ao }}
  UNION {{ ?ann {body} {s} ; {target} ?t . ?t ?tp ?to }}
  UNION {{ ?ann {body} {s} ; {target} ?t . ?t {selector} ?sel . ?sel ?sp ?so }}
}}"""


# --- rendering ---------------------------------------------------------------------------------

@dataclass
class Site:
    """What the pages need to know: the base IRI and the prefixes for compact names."""

    base_iri: str = DEFAULT_BASE

    @property
    def id_base(self) -> str:
        return self.base_iri + "id/"

    @property
    def prefixes(self) -> dict[str, str]:
        return {"id": self.id_base, "graph": self.base_iri + "graph/", **PREFIXES}

    def local_path(self, iri: str) -> str | None:
        """The path of our own page for ``iri`` (``/id/...``), or None if it is not one of ours."""
        if iri.startswith(self.id_base) and len(iri) > len(self.id_base):
            return "/id/" + quote(iri[len(self.id_base):], safe="/:@!$&'()*+,;=-._~")
        return None

    def compact(self, iri: str) -> str:
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(best):
                best, name = ns, prefix
        return f"{name}:{iri[len(best):]}" if best else iri


def h(text: object) -> str:
    """Escape text for HTML (element content and quoted attributes)."""
    return escape(str(text), quote=True)


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1] or iri


class Renderer:
    """Turns a :class:`Description` into HTML; every piece of data goes through :func:`h`."""

    def __init__(self, site: Site, labels: dict[str, str], lang: str) -> None:
        self.site, self.labels, self.lang = site, labels, lang

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or _local_name(iri)

    def link(self, iri: str, text: str | None = None, *, cls: str = "") -> str:
        """A link to our page for one of our IRIs, to the IRI itself for an http(s) IRI, else text."""
        shown = h(text if text is not None else self.label(iri))
        klass = f' class="{h(cls)}"' if cls else ""
        local = self.site.local_path(iri)
        if local:
            return f'<a{klass} href="{h(self.href(local))}" title="{h(iri)}">{shown}</a>'
        if iri.startswith(("http://", "https://")):
            return f'<a{klass} href="{h(iri)}" title="{h(iri)}" rel="nofollow">{shown}</a>'
        return f'<span{klass} title="{h(iri)}">{shown}</span>'

    def href(self, path: str) -> str:
        return path + ("?lang=" + self.lang if self.lang != DEFAULT_LANGUAGE else "")

    def term(self, term: dict, children: dict[str, list[tuple[str, dict]]] | None = None) -> str:
        kind, value = term["type"], term["value"]
        if kind == "uri":
            out = self.link(value) + f' <span class="iri">{h(self.site.compact(value))}</span>'
            if children and value in children:
                # A child node's types (sk:TimeSpec...) are implied by the property that leads to it.
                out += self.properties([(p, o) for p, o in children[value] if p != RDF.type], css="nested")
            return out
        if kind == "bnode":
            return f'<span class="bnode">_:{h(value)}</span>'
        out = f'<span class="literal">{h(value)}</span>'
        if term.get("xml:lang"):
            out += f' <span class="tag">@{h(term["xml:lang"])}</span>'
        elif term.get("datatype"):
            out += f' <span class="tag">{h(self.site.compact(term["datatype"]))}</span>'
        return out

    def properties(self, pairs: list[tuple[str, dict]], *, css: str = "props",
                   children: dict[str, list[tuple[str, dict]]] | None = None) -> str:
        groups: dict[str, list[dict]] = {}
        for prop, term in pairs:
            groups.setdefault(prop, []).append(term)
        rows = []
        for prop, terms in groups.items():
            if len(terms) > 3 and all(t["type"] == "uri" and not (children and t["value"] in children) for t in terms):
                # Many links (an article's mentions): one line, by label.
                cell = " · ".join(self.link(t["value"]) for t in sorted(terms, key=lambda t: self.label(t["value"]).lower()))
            else:
                cell = "".join(f"<div>{self.term(t, children)}</div>" for t in terms)
            rows.append(f'<tr><th title="{h(prop)}">{h(self.label(prop))}</th><td>{cell}</td></tr>')
        return f'<table class="{css}">' + "".join(rows) + "</table>"

    def quote(self, q: Quote, *, with_article: bool = True) -> str:
        article = ""
        if with_article and q.article:
            article = f'<span class="source">— {self.link(q.article)}</span>'
        return (f'<blockquote class="quote"><span class="ctx">…{h(q.prefix)}</span>'
                f'<mark>{h(q.exact)}</mark><span class="ctx">{h(q.suffix)}…</span> {article}</blockquote>')

    def fact_rows(self, facts: list[Fact], *, with_role: bool, with_article: bool = True) -> str:
        head = ("<tr><th>Date</th><th>What</th>" + ("<th>Role</th>" if with_role else "")
                + "<th>Place</th><th>Source and quote</th></tr>")
        rows = []
        for f in facts:
            types = ", ".join(self.link_class(t) for t in sorted(f.types))
            roles = ", ".join(h(self.label(r)) for r in sorted(f.roles))
            places = ", ".join(self.link(p) for p in sorted(f.places))
            date = h(" / ".join(sorted(f.dates)))
            quotes = "".join(self.quote(q, with_article=with_article) for q in f.quotes) or "".join(
                f'<div class="source">{self.link(a)}</div>' for a in sorted(f.articles))
            rows.append(
                f'<tr><td class="date">{date}</td><td>{self.link(f.iri)}<div class="types">{types}</div></td>'
                + (f"<td>{roles}</td>" if with_role else "")
                + f"<td>{places}</td><td>{quotes}</td></tr>")
        return f'<table class="facts">{head}{"".join(rows)}</table>'

    def link_class(self, iri: str) -> str:
        return f'<span class="type" title="{h(iri)}">{h(self.label(iri))}</span>'


def _page(title: str, body: str, *, lang: str, path: str, alternates: str = "", status: int = 200,
          extra_head: str = "") -> HTMLResponse:
    switch = " · ".join(
        f'<a href="{h(path)}?lang={code}"{" class=current" if code == lang else ""}>{code.upper()}</a>'
        for code in LANGUAGES)
    html = f"""<!doctype html>
<html lang="{h(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{h(title)} · sahelkg</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/site.css">
{extra_head}
</head>
<body>
<header class="top"><a class="brand" href="/">sahelkg</a>
<span class="tagline">knowledge graph of the armed conflict in the Sahel</span>
<nav><a href="/">query</a> <span class="langs">{switch}</span></nav></header>
<main>
{body}
</main>
<footer>sahelkg {h(__version__)}{alternates}</footer>
</body>
</html>"""
    return HTMLResponse(html, status_code=status, headers={"Vary": "Accept, Accept-Language"})


def render_entity(site: Site, d: Description, lang: str, path: str) -> HTMLResponse:
    """The HTML page of one resource."""
    r = Renderer(site, d.labels, lang)
    title = r.label(d.iri)
    parts = []
    types = " ".join(r.link_class(t) for t in d.types)
    parts.append(f'<h1>{h(title)}</h1><p class="subject"><code>{h(d.iri)}</code> {types}</p>')

    descriptions = [o for o in d.literals(DCTERMS.description) + d.literals(SKOS.note)]
    if descriptions:
        chosen = pick_label([(o["value"], o.get("xml:lang", "")) for o in descriptions], lang)
        parts.append(f'<p class="description">{h(chosen)}</p>')

    facts_dl = []
    labels = d.literals(RDFS.label) + d.literals(SKOS.prefLabel)
    by_lang: dict[str, list[str]] = {}
    for o in labels:
        values = by_lang.setdefault(o.get("xml:lang", ""), [])
        if o["value"] not in values:
            values.append(o["value"])
    if by_lang:
        facts_dl.append(("Labels", "; ".join(
            f'{h(", ".join(v))} <span class="tag">{h(t or "—")}</span>' for t, v in sorted(by_lang.items()))))
    aliases: dict[str, list[str]] = {}
    for o in d.literals(SKOS.altLabel):
        aliases.setdefault(o.get("xml:lang", ""), []).append(o["value"])
    if aliases:
        facts_dl.append(("Aliases", "<br>".join(
            f'<span class="tag">{h(t or "—")}</span> {h(", ".join(sorted(v)))}'
            for t, v in sorted(aliases.items(), key=lambda kv: (kv[0] != lang, kv[0])))))
    lat, lon = d.literals(SK.latitude), d.literals(SK.longitude)
    coords = None
    if lat and lon:
        try:
            coords = (float(lat[0]["value"]), float(lon[0]["value"]))
        except ValueError:
            coords = None
        facts_dl.append(("Coordinates", f'<span class="coords">{h(lat[0]["value"])}, {h(lon[0]["value"])}</span>'))
    if facts_dl:
        parts.append('<dl class="summary">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts_dl) + "</dl>")
    if coords:
        points = [{"lat": coords[0], "long": coords[1], "label": title, "count": 1}]
        parts.append(f'<div class="minimap" data-points="{h(json.dumps(points))}"></div>')

    describing = [q for q in d.own_quotes if q.motivation != OA.identifying]
    triggers = [q for q in d.own_quotes if q.motivation == OA.identifying]
    if describing or triggers:
        parts.append("<section><h2>Quote</h2>" + "".join(r.quote(q) for q in describing)
                     + ("".join(f'<p class="trigger">Trigger: <mark>{h(q.exact)}</mark></p>' for q in triggers))
                     + "</section>")

    events = [f for f in d.facts if f.is_event and SK.sourceArticle not in f.roles]
    stated = [f for f in d.facts if SK.sourceArticle in f.roles]
    others = [f for f in d.facts if not f.is_event and SK.sourceArticle not in f.roles]
    if events:
        parts.append(f"<section><h2>Events ({len(events)})</h2>{r.fact_rows(events, with_role=True)}</section>")
    sourced = [rel for rel in d.relations if rel.statements]
    entailed = [rel for rel in d.relations if not rel.statements]
    if sourced or entailed:
        parts.append(f"<section><h2>Relations ({len(d.relations)})</h2>")
    if sourced:
        rows = []
        for rel in sourced:
            sources = []
            for node, fact, source in rel.statements:
                if fact and fact.quotes:
                    sources += [r.quote(q) for q in fact.quotes]
                elif fact:
                    sources += [f'<div class="source">{r.link(a)}</div>' for a in sorted(fact.articles)]
                elif source:
                    sources.append(f'<div class="source">{h(source)}</div>')
                else:
                    sources.append(f'<div class="source">{r.link(node, "statement")}</div>')
            date = " / ".join(sorted({x for _, fact, _ in rel.statements if fact for x in fact.dates}))
            rows.append(f"<tr><td>{r.link(rel.subject)}</td><td>{h(r.label(rel.predicate))}</td>"
                        f"<td>{r.link(rel.object)}</td><td class=date>{h(date)}</td><td>{''.join(sources)}</td></tr>")
        parts.append("<table class=facts>"
                     "<tr><th>Subject</th><th>Relation</th><th>Object</th><th>Date</th><th>Source and quote</th></tr>"
                     + "".join(rows) + "</table>")
    if entailed:
        groups: dict[tuple[bool, str], list[str]] = {}
        for rel in entailed:
            outward = rel.subject == d.iri
            groups.setdefault((outward, rel.predicate), []).append(rel.object if outward else rel.subject)
        items = []
        for (outward, pred), others_ in sorted(groups.items(), key=lambda kv: (not kv[0][0], r.label(kv[0][1]))):
            links = " · ".join(r.link(o) for o in sorted(others_, key=r.label))
            if outward:
                items.append(f"<dt>{h(r.label(pred))}</dt><dd>{links}</dd>")
            else:
                items.append(f'<dt title="these resources {h(r.label(pred))} this one">'
                             f"{h(r.label(pred))} this</dt><dd>{links}</dd>")
        parts.append('<p class="note">Entailed by the ontology (inverse, transitive and symmetric '
                     'properties), with no statement of their own:</p>'
                     f'<dl class="summary entailed">{"".join(items)}</dl>')
    if sourced or entailed:
        parts.append("</section>")
    if others:
        parts.append(f"<section><h2>Claims, observations and statements ({len(others)})</h2>"
                     f"{r.fact_rows(others, with_role=True)}</section>")
    if d.literals(SK.text) and d.iri.startswith(site.id_base + "article/"):
        view = "/article/" + quote(d.iri[len(site.id_base + "article/"):], safe="")
        parts.append(f'<p class="article-view"><a href="{h(r.href(view))}">Read the text with its annotations highlighted</a></p>')
    if stated:
        parts.append(f"<section><h2>Facts stated in this article ({len(stated)})</h2>"
                     f"{r.fact_rows(stated, with_role=False, with_article=False)}</section>")

    listed = {f.iri for f in d.facts} | {n for rel in d.relations for n, _, _ in rel.statements}
    shown = {(rel.predicate, rel.object) for rel in d.relations if rel.subject == d.iri}
    rest = [(p, o) for p, o in d.outgoing
            if p not in HEADER_PROPERTIES and (p, o["value"]) not in shown and o["value"] not in listed
            and p not in RELATION_IRIS]
    rest.sort(key=lambda po: (STATEMENT_ORDER.get(po[0], len(STATEMENT_ORDER)), r.label(po[0]).lower()))
    if rest:
        parts.append(f"<section><h2>Statements</h2>{r.properties(rest, children=d.children)}</section>")
    referrers = [(x, p) for x, p in d.incoming
                 if x not in listed and x.rsplit("/", 1)[0] not in listed and p not in (OA.hasBody, OA.hasSource)
                 and p not in RELATION_IRIS and p not in (SK.statementSubject, SK.statementObject)
                 and not any((p, q) in d.inverses for q, o in d.pointed if o == x)]
    mentioned_in = sorted({x for x, p in referrers if p == SK.mentions})
    referrers = [(x, p) for x, p in referrers if p != SK.mentions]
    if mentioned_in or d.mentions:
        items = []
        by_article: dict[str, list[Quote]] = {}
        for q in d.mentions:
            by_article.setdefault(q.article or "", []).append(q)
        for art in sorted(set(mentioned_in) | set(by_article) - {""}):
            quotes = "".join(f'<li>{r.quote(q, with_article=False)}</li>' for q in by_article.get(art, [])[:20])
            items.append(f"<li>{r.link(art)}<ul class=mentions>{quotes}</ul></li>")
        count = f"{len(items)} article" + ("s" if len(items) != 1 else "")
        parts.append(f"<section><h2>Mentioned in ({count})</h2><ul>{''.join(items)}</ul></section>")
    if referrers:
        cells = "".join(f"<tr><td>{r.link(x)}</td><td>{h(r.label(p))}</td></tr>" for x, p in referrers[:500])
        parts.append("<section><h2>Referenced by</h2><table class=facts><tr><th>Resource</th><th>Property</th></tr>"
                     f"{cells}</table></section>")
    if d.truncated:
        parts.append('<p class="note">This resource has many statements; the page shows the first ones. '
                     "The SPARQL endpoint has them all.</p>")

    links = " · ".join(
        f'<a href="{h(path)}?format={name}" type="{h(media)}">{label}</a>'
        for name, label, media in (("turtle", "Turtle", "text/turtle"), ("jsonld", "JSON-LD", "application/ld+json"),
                                   ("ntriples", "N-Triples", "application/n-triples"),
                                   ("rdfxml", "RDF/XML", "application/rdf+xml")))
    alternates = f' · this resource as {links}'
    head = "".join(
        f'<link rel="alternate" type="{media}" href="{h(path)}?format={name}">'
        for name, (media, _, _) in RDF_FORMATS.items())
    if coords:
        head += '<script src="/static/map.js" defer></script><script src="/static/entity.js" defer></script>'
    return _page(title, "\n".join(parts), lang=lang, path=path, alternates=alternates, extra_head=head)


async def render_not_found(sparql: Sparql, site: Site, iri: str, lang: str, path: str) -> HTMLResponse:
    """A 404 page that says what was asked and suggests resources with a similar name."""
    tail = iri[len(site.id_base):].rsplit("/", 1)[-1].lower()
    suggestions: list[str] = []
    if tail:
        result = await sparql.select_json(
            f"SELECT DISTINCT ?s WHERE {{ ?s {_nt(RDFS.label)} ?l . "
            f"FILTER(STRSTARTS(STR(?s), {_lit(site.id_base)}) && CONTAINS(LCASE(STR(?s)), {_lit(tail[:40])})) }} "
            "ORDER BY ?s LIMIT 10")
        suggestions = [row["s"]["value"] for row in _rows(result)]
    labels = await fetch_labels(sparql, suggestions, lang)
    r = Renderer(site, labels, lang)
    items = "".join(f"<li>{r.link(s)} <span class=iri>{h(site.compact(s))}</span></li>" for s in suggestions)
    body = (f"<h1>Not found</h1><p>The graph has no statement about <code>{h(iri)}</code>.</p>"
            + (f"<p>Resources with a similar name:</p><ul>{items}</ul>" if items else "")
            + '<p>Entity IRIs look like <code>id/gao</code> (registry entities), <code>id/&lt;article&gt;/e1</code> '
            '(events, relations <code>r1</code>, claims <code>c1</code>, observations <code>o1</code>) and '
            '<code>id/article/&lt;article&gt;</code>. Search by label on the <a href="/">query page</a>.</p>')
    return _page("Not found", body, lang=lang, path=path, status=404)


# --- routes ------------------------------------------------------------------------------------

def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def web_routes(queries_dir: Path, *, base_iri: str = DEFAULT_BASE) -> list[BaseRoute]:
    """The routes of the entity pages, the query page, the named-query API and the static assets.

    :param queries_dir: the folder of named queries (``queries/``).
    :param base_iri: the base of the graph's IRIs; ``/id/X`` on this server is ``<base_iri>id/X``.
    """
    site = Site(base_iri)
    queries_dir = Path(queries_dir)

    async def entity(request: Request) -> Response:
        path = request.path_params["path"]
        page_path = request.url.path
        lang = choose_language(request)
        asked = request.query_params.get("format", "").lower()
        if asked:
            rep = FORMAT_ALIASES.get(asked)
            if rep is None:
                return Response(f"unknown format {asked!r}; use one of html, turtle, jsonld, ntriples, rdfxml\n",
                                status_code=400, media_type="text/plain")
        else:
            chosen = negotiate(request.headers.get("accept", "*/*"), ENTITY_FORMATS)
            rep = chosen.name if chosen else None
            if rep is None:
                offered = ", ".join(f.media_type for f in ENTITY_FORMATS)
                return Response(f"Not Acceptable: this resource is available as {offered}\n",
                                status_code=406, media_type="text/plain", headers={"Vary": "Accept"})
        try:
            iri = str(pyoxigraph.NamedNode(site.id_base + path))
            iri = iri[1:-1]
        except ValueError:
            iri = None
        sparql = request.app.state.sparql
        if rep == "html":
            if iri is None:
                return _page("Not found", f"<h1>Not found</h1><p><code>{h(site.id_base + path)}</code> is not an IRI.</p>",
                             lang=lang, path=page_path, status=404)
            d = await describe(sparql, iri, lang)
            if not d.exists:
                return await render_not_found(sparql, site, iri, lang, page_path)
            return render_entity(site, d, lang, page_path)
        media, fmt, _ = RDF_FORMATS[rep]
        if iri is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        probe = await sparql.select_json(
            f"SELECT ?x WHERE {{ {{ {_nt(iri)} ?p ?x }} UNION {{ ?x ?p {_nt(iri)} }} }} LIMIT 1")
        if not _rows(probe):
            return Response(f"The graph has no statement about <{iri}>.\n", status_code=404,
                            media_type="text/plain", headers={"Vary": "Accept"})
        content_type, body = await sparql.query(construct_description(iri), result_format=fmt)
        return Response(body, media_type=content_type or media, headers={"Vary": "Accept"})

    async def index(request: Request) -> Response:
        config = {
            "base": base_iri, "idBase": site.id_base, "prefixes": site.prefixes,
            "languages": list(LANGUAGES), "lang": choose_language(request),
            "terms": {ns_prefix: sorted(ns.terms) for ns_prefix, ns in _namespaces().items()},
            "eventsQuery": events_query(),
        }
        html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        # The config is JSON inside a <script> element: '<' is escaped so data can never close it.
        config_json = json.dumps(config).replace("<", "\\u003c")
        return HTMLResponse(html.replace("{{config}}", config_json).replace("{{version}}", h(__version__)))

    async def api_queries(request: Request) -> Response:
        return JSONResponse({"queries": [_query_json(q) for q in list_queries(queries_dir)]})

    async def api_run(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                raise UsageError(name)
            query = find_query(queries_dir, name)
        except UsageError:
            # Not find_query's message: it names the server's folder, which is none of a visitor's business.
            known = ", ".join(q.name for q in list_queries(queries_dir))
            return _json_error(404, f"no query named {name!r}; known queries: {known}")
        given = {k: v for k, v in request.query_params.items() if k not in ("lang", "format")}
        lang = request.query_params.get("lang")
        fmt_name = request.query_params.get("format", "").lower()
        try:
            text, terms = bind_named_query(query, given, lang or None)
        except UsageError as e:
            return _json_error(400, str(e))
        sparql = request.app.state.sparql
        client = request.client.host if request.client else None  # a named query counts for its client
        form = query_form(text)
        if fmt_name:
            if fmt_name not in RESULT_FORMATS:
                return _json_error(400, f"unknown format {fmt_name!r}; use one of {', '.join(RESULT_FORMATS)}")
            fmt, ext = RESULT_FORMATS[fmt_name]
            try:
                content_type, body = await sparql.query(text, result_format=fmt, client=client)
            except SahelKGError as e:
                return _json_error(getattr(e, "status", 400), str(e))
            return Response(body, media_type=content_type,
                            headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})
        meta = {"name": query.name, "params": {k: v for k, v in terms.items()}, "text": text, "form": form}
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                content_type, body = await sparql.query(text, result_format="ntriples", client=client)
                return JSONResponse({"query": meta, "ntriples": body.decode("utf-8")})
            content_type, body = await sparql.query(text, result_format="json", client=client)
        except SahelKGError as e:
            # The endpoint's errors carry their HTTP status (400 malformed, 504 timeout...).
            return _json_error(getattr(e, "status", 400), str(e))
        result = json.loads(body)
        result["query"] = meta
        return JSONResponse(result)

    async def api_labels(request: Request) -> Response:
        try:
            data = await request.json()
        except ValueError:
            return _json_error(400, "send a JSON object {\"iris\": [...], \"lang\": \"en\"}")
        if not isinstance(data, dict) or not isinstance(data.get("iris"), list):
            return _json_error(400, "send a JSON object {\"iris\": [...], \"lang\": \"en\"}")
        lang = str(data["lang"]) if data.get("lang") in LANGUAGES else DEFAULT_LANGUAGE
        iris = []
        for value in data["iris"][:MAX_LABEL_IRIS]:
            if isinstance(value, str):
                try:
                    pyoxigraph.NamedNode(value)
                    iris.append(value)
                except ValueError:
                    continue
        labels = await fetch_labels(request.app.state.sparql, iris, lang)
        return JSONResponse({"lang": lang, "labels": labels})

    search_index: dict[tuple[str, int], Any] = {}  # the entity names of the current store generation

    async def api_search(request: Request) -> Response:
        """``/api/search?q=TEXT&type=CLASS&lang=en|fr&limit=N``: entities by name (sahelkg.search)."""
        from sahelkg.search import NameIndex, index_queries

        params = request.query_params
        text = params.get("q", "").strip()
        if not text:
            return _json_error(400, "give the name to look for as q=TEXT")
        lang = params.get("lang") or None
        if lang is not None and lang not in LANGUAGES:
            return _json_error(400, f"lang: use one of {', '.join(LANGUAGES)}")
        try:
            limit = int(params.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return _json_error(400, "limit: a whole number from 1 to 100")
        sparql = request.app.state.sparql
        # the names are read once per store generation (and after each write), as the VoID counts are
        key = (generation(sparql.config.store_path), getattr(sparql, "_writes", 0))
        index = search_index.get(key)
        if index is None:
            try:
                results = [await sparql.select_json(q) for q in index_queries(site.id_base)]
            except SahelKGError as e:
                return _json_error(getattr(e, "status", 400), str(e))
            index = NameIndex.from_json_results(*results, id_base=site.id_base, graph_base=base_iri + "graph/")
            search_index.clear()
            search_index[key] = index
        hits = index.search(text, type_=params.get("type") or None, lang=lang, limit=limit)
        return JSONResponse({"q": text, "type": params.get("type") or None, "lang": lang,
                             "results": [hit.as_json() for hit in hits]})

    async def id_root(request: Request) -> Response:
        lang = choose_language(request)
        return await render_not_found(request.app.state.sparql, site, site.id_base, lang, request.url.path)

    async def article(request: Request) -> Response:
        from sahelkg.serving.web.article_view import article_page

        return await article_page(request, site, request.path_params["article_id"])

    return [
        Route("/", index, methods=["GET", "HEAD"], name="web-index"),
        Route("/article/{article_id}", article, methods=["GET", "HEAD"], name="article"),
        Route("/id/", id_root, methods=["GET", "HEAD"]),
        Route("/id/{path:path}", entity, methods=["GET", "HEAD"], name="entity"),
        Route("/api/queries", api_queries, methods=["GET", "HEAD"]),
        Route("/api/queries/{name}", api_run, methods=["GET", "HEAD"]),
        Route("/api/labels", api_labels, methods=["POST"]),
        Route("/api/search", api_search, methods=["GET", "HEAD"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def _query_json(q: NamedQuery) -> dict:
    return {
        "name": q.name, "summary": q.summary, "description": q.description,
        "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                   for p in q.params],
        "query": q.text, "form": query_form(q.text),
    }


def _namespaces() -> dict[str, Namespace]:
    spaces = {}
    for prefix, iri in PREFIXES.items():
        for obj in vars(vocab).values():
            if isinstance(obj, Namespace) and obj.base == iri:
                spaces[prefix] = obj
    return spaces


def events_query() -> str:
    """The query behind the page's "Events: timeline and map" button."""
    return (
        f"PREFIX sk: <{SK.base}>\nPREFIX rdfs: <{RDFS.base}>\n"
        + """
# Every dated event, with its most specific type, its place and the place's coordinates.
SELECT DISTINCT ?event ?type ?date ?begin ?place ?lat ?long WHERE {
  ?event a ?type . ?type rdfs:subClassOf* sk:Event .
  FILTER NOT EXISTS { ?event a ?sub . ?sub rdfs:subClassOf ?type . FILTER(?sub != ?type) }
  ?event sk:hasTime ?time . ?time sk:isoDate ?date .
  OPTIONAL { ?time sk:beginDate ?begin }
  OPTIONAL { ?event sk:occurredAt ?place .
             OPTIONAL { ?place sk:latitude ?lat ; sk:longitude ?long } }
}
ORDER BY ?begin ?event
"""
    )


__all__ = [
    "web_routes", "inject_values", "bind_named_query", "choose_language", "describe",
    "construct_description", "fetch_labels", "pick_label", "query_form", "STATIC_DIR",
]
