"""Event structure shared by the network and ACLED exports: times, deaths, incidents.

An *incident* is what a reader counts as one happening: an event together with its sub-events
(``sk:subEventOf``), its results (``sk:resultOf``) and the other articles' reports of it
(``sk:sameEventAs``), i.e. a connected component of those links. Counting incidents rather than
event nodes keeps a raid annotated as five linked events from weighing five times.

Deaths: a ``sk:Death`` event reports ``sk:lowValue`` of its count (the lowest figure, as ACLED
does), else ``sk:bestValue``, else one per victim when every victim is a ``sk:Person``; otherwise
the number is unknown (``None``), never 0. Neutralizations, injuries and captures are not deaths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from sahelkg.exports.common import Graphs, Ontology, asserted_quads, date_of, nn, number, sk, text
from sahelkg.vocab import SK

LINKS = ("subEventOf", "resultOf", "sameEventAs")


@dataclass(frozen=True)
class TimeSpan:
    """The first and last day a date covers, its ISO form as resolved, and how it was obtained."""

    begin: str | None
    end: str | None
    iso: str | None = None
    precision: str | None = None
    basis: str | None = None
    as_written: str | None = None
    derivation: str | None = None


def time_span(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> TimeSpan | None:
    """The :class:`TimeSpan` of an event, relation statement or article (its ``sk:hasTime``)."""
    for q in store.quads_for_pattern(node, sk("hasTime"), None, None):
        t = q.object
        if not isinstance(t, (ox.NamedNode, ox.BlankNode)):
            continue
        values: dict[str, object] = {}
        for p in store.quads_for_pattern(t, None, None, None):
            values.setdefault(p.predicate.value, p.object)

        def lit(prop: str) -> str | None:
            v = values.get(SK.term(prop))
            return v.value if isinstance(v, (ox.Literal, ox.NamedNode)) else None

        begin, end = date_of(values.get(SK.beginDate)), date_of(values.get(SK.endDate))
        if begin and end and end < begin:
            begin, end = end, begin
        return TimeSpan(begin, end or begin, lit("isoDate"), lit("datePrecision"), lit("dateBasis"),
                        lit("dateAsWritten"), lit("dateDerivation"))
    return None


def count_of(store: ox.Store, node: ox.NamedNode) -> int | None:
    """The count an event or observation reports: lowest figure, else best value; None if none."""
    for q in store.quads_for_pattern(node, sk("hasCount"), None, None):
        if not isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
            continue
        values = {p.predicate.value: number(p.object) for p in store.quads_for_pattern(q.object, None, None, None)}
        for key in (SK.lowValue, SK.bestValue, SK.highValue):
            if values.get(key) is not None:
                return int(values[key])  # type: ignore[arg-type]
    return None


def participants(store: ox.Store, graphs: Graphs, event: ox.NamedNode,
                 roles: Iterable[str]) -> list[tuple[str, str]]:
    """``(role property local name, participant IRI)`` pairs of ``event`` for the given roles."""
    out = []
    for role in roles:
        for q in asserted_quads(store, graphs, event, sk(role), None):
            if isinstance(q.object, ox.NamedNode):
                out.append((role, text(q.object)))
    return sorted(set(out))


def types_of(store: ox.Store, graphs: Graphs, node: ox.NamedNode) -> set[str]:
    """Asserted rdf:types of ``node`` (registry and article graphs)."""
    from sahelkg.exports.common import TYPE

    return {text(q.object) for q in asserted_quads(store, graphs, node, TYPE, None)
            if isinstance(q.object, ox.NamedNode)}


def deaths(store: ox.Store, graphs: Graphs, onto: Ontology, event: ox.NamedNode,
           types: set[str] | None = None) -> tuple[bool, int | None]:
    """``(is a death event, number of deaths or None when unknown)``."""
    types = types if types is not None else types_of(store, graphs, event)
    if not onto.is_a(types, SK.Death):
        return False, None
    n = count_of(store, event)
    if n is not None:
        return True, n
    victims = [v for _, v in participants(store, graphs, event, ["hasVictim"])]
    if victims and all(onto.is_a(types_of(store, graphs, nn(v)), SK.Person) for v in victims):
        return True, len(victims)
    return True, None


class UnionFind:
    """Disjoint sets of strings (incidents)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(x, x) != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller IRI names the set, so incident ids are stable
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo
