"""What every export shares: the store's graphs, the ontology index, labels, results, progress.

The exports read a :class:`pyoxigraph.Store` built by ``sahelkg build`` (see
``docs/graph-model.md``), never the corpus. They tell *asserted* graphs (the ontology, the
registry, one graph per article) from *inferred* ones (``graph/inferred/...``): the network and
ACLED exports and the OWL file read asserted triples only, so that an entailed
``sk:hasParticipant`` or ``sk:contains`` is not counted twice, and Protégé's reasoner recomputes
the entailments itself.

>>> g = Graphs("https://w3id.org/sahelkg/")
>>> g.kind("https://w3id.org/sahelkg/graph/article/001")
'article'
>>> g.kind("https://w3id.org/sahelkg/graph/inferred/article/001")
'inferred'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from sahelkg.iris import Iris
from sahelkg.vocab import DEFAULT_BASE, OWL, RDF, RDFS, SK, SKOS

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; ``total`` is 0 when it is not known in advance."""

LANGS = ("en", "fr")

TYPE = ox.NamedNode(RDF.type)
LABEL = ox.NamedNode(RDFS.label)
PREF_LABEL = ox.NamedNode(SKOS.prefLabel)


def no_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


def text(term: object) -> str:
    """The IRI, blank node id or lexical form of an RDF term (``""`` for None).

    >>> text(ox.NamedNode("http://a")), text(ox.Literal("7")), text(None)
    ('http://a', '7', '')
    """
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term.value
    return "" if term is None else str(term)


def nn(iri: str) -> ox.NamedNode:
    """A named node (shorthand)."""
    return ox.NamedNode(iri)


def sk(name: str) -> ox.NamedNode:
    """The named node of a term of the closed ``sk:`` vocabulary."""
    return ox.NamedNode(SK.term(name))


@dataclass
class ExportResult:
    """What an export wrote: a count of its main items, other counts, notes and warnings."""

    format: str
    output: str
    items: int = 0
    unit: str = "items"
    details: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command line, e.g. ``gexf: 190 nodes, 381 edges (projection full) -> out.gexf``."""
        parts = ", ".join([f"{self.items} {self.unit}"] + [f"{v} {k}" for k, v in self.details.items()])
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return f"{self.format}: {parts}{notes}" + (f" -> {self.output}" if self.output else "")


class Graphs:
    """Names and kinds of the store's named graphs (see docs/graph-model.md and :mod:`sahelkg.iris`)."""

    def __init__(self, base_iri: str = DEFAULT_BASE) -> None:
        self.iris = Iris(base_iri)
        self.base = self.iris.graph
        self.ontology = self.iris.ontology_graph
        self.registry = self.iris.registry_graph

    def kind(self, graph: str) -> str:
        """``ontology``, ``registry``, ``article``, ``inferred`` or ``other``."""
        kind = self.iris.graph_kind(graph)
        return kind if kind in ("ontology", "registry", "article", "inferred") else "other"

    def asserted(self, graph: object) -> bool:
        """True for the registry and article graphs (the ABox as stated, no entailments)."""
        return isinstance(graph, ox.NamedNode) and self.kind(graph.value) in ("registry", "article")

    def in_store(self, store: ox.Store) -> list[str]:
        """The named graphs of ``store``, sorted (one per article: small next to the quads)."""
        return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def asserted_quads(store: ox.Store, graphs: Graphs, s: object = None, p: object = None,
                   o: object = None) -> Iterator[ox.Quad]:
    """Quads matching the pattern in the registry and article graphs only."""
    for q in store.quads_for_pattern(s, p, o, None):  # type: ignore[arg-type]
        if graphs.asserted(q.graph_name):
            yield q


def distinct_triples(store: ox.Store, graphs: Iterable[str] | None = None,
                     progress: Progress = no_progress, stage: str = "triples") -> Iterator[ox.Triple]:
    """Every triple of the given named graphs (default: all of them) once, in constant memory.

    A triple stated in several graphs is written when it is met in the first of them in the
    order the store's SPOG index lists them (an index lookup, no set of seen triples). Few triples
    are stated in more than one graph (at 1k synthetic articles, 443 in the first 400 graphs of
    248k quads), so one SPARQL join per graph, evaluated on the store's term ids without making a
    string, finds them first, and only they are looked up from Python.
    """
    wanted = None if graphs is None else set(graphs)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    # a triple also in the default graph would need the lookup too: such a store gets it for every quad
    everywhere = any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    n = 0
    for g in names:
        if wanted is not None and g not in wanted:
            continue
        graph = nn(g)
        shared = None if everywhere else {
            (row[0], row[1], row[2]) for row in store.query(  # type: ignore[union-attr, index]
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != <{g}>) }}")}
        for q in store.quads_for_pattern(None, None, None, graph):
            name: object = graph
            if shared is None or (q.subject, q.predicate, q.object) in shared:
                for other in store.quads_for_pattern(q.subject, q.predicate, q.object, None):
                    name = other.graph_name
                    if wanted is None or (isinstance(name, ox.NamedNode) and name.value in wanted):
                        break
            if name == graph:
                n += 1
                if n % 50000 == 0:
                    progress(stage, n, 0)
                yield q.triple


def pick_label(labels: dict[str, str], lang: str) -> str | None:
    """The label in ``lang``, else English, else French, else any (sorted by language).

    >>> pick_label({"fr": "Gourma (région)", "en": "Gourma"}, "fr")
    'Gourma (région)'
    >>> pick_label({"en": "a sniper"}, "fr")
    'a sniper'
    >>> pick_label({}, "en") is None
    True
    """
    for key in (lang, "en", "fr", ""):
        if key in labels:
            return labels[key]
    return labels[sorted(labels)[0]] if labels else None


def date_of(literal: object) -> str | None:
    """``YYYY-MM-DD`` of an ``xsd:dateTime`` (or ``xsd:date``) literal, else None.

    >>> date_of(ox.Literal("2021-09-24T00:00:00", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")))
    '2021-09-24'
    """
    if not isinstance(literal, ox.Literal):
        return None
    text = literal.value[:10]
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return None
    return text


def number(literal: object) -> float | None:
    """The numeric value of a literal, or None."""
    if not isinstance(literal, ox.Literal):
        return None
    try:
        return float(literal.value)
    except ValueError:
        return None


def local_name(iri: str) -> str:
    """The part after the last ``#`` or ``/``.

    >>> local_name("https://w3id.org/sahelkg/ontology#memberOf")
    'memberOf'
    """
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class Ontology:
    """The TBox as the store holds it (``graph/ontology``): hierarchy, labels, inverses, ACLED types.

    Read once per export; its size depends on the ontology, not on the corpus.
    """

    def __init__(self, store: ox.Store, graphs: Graphs) -> None:
        g = nn(graphs.ontology)
        self.parents: dict[str, set[str]] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.kinds: dict[str, set[str]] = {}
        self.inverse: dict[str, str] = {}
        self.acled: dict[str, dict[str, list[str]]] = {}
        acled_props = {SK.acledDisorderType: "disorder_type", SK.acledEventType: "event_type",
                       SK.acledSubEventType: "sub_event_type"}
        for q in store.quads_for_pattern(None, None, None, g):
            s, p, o = q.subject, q.predicate.value, q.object
            if not isinstance(s, ox.NamedNode):
                continue
            if p == RDFS.subClassOf and isinstance(o, ox.NamedNode):
                self.parents.setdefault(s.value, set()).add(o.value)
            elif p == RDFS.label and isinstance(o, ox.Literal):
                self.labels.setdefault(s.value, {})[o.language or ""] = o.value
            elif p == RDF.type and isinstance(o, ox.NamedNode):
                self.kinds.setdefault(s.value, set()).add(o.value)
            elif p == OWL.inverseOf and isinstance(o, ox.NamedNode):
                self.inverse[s.value] = o.value
                self.inverse[o.value] = s.value
            elif p in acled_props and isinstance(o, ox.Literal):
                self.acled.setdefault(s.value, {}).setdefault(acled_props[p], []).append(o.value)
        self._ancestors: dict[str, frozenset[str]] = {}

    def ancestors(self, cls: str) -> frozenset[str]:
        """``cls`` and all its named superclasses."""
        found = self._ancestors.get(cls)
        if found is None:
            seen, todo = {cls}, [cls]
            while todo:
                for p in self.parents.get(todo.pop(), ()):
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            found = self._ancestors[cls] = frozenset(seen)
        return found

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        """True if one of ``types`` is ``cls`` or a subclass of it."""
        return any(cls in self.ancestors(t) for t in types)

    def depth(self, cls: str) -> int:
        """Number of superclasses: a larger depth is a more specific class."""
        return len(self.ancestors(cls))

    def most_specific(self, types: Iterable[str]) -> str | None:
        """The deepest of ``types`` (ties broken by IRI, so the choice is stable)."""
        known = sorted(types)
        return max(known, key=lambda t: (self.depth(t), t), default=None) if known else None

    def label(self, term: str, lang: str) -> str:
        """The term's rdfs:label in ``lang`` (else English, else its local name)."""
        return pick_label(self.labels.get(term, {}), lang) or local_name(term)

    def is_class(self, iri: str) -> bool:
        return OWL.Class in self.kinds.get(iri, ()) or RDFS.Class in self.kinds.get(iri, ())

    def acled_type(self, cls: str) -> dict[str, str] | None:
        """ACLED disorder/event/sub-event type of ``cls``: its own, else its nearest superclass's.

        Each of the three fields comes from the nearest class that states it; None if no class
        on the way up states an ACLED event type.
        """
        out: dict[str, str] = {}
        frontier, seen = [cls], {cls}
        while frontier:
            nxt: list[str] = []
            for c in sorted(frontier):
                for key, values in sorted(self.acled.get(c, {}).items()):
                    out.setdefault(key, sorted(values, key=len)[0])
                for p in self.parents.get(c, ()):
                    if p not in seen:
                        seen.add(p)
                        nxt.append(p)
            frontier = nxt
        return out if "event_type" in out else None


class Labels:
    """rdfs:label of nodes in the asserted graphs, looked up on demand with a bounded cache."""

    def __init__(self, store: ox.Store, graphs: Graphs, lang: str, cache_size: int = 65536) -> None:
        self.store, self.graphs, self.lang = store, graphs, lang
        self.get = lru_cache(maxsize=cache_size)(self._lookup)

    def all(self, iri: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for q in self.store.quads_for_pattern(nn(iri), LABEL, None, None):
            if isinstance(q.object, ox.Literal) and self.graphs.kind(text(q.graph_name)) != "inferred":
                found.setdefault(q.object.language or "", q.object.value)
        return found

    def _lookup(self, iri: str) -> str | None:
        return pick_label(self.all(iri), self.lang)


def check_lang(lang: str) -> str:
    """``lang`` if it is one of the labels' languages, else a UsageError."""
    from sahelkg.errors import UsageError

    if lang not in LANGS:
        raise UsageError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    return lang
