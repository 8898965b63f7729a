"""Forward-chaining inference for the ontology's hierarchy and property characteristics.

What is materialised (into the ``graph/inferred/...`` graphs, never into the asserted ones):

- ``rdf:type`` of every superclass of an asserted type (rdfs:subClassOf, owl:equivalentClass);
- every super-property of an asserted property (rdfs:subPropertyOf);
- the inverse of a triple whose property has an ``owl:inverseOf``;
- the reverse of a triple whose property is ``owl:SymmetricProperty``;
- the transitive closure of every ``owl:TransitiveProperty`` across all sources
  (:func:`closure`), since a chain such as katiba -> JNIM -> al-Qaeda crosses articles;
- ``sk:specificType``, a shortcut to the most specific of a node's asserted classes
  (:meth:`Reasoner.specific_types`), which a query would otherwise find with a NOT EXISTS filter
  over ``rdfs:subClassOf`` on every row.

Local rules (:meth:`Reasoner.entail`) depend on one triple and the TBox only, so each
source graph gets its own inferred graph and an incremental build replaces just those.

>>> class O:  # a minimal stand-in for sahelkg.graph.ontology.Ontology
...     def superclasses(self, c): return {"A": {"A", "B"}}.get(c, {c})
...     def superproperties(self, p): return {"p": {"p", "q"}}.get(p, {p})
...     def inverse_of(self, p): return {"q": "qi", "qi": "q"}.get(p)
...     symmetric_properties = frozenset({"s"}); transitive_properties = frozenset({"q"})
...     classes = frozenset({"A", "B"}); object_properties = frozenset({"p", "q", "qi", "s"})
>>> r = Reasoner(O())
>>> sorted(r.entail([("<x>", "<p>", "<y>"), ("<x>", TYPE, "<A>")]))
[('<x>', '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>', '<B>'), ('<x>', '<q>', '<y>'), ('<y>', '<qi>', '<x>')]
>>> sorted(r.closure({("<a>", "<q>", "<b>"), ("<b>", "<q>", "<c>")}))
[('<a>', '<q>', '<c>'), ('<c>', '<qi>', '<a>')]
>>> sorted(r.specific_types([("<x>", TYPE, "<A>"), ("<x>", TYPE, "<B>")]))
[('<x>', '<https://w3id.org/sahelkg/ontology#specificType>', '<A>')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sahelkg.iris import Triple
from sahelkg.vocab import RDF, SK

TYPE = f"<{RDF.type}>"
SPECIFIC_TYPE = f"<{SK.specificType}>"


class Reasoner:
    """Precomputed TBox lookups, keyed by N-Triples IRIs (``<...>``)."""

    def __init__(self, ontology: Any) -> None:
        def wrap(x: str) -> str:
            return f"<{x}>"

        self.super_types: dict[str, tuple[str, ...]] = {}
        for c in ontology.classes:
            sups = tuple(sorted(wrap(s) for s in ontology.superclasses(c) if s != c))
            if sups:
                self.super_types[wrap(c)] = sups
        self.super_props: dict[str, tuple[str, ...]] = {}
        self.inverse: dict[str, str] = {}
        for p in ontology.object_properties | getattr(ontology, "datatype_properties", frozenset()):
            sups = tuple(sorted(wrap(s) for s in ontology.superproperties(p) if s != p))
            if sups:
                self.super_props[wrap(p)] = sups
            inv = ontology.inverse_of(p)
            if inv:
                self.inverse[wrap(p)] = wrap(inv)
        self.symmetric = frozenset(wrap(p) for p in ontology.symmetric_properties)
        self.transitive = frozenset(wrap(p) for p in ontology.transitive_properties)

    def _consequences(self, t: Triple) -> Iterable[Triple]:
        s, p, o = t
        if p == TYPE:
            for c in self.super_types.get(o, ()):
                yield s, TYPE, c
            return
        for q in self.super_props.get(p, ()):
            yield s, q, o
        inv = self.inverse.get(p)
        if inv and not o.startswith('"'):
            yield o, inv, s
        if p in self.symmetric:
            yield o, p, s

    def entail(self, triples: Iterable[Triple]) -> set[Triple]:
        """The local entailments of ``triples`` that are not among them (fixpoint)."""
        known = set(triples)
        new: set[Triple] = set()
        todo = list(known)
        while todo:
            t = todo.pop()
            for c in self._consequences(t):
                if c not in known:
                    known.add(c)
                    new.add(c)
                    todo.append(c)
        return new

    def specific_types(self, triples: Iterable[Triple]) -> set[Triple]:
        """``(s, sk:specificType, C)`` for each class C asserted of s in ``triples`` that is below another
        class of the ontology and is no superclass of another class asserted of s."""
        asserted: dict[str, set[str]] = defaultdict(set)
        for s, p, o in triples:
            if p == TYPE and o in self.super_types:
                asserted[s].add(o)
        out: set[Triple] = set()
        for s, types in asserted.items():
            for t in types:
                # t is not specific when another asserted class is strictly below it (not merely equivalent)
                if not any(t in self.super_types.get(u, ()) and u not in self.super_types.get(t, ()) for u in types if u != t):
                    out.add((s, SPECIFIC_TYPE, t))
        return out

    def transitive_edges(self, triples: Iterable[Triple]) -> set[Triple]:
        """The triples among ``triples`` whose property is transitive."""
        return {t for t in triples if t[1] in self.transitive}

    def closure(self, edges: set[Triple]) -> set[Triple]:
        """What transitivity adds to ``edges`` (all sources together), with its local consequences."""
        known = set(edges)
        new: set[Triple] = set()
        changed = True
        while changed:
            changed = False
            by_prop: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for s, p, o in known:
                if p in self.transitive:
                    by_prop[p][s].add(o)
            for p, succ in by_prop.items():
                for start in list(succ):
                    seen: set[str] = set()
                    stack = list(succ[start])
                    while stack:
                        n = stack.pop()
                        if n in seen:
                            continue
                        seen.add(n)
                        stack.extend(succ.get(n, ()))
                    for target in seen:
                        t = (start, p, target)
                        # A cycle would entail x p x; such self-loops are left out as noise.
                        if start != target and t not in known:
                            known.add(t)
                            new.add(t)
                            changed = True
            for t in list(new):
                for c in self._consequences(t):
                    if c not in known:
                        known.add(c)
                        new.add(c)
                        changed = True
        return new
