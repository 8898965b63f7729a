"""The ontology: load it, answer questions about its hierarchy, and check it.

:func:`load_ontology` parses ``ontology/sahelkg.ttl`` into an :class:`Ontology` whose helpers
(super/subclasses, domains, ranges, inverses...) are precomputed, because the corpus validator and
the inference engine call them for every triple. :func:`check_ontology` is what
``sahelkg check ontology`` runs: the closed vocabulary of :mod:`sahelkg.vocab` is declared, every
term has its labels and definition (a ROBOT-style report), and HermiT (through owlready2) finds the
ontology consistent with no unsatisfiable class.

>>> from sahelkg.settings import Settings
>>> onto = load_ontology(Settings.from_env().ontology_file)
>>> SK.ArmedGroup in onto.superclasses(SK.Katiba)
True
>>> onto.inverse_of(SK.participatedIn) == SK.hasParticipant
True
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL as _OWL
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS

from sahelkg import vocab
from sahelkg.errors import OntologyError, Problem
from sahelkg.vocab import SK

__all__ = [
    "Ontology",
    "OntologyProblem",
    "check_ontology",
    "curie",
    "format_report",
    "load_ontology",
]

LANGUAGES = ("en", "fr")
"""Every term of the ontology has an rdfs:label and a skos:prefLabel in each of these languages."""

THING = str(_OWL.Thing)
NOTHING = str(_OWL.Nothing)

# Namespaces whose terms are built into RDF/OWL: never reported as undeclared or unlabelled.
_BUILTIN_NAMESPACES = (str(_RDF), str(_RDFS), str(_OWL), "http://www.w3.org/2001/XMLSchema#")

_KIND_NAMES = {
    "class": "owl:Class",
    "object": "owl:ObjectProperty",
    "datatype": "owl:DatatypeProperty",
    "annotation": "owl:AnnotationProperty",
    "individual": "owl:NamedIndividual",
}


@dataclass(frozen=True)
class OntologyProblem(Problem):
    """A :class:`~sahelkg.errors.Problem` with the ROBOT-style rule name and subject it is about.

    >>> p = OntologyProblem("ontology/sahelkg.ttl", 12, "sk:Katiba has no rdfs:label@fr", "error",
    ...                     rule="missing_label", subject="sk:Katiba")
    >>> str(p)
    'ontology/sahelkg.ttl:12: sk:Katiba has no rdfs:label@fr'
    """

    rule: str = ""
    subject: str = ""


# --------------------------------------------------------------------------------------------
# the Ontology object


@dataclass(frozen=True, eq=False)
class Ontology:
    """A parsed ontology with its term sets and precomputed hierarchy lookups.

    Term sets are frozensets of IRI strings. The lookups take and return IRI strings and never
    raise for an unknown IRI: ``superclasses`` and ``superproperties`` are reflexive, so an
    unknown term is its own only superclass; ``domain`` and ``range`` of an unknown property are
    empty (which :meth:`fits` reads as "anything fits").
    """

    graph: Graph
    path: Path | None
    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    annotation_properties: frozenset[str]
    individuals: frozenset[str]
    datatypes: frozenset[str]
    symmetric_properties: frozenset[str]
    transitive_properties: frozenset[str]
    _superclasses: Mapping[str, frozenset[str]] = field(repr=False)
    _subclasses: Mapping[str, frozenset[str]] = field(repr=False)
    _superproperties: Mapping[str, frozenset[str]] = field(repr=False)
    _domains: Mapping[str, frozenset[str]] = field(repr=False)
    _ranges: Mapping[str, frozenset[str]] = field(repr=False)
    _inverses: Mapping[str, str] = field(repr=False)
    _individual_types: Mapping[str, frozenset[str]] = field(repr=False)

    @classmethod
    def from_graph(cls, graph: Graph, path: Path | None = None) -> Ontology:
        """Build the term sets and lookups of the ontology held in ``graph``."""

        def typed(*types: URIRef) -> frozenset[str]:
            return frozenset(
                str(s) for t in types for s in graph.subjects(_RDF.type, t) if isinstance(s, URIRef)
            )

        classes = typed(_OWL.Class, _RDFS.Class)
        symmetric = typed(_OWL.SymmetricProperty)
        transitive = typed(_OWL.TransitiveProperty)
        object_properties = typed(
            _OWL.ObjectProperty, _OWL.SymmetricProperty, _OWL.TransitiveProperty,
            _OWL.InverseFunctionalProperty, _OWL.ReflexiveProperty, _OWL.IrreflexiveProperty,
            _OWL.AsymmetricProperty,
        )
        datatype_properties = typed(_OWL.DatatypeProperty)
        annotation_properties = typed(_OWL.AnnotationProperty)
        datatypes = typed(_RDFS.Datatype)

        # Named individuals: declared as such, or typed with a named class of this ontology.
        individual_types: dict[str, set[str]] = defaultdict(set)
        declared_individuals = typed(_OWL.NamedIndividual)
        for s, o in graph.subject_objects(_RDF.type):
            if not isinstance(s, URIRef) or not isinstance(o, URIRef):
                continue
            if str(o) in classes and str(o) != THING:
                individual_types[str(s)].add(str(o))
        individuals = declared_individuals | frozenset(individual_types)
        individual_types_frozen = {i: frozenset(individual_types.get(i, ())) for i in individuals}

        # Class hierarchy: named classes only; owl:equivalentClass counts both ways.
        up = _direct_supers(graph, _RDFS.subClassOf, _OWL.equivalentClass)
        class_terms = classes | frozenset(up) | frozenset(c for cs in up.values() for c in cs)
        superclasses = _closure(class_terms, up)
        subclasses = _invert(superclasses)

        # Property hierarchy: rdfs:subPropertyOf and owl:equivalentProperty (both ways).
        pup = _direct_supers(graph, _RDFS.subPropertyOf, _OWL.equivalentProperty)
        properties = object_properties | datatype_properties | annotation_properties
        property_terms = properties | frozenset(pup) | frozenset(p for ps in pup.values() for p in ps)
        superproperties = _closure(property_terms, pup)

        declared_domains = _class_expressions(graph, _RDFS.domain)
        declared_ranges = _class_expressions(graph, _RDFS.range)
        domains = _inherit(property_terms, declared_domains, pup)
        ranges = _inherit(property_terms, declared_ranges, pup)

        inverses: dict[str, str] = {}
        for s, o in graph.subject_objects(_OWL.inverseOf):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                inverses.setdefault(str(s), str(o))
                inverses.setdefault(str(o), str(s))

        return cls(
            graph=graph,
            path=path,
            classes=classes,
            object_properties=object_properties,
            datatype_properties=datatype_properties,
            annotation_properties=annotation_properties,
            individuals=individuals,
            datatypes=datatypes,
            symmetric_properties=symmetric,
            transitive_properties=transitive,
            _superclasses=superclasses,
            _subclasses=subclasses,
            _superproperties=superproperties,
            _domains=domains,
            _ranges=ranges,
            _inverses=inverses,
            _individual_types=individual_types_frozen,
        )

    # -- lookups -------------------------------------------------------------------------------

    def superclasses(self, cls: str) -> frozenset[str]:
        """The named superclasses of ``cls``, itself included (over subClassOf and equivalentClass)."""
        return self._superclasses.get(cls) or frozenset((cls,))

    def subclasses(self, cls: str) -> frozenset[str]:
        """The named subclasses of ``cls``, itself included."""
        return self._subclasses.get(cls) or frozenset((cls,))

    def superproperties(self, prop: str) -> frozenset[str]:
        """The superproperties of ``prop``, itself included (over subPropertyOf and equivalentProperty)."""
        return self._superproperties.get(prop) or frozenset((prop,))

    def domain(self, prop: str) -> frozenset[str]:
        """The named classes of ``prop``'s rdfs:domain, a union expanded; empty when none is stated.

        A property without a domain of its own takes its nearest superproperty's.
        """
        return self._domains.get(prop, frozenset())

    def range(self, prop: str) -> frozenset[str]:
        """The named classes of ``prop``'s rdfs:range (like :meth:`domain`); datatypes for data properties."""
        return self._ranges.get(prop, frozenset())

    def inverse_of(self, prop: str) -> str | None:
        """The property declared owl:inverseOf ``prop`` (in either direction), or None."""
        return self._inverses.get(prop)

    def individual_types(self, individual: str) -> frozenset[str]:
        """The named classes ``individual`` is asserted to belong to (owl:NamedIndividual excluded)."""
        return self._individual_types.get(individual, frozenset())

    def fits(self, types: Iterable[str], expected: frozenset[str]) -> bool:
        """True when a node of ``types`` may be used where ``expected`` (a domain or range) is required.

        An empty ``expected``, or one holding owl:Thing, accepts anything; otherwise one of the
        types (or one of their superclasses) must be in ``expected``.
        """
        if not expected or THING in expected:
            return True
        return any(not self.superclasses(t).isdisjoint(expected) for t in types)

    def kind(self, term: str) -> str | None:
        """What ``term`` is declared as: "class", "object", "datatype", "annotation", "individual" or None."""
        if term in self.classes:
            return "class"
        if term in self.object_properties:
            return "object"
        if term in self.datatype_properties:
            return "datatype"
        if term in self.annotation_properties:
            return "annotation"
        if term in self.individuals:
            return "individual"
        return None

    @property
    def declared(self) -> frozenset[str]:
        """Every term the ontology declares (classes, properties, individuals, datatypes)."""
        return (
            self.classes | self.object_properties | self.datatype_properties
            | self.annotation_properties | self.individuals | self.datatypes
        )


def _direct_supers(graph: Graph, sub: URIRef, equivalent: URIRef) -> dict[str, set[str]]:
    """Each named term's direct super-terms by ``sub`` (rdfs:subClassOf, rdfs:subPropertyOf); an
    ``equivalent`` pair (owl:equivalentClass, owl:equivalentProperty) counts both ways."""
    up: dict[str, set[str]] = defaultdict(set)
    for s, o in graph.subject_objects(sub):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            up[str(s)].add(str(o))
    for s, o in graph.subject_objects(equivalent):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            up[str(s)].add(str(o))
            up[str(o)].add(str(s))
    return up


def _closure(terms: Iterable[str], up: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Reflexive-transitive closure of the ``up`` relation, for every term."""
    result: dict[str, frozenset[str]] = {}
    for term in terms:
        seen = {term}
        queue = deque([term])
        while queue:
            for nxt in up.get(queue.popleft(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        result[term] = frozenset(seen)
    return result


def _invert(closure: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    down: dict[str, set[str]] = defaultdict(set)
    for term, ups in closure.items():
        for u in ups:
            down[u].add(term)
    return {t: frozenset(ds) for t, ds in down.items()}


def _class_expressions(graph: Graph, predicate: URIRef) -> dict[str, frozenset[str]]:
    """The named classes of each property's ``predicate`` (rdfs:domain or rdfs:range), unions expanded."""
    result: dict[str, set[str]] = defaultdict(set)
    for prop, expr in graph.subject_objects(predicate):
        if isinstance(prop, URIRef):
            result[str(prop)].update(_named_members(graph, expr))
    return {p: frozenset(cs) for p, cs in result.items()}


def _named_members(graph: Graph, expr: object) -> set[str]:
    if isinstance(expr, URIRef):
        return {str(expr)}
    if isinstance(expr, BNode):
        members: set[str] = set()
        for union in graph.objects(expr, _OWL.unionOf):
            for item in Collection(graph, union):
                members |= _named_members(graph, item)
        return members
    return set()


def _inherit(
    properties: Iterable[str], declared: Mapping[str, frozenset[str]], up: Mapping[str, Iterable[str]]
) -> dict[str, frozenset[str]]:
    """Each property's declared value, else its nearest superproperty's (breadth first)."""
    result: dict[str, frozenset[str]] = {}
    for prop in properties:
        seen = {prop}
        queue = deque([prop])
        while queue:
            current = queue.popleft()
            if declared.get(current):
                result[prop] = declared[current]
                break
            for nxt in sorted(up.get(current, ())):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
    return result


# --------------------------------------------------------------------------------------------
# loading


def load_ontology(path: Path) -> Ontology:
    """Parse the ontology file at ``path`` (Turtle, RDF/XML, N-Triples... by extension).

    :param path: the ontology file, e.g. ``Settings.ontology_file``.
    :returns: the :class:`Ontology`.
    :raises OntologyError: the file cannot be read or does not parse; its one problem names the
        file and, for a syntax error, the line (and column in the message).
    """
    return Ontology.from_graph(_parse(path), path)


def sniff_syntax(data: bytes) -> str | None:
    r"""The syntax of an ontology file from its first bytes: "owlxml", "xml" (RDF/XML) or None.

    Protégé's "Save as" keeps the file name and changes the syntax inside, so the name of
    ``sahelkg.ttl`` says nothing about what it holds once saved back from Protégé.

    >>> sniff_syntax(b'<?xml version="1.0"?>\n<Ontology xmlns="http://www.w3.org/2002/07/owl#">')
    'owlxml'
    >>> sniff_syntax(b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="...">'), sniff_syntax(b"@prefix x: <y> .")
    ('xml', None)
    """
    head = data[:4096].lstrip()
    if not head.startswith(b"<"):
        return None
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*(\[.*?\])?\s*>", b"", head, flags=re.S).lstrip()
    return "owlxml" if re.match(rb"<(\w+:)?Ontology\b", text) else "xml"


def _owlxml_to_ntriples(path: Path) -> bytes:
    """OWL/XML, which neither rdflib nor pyoxigraph reads, as N-Triples through owlready2."""
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology(path.resolve().as_uri()).load()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ontology.nt"
        onto.save(file=str(out), format="ntriples")
        return out.read_bytes()


def _parse(path: Path) -> Graph:
    from rdflib.plugins.parsers.notation3 import BadSyntax
    from rdflib.util import guess_format

    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OntologyError([_problem(where, None, "error", "parse_error", where,
                                      f"cannot read the ontology: {exc.strerror or exc}")]) from exc
    graph = Graph()
    fmt = sniff_syntax(data) or guess_format(str(path)) or "turtle"
    try:
        if fmt == "owlxml":
            data, fmt = _owlxml_to_ntriples(path), "nt"
        graph.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        line, column = _syntax_error_position(exc)
        raise OntologyError([_problem(where, line, "error", "parse_error", where,
                                      f"syntax error at column {column}: {exc._why}")]) from exc
    except Exception as exc:  # noqa: BLE001 - every parser failure is reported as a problem
        error_line = _exception_line(exc)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OntologyError([_problem(where, error_line, "error", "parse_error", where,
                                      f"cannot parse as {fmt}: {message}")]) from exc
    return graph


def _syntax_error_position(exc: Exception) -> tuple[int, int]:
    """Line and column (1-based) of an rdflib Turtle/N3 syntax error.

    rdflib's own line count (``exc.lines``) drifts when comments precede the error, and its offset
    can then point inside the comment before the offending token; so the position is computed from
    the offset, moved forward past comments to the next token in that case.
    """
    raw = getattr(exc, "_str", b"")
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
    i = min(int(getattr(exc, "_i", 0)), len(text))
    line_start = text.rfind("\n", 0, i) + 1
    in_comment = text[line_start:i].lstrip().startswith("#")
    while in_comment and i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
        else:
            break
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, column


def _exception_line(exc: Exception) -> int | None:
    get_line = getattr(exc, "getLineNumber", None)  # xml.sax.SAXParseException
    if callable(get_line):
        try:
            return int(get_line())
        except (TypeError, ValueError):
            return None
    return None


# --------------------------------------------------------------------------------------------
# checking


def check_ontology(path: Path, *, reason: bool = True) -> list[Problem]:
    """Check the ontology at ``path``; return every problem found (nothing is printed).

    Errors: a parse error (then nothing else is checked); a term of :mod:`sahelkg.vocab` not
    declared, or declared as another kind; a term of the ontology's namespace without an
    rdfs:label, a skos:prefLabel or a skos:definition@en, or an external term declared without
    rdfs:label, in each of :data:`LANGUAGES` (definitions: English only); two rdfs:labels in one
    language; an ``sk:`` IRI used but not declared; and with ``reason`` HermiT's verdict
    (inconsistent, unsatisfiable classes, Java missing). Warnings: two terms sharing a label in
    one language, object and datatype properties without a domain or a range.

    :param path: the ontology file.
    :param reason: also run HermiT through owlready2 (needs Java 17).
    :returns: a list of :class:`OntologyProblem`, errors and warnings, empty when all is well.
    """
    try:
        onto = load_ontology(path)
    except OntologyError as exc:
        return list(exc.problems)
    where = str(path)
    lines = _LineIndex.of(path)
    problems: list[Problem] = []
    problems += _check_vocabulary(onto, where, lines)
    problems += _check_labels(onto, where, lines)
    problems += _check_undeclared(onto, where, lines)
    problems += _check_domains(onto, where, lines)
    if reason:
        problems += _reason(onto, where, lines)
    return problems


def _problem(where: str, line: int | None, severity: str, rule: str, subject: str, message: str) -> OntologyProblem:
    return OntologyProblem(where, line, message, severity, rule=rule, subject=subject)


def curie(iri: str) -> str:
    """``iri`` in prefixed form with the project's prefixes (:data:`sahelkg.vocab.PREFIXES`), else ``<iri>``.

    >>> curie("https://w3id.org/sahelkg/ontology#Katiba")
    'sk:Katiba'
    """
    for prefix, base in vocab.PREFIXES.items():
        if iri.startswith(base) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(base):]):
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"


class _LineIndex:
    """Line where each term's block starts in a Turtle file (a subject at the start of a line)."""

    _PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
    _SUBJECT = re.compile(r"^(<[^>]*>|[\w.-]*:[\w.-]*)(?=\s|$)")

    def __init__(self, lines: Mapping[str, int]) -> None:
        self._lines = lines

    @classmethod
    def of(cls, path: Path) -> _LineIndex:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return cls({})
        prefixes: dict[str, str] = {}
        found: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            m = cls._PREFIX.match(line)
            if m:
                prefixes[m.group(1)] = m.group(2)
                continue
            m = cls._SUBJECT.match(line)
            if not m:
                continue
            token = m.group(1)
            if token.startswith("<"):
                iri = token[1:-1]
            else:
                prefix, _, local = token.partition(":")
                if prefix not in prefixes:
                    continue
                iri = prefixes[prefix] + local
            found.setdefault(iri, number)
        return cls(found)

    def __call__(self, iri: str) -> int | None:
        return self._lines.get(iri)


def _check_vocabulary(onto: Ontology, where: str, lines: _LineIndex) -> list[Problem]:
    """Every SK term of vocab.py is declared, as the kind vocab.py lists it under."""
    expected: dict[str, str] = {}
    for names, kind in (
        (vocab.CLASSES, "class"), (vocab.OBJECT_PROPERTIES, "object"),
        (vocab.DATA_PROPERTIES, "datatype"), (vocab.ANNOTATION_PROPERTIES, "annotation"),
        (vocab.INDIVIDUALS, "individual"),
    ):
        for name in names:
            expected[SK.term(name)] = kind
    problems: list[Problem] = []
    for iri in sorted(expected):
        kind = expected[iri]
        actual = onto.kind(iri)
        if iri in _members(onto, kind):
            continue
        c = curie(iri)
        if actual is None:
            problems.append(_problem(where, None, "error", "missing_declaration", c,
                                     f"{c} is in vocab.py but not declared in the ontology "
                                     f"(expected {_KIND_NAMES[kind]})"))
        else:
            problems.append(_problem(where, lines(iri), "error", "wrong_kind", c,
                                     f"{c} is declared as {_KIND_NAMES[actual]} but vocab.py lists it "
                                     f"as {_KIND_NAMES[kind]}"))
    return problems


def _members(onto: Ontology, kind: str) -> frozenset[str]:
    return {
        "class": onto.classes, "object": onto.object_properties, "datatype": onto.datatype_properties,
        "annotation": onto.annotation_properties, "individual": onto.individuals,
    }[kind]


def _labelled_terms(onto: Ontology) -> list[str]:
    """Declared terms that must carry labels: all but the built-ins and datatypes."""
    terms = onto.declared - onto.datatypes
    return sorted(t for t in terms if not t.startswith(_BUILTIN_NAMESPACES))


def _literals(graph: Graph, subject: str, predicate: URIRef) -> list[Literal]:
    return [o for o in graph.objects(URIRef(subject), predicate) if isinstance(o, Literal)]


def _check_labels(onto: Ontology, where: str, lines: _LineIndex) -> list[Problem]:
    """ROBOT-style label report: missing labels/prefLabels/definitions, several labels, duplicates."""
    graph = onto.graph
    problems: list[Problem] = []
    by_label: dict[tuple[str, str], list[str]] = defaultdict(list)
    for iri in _labelled_terms(onto):
        c = curie(iri)
        own = iri.startswith(SK.base)
        labels = _literals(graph, iri, _RDFS.label)
        per_lang: dict[str, list[str]] = defaultdict(list)
        for label in labels:
            per_lang[(label.language or "").lower()].append(str(label))
            by_label[(str(label), (label.language or "").lower())].append(iri)
        for lang in LANGUAGES:
            if not per_lang.get(lang):
                problems.append(_problem(where, lines(iri), "error", "missing_label", c,
                                         f"{c} has no rdfs:label@{lang}"))
        for lang, values in sorted(per_lang.items()):
            if len(values) > 1:
                problems.append(_problem(where, lines(iri), "error", "multiple_labels", c,
                                         f"{c} has {len(values)} rdfs:label@{lang or '(no language)'}"))
        if not own:
            continue
        pref_langs = {(lit.language or "").lower() for lit in _literals(graph, iri, _SKOS.prefLabel)}
        for lang in LANGUAGES:
            if lang not in pref_langs:
                problems.append(_problem(where, lines(iri), "error", "missing_preflabel", c,
                                         f"{c} has no skos:prefLabel@{lang}"))
        def_langs = {(lit.language or "").lower() for lit in _literals(graph, iri, _SKOS.definition)}
        if "en" not in def_langs:
            problems.append(_problem(where, lines(iri), "error", "missing_definition", c,
                                     f"{c} has no skos:definition@en"))
    for (text, lang), iris in sorted(by_label.items()):
        distinct = sorted(set(iris))
        if len(distinct) > 1:
            first, others = distinct[0], distinct[1:]
            c = curie(first)
            problems.append(_problem(
                where, lines(first), "warning", "duplicate_label", c,
                f'{c} shares rdfs:label "{text}"@{lang} with ' + ", ".join(curie(o) for o in others)))
    return problems


def _check_undeclared(onto: Ontology, where: str, lines: _LineIndex) -> list[Problem]:
    """An IRI of the ontology's own namespace used in a triple but never declared."""
    used: set[str] = set()
    for triple in onto.graph:
        for node in triple:
            if isinstance(node, URIRef) and str(node).startswith(SK.base):
                used.add(str(node))
    declared = onto.declared
    problems: list[Problem] = []
    for iri in sorted(used - declared):
        c = curie(iri)
        problems.append(_problem(where, lines(iri), "error", "undeclared_term", c,
                                 f"{c} is used but not declared"))
    return problems


def _check_domains(onto: Ontology, where: str, lines: _LineIndex) -> list[Problem]:
    """Object and datatype properties of the ontology's namespace without a domain or a range."""
    graph = onto.graph
    problems: list[Problem] = []
    for iri in sorted(onto.object_properties | onto.datatype_properties):
        if not iri.startswith(SK.base):
            continue
        c = curie(iri)
        for predicate, name in ((_RDFS.domain, "domain"), (_RDFS.range, "range")):
            if graph.value(URIRef(iri), predicate) is None:
                problems.append(_problem(where, lines(iri), "warning", f"missing_{name}", c,
                                         f"{c} has no rdfs:{name}"))
    return problems


# --------------------------------------------------------------------------------------------
# reasoning (HermiT through owlready2)


def _reason(onto: Ontology, where: str, lines: _LineIndex) -> list[Problem]:
    """Run HermiT on the ontology: inconsistency and unsatisfiable classes are errors."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            import owlready2
        except ImportError:
            return [_problem(where, None, "error", "reasoner_unavailable", "HermiT",
                             "owlready2 is not installed: pip install owlready2 (it bundles HermiT)")]
        java = getattr(owlready2, "JAVA_EXE", "java")
        if shutil.which(java) is None:
            return [_problem(where, None, "error", "reasoner_unavailable", "HermiT",
                             f"Java not found ({java!r} is not on the PATH): install Java 17 "
                             "(e.g. apt-get install default-jre-headless) to run the HermiT reasoner, "
                             "or check without reasoning")]
        with tempfile.TemporaryDirectory(prefix="sahelkg-hermit-") as tmp:
            # owlready2 does not read Turtle: hand it N-Triples.
            nt = Path(tmp) / "ontology.nt"
            onto.graph.serialize(destination=str(nt), format="nt", encoding="utf-8")
            world = owlready2.World()
            try:
                loaded = world.get_ontology(nt.as_uri()).load()
                with loaded:
                    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
                unsat = sorted(
                    c.iri for c in world.inconsistent_classes()
                    if c is not owlready2.Nothing and getattr(c, "iri", NOTHING) != NOTHING
                )
            except owlready2.OwlReadyInconsistentOntologyError:
                return [_problem(where, None, "error", "inconsistent", "ontology",
                                 "the ontology is inconsistent (HermiT)")]
            except owlready2.OwlReadyJavaError as exc:
                detail = [ln.strip() for ln in str(exc).splitlines()
                          if ln.strip() and not ln.strip().startswith("at ")]
                return [_problem(where, None, "error", "reasoner_error", "HermiT",
                                 "HermiT failed: " + " | ".join(detail[:3]))]
            except FileNotFoundError as exc:
                return [_problem(where, None, "error", "reasoner_unavailable", "HermiT",
                                 f"cannot run Java ({exc}): install Java 17 to run the HermiT reasoner")]
            finally:
                world.close()
    problems: list[Problem] = []
    for iri in unsat:
        c = curie(iri)
        problems.append(_problem(where, lines(iri), "error", "unsatisfiable_class", c,
                                 f"{c} is unsatisfiable (equivalent to owl:Nothing)"))
    return problems


# --------------------------------------------------------------------------------------------
# report


def format_report(problems: Iterable[Problem]) -> str:
    """Render problems as a ROBOT-like text table: level, rule, subject, location, message.

    >>> print(format_report([OntologyProblem("o.ttl", 3, "sk:A has no rdfs:label@fr", "error",
    ...                                      rule="missing_label", subject="sk:A")]))
    LEVEL  RULE           SUBJECT  LOCATION  MESSAGE
    ERROR  missing_label  sk:A     o.ttl:3   sk:A has no rdfs:label@fr
    1 error(s), 0 warning(s)
    """
    items = list(problems)
    if not items:
        return "No problems found."
    order = {"error": 0, "warning": 1}
    items.sort(key=lambda p: order.get(p.severity, 2))
    rows = [("LEVEL", "RULE", "SUBJECT", "LOCATION", "MESSAGE")]
    for p in items:
        rule = getattr(p, "rule", "") or "-"
        subject = getattr(p, "subject", "") or "-"
        location = f"{p.file}:{p.line}" if p.line else p.file
        rows.append((p.severity.upper(), rule, subject, location, p.message))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows]
    errors = sum(1 for p in items if p.severity == "error")
    warnings = sum(1 for p in items if p.severity == "warning")
    out.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(out)
