"""SHACL validation of the built graph, compiled to SPARQL and run by pyoxigraph inside the store.

Every constraint of ``ontology/shapes.ttl`` becomes one SPARQL SELECT that returns its violations
(focus node, value); pyoxigraph evaluates it over the union of the store's graphs, so a large store
is validated where it lies, with no copy into another engine. The data graph is that union: the
article graphs, the registry, the ontology and the inferred graphs, so ``sh:targetClass`` and
``sh:class`` follow ``rdfs:subClassOf`` exactly as SHACL says ("rdf:type/rdfs:subClassOf*"
in the data graph).

For an incremental build, :func:`validate_graphs` is given the changed article graphs: the focus
nodes are restricted to the nodes those graphs (and their inferred graphs) mention, while values,
types and counts are still read from the whole union, so a value typed in the registry or in another
article is seen. (A node that only *refers* to a changed article from an unchanged graph is not
re-validated; a full build validates everything.)

Supported (SHACL Core): targets ``sh:targetClass``, ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf`` and implicit class targets; paths: IRIs, ``sh:inversePath``, sequences,
``sh:alternativePath``, ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
constraints ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:minCount``, ``sh:maxCount``,
``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``, ``sh:maxExclusive``,
``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with ``sh:flags``), ``sh:languageIn``,
``sh:uniqueLang``, ``sh:equals``, ``sh:disjoint``, ``sh:lessThan``, ``sh:lessThanOrEquals``,
``sh:in``, ``sh:hasValue``, ``sh:node``, ``sh:property``, ``sh:not``, ``sh:and``, ``sh:or``,
``sh:xone``, ``sh:closed`` (with ``sh:ignoredProperties``) and SPARQL-based constraints
(``sh:sparql`` with ``sh:select``, ``sh:prefixes``, ``$this``, ``$PATH`` and message templates);
``sh:message``, ``sh:severity`` and ``sh:deactivated``. Anything else (``sh:qualifiedValueShape``,
custom constraint components, SHACL-JS...) raises :class:`ShapeError` naming the component and the
shape: a constraint is never skipped silently. Also not compiled: a SPARQL-based constraint nested
in ``sh:or``/``sh:and``/``sh:not``/``sh:node``, ``sh:property`` under a property shape outside those,
recursive shapes, and counts above 6.

Results equal pyshacl's (tests/test_shacl.py compares them); the differences are in wording only: a
constraint without ``sh:message`` gets a short generic message of its own, and a complex path is
written as a SPARQL-like path (``^hasBody``). SPARQL constraints run with pyoxigraph's SPARQL, so
``$1article`` in a REPLACE template is rewritten ``${1}article`` (XPath's meaning; see
:func:`_xpath_group_references`).

>>> data = pyoxigraph.Store()
>>> data.load(input='<http://x/a> a <http://x/C> ; <http://x/p> "1", "2" .', format=pyoxigraph.RdfFormat.TURTLE)
>>> shapes = '''@prefix sh: <http://www.w3.org/ns/shacl#> .
... <http://x/S> sh:targetClass <http://x/C> ; sh:property [ sh:path <http://x/p> ; sh:maxCount 1 ] .'''
>>> [(r.focus.value, r.path, r.component.rsplit("#")[-1]) for r in compile_shapes(shapes, data).run(data)]
[('http://x/a', 'http://x/p', 'MaxCountConstraintComponent')]
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pyoxigraph

from sahelkg.errors import Problem, SahelKGError
from sahelkg.iris import Iris
from sahelkg.settings import Settings
from sahelkg.sparql import first_group, map_strings
from sahelkg.store import release_free_memory
from sahelkg.vocab import OA

Term = Union[pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal]

SH = "http://www.w3.org/ns/shacl#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF_NS + "type"
SUBCLASS = RDFS_NS + "subClassOf"
VIOLATION = SH + "Violation"
# Below this many triples, a whole-store test of absence holds them in a hash table (MINUS: about
# 330 bytes a row, 940 MB for the 2.8 million oa:start triples of 100,000 articles, as much as the
# other tables there), above it looks each focus node up (FILTER NOT EXISTS: memory flat, but 5 times
# slower, 48 s against 9 s for those 2.8 million selectors).
HASHED_ROWS = 3_000_000
# Threads that run a whole store's queries (the machines this runs on have 2 cores or more).
LANES = min(4, os.cpu_count() or 1)

# Datatypes whose well-formedness SPARQL can test by casting (an ill-typed literal fails the cast).
_CASTABLE = {XSD_NS + n for n in ("boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time")}

# Predicates of a shape that are not constraint parameters.
_NOT_CONSTRAINTS = {
    SH + n for n in (
        "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "path", "message", "severity",
        "deactivated", "name", "description", "order", "group", "defaultValue", "flags", "ignoredProperties",
        "declare", "prefixes", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    )
}
# sh:X constraint parameter -> the component it belongs to (what a result reports).
_COMPONENTS = {
    n: SH + (n[0].upper() + n[1:]) + "ConstraintComponent" for n in (
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
        "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
        "equals", "disjoint", "lessThan", "lessThanOrEquals", "in", "hasValue", "node", "property", "not",
        "and", "or", "xone", "closed",
    )
}
_COMPONENTS["sparql"] = SH + "SPARQLConstraintComponent"
_VALUE_COMPONENTS = {
    "class", "datatype", "nodeKind", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
    "minLength", "maxLength", "pattern", "languageIn", "in", "node", "not", "and", "or", "xone",
    "disjoint", "lessThan", "lessThanOrEquals",
}
_NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
_COMPARE = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


class ShapeError(SahelKGError):
    """The shapes use something this validator does not compile, or are malformed."""


@dataclass(frozen=True)
class Result:
    """One validation result, as a SHACL engine reports it."""

    focus: Term
    path: str | None  # the path IRI, or a SPARQL property path for a complex path
    value: Term | None
    severity: str  # sh:Violation, sh:Warning or sh:Info (full IRIs)
    component: str  # the constraint component IRI
    shape: str  # the shape that holds the constraint (IRI, or blank node label)
    message: str


@dataclass
class Constraint:
    name: str  # the parameter's local name: "minCount", "or", "sparql"...
    value: Any  # the parameter value(s), already decoded


@dataclass
class Shape:
    node: Term
    label: str  # for messages: the IRI, or a description of a blank node shape
    path: str | None = None  # SPARQL property path; None for a node shape
    path_label: str | None = None
    targets: list[tuple[str, Term]] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    severity: str = VIOLATION
    messages: list[pyoxigraph.Literal] = field(default_factory=list)
    deactivated: bool = False

    @property
    def message(self) -> str | None:
        return _pick_message(self.messages)


def _pick_message(messages: list[pyoxigraph.Literal]) -> str | None:
    if not messages:
        return None
    for lang in ("en", None):
        for m in messages:
            if (m.language or None) == lang:
                return m.value
    return sorted(m.value for m in messages)[0]


def _nt(term: Term) -> str:
    """A term in SPARQL syntax."""
    if isinstance(term, pyoxigraph.BlankNode):
        raise ShapeError(f"a blank node {term} cannot be used as a value in a compiled constraint")
    return str(term)


def _same(var: str, term: Term) -> str:
    """``sameTerm(var, term)``, written ``var = <iri>`` for an IRI: the same test there (an IRI
    equals only itself, and nothing else compares equal to it), and the form Virtuoso 7 gets right
    (it evaluates sameTerm with a constant wrongly in disjunctions and negations).

    >>> _same("?v", pyoxigraph.NamedNode("http://a")), _same("?v", pyoxigraph.Literal("1"))
    ('(?v = <http://a>)', 'sameTerm(?v, "1")')
    """
    if isinstance(term, pyoxigraph.NamedNode):
        return f"({var} = {_nt(term)})"
    return f"sameTerm({var}, {_nt(term)})"


# --------------------------------------------------------------------------- reading the shapes graph

class _Graph:
    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store

    def objects(self, s: Term, p: str) -> list[Term]:
        return [q.object for q in self.store.quads_for_pattern(s, pyoxigraph.NamedNode(p), None)]  # type: ignore[arg-type]

    def value(self, s: Term, p: str) -> Term | None:
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def subjects(self, p: str, o: Term | None = None) -> list[Term]:
        return [q.subject for q in self.store.quads_for_pattern(None, pyoxigraph.NamedNode(p), o)]  # type: ignore[arg-type]

    def predicates(self, s: Term) -> list[str]:
        return [q.predicate.value for q in self.store.quads_for_pattern(s, None, None)]  # type: ignore[arg-type]

    def items(self, head: Term) -> list[Term]:
        out: list[Term] = []
        seen = set()
        node: Term | None = head
        while node is not None and not (isinstance(node, pyoxigraph.NamedNode) and node.value == RDF_NS + "nil"):
            if node in seen:
                raise ShapeError(f"the RDF list at {head} is cyclic")
            seen.add(node)
            first = self.value(node, RDF_NS + "first")
            if first is None:
                raise ShapeError(f"{head} is not a well-formed RDF list")
            out.append(first)
            node = self.value(node, RDF_NS + "rest")
        return out


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri


class _Compiler:
    """Turns the shapes graph into :class:`Shape` objects, and shapes into SPARQL."""

    def __init__(self, shapes: pyoxigraph.Store, subclasses: dict[str, set[str]]) -> None:
        self.g = _Graph(shapes)
        self.subclasses = subclasses
        self.shapes: dict[Term, Shape] = {}
        self._vars = itertools.count(1)
        self._building: set[Term] = set()

    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self._vars)}"

    # ---- shapes
    def top_level(self) -> list[Shape]:
        g = self.g
        nodes: dict[Term, None] = {}
        for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for s in g.subjects(SH + p):
                nodes[s] = None
        for kind in ("NodeShape", "PropertyShape"):
            for s in g.subjects(RDF_TYPE, pyoxigraph.NamedNode(SH + kind)):
                types = {t.value for t in g.objects(s, RDF_TYPE) if isinstance(t, pyoxigraph.NamedNode)}
                if types & {RDFS_NS + "Class", OWL_CLASS}:
                    nodes[s] = None
        for cc in g.subjects(RDF_TYPE, pyoxigraph.NamedNode(SH + "ConstraintComponent")):
            raise ShapeError(f"custom constraint component {cc} is not supported by the compiled SHACL validator")
        return [self.shape(n) for n in nodes]

    def describe(self, node: Term) -> str:
        if isinstance(node, pyoxigraph.NamedNode):
            return node.value
        path = self.g.value(node, SH + "path")
        parents = self.g.subjects(SH + "property", node)
        if path is not None and parents:
            return f"the property shape on {self.path_text(path)[1]} of {self.describe(parents[0])}"
        if path is not None:
            return f"the property shape on {self.path_text(path)[1]}"
        for cell in self.g.subjects(RDF_NS + "first", node):
            holders = self._list_holders(cell)
            if holders:
                return f"a member of the sh:{holders[0][1]} list of {self.describe(holders[0][0])}"
        for p in ("not", "node"):
            holders = self.g.subjects(SH + p, node)
            if holders:
                return f"the sh:{p} shape of {self.describe(holders[0])}"
        return f"blank node shape {node}"

    def _list_holders(self, cell: Term) -> list[tuple[Term, str]]:
        # Walk back to the list's head, then find who holds it.
        head = cell
        while True:
            prev = self.g.subjects(RDF_NS + "rest", head)
            if not prev:
                break
            head = prev[0]
        return [(s, p) for p in ("or", "and", "xone") for s in self.g.subjects(SH + p, head)]

    def shape(self, node: Term) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        if node in self._building:
            raise ShapeError(f"shape {self.describe(node)} refers to itself (recursive shapes are not supported)")
        self._building.add(node)
        g = self.g
        s = Shape(node, self.describe(node))
        path = g.value(node, SH + "path")
        if path is not None:
            s.path, s.path_label = self.path_text(path)
        for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for o in g.objects(node, SH + p):
                s.targets.append((p, o))
        types = {t.value for t in g.objects(node, RDF_TYPE) if isinstance(t, pyoxigraph.NamedNode)}
        if types & {RDFS_NS + "Class", OWL_CLASS} and isinstance(node, pyoxigraph.NamedNode):
            s.targets.append(("targetClass", node))
        sev = g.value(node, SH + "severity")
        if sev is not None:
            s.severity = sev.value
        s.messages = [m for m in g.objects(node, SH + "message") if isinstance(m, pyoxigraph.Literal)]
        deact = g.value(node, SH + "deactivated")
        s.deactivated = isinstance(deact, pyoxigraph.Literal) and deact.value == "true"
        for pred in dict.fromkeys(g.predicates(node)):
            if not pred.startswith(SH) or pred in _NOT_CONSTRAINTS:
                continue
            name = pred[len(SH):]
            if name not in _COMPONENTS:
                raise ShapeError(
                    f"shape {s.label}: constraint component sh:{name} is not supported by the compiled SHACL "
                    f"validator (src/sahelkg/graph/shacl.py); supported: {', '.join('sh:' + n for n in sorted(_COMPONENTS))}"
                )
            values = g.objects(node, pred)
            if name == "property":
                s.properties.extend(self.shape(v) for v in values)
                continue
            for v in values:
                s.constraints.append(Constraint(name, self.parameter(s, name, v)))
        if s.path is None and any(c.name in ("minCount", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals") for c in s.constraints):
            bad = next(c.name for c in s.constraints if c.name in ("minCount", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals"))
            raise ShapeError(f"shape {s.label}: sh:{bad} needs a property shape (sh:path)")
        self._building.discard(node)
        self.shapes[node] = s
        return s

    def parameter(self, s: Shape, name: str, v: Term) -> Any:
        g = self.g
        if name in ("and", "or", "xone"):
            return [self.shape(m) for m in g.items(v)]
        if name in ("not", "node"):
            return self.shape(v)
        if name in ("in", "languageIn"):
            return g.items(v)
        if name in ("minCount", "maxCount", "minLength", "maxLength"):
            try:
                return int(v.value)
            except (AttributeError, ValueError) as e:
                raise ShapeError(f"shape {s.label}: sh:{name} must be an integer, not {v}") from e
        if name == "pattern":
            flags = g.value(s.node, SH + "flags")
            return (v.value, flags.value if flags is not None else "")
        if name == "closed":
            ignored = g.value(s.node, SH + "ignoredProperties")
            return (v.value == "true", [t.value for t in g.items(ignored)] if ignored is not None else [])
        if name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            if not isinstance(v, pyoxigraph.NamedNode):
                raise ShapeError(f"shape {s.label}: sh:{name} must be a property IRI")
            return v.value
        if name == "sparql":
            return self.sparql(s, v)
        return v

    def path_text(self, path: Term) -> tuple[str, str]:
        """``(SPARQL path, readable label)`` of a SHACL path."""
        g = self.g
        if isinstance(path, pyoxigraph.NamedNode):
            return f"<{path.value}>", path.value
        if isinstance(path, pyoxigraph.Literal):
            raise ShapeError(f"a literal {path} is not a SHACL path")
        if g.value(path, RDF_NS + "first") is not None:
            parts = [self.path_text(p) for p in g.items(path)]
            return "(" + "/".join(p for p, _ in parts) + ")", "/".join(_short(lbl) for _, lbl in parts)
        for key, fmt in (("inversePath", "^{}"), ("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"), ("zeroOrOnePath", "{}?")):
            inner = g.value(path, SH + key)
            if inner is not None:
                p, lbl = self.path_text(inner)
                return "(" + fmt.format(p) + ")", fmt.format(_short(lbl))
        alt = g.value(path, SH + "alternativePath")
        if alt is not None:
            parts = [self.path_text(p) for p in g.items(alt)]
            return "(" + "|".join(p for p, _ in parts) + ")", "|".join(_short(lbl) for _, lbl in parts)
        raise ShapeError(f"unsupported SHACL path {path}")

    def sparql(self, s: Shape, node: Term) -> tuple[str, list[pyoxigraph.Literal], Term]:
        g = self.g
        select = g.value(node, SH + "select")
        if select is None:
            if g.value(node, SH + "ask") is not None:
                raise ShapeError(f"shape {s.label}: SPARQL ASK validators are not supported, only sh:select")
            raise ShapeError(f"shape {s.label}: a sh:sparql constraint without sh:select")
        prefixes = []
        for holder in g.objects(node, SH + "prefixes"):
            for decl in g.objects(holder, SH + "declare"):
                prefix, ns = g.value(decl, SH + "prefix"), g.value(decl, SH + "namespace")
                if prefix is None or ns is None:
                    raise ShapeError(f"shape {s.label}: a sh:declare without sh:prefix and sh:namespace")
                prefixes.append(f"PREFIX {prefix.value}: <{ns.value}>\n")
        text = _xpath_group_references(select.value)
        if s.path is not None:
            text = text.replace("$PATH", s.path)
        messages = [m for m in g.objects(node, SH + "message") if isinstance(m, pyoxigraph.Literal)]
        return "".join(dict.fromkeys(prefixes)) + text, messages, node

    # ---- SPARQL
    def subs(self, cls: Term) -> list[str]:
        if not isinstance(cls, pyoxigraph.NamedNode):
            raise ShapeError(f"sh:class / sh:targetClass must be an IRI, not {cls}")
        return sorted(self.subclasses.get(cls.value, set()) | {cls.value})

    def has_type(self, v: str, cls: Term) -> str:
        t = self.var("t")
        return f"EXISTS {{ {v} <{RDF_TYPE}> {t} . FILTER({t} IN ({', '.join(f'<{c}>' for c in self.subs(cls))})) }}"

    def value_violation(self, c: Constraint, focus: str, v: str) -> str:
        """A SPARQL expression: value ``v`` (of focus node ``focus``) violates ``c``."""
        n, p = c.name, c.value
        if n == "class":
            return "!" + self.has_type(v, p)
        if n == "datatype":
            dt = p.value
            ok = f"isLiteral({v}) && DATATYPE({v}) = <{dt}>"
            if dt in _CASTABLE:
                ok += f" && COALESCE(<{dt}>({v}) = <{dt}>({v}), false)"
            return f"!({ok})"
        if n == "nodeKind":
            kind = p.value[len(SH):] if p.value.startswith(SH) else ""
            if kind not in _NODE_KINDS:
                raise ShapeError(f"unknown sh:nodeKind {p}")
            return "!" + _NODE_KINDS[kind].format(v=v)
        if n in _COMPARE:
            return f"!COALESCE({v} {_COMPARE[n]} {_nt(p)}, false)"
        if n == "minLength":
            return f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) >= {p}, false))"
        if n == "maxLength":
            return f"(isBlank({v}) || !COALESCE(STRLEN(STR({v})) <= {p}, false))"
        if n == "pattern":
            pattern, flags = p
            lit = '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
            extra = ', "' + flags + '"' if flags else ""
            return f"(isBlank({v}) || !COALESCE(REGEX(STR({v}), {lit}{extra}), false))"
        if n == "languageIn":
            tests = " || ".join(f'langMatches(LANG({v}), "{t.value}")' for t in p) or "false"
            return f"!(isLiteral({v}) && ({tests}))"
        if n == "in":
            tests = " || ".join(_same(v, t) for t in p) or "false"
            return f"!({tests})"
        if n == "node":
            return self.violates(p, v)
        if n == "not":
            return "!" + self.violates(p, v)
        if n == "and":
            return "(" + (" || ".join(self.violates(m, v) for m in p) or "false") + ")"
        if n == "or":
            return "(" + (" && ".join(self.violates(m, v) for m in p) or "true") + ")"
        if n == "xone":
            count = " + ".join(f"IF({self.violates(m, v)}, 0, 1)" for m in p) or "0"
            return f"(({count}) != 1)"
        if n == "disjoint":
            return f"EXISTS {{ {focus} <{p}> {v} }}"
        if n in ("lessThan", "lessThanOrEquals"):
            o = self.var("o")
            op = "<" if n == "lessThan" else "<="
            return f"EXISTS {{ {focus} <{p}> {o} . FILTER(!COALESCE({v} {op} {o}, false)) }}"
        raise AssertionError(n)

    def at_least(self, focus: str, path: str, n: int) -> str:
        """A SPARQL expression: ``focus`` has at least ``n`` distinct values on ``path``."""
        if n <= 0:
            return "true"
        if n > 6:
            raise ShapeError(f"sh:minCount/sh:maxCount above 6 ({n}) is not supported by the compiled validator")
        vs = [self.var() for _ in range(n)]
        pattern = " . ".join(f"{focus} {path} {x}" for x in vs)
        distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2))
        return f"EXISTS {{ {pattern} {f'FILTER({distinct})' if distinct else ''} }}"

    def focus_violation(self, s: Shape, c: Constraint, focus: str) -> str:
        """A SPARQL expression: ``focus`` violates constraint ``c`` of shape ``s`` (any value)."""
        n, p = c.name, c.value
        if n in _VALUE_COMPONENTS:
            if s.path is None:
                return self.value_violation(c, focus, focus)
            v = self.var()
            return f"EXISTS {{ {focus} {s.path} {v} . FILTER({self.value_violation(c, focus, v)}) }}"
        if n == "minCount":
            return "!" + self.at_least(focus, s.path, p)  # type: ignore[arg-type]
        if n == "maxCount":
            return self.at_least(focus, s.path, p + 1)  # type: ignore[arg-type]
        if n == "hasValue":
            if s.path is None:
                return f"!{_same(focus, p)}"
            return f"NOT EXISTS {{ {focus} {s.path} {_nt(p)} }}"
        if n == "uniqueLang":
            if not (isinstance(p, pyoxigraph.Literal) and p.value == "true"):
                return "false"
            a, b = self.var(), self.var()
            return (f"EXISTS {{ {focus} {s.path} {a} . {focus} {s.path} {b} . FILTER(!sameTerm({a}, {b}) && "
                    f"LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b}))) }}")
        if n == "equals":
            v = self.var()
            if s.path is None:
                return f"(NOT EXISTS {{ {focus} <{p}> {focus} }} || EXISTS {{ {focus} <{p}> {v} . FILTER(!sameTerm({v}, {focus})) }})"
            return (f"(EXISTS {{ {focus} {s.path} {v} . FILTER NOT EXISTS {{ {focus} <{p}> {v} }} }} || "
                    f"EXISTS {{ {focus} <{p}> {v} . FILTER NOT EXISTS {{ {focus} {s.path} {v} }} }})")
        if n == "closed":
            closed, ignored = p
            if not closed:
                return "false"
            allowed = self.closed_allowed(s, ignored)
            q, o = self.var("p"), self.var("o")
            test = f"FILTER({q} NOT IN ({', '.join(f'<{a}>' for a in sorted(allowed))}))" if allowed else ""
            return f"EXISTS {{ {focus} {q} {o} . {test} }}"
        if n == "sparql":
            raise ShapeError(f"shape {s.label}: a SPARQL-based constraint inside sh:or/sh:and/sh:not/sh:node is not supported")
        raise AssertionError(n)

    def closed_allowed(self, s: Shape, ignored: list[str]) -> set[str]:
        allowed = set(ignored)
        for prop in s.properties:
            if prop.path and re.fullmatch(r"<[^<>]*>", prop.path):
                allowed.add(prop.path[1:-1])
        return allowed

    def violates(self, s: Shape, focus: str) -> str:
        """A SPARQL expression: node ``focus`` does not conform to shape ``s`` (used inside sh:or...)."""
        if s.deactivated:
            return "false"
        parts = [self.focus_violation(s, c, focus) for c in s.constraints]
        if s.path is not None:
            # a property shape's nested property shapes apply to each value node
            for prop in s.properties:
                v = self.var()
                parts.append(f"EXISTS {{ {focus} {s.path} {v} . FILTER({self.violates(prop, v)}) }}")
        else:
            parts.extend(self.violates(prop, focus) for prop in s.properties)
        return "(" + (" || ".join(parts) or "false") + ")"


# --------------------------------------------------------------------------- the compiled validator

@dataclass
class _Query:
    shape: Shape
    component: str
    text: str
    kind: str  # "value" | "focus" | "closed" | "sparql"
    messages: list[pyoxigraph.Literal] = field(default_factory=list)
    sparql_node: Term | None = None
    # sh:maxCount on one IRI, whole store, embedded: (a query counting triples, not distinct values,
    # so a group holds a counter rather than a set: 280 bytes per focus node, not 450; the IRI; the
    # count). It may over-count a triple stated in several graphs, so each node it gives is counted
    # again exactly (CompiledShapes.run); a remote store runs ``text``.
    counted: tuple[str, str, int] | None = None
    # sh:minCount 1 or sh:hasValue on one IRI, whole store, embedded: (the same test as ``MINUS``, the
    # triple pattern its right side scans). Oxigraph answers it from a hash table of that side, 2 to
    # 5 times as fast as ``text``'s lookups, and about 330 bytes per row (1.8 GB for the 5.6 million
    # oa:hasSelector triples of 100,000 articles): run() takes it when the pattern has fewer than
    # HASHED_ROWS triples.
    hashed: tuple[str, str] | None = None
    # On a whole store, the query may hold a table that grows with the store (GROUP BY, MINUS, or a
    # SPARQL-based constraint, whose body is the shapes author's): run() runs one such at a time.
    table: bool = False


class CompiledShapes:
    """The shapes of one shapes graph as SPARQL queries, ready to run on a store."""

    def __init__(self, shapes: list[Shape], compiler: _Compiler) -> None:
        self.shapes = shapes
        self.compiler = compiler
        self.subclasses = compiler.subclasses
        # LATERAL where the engine has it (Oxigraph); else the focus pattern joins inside the body
        self.lateral = True

    # ---- the focus nodes
    @staticmethod
    def _target_patterns(c: _Compiler, shape: Shape) -> list[str]:
        out = []
        for kind, o in shape.targets:
            if kind == "targetClass":
                t = c.var("t")
                out.append(f"VALUES {t} {{ {' '.join(f'<{x}>' for x in c.subs(o))} }} ?this <{RDF_TYPE}> {t} .")
            elif kind == "targetNode":
                out.append(f"VALUES ?this {{ {_nt(o)} }}")
            elif kind == "targetSubjectsOf":
                out.append(f"?this {_nt(o)} {c.var('o')} .")
            elif kind == "targetObjectsOf":
                out.append(f"{c.var('s')} {_nt(o)} ?this .")
        return out

    def _focus_pattern(self, shape: Shape, targets: list[str], focus_values: list[Term] | None) -> str | None:
        if focus_values is not None:
            nodes = [_nt(t) for t in focus_values if not isinstance(t, pyoxigraph.BlankNode)]
            return f"VALUES ?this {{ {' '.join(nodes)} }}" if nodes else None
        if not targets:
            return None
        # The target patterns themselves, not a DISTINCT subquery: a whole store's focus nodes are
        # millions, and DISTINCT holds them all in memory. A node found twice (two graphs, two
        # subclasses) is validated twice, and its results are de-duplicated (run), which only ever
        # holds the violations. Not REDUCED either: Oxigraph then ran each FILTER NOT EXISTS 6 times
        # slower (10.5 s against 1.6 s for one sh:minCount over 280,000 selectors).
        return "{ " + " UNION ".join("{ " + t + " }" for t in targets) + " }"

    def _membership(self, c: _Compiler, shape: Shape) -> str:
        """A SPARQL expression: ``?this`` is a target of ``shape``."""
        tests = []
        for kind, o in shape.targets:
            if kind == "targetClass":
                tests.append(c.has_type("?this", o))
            elif kind == "targetNode":
                tests.append(_same("?this", o))
            elif kind == "targetSubjectsOf":
                tests.append(f"EXISTS {{ ?this {_nt(o)} {c.var('o')} }}")
            elif kind == "targetObjectsOf":
                tests.append(f"EXISTS {{ {c.var('s')} {_nt(o)} ?this }}")
        return " || ".join(tests) or "false"

    def queries(self, focus: dict[int, list[Term]] | None = None) -> Iterator[_Query]:
        """The SPARQL queries of every active top-level constraint.

        ``focus`` maps ``id(shape)`` to the focus nodes to validate (incremental); None: the targets.

        Two strategies. With a few given focus nodes, each query starts from them (``VALUES ?this``)
        and checks each one. On a whole store, a constraint on a property is checked over that
        property's triples first (one index scan; violations are rare), and only the violations
        are checked for being targets; constraints on absence (``sh:minCount``, ``sh:hasValue``)
        anti-join the targets with the property (``MINUS``); SPARQL-based constraints bind
        ``$this`` with ``LATERAL``, so the query body runs once per focus node as SHACL's
        pre-binding says.
        """
        c = self.compiler
        for top in self.shapes:
            if top.deactivated:
                continue
            targets = self._target_patterns(c, top)
            given = None if focus is None else focus.get(id(top), [])
            focus_pattern = self._focus_pattern(top, targets, given)
            if focus_pattern is None:
                continue
            member = self._membership(c, top) if given is None else None
            yield from self._shape_queries(top, focus_pattern, member)

    @staticmethod
    def _simple_path(path: str | None) -> bool:
        # IRIs, inverses and sequences of them: scanning ?this PATH ?value with both ends free is cheap.
        return path is not None and not re.search(r"[*+?|]", re.sub(r"<[^<>]*>", "", path))

    def _shape_queries(self, s: Shape, focus_pattern: str, member: str | None) -> Iterator[_Query]:
        """Queries of shape ``s``'s constraints; ``member`` (whole-store strategy) tests ``?this`` for
        being a target, None when ``focus_pattern`` lists the focus nodes.

        On a whole store, absence (``sh:minCount 1``, ``sh:hasValue``) is ``FILTER NOT EXISTS``, an
        index lookup per focus node in the order the focus nodes come, or ``MINUS`` where the
        property has fewer than HASHED_ROWS triples: ``MINUS`` is 2 to 5 times as fast (0.83 s against
        1.6 s over 280,000 selectors, 9 s against 48 s over 2.8 million) but holds a hash table of every
        node that has the property (940 MB for those 2.8 million). ``sh:maxCount`` stays a ``GROUP BY``
        (about 400 bytes per focus node, 1.2 GB there): pairing each value with the node's other
        values looks them up in object order, 13 times slower (116 s against 9 s). On an embedded
        store it counts triples rather than distinct values (see ``_Query.counted``)."""
        c = self.compiler
        if s.deactivated:
            return
        scan = member is not None and self._simple_path(s.path)
        for con in s.constraints:
            comp = _COMPONENTS[con.name]
            n = con.name
            if n == "sparql":
                yield self._sparql_query(s, con, focus_pattern)
            elif n == "closed":
                closed, ignored = con.value
                if not closed:
                    continue
                allowed = c.closed_allowed(s, ignored)
                test = f"FILTER(?path NOT IN ({', '.join(f'<{a}>' for a in sorted(allowed))}))" if allowed else ""
                src = "?this" if s.path is None else "?_node"
                head = "" if s.path is None else f"?this {s.path} ?_node ."
                yield _Query(s, comp, f"SELECT DISTINCT ?this ?path ?value WHERE {{ {focus_pattern} {head} {src} ?path ?value . {test} }}", "closed")
            elif n == "class" and member is not None:
                t = c.var("t")
                typed = f"MINUS {{ ?value <{RDF_TYPE}> {t} . VALUES {t} {{ {' '.join(f'<{x}>' for x in c.subs(con.value))} }} }}"
                if s.path is None:
                    text = f"SELECT DISTINCT ?this WHERE {{ {focus_pattern} BIND(?this AS ?value) {typed} }}"
                elif scan:
                    text = (f"SELECT ?this ?value WHERE {{ {{ SELECT DISTINCT ?this ?value WHERE {{ ?this {s.path} ?value {typed} }} }} "
                            f"FILTER({member}) }}")
                else:
                    text = f"SELECT DISTINCT ?this ?value WHERE {{ {focus_pattern} ?this {s.path} ?value {typed} }}"
                yield _Query(s, comp, text, "value", table=True)
            elif n in _VALUE_COMPONENTS:
                if s.path is None:
                    expr = c.value_violation(con, "?this", "?this")
                    yield _Query(s, comp, f"SELECT DISTINCT ?this WHERE {{ {focus_pattern} FILTER({expr}) }}", "value")
                else:
                    expr = c.value_violation(con, "?this", "?value")
                    if scan:
                        text = (f"SELECT ?this ?value WHERE {{ {{ SELECT DISTINCT ?this ?value WHERE {{ ?this {s.path} ?value . "
                                f"FILTER({expr}) }} }} FILTER({member}) }}")
                    else:
                        text = f"SELECT DISTINCT ?this ?value WHERE {{ {focus_pattern} ?this {s.path} ?value . FILTER({expr}) }}"
                    yield _Query(s, comp, text, "value")
            elif n == "equals":
                p = con.value
                if s.path is not None:
                    text = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus_pattern} "
                            f"{{ ?this {s.path} ?value . FILTER NOT EXISTS {{ ?this <{p}> ?value }} }} UNION "
                            f"{{ ?this <{p}> ?value . FILTER NOT EXISTS {{ ?this {s.path} ?value }} }} }}")
                else:
                    text = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus_pattern} "
                            f"{{ BIND(?this AS ?value) FILTER NOT EXISTS {{ ?this <{p}> ?this }} }} UNION "
                            f"{{ ?this <{p}> ?value . FILTER(!sameTerm(?this, ?value)) }} }}")
                yield _Query(s, comp, text, "value")
            elif n == "maxCount" and scan:
                v = c.var()

                def over(count: str) -> str:
                    return (f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {s.path} {v} }} GROUP BY ?this "
                            f"HAVING ({count} > {con.value}) }} FILTER({member}) }}")

                one = _one_iri(s.path)
                counted = (over("COUNT(*)"), one, con.value) if one else None
                yield _Query(s, comp, over(f"COUNT(DISTINCT {v})"), "focus", counted=counted, table=True)
            elif n == "minCount" and member is not None and con.value == 1:
                yield self._absence(s, comp, focus_pattern, c.var())
            elif n == "minCount" and member is not None and con.value > 1:
                v, k = c.var(), c.var("n")
                text = (f"SELECT ?this WHERE {{ {focus_pattern} OPTIONAL {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS {k}) "
                        f"WHERE {{ ?this {s.path} {v} }} GROUP BY ?this }} }} FILTER(COALESCE({k}, 0) < {con.value}) }}")
                yield _Query(s, comp, text, "focus", table=True)
            elif n == "hasValue" and member is not None and s.path is not None:
                yield self._absence(s, comp, focus_pattern, _nt(con.value))
            else:
                expr = c.focus_violation(s, con, "?this")
                yield _Query(s, comp, f"SELECT DISTINCT ?this WHERE {{ {focus_pattern} FILTER({expr}) }}", "focus")
        for prop in s.properties:
            if s.path is None:
                yield from self._shape_queries(prop, focus_pattern, member)
            else:
                raise ShapeError(f"shape {prop.label}: sh:property inside a property shape is only supported nested in sh:or/sh:and/sh:not/sh:node")

    @staticmethod
    def _absence(s: Shape, component: str, focus_pattern: str, value: str) -> _Query:
        """The focus nodes without ``?this PATH value`` (a variable or a term), on a whole store."""
        pattern = f"?this {s.path} {value}"
        text = f"SELECT ?this WHERE {{ {focus_pattern} FILTER NOT EXISTS {{ {pattern} }} }}"
        hashed = None
        if _one_iri(s.path):
            hashed = (f"SELECT ?this WHERE {{ {focus_pattern} MINUS {{ {pattern} }} }}", pattern)
        return _Query(s, component, text, "focus", hashed=hashed, table=hashed is not None)

    def _sparql_query(self, s: Shape, con: Constraint, focus_pattern: str) -> _Query:
        text, messages, node = con.value
        group = first_group(text)  # a SELECT's first '{' opens its WHERE group
        if group is None:
            raise ShapeError(f"shape {s.label}: cannot find the WHERE clause of its SPARQL constraint")
        i, j = group
        if self.lateral:
            # LATERAL (oxigraph's SEP-0006) evaluates the body once per focus node with $this bound.
            bound = text[:i + 1] + " " + focus_pattern + " LATERAL { " + text[i + 1:j] + " } " + text[j:]
        else:
            # Standard SPARQL 1.1: the focus pattern joins the body's group, so its FILTERs see $this
            # (pre-binding by substitution, as most SHACL engines do).
            bound = text[:i + 1] + " " + focus_pattern + " " + text[i + 1:j] + " " + text[j:]
        return _Query(s, SH + "SPARQLConstraintComponent", bound, "sparql", messages, node, table=True)

    # ---- running
    def run(self, store: pyoxigraph.Store, focus_graphs: list[str] | None = None) -> list[Result]:
        """Validate the union of ``store``'s graphs; with ``focus_graphs`` (graph IRIs), only the
        focus nodes those graphs mention."""
        self.lateral = getattr(store, "supports_lateral", True)
        focus = None if focus_graphs is None else self.focus_nodes(store, focus_graphs)
        queries = list(self.queries(focus))
        if focus is None and isinstance(store, pyoxigraph.Store):
            found = self._in_lanes(store, queries, LANES)
        else:
            found = [self._violations(store, q) for q in queries]
        results: dict[tuple[Any, ...], Result] = {}
        for rs in found:
            for r in rs:
                results.setdefault((r.focus, r.path, r.value, r.component, r.shape, r.message), r)
        return list(results.values())

    def _in_lanes(self, store: pyoxigraph.Store, queries: list[_Query], lanes: int) -> list[list[Result]]:
        """The violations of each query, run on ``lanes`` threads (pyoxigraph releases the GIL while
        it evaluates): the first lane runs the queries that may hold a table (``_Query.table``) one
        after the other, so the memory holds at most one table, then joins the others in running
        the lookups, which hold almost nothing. The results come back in the queries' order."""
        found: list[list[Result]] = [[] for _ in queries]
        tables = [i for i, q in enumerate(queries) if q.table]
        lookups = deque(i for i, q in enumerate(queries) if not q.table)
        stop = threading.Event()
        failed: list[BaseException] = []

        def shared() -> Iterator[int]:
            while lookups:
                try:
                    yield lookups.popleft()
                except IndexError:  # another lane took the last one
                    return

        def lane(own: list[int]) -> None:
            try:
                for i in itertools.chain(own, shared()):
                    if stop.is_set():
                        return
                    found[i] = self._violations(store, queries[i], whole=True)
            except BaseException as e:  # handed to the caller's thread
                failed.append(e)
                stop.set()

        # daemon threads: an interrupted build returns at once; a running query ends on its own
        threads = [threading.Thread(target=lane, args=(tables if n == 0 else [],), daemon=True, name=f"sahelkg-shacl-{n}")
                   for n in range(max(1, lanes))]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            stop.set()
        if failed:
            raise failed[0]
        return found

    def _violations(self, store: pyoxigraph.Store, q: _Query, *, whole: bool = False) -> list[Result]:
        """The results of one query; ``whole``: a whole-store query on an embedded store, whose
        memory is handed back to the system when it ends."""
        text, recount = self.text_for(store, q)
        try:
            rows = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as e:
            raise ShapeError(f"shape {q.shape.label}: the compiled query for {_short(q.component)} does not parse: {e}\n{text}") from e
        variables = [v.value for v in rows.variables]
        out = []
        for row in rows:
            if recount is not None and len(set(_Graph(store).objects(row["this"], recount[0]))) <= recount[1]:
                continue  # COUNT(*) counted one value stated in several graphs more than once
            out.append(self._result(q, row, variables))
        if whole:
            release_free_memory()  # a whole-store query may have held a GB: the next one starts from the base
        return out

    @staticmethod
    def text_for(store: pyoxigraph.Store, q: _Query) -> tuple[str, tuple[str, int] | None]:
        """The text to run for ``q`` on ``store``, and, for a query that counts triples, the property
        and the maximum to recount its nodes with. An embedded store runs the variants that Oxigraph
        answers faster (``_Query.hashed``, when a probe finds fewer than HASHED_ROWS triples) or in
        less memory (``_Query.counted``); a remote one runs the standard text."""
        if not isinstance(store, pyoxigraph.Store):
            return q.text, None
        if q.counted is not None:
            return q.counted[0], q.counted[1:]
        if q.hashed is not None and not store.query(
                f"ASK {{ {{ SELECT * WHERE {{ {q.hashed[1]} }} LIMIT 1 OFFSET {HASHED_ROWS} }} }}",
                use_default_graph_as_union=True):
            return q.hashed[0], None
        return q.text, None

    def _result(self, q: _Query, row: pyoxigraph.QuerySolution, variables: list[str]) -> Result:
        s = q.shape
        this = row["this"]
        value = row["value"] if "value" in variables else None
        path = s.path_label
        if q.kind == "value" and s.path is None:
            value = this
        if q.kind == "closed":
            path = row["path"].value
        message = None
        if q.kind == "sparql":
            if s.path is None and value is None:
                value = this
            if "path" in variables and row["path"] is not None:
                path = row["path"].value
            bound = {v: row[v] for v in variables if row[v] is not None}
            bound.setdefault("this", this)
            if value is not None:
                bound["value"] = value
            template = _pick_message(q.messages) or s.message
            if template is not None:
                message = _fill(template, bound)
        if message is None:
            message = s.message or _generic_message(q.component, this, path, value)
        return Result(this, path, value, s.severity, q.component, s.label, message)

    def focus_nodes(self, store: pyoxigraph.Store, graphs: list[str]) -> dict[int, list[Term]]:
        """For each top-level shape, its targets among the nodes that ``graphs`` mention.

        Only the predicates that targets use are looked up (a registry entity or a literal such
        as ``false`` is the object of millions of triples: those are never enumerated).
        """
        values = " ".join(f"<{g.strip('<>')}>" for g in graphs)
        if not values:
            return {}
        nodes: dict[Term, None] = {}
        for row in store.query(f"SELECT DISTINCT ?n WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ {{ ?n ?p ?o }} UNION {{ ?s ?p ?n }} }} }}"):
            nodes[row["n"]] = None
        candidates = [n for n in nodes if not isinstance(n, pyoxigraph.BlankNode)]
        if not candidates:
            return {}
        classes = sorted({c for shape in self.shapes for kind, o in shape.targets if kind == "targetClass" for c in self.compiler.subs(o)})
        subject_of = sorted({o.value for shape in self.shapes for kind, o in shape.targets if kind == "targetSubjectsOf"})
        object_of = sorted({o.value for shape in self.shapes for kind, o in shape.targets if kind == "targetObjectsOf"})
        # the candidates that are targets: {("targetClass", class IRI) | (kind, property IRI): {node}}
        found: dict[tuple[str, str], set[Term]] = defaultdict(set)
        iris = [n for n in candidates if isinstance(n, pyoxigraph.NamedNode)]
        for chunk in _chunks(iris, 2000):
            vals = " ".join(str(n) for n in chunk)
            if classes:
                query = (f"SELECT DISTINCT ?n ?t WHERE {{ VALUES ?n {{ {vals} }} ?n <{RDF_TYPE}> ?t . "
                         f"FILTER(?t IN ({', '.join(f'<{c}>' for c in classes)})) }}")
                for row in store.query(query, use_default_graph_as_union=True):
                    found["targetClass", row["t"].value].add(row["n"])
            if subject_of:
                query = (f"SELECT ?n ?p WHERE {{ VALUES ?n {{ {vals} }} VALUES ?p {{ {' '.join(f'<{p}>' for p in subject_of)} }} "
                         f"FILTER EXISTS {{ ?n ?p ?o }} }}")
                for row in store.query(query, use_default_graph_as_union=True):
                    found["targetSubjectsOf", row["p"].value].add(row["n"])
        if object_of:
            for chunk in _chunks(candidates, 2000):
                vals = " ".join(str(n) for n in chunk)
                query = (f"SELECT ?n ?p WHERE {{ VALUES ?n {{ {vals} }} VALUES ?p {{ {' '.join(f'<{p}>' for p in object_of)} }} "
                         f"FILTER EXISTS {{ ?s ?p ?n }} }}")
                for row in store.query(query, use_default_graph_as_union=True):
                    found["targetObjectsOf", row["p"].value].add(row["n"])
        order = {n: i for i, n in enumerate(candidates)}
        out: dict[int, list[Term]] = {}
        for shape in self.shapes:
            focus: set[Term] = set()
            for kind, o in shape.targets:
                if kind == "targetClass":
                    focus.update(*(found.get(("targetClass", c), ()) for c in self.compiler.subs(o)))
                elif kind == "targetNode":
                    if o in order:
                        focus.add(o)
                else:
                    focus.update(found.get((kind, o.value), ()))
            out[id(shape)] = sorted(focus, key=order.__getitem__)  # in the order the graphs mention them
        return out


def _one_iri(path: str | None) -> str | None:
    """The IRI of a path that is one IRI (``<...>``), else None."""
    m = re.fullmatch(r"<([^<>]*)>", path or "")
    return m.group(1) if m else None


def _chunks(items: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _xpath_group_references(query: str) -> str:
    """``$1article`` -> ``${1}article`` inside the query's string literals.

    In XPath's fn:replace (SPARQL's REPLACE) ``$1article`` is group 1 then "article"; pyoxigraph hands
    the replacement to Rust's regex crate, which reads a group *named* "1article" (empty). ``${1}``
    means group 1 to both. (Strings that are not replacements are not affected in practice: in a
    regex ``$`` followed by a digit can never match.)
    """
    return map_strings(query, lambda literal: re.sub(r"\$(\d+)(?=[A-Za-z_])", r"${\1}", literal))


def _fill(template: str, bound: dict[str, Term]) -> str:
    """A message template with ``{$var}``/``{?var}`` replaced by the bound values (as pyshacl does)."""
    for var, val in bound.items():
        template = template.replace("{$" + var + "}", val.value).replace("{?" + var + "}", val.value)
    return template


def _generic_message(component: str, focus: Term, path: str | None, value: Term | None) -> str:
    name = _short(component).replace("ConstraintComponent", "")
    where = f"{focus.value}->{path}" if path else focus.value
    shown = f" {value.value}" if value is not None else ""
    return f"{name} constraint violated on {where}{shown}"


def subclass_closure(store: pyoxigraph.Store) -> dict[str, set[str]]:
    """Every class's strict subclasses (transitively), read from ``rdfs:subClassOf`` in the union."""
    direct: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{SUBCLASS}> ?o }}", use_default_graph_as_union=True):
        if isinstance(row["s"], pyoxigraph.NamedNode) and isinstance(row["o"], pyoxigraph.NamedNode):
            direct[row["o"].value].add(row["s"].value)
    out: dict[str, set[str]] = {}
    for cls in list(direct):
        seen: set[str] = set()
        stack = list(direct[cls])
        while stack:
            x = stack.pop()
            if x not in seen:
                seen.add(x)
                stack.extend(direct.get(x, ()))
        out[cls] = seen
    return out


def compile_shapes(shapes: str | Path, data: pyoxigraph.Store) -> CompiledShapes:
    """Compile the shapes (a Turtle file path, or Turtle text) for the data in ``data``.

    :raises ShapeError: a shape uses a constraint component that is not compiled, or is malformed.
    """
    graph = pyoxigraph.Store()
    try:
        if isinstance(shapes, Path):
            graph.load(path=str(shapes), format=pyoxigraph.RdfFormat.TURTLE)
        else:
            graph.load(input=shapes, format=pyoxigraph.RdfFormat.TURTLE)
    except SyntaxError as e:
        raise ShapeError(f"{shapes}: the shapes do not parse: {e}") from e
    compiler = _Compiler(graph, subclass_closure(data))
    return CompiledShapes(compiler.top_level(), compiler)


# --------------------------------------------------------------------------- the build's entry points

def locate(store: pyoxigraph.Store, focus: str, settings: Settings) -> tuple[str, str]:
    """``(file, description)`` of a focus node: its annotation file and the fact's quote."""
    iris = Iris(settings.base_iri)
    node = iris.node(focus)
    if node is None:
        return "graph", f"<{focus}>"
    from sahelkg.corpus.scan import CorpusFiles  # (the graph's modules import the corpus only when locating)

    files = CorpusFiles(settings.corpus_dir)
    if node.kind == "entity":
        return str(files.registry_dir), f"entity {node.local}"
    article_id, fact_id = str(node.article), node.local
    file = str(files.annotation_file(article_id))
    if fact_id is None:
        return file, f"article {article_id}"
    ann = iris.annotation(article_id, fact_id)
    rows = list(store.query(
        # ?ann is projected: pyoxigraph's substitutions bind only projected variables
        "SELECT ?ann ?q WHERE { ?ann <%s> ?t . ?t <%s> ?s . ?s <%s> ?q }" % (OA.hasTarget, OA.hasSelector, OA.exact),
        substitutions={pyoxigraph.Variable("ann"): pyoxigraph.NamedNode(ann)},
        use_default_graph_as_union=True,
    ))
    quote = rows[0]["q"].value if rows else None
    shown = f' (quote "{quote[:80]}")' if quote else ""
    return file, f"{fact_id}{shown}"


def validate_graphs(store: pyoxigraph.Store, shapes_file: Path, graphs: list[str] | None,
                    settings: Settings) -> list[Problem]:
    """SHACL violations as located Problems: of every node (``graphs`` None), or of the nodes that
    the given article graphs (IRIs) mention (an incremental build), with values read from all graphs.

    :raises ShapeError: the shapes use a constraint component that is not compiled.
    """
    if not Path(shapes_file).exists():
        return []
    compiled = compile_shapes(Path(shapes_file), store)
    focus_graphs = None
    if graphs is not None:
        iris = Iris(settings.base_iri)
        focus_graphs = [name for g in graphs for name in (g, iris.inferred_of(g))]
    from sahelkg.corpus.lint import fact_line

    problems = []
    for r in compiled.run(store, focus_graphs):
        file, where = locate(store, r.focus.value, settings)
        text = f"{where}: {r.message}"
        if r.path is not None:
            text += f" (path {_short(r.path)})"
        if r.value is not None:
            text += f" (value {_short(r.value.value)})"
        problems.append(Problem(file, fact_line(file, where), text, "error" if r.severity == VIOLATION else "warning"))
    return sorted(problems, key=lambda p: (p.file, p.message))
