"""What a page shows, read from the graph: an entity's description, labels, facts, relations and quotes.

Every read goes through the endpoint's worker pool (``request.app.state.sparql``: its ``select_json``
and ``query``), with its timeouts and limits, never the store directly; the values in the queries
are N-Triples terms written by pyoxigraph (:func:`nt`, :func:`lit`), never pasted text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph

import sahelkg.vocab as vocab
from sahelkg.serving.web.negotiation import DEFAULT_LANGUAGE
from sahelkg.vocab import DCTERMS, EVENT_CLASSES, OA, OWL, RDF, RDFS, SK, SKOS

MAX_FACTS = 500       # facts listed on one entity page
MAX_INCOMING = 2000   # incoming triples read for one entity page
EVENT_CLASS_IRIS = frozenset(SK.term(c) for c in EVENT_CLASSES)
RELATION_IRIS = frozenset(SK.term(p) for p in vocab.RELATION_PROPERTIES)

Sparql = Any  # the endpoint's app.state.sparql: async query(...) and select_json(...)


def nt(iri: str) -> str:
    """``iri`` as an N-Triples term (``<...>``), for a query."""
    return str(pyoxigraph.NamedNode(iri))


def lit(value: str) -> str:
    """``value`` as an escaped string literal, for a query."""
    return str(pyoxigraph.Literal(value))


def values_block(var: str, iris: Iterable[str]) -> str:
    """A ``VALUES ?var { ... }`` block of ``iris``."""
    return f"VALUES ?{var} {{ " + " ".join(nt(i) for i in iris) + " }"


def bindings(result: dict) -> list[dict[str, dict]]:
    """The rows of a SPARQL JSON result."""
    return result.get("results", {}).get("bindings", [])


def cell(row: dict, name: str) -> str | None:
    """The value of ``name`` in a SPARQL JSON row, or None when unbound."""
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
            f"SELECT ?s ?l WHERE {{ {values_block('s', chunk)} "
            f"{{ ?s {nt(RDFS.label)} ?l }} UNION {{ ?s {nt(SKOS.prefLabel)} ?l }} }}"
        )
        for row in bindings(result):
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
  ?ann {nt(OA.hasTarget)} ?target .
  OPTIONAL {{ ?ann {nt(OA.motivatedBy)} ?motivation }}
  OPTIONAL {{ ?target {nt(OA.hasSource)} ?source }}
  OPTIONAL {{ ?target {nt(OA.hasSelector)} ?sel . ?sel {nt(OA.exact)} ?exact .
             OPTIONAL {{ ?sel {nt(OA.prefix)} ?prefix }} OPTIONAL {{ ?sel {nt(OA.suffix)} ?suffix }} }}
  OPTIONAL {{ ?target {nt(OA.hasSelector)} ?pos . ?pos {nt(OA.start)} ?start }}
"""


def _quote(row: dict) -> Quote | None:
    exact = cell(row, "exact")
    if exact is None:
        return None
    start = cell(row, "start")
    return Quote(exact, cell(row, "prefix") or "", cell(row, "suffix") or "", cell(row, "source"),
                 cell(row, "motivation"), int(start) if start and start.isdigit() else None)


async def most_specific_types(sparql: Sparql, iris: Iterable[str]) -> dict[str, set[str]]:
    """The most specific asserted or inferred classes of each IRI (not owl:Thing, owl:NamedIndividual)."""
    unique = sorted(set(iris))
    types: dict[str, set[str]] = {}
    for start in range(0, len(unique), 400):
        chunk = unique[start:start + 400]
        result = await sparql.select_json(
            f"SELECT ?s ?type WHERE {{ {values_block('s', chunk)} ?s a ?type . "
            f"FILTER(?type != {nt(OWL.NamedIndividual)} && ?type != {nt(OWL.Thing)}) "
            f"FILTER NOT EXISTS {{ ?s a ?sub . ?sub {nt(RDFS.subClassOf)} ?type . FILTER(?sub != ?type) }} }}"
        )
        for row in bindings(result):
            types.setdefault(row["s"]["value"], set()).add(row["type"]["value"])
    return types


async def _facts(sparql: Sparql, iris: list[str]) -> dict[str, Fact]:
    """Date, place, article, types and quote of each fact node in ``iris``."""
    facts: dict[str, Fact] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        result = await sparql.select_json(f"""
SELECT ?f ?article ?iso ?begin ?place ?motivation ?source ?exact ?prefix ?suffix ?start WHERE {{
  {values_block('f', chunk)}
  ?f {nt(SK.sourceArticle)} ?article ; {nt(SK.annotationId)} ?annotationId .
  OPTIONAL {{ ?f {nt(SK.hasTime)} ?time .
             OPTIONAL {{ ?time {nt(SK.isoDate)} ?iso }} OPTIONAL {{ ?time {nt(SK.beginDate)} ?begin }} }}
  OPTIONAL {{ ?f {nt(SK.occurredAt)} ?place }}
  OPTIONAL {{ ?ann {nt(OA.hasBody)} ?f ; {nt(OA.motivatedBy)} {nt(OA.describing)} . {ANNOTATION_QUOTES} }}
}}""")
        for row in bindings(result):
            f = facts.setdefault(row["f"]["value"], Fact(row["f"]["value"]))
            f.articles.add(row["article"]["value"])
            if (iso := cell(row, "iso")):
                f.dates.add(iso)
            if (begin := cell(row, "begin")) and (not f.begin or begin < f.begin):
                f.begin = begin
            if (place := cell(row, "place")):
                f.places.add(place)
            q = _quote(row)
            if q and all(q.exact != o.exact or q.article != o.article for o in f.quotes):
                f.quotes.append(q)
    for iri, types in (await most_specific_types(sparql, facts)).items():
        facts[iri].types = types
    return facts


async def _subproperty_pairs(sparql: Sparql, props: Iterable[str]) -> set[tuple[str, str]]:
    """The pairs (sub, super) among ``props`` where sub is a sub-property of super (per the ontology)."""
    unique = sorted(set(props))
    if len(unique) < 2:
        return set()
    result = await sparql.select_json(
        f"SELECT ?sub ?super WHERE {{ {values_block('sub', unique)} {values_block('super', unique)} "
        f"?sub {nt(RDFS.subPropertyOf)}+ ?super . FILTER(?sub != ?super) }}")
    return {(r["sub"]["value"], r["super"]["value"]) for r in bindings(result)}


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
    s = nt(iri)
    result = await sparql.select_json(f"""
SELECT ?p ?o ?cp ?co WHERE {{
  {s} ?p ?o .
  OPTIONAL {{ ?o ?cp ?co . FILTER(isIRI(?o) && STRSTARTS(STR(?o), {lit(iri + "/")})) }}
}}""")
    outgoing: list[tuple[str, dict]] = []
    children: dict[str, list[tuple[str, dict]]] = {}
    seen = set()
    for row in bindings(result):
        key = (row["p"]["value"], json.dumps(row["o"], sort_keys=True))
        if key not in seen:
            seen.add(key)
            outgoing.append((row["p"]["value"], row["o"]))
        if "cp" in row:
            kids = children.setdefault(row["o"]["value"], [])
            if (row["cp"]["value"], row["co"]) not in kids:
                kids.append((row["cp"]["value"], row["co"]))

    result = await sparql.select_json(f"SELECT ?x ?p WHERE {{ ?x ?p {s} }} LIMIT {MAX_INCOMING + 1}")
    incoming = [(r["x"]["value"], r["p"]["value"]) for r in bindings(result)]
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
        f"SELECT ?ann ?motivation ?source ?exact ?prefix ?suffix ?start WHERE {{ ?ann {nt(OA.hasBody)} {s} . "
        f"{ANNOTATION_QUOTES} }} LIMIT 1000")
    own_quotes: list[Quote] = []
    mentions: list[Quote] = []
    for row in bindings(result):
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
    specific = (await most_specific_types(sparql, [iri])).get(iri)
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
    s = nt(iri)
    rels: dict[tuple[str, str, str], Relation] = {}
    for p, o in outgoing:
        if p in RELATION_IRIS and o["type"] == "uri":
            rels.setdefault((iri, p, o["value"]), Relation(iri, p, o["value"]))
    for x, p in incoming:
        if p in RELATION_IRIS:
            rels.setdefault((x, p, iri), Relation(x, p, iri))
    result = await sparql.select_json(f"""
SELECT ?st ?subj ?pred ?obj ?source WHERE {{
  {{ ?st {nt(SK.statementSubject)} {s} }} UNION {{ ?st {nt(SK.statementObject)} {s} }}
  ?st {nt(SK.statementSubject)} ?subj ; {nt(SK.statementPredicate)} ?pred ; {nt(SK.statementObject)} ?obj .
  OPTIONAL {{ ?st {nt(DCTERMS.source)} ?source }}
}} LIMIT {MAX_FACTS}""")
    rows = bindings(result)
    facts = await _facts(sparql, sorted({r["st"]["value"] for r in rows}))
    for row in rows:
        key = (row["subj"]["value"], row["pred"]["value"], row["obj"]["value"])
        rel = rels.setdefault(key, Relation(*key))
        node = row["st"]["value"]
        if all(node != n for n, _, _ in rel.statements):
            rel.statements.append((node, facts.get(node), cell(row, "source")))
    return sorted(rels.values(), key=lambda r: (r.subject != iri, r.predicate, r.subject, r.object))


async def _inverse_pairs(sparql: Sparql, props: Iterable[str]) -> set[tuple[str, str]]:
    """The pairs (p, q) among ``props`` where p is the inverse of q (both ways; (p, p) for a symmetric p)."""
    unique = sorted(set(props))
    if not unique:
        return set()
    inverse_of, symmetric = nt(OWL.inverseOf), nt(OWL.SymmetricProperty)
    result = await sparql.select_json(
        f"SELECT ?p ?q WHERE {{ {values_block('p', unique)} {{ ?p {inverse_of} ?q }} UNION {{ ?q {inverse_of} ?p }} "
        f"UNION {{ ?p a {symmetric} . BIND(?p AS ?q) }} }}")
    pairs = {(r["p"]["value"], r["q"]["value"]) for r in bindings(result)}
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
    s = nt(iri)
    body, target, selector = nt(OA.hasBody), nt(OA.hasTarget), nt(OA.hasSelector)
    return f"""CONSTRUCT {{
  {s} ?p ?o . ?c ?cp ?co . ?x ?q {s} . ?ann ?ap ?ao . ?t ?tp ?to . ?sel ?sp ?so .
}} WHERE {{
  {{ {s} ?p ?o }}
  UNION {{ {s} ?p0 ?c . ?c ?cp ?co . FILTER(isIRI(?c) && STRSTARTS(STR(?c), {lit(iri + "/")})) }}
  UNION {{ ?x ?q {s} }}
  UNION {{ ?ann {body} {s} ; ?ap ?ao }}
  UNION {{ ?ann {body} {s} ; {target} ?t . ?t ?tp ?to }}
  UNION {{ ?ann {body} {s} ; {target} ?t . ?t {selector} ?sel . ?sel ?sp ?so }}
}}"""
