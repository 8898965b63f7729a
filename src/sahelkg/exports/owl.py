"""One OWL 2 DL file in RDF/XML for Protégé: the ontology and every individual, offline.

Protégé reads no named graphs, so the export *flattens* them: the ontology graph (the TBox,
as built from ``ontology/sahelkg.ttl``), then the registry and every article graph (the ABox:
registry entities, article-local entities, events, relation statements, claims, observations,
articles, their time, count and location nodes, the ``oa:Annotation``\\ s, targets and quote
and position selectors), each triple once. The inferred graphs are left out: they hold only
entailments (superclass types, inverses, transitive closures) that Protégé's reasoner
recomputes, and would only double the file.

What makes the union OWL 2 DL:

- every IRI used as an individual (a subject of the ABox, or the IRI object of an object
  property) is declared ``owl:NamedIndividual``;
- every property the ABox uses is declared, consistently with its use: the ontology's own
  declarations stand; an undeclared property used only with individuals becomes an
  ``owl:ObjectProperty``, only with literals an ``owl:DatatypeProperty``, and one used with both,
  or with classes or non-individual IRIs as values, an ``owl:AnnotationProperty``;
  RDF/RDFS/OWL built-ins (``rdfs:label``, ``rdfs:seeAlso``...) are never redeclared;
- every class used in ``rdf:type`` is declared ``owl:Class``;
- literals keep to the OWL 2 datatype map: ``xsd:date`` becomes the ``xsd:dateTime`` of that
  midnight (as the build writes dates), and a literal of any other datatype outside the map
  becomes an ``xsd:string`` with the same text. This includes ``geo:wktLiteral``: the OWL 2 DL
  profile forbids literals of a datatype outside the map even when it is declared
  ``rdfs:Datatype`` (as the ontology does), so ``geo:asWKT`` values are WKT text typed
  ``xsd:string`` in this file (the RDF dumps keep ``geo:wktLiteral``). The result counts them;
- a triple that would need illegal punning (an object property with a literal, a data property
  with an IRI, a property IRI used as an individual) is left out, with a warning naming it.

Memory: constant (it does not grow with the store). One pass over the ABox graphs records how each
property is used (an IRI value counts as an individual when the store says it is one: a subject
in the registry or an article graph, or the value of an object property there, looked up in the
store's indexes with a bounded cache, not kept in a set) and the individuals' IRIs, written in
sorted runs to temporary files (:class:`SortedStrings`) and merged back, sorted and each once,
for their declarations; a second pass streams the triples, each once even when the registry and
an article both state it, to pyoxigraph's streaming RDF/XML serializer.
"""

from __future__ import annotations

import heapq
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, BinaryIO

import pyoxigraph as ox

from sahelkg.exports.common import TYPE, ExportResult, Graphs, Progress, distinct_triples, nn, no_progress
from sahelkg.vocab import DEFAULT_BASE, OWL, PREFIXES, RDF, RDFS, XSD

XSD_NS = XSD.base
RDF_NS, RDFS_NS, OWL_NS = RDF.base, RDFS.base, OWL.base
# The OWL 2 datatype map (OWL 2 Structural Specification, section 4) and rdf:langString.
OWL2_DATATYPES = {RDF_NS + n for n in ("PlainLiteral", "XMLLiteral", "langString")} | {
    RDFS_NS + "Literal", OWL_NS + "real", OWL_NS + "rational"} | {XSD_NS + n for n in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
        "byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token "
        "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()}
# Annotation properties OWL 2 builds in (never declared).
BUILTIN_ANNOTATIONS = {RDFS_NS + n for n in ("label", "comment", "seeAlso", "isDefinedBy")} | {
    OWL_NS + n for n in ("deprecated", "versionInfo", "priorVersion", "backwardCompatibleWith", "incompatibleWith")}
RESERVED = (RDF_NS, RDFS_NS, OWL_NS, XSD_NS)

DECLARATIONS = {
    "class": OWL.Class, "object": OWL.ObjectProperty, "data": OWL.DatatypeProperty,
    "annotation": OWL.AnnotationProperty, "datatype": RDFS_NS + "Datatype", "individual": OWL.NamedIndividual,
}


@dataclass
class _Usage:
    literals: int = 0
    individuals: int = 0
    other_iris: int = 0  # IRIs that are TBox terms (classes, properties) or not individuals
    datatypes: set[str] = field(default_factory=set)


class _TBox:
    """Entities the ontology graph declares, by kind."""

    def __init__(self, store: ox.Store, graph: str) -> None:
        self.kinds: dict[str, set[str]] = defaultdict(set)
        wanted = {v: k for k, v in DECLARATIONS.items()}
        wanted.update({RDFS_NS + "Class": "class", OWL_NS + "TransitiveProperty": "object",
                       OWL_NS + "SymmetricProperty": "object", OWL_NS + "Ontology": "ontology"})
        for q in store.quads_for_pattern(None, TYPE, None, nn(graph)):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode) and q.object.value in wanted:
                self.kinds[q.subject.value].add(wanted[q.object.value])

    def kind(self, iri: str) -> set[str]:
        return self.kinds.get(iri, set())

    def is_schema(self, iri: str) -> bool:
        """A class, property, datatype or the ontology: never an individual of the ABox."""
        return bool(self.kind(iri) - {"individual"})


def _convert(lit: ox.Literal, retyped: dict[str, int]) -> ox.Literal:
    dt = lit.datatype.value
    if lit.language or dt in OWL2_DATATYPES:
        return lit
    if dt == XSD_NS + "date" and len(lit.value) == 10:
        retyped["xsd:date as xsd:dateTime"] += 1
        return ox.Literal(lit.value + "T00:00:00", datatype=nn(XSD.dateTime))
    retyped[f"{_curie(dt)} as xsd:string"] += 1
    return ox.Literal(lit.value)


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


class SortedStrings:
    """Strings added in any order, read back sorted and each once, in bounded memory.

    Up to ``run`` distinct strings are held in a set; a full set is written, sorted, to a temporary
    file (a *run*), and reading merges the runs (``heapq.merge``). The strings must hold no newline
    (IRIs cannot).

    >>> s = SortedStrings(run=2)
    >>> for x in "dbadca":
    ...     s.add(x)
    >>> list(s), len(s.runs)
    (['a', 'b', 'c', 'd'], 3)
    >>> s.close()
    """

    def __init__(self, run: int = 200_000) -> None:
        self.run = run
        self.buffer: set[str] = set()
        self.runs: list[IO[str]] = []

    def add(self, value: str) -> None:
        self.buffer.add(value)
        if len(self.buffer) >= self.run:
            f = tempfile.TemporaryFile("w+", encoding="utf-8")
            f.writelines(x + "\n" for x in sorted(self.buffer))
            f.seek(0)
            self.runs.append(f)
            self.buffer = set()

    def __iter__(self) -> Iterator[str]:
        streams: list[Iterator[str]] = [(line[:-1] for line in f) for f in self.runs]
        last = None
        for x in heapq.merge(*streams, sorted(self.buffer)):
            if x != last:
                yield x
                last = x

    def close(self) -> None:
        for f in self.runs:
            f.close()
        self.runs, self.buffer = [], set()


# Entries of the caches of the individual lookups: a bound on memory, enough for a registry's entities.
CACHE = 65536


def write_owl(store: ox.Store, out: BinaryIO, *, base_iri: str = DEFAULT_BASE,
              progress: Progress = no_progress) -> ExportResult:
    """Write the ontology and all individuals of ``store`` to ``out`` as OWL 2 DL in RDF/XML."""
    graphs = Graphs(base_iri)
    tbox = _TBox(store, graphs.ontology)
    individuals = SortedStrings()
    usage: dict[str, _Usage] = defaultdict(_Usage)
    classes: set[str] = set()
    abox = [g for g in graphs.in_store(store) if graphs.kind(g) in ("registry", "article")]
    object_props = {iri for iri, k in tbox.kinds.items() if "object" in k}

    @lru_cache(maxsize=CACHE)
    def individual(iri: str) -> bool:
        """A subject in the ABox, or the value of an object property there (and not a TBox term)."""
        node = nn(iri)
        if any(graphs.asserted(q.graph_name) for q in store.quads_for_pattern(node, None, None, None)):
            return True
        return any(q.predicate.value in object_props and graphs.asserted(q.graph_name)
                   for q in store.quads_for_pattern(None, None, node, None))

    # one pass: individuals (subjects, and IRI values that are individuals), classes, property usage.
    # It reads every ABox quad in Python, so the loop keeps to local names and skips what it can: the
    # store lists a graph's quads by subject, so a subject is recorded once per run of its quads.
    progress("owl: reading individuals", 0, 1)
    schema = frozenset(iri for iri, k in tbox.kinds.items() if k - {"individual"})
    add_individual = individuals.add
    rdf_type, NamedNode, Literal = RDF.type, ox.NamedNode, ox.Literal
    for g in abox:
        last_subject = None
        for q in store.quads_for_pattern(None, None, None, nn(g)):
            subject = q.subject
            if subject != last_subject:
                last_subject = subject
                if isinstance(subject, NamedNode) and subject.value not in schema:
                    add_individual(subject.value)
            prop, value = q.predicate.value, q.object
            if prop == rdf_type:
                if isinstance(value, NamedNode):
                    classes.add(value.value)
                continue
            u = usage[prop]
            if isinstance(value, Literal):
                u.literals += 1
                u.datatypes.add(value.datatype.value)
            elif isinstance(value, NamedNode) and value.value not in schema and (
                    prop in object_props or individual(value.value)):
                u.individuals += 1
                add_individual(value.value)
            else:
                u.other_iris += 1
    progress("owl: reading individuals", 1, 1)

    # decide every property's kind; record what cannot be written as OWL 2 DL
    prop_kind: dict[str, str] = {}
    warnings: dict[str, int] = defaultdict(int)
    retyped: dict[str, int] = defaultdict(int)
    declare: dict[str, set[str]] = defaultdict(set)
    for p, u in sorted(usage.items()):
        declared = tbox.kind(p) & {"object", "data", "annotation"}
        if p in BUILTIN_ANNOTATIONS or declared == {"annotation"}:
            prop_kind[p] = "annotation"
        elif len(declared) == 1:
            prop_kind[p] = next(iter(declared))
        elif declared:
            prop_kind[p] = "annotation"
            warnings[f"{p} is declared as {sorted(declared)} in the ontology (illegal punning)"] += 1
        elif p.startswith(RESERVED):
            prop_kind[p] = "reserved"
        elif u.literals and not u.individuals and not u.other_iris and u.datatypes <= OWL2_DATATYPES | {XSD_NS + "date"}:
            prop_kind[p] = "data"
        elif u.individuals and not u.literals and not u.other_iris:
            prop_kind[p] = "object"
        else:
            prop_kind[p] = "annotation"
        if not declared and prop_kind[p] in ("object", "data", "annotation") and p not in BUILTIN_ANNOTATIONS:
            declare[prop_kind[p]].add(p)
        if prop_kind[p] in ("data", "annotation"):
            for dt in u.datatypes:
                if dt not in OWL2_DATATYPES and not dt.startswith(XSD_NS) and "datatype" not in tbox.kind(dt):
                    declare["datatype"].add(dt)
    for c in classes:
        if not tbox.kind(c) & {"class"} and not c.startswith(RESERVED):
            declare["class"].add(c)
    # An individual is never a TBox term (is_schema above), so no IRI is both a property or datatype
    # and an individual: the file needs no punning.
    declared_individuals = 0

    def new_individuals() -> Iterator[str]:
        nonlocal declared_individuals
        for iri in individuals:
            if "individual" not in tbox.kind(iri):
                declared_individuals += 1
                yield iri

    def triples() -> Iterator[ox.Triple]:
        for q in store.quads_for_pattern(None, None, None, nn(graphs.ontology)):
            yield ox.Triple(q.subject, q.predicate, q.object)
        for decl in ("class", "datatype", "object", "data", "annotation", "individual"):
            for iri in new_individuals() if decl == "individual" else sorted(declare.get(decl, ())):
                yield ox.Triple(nn(iri), TYPE, nn(DECLARATIONS[decl]))
        individuals.close()
        n = 0
        kinds = {nn(p): k for p, k in prop_kind.items()}  # keyed by the term: no string per triple
        Literal = ox.Literal
        for t in distinct_triples(store, abox):
            pred, obj = t.predicate, t.object
            kind = kinds.get(pred)
            if isinstance(obj, Literal):
                if kind == "object":
                    warnings[f"{pred.value}: object property with a literal value, triple left out"] += 1
                    continue
                converted = _convert(obj, retyped)
                if converted is not obj:
                    t = ox.Triple(t.subject, pred, converted)
            elif kind == "data":
                warnings[f"{pred.value}: data property with an IRI value, triple left out"] += 1
                continue
            n += 1
            if n % 10000 == 0:
                progress("owl: writing", n, 0)
            yield t
        progress("owl: writing", n, n)

    prefixes = {k: v for k, v in PREFIXES.items()} | {"id": base_iri + "id/", "vann": "http://purl.org/vocab/vann/"}
    counter = _Counting(triples())
    try:
        ox.serialize(counter, out, ox.RdfFormat.RDF_XML, prefixes=prefixes)
    finally:
        individuals.close()
    result = ExportResult("owl", "", counter.n, "triples", {"individuals": declared_individuals + sum(
        1 for k in tbox.kinds.values() if "individual" in k)})
    result.details.update({f"literals of {k}": n for k, n in sorted(retyped.items())})
    result.warnings = [f"{msg} ({n}x)" if n > 1 else msg for msg, n in sorted(warnings.items())]
    return result


class _Counting:
    """Wrap an iterator of triples and count them."""

    def __init__(self, it: Iterator[ox.Triple]) -> None:
        self.it, self.n = it, 0

    def __iter__(self) -> Iterator[ox.Triple]:
        for t in self.it:
            self.n += 1
            yield t
