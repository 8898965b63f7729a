"""The compiled SHACL validator (sahelkg.graph.shacl) against pyshacl, the reference engine.

Every supported constraint component has valid and invalid nodes in a small hand-written dataset
(two named graphs, so that a type in one graph and a value in another must be seen together); the
compiled validator must report exactly the results pyshacl reports (focus node, path, value,
severity, component), with both of its strategies (whole store, and given focus nodes as in an
incremental build). The real corpus, built into a temporary store, gives the same results in both
engines and no violation. A shape using a component that is not compiled is an error naming it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH as RSH

from sahelkg.errors import Problem
from sahelkg.settings import Settings
from sahelkg.graph import shacl
from sahelkg.graph.shacl import ShapeError, _short, compile_shapes, validate_graphs

ROOT = Path(__file__).resolve().parents[1]
EX = "http://ex.org/"

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

<http://ex.org/> a owl:Ontology ;
    sh:declare [ sh:prefix "ex" ; sh:namespace "http://ex.org/"^^xsd:anyURI ] .

ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ;
                  sh:minLength 2 ; sh:maxLength 10 ; sh:pattern "^[A-Z]" ] ;
    sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 150 ;
                  sh:message "bad age"@en ] ;
    sh:property [ sh:path ex:knows ; sh:class ex:Person ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path ex:email ; sh:minCount 2 ; sh:severity sh:Warning ] ;
    sh:property [ sh:path ex:nick ; sh:maxCount 0 ] ;
    sh:property [ sh:path ex:status ; sh:in ( ex:Active ex:Retired "n/a" ) ] ;
    sh:property [ sh:path ex:label ; sh:languageIn ( "en" "fr" ) ; sh:uniqueLang true ] ;
    sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:lessThanOrEquals ex:end2 ] ;
    sh:property [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ] ;
    sh:property [ sh:path ex:score ; sh:minExclusive 0 ; sh:maxInclusive 10 ; sh:severity sh:Info ] ;
    sh:property [ sh:path [ sh:inversePath ex:employs ] ; sh:minCount 1 ; sh:class ex:Org ] ;
    sh:property [ sh:path ( ex:knows ex:name ) ; sh:maxCount 1 ] ;
    sh:property [ sh:path [ sh:alternativePath ( ex:email ex:phone ) ] ; sh:nodeKind sh:Literal ] ;
    sh:property [ sh:path [ sh:zeroOrMorePath ex:knows ] ; sh:nodeKind sh:IRI ] ;
    sh:property [ sh:path ex:nick2 ; sh:disjoint ex:name ] ;
    sh:property [ sh:path ex:friend ; sh:node ex:NamedShape ] ;
    sh:property [ sh:path ex:num ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ] ;
    sh:property [ sh:path ex:num ; sh:xone ( [ sh:minInclusive 5 ] [ sh:maxInclusive 10 ] ) ] ;
    sh:property [ sh:path ex:num ; sh:not [ sh:hasValue 7 ] ] ;
    sh:property [ sh:path ex:num ; sh:and ( [ sh:minInclusive 0 ] [ sh:datatype xsd:integer ] ) ] ;
    sh:property [ sh:path ex:role ; sh:hasValue ex:Member ] ;
    sh:property [ sh:path ex:phone ; sh:maxCount 2 ; sh:minCount 0 ] ;
    sh:or ( [ sh:property [ sh:path ex:name ; sh:minCount 1 ] ] [ sh:property [ sh:path ex:id ; sh:minCount 1 ] ] ) ;
    sh:not [ sh:property [ sh:path ex:banned ; sh:hasValue true ] ] .

ex:NamedShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .

ex:Org a rdfs:Class , sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "org needs a name"@en , "org sans nom"@fr ] ;
    sh:closed true ; sh:ignoredProperties ( rdf:type ex:employs ) .

ex:NodeLevelShape a sh:NodeShape ;
    sh:targetNode ex:alice , ex:carol , ex:Active ;
    sh:class ex:Person ; sh:nodeKind sh:IRI ; sh:in ( ex:alice ex:bob ex:Active ) .

ex:SubjectsOfShape a sh:NodeShape ; sh:targetSubjectsOf ex:employs ; sh:class ex:Org .

ex:ObjectsOfShape a sh:NodeShape ; sh:targetObjectsOf ex:knows ; sh:hasValue ex:bob ; sh:severity sh:Warning .

ex:EqualsShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:alias ; sh:equals ex:name ] .

ex:SparqlShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:message "{$this} is {?n} years old"@en ;
        sh:prefixes <http://ex.org/> ;
        sh:select "SELECT $this ?n WHERE { $this ex:age ?n . FILTER (isNumeric(?n) && ?n > 100) }"
    ] .

ex:DeactivatedShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:deactivated true ;
    sh:property [ sh:path ex:zzz ; sh:minCount 1 ] .
"""

DATA = """
@prefix ex: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:g1 {
    ex:alice a ex:Student ; ex:name "Alice" ; ex:age 30 ; ex:knows ex:bob ; ex:email "a@x" , "a2@x" ;
        ex:status ex:Active ; ex:label "Alice"@en , "Alicia"@fr ; ex:start 1 ; ex:end 2 ; ex:end2 1 ;
        ex:code "ABc" ; ex:score 10 ; ex:num 7 ; ex:role ex:Member ; ex:friend ex:bob ; ex:phone "1" .
    ex:acme a ex:Org ; ex:employs ex:alice ; ex:name "ACME" .
    ex:t1 a ex:Thing ; ex:alias "x" ; ex:name "x" .
}

ex:g2 {
    ex:Student rdfs:subClassOf ex:Person .
    ex:bob a ex:Person ; ex:name "b" , "Bob" ; ex:age -1 , 200 , 30.5 ; ex:knows ex:carol , "lit" ;
        ex:nick "bobby" ; ex:status "n/a" , ex:Other ; ex:label "B"@en , "Bee"@en , "plain" ;
        ex:start 5 ; ex:end 3 ; ex:end2 "x" ; ex:code "xab" , [ ex:p 1 ] ; ex:score 0 , "str" ;
        ex:num 3.5 , "s" , 12 , 7 ; ex:banned true ; ex:friend ex:carol ; ex:nick2 "b" ;
        ex:email ex:mailbox ; ex:phone "1" , "2" , "3" .
    ex:shell a ex:Org ; ex:employs ex:bob ; ex:extra 1 .
    ex:notorg ex:employs ex:carol .
    ex:carol ex:id "c1" ; ex:knows ex:alice .
    ex:t2 a ex:Thing ; ex:alias "y" ; ex:name "z" .
    ex:dave a ex:Student ; ex:id "d1" ; ex:role ex:Member .
    ex:erin a ex:Person ; ex:name "Erin-with-a-long-name" ; ex:role ex:Member .
}
"""


# --------------------------------------------------------------------------- helpers

def path_label(g: rdflib.Graph, p: rdflib.term.Node) -> str:
    """pyshacl's sh:resultPath, written as sahelkg.graph.shacl writes a path."""
    if isinstance(p, rdflib.URIRef):
        return str(p)
    inv = g.value(p, RSH.inversePath)
    if inv is not None:
        return "^" + _short(path_label(g, inv))
    if g.value(p, rdflib.RDF.first) is not None:
        return "/".join(_short(path_label(g, x)) for x in Collection(g, p))
    for key, fmt in (("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"), ("zeroOrOnePath", "{}?")):
        x = g.value(p, RSH[key])
        if x is not None:
            return fmt.format(_short(path_label(g, x)))
    alt = g.value(p, RSH.alternativePath)
    if alt is not None:
        return "|".join(_short(path_label(g, x)) for x in Collection(g, alt))
    raise ValueError(p)


def rdflib_key(t: rdflib.term.Node | None) -> tuple[str, ...] | None:
    if t is None:
        return None
    if isinstance(t, rdflib.Literal):
        return ("literal", str(t), t.language or "", str(t.datatype) if t.datatype and not t.language else "")
    if isinstance(t, rdflib.BNode):
        return ("bnode",)
    return ("iri", str(t))


def ox_key(t: object) -> tuple[str, ...] | None:
    if t is None:
        return None
    if isinstance(t, pyoxigraph.Literal):
        dt = "" if t.language or t.datatype.value == "http://www.w3.org/2001/XMLSchema#string" else t.datatype.value
        return ("literal", t.value, t.language or "", dt)
    if isinstance(t, pyoxigraph.BlankNode):
        return ("bnode",)
    return ("iri", t.value)  # type: ignore[attr-defined]


def union_graph(store: pyoxigraph.Store) -> rdflib.Graph:
    ds = rdflib.Dataset()
    ds.parse(data=store.dump(format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def reference(store: pyoxigraph.Store, shapes: str) -> set[tuple[object, ...]]:
    import pyshacl

    sg = rdflib.Graph().parse(data=shapes, format="turtle")
    _, report, _ = pyshacl.validate(union_graph(store), shacl_graph=sg, inference="none", advanced=True, allow_warnings=True)
    out = set()
    # top-level results only (pyshacl also types the sh:detail of sh:node results as results)
    for r in report.objects(None, RSH.result):
        path = report.value(r, RSH.resultPath)
        out.add((
            rdflib_key(report.value(r, RSH.focusNode)), path_label(report, path) if path is not None else None,
            rdflib_key(report.value(r, RSH.value)), str(report.value(r, RSH.resultSeverity)),
            str(report.value(r, RSH.sourceConstraintComponent)),
        ))
    return out


def compiled(store: pyoxigraph.Store, shapes: str, graphs: list[str] | None = None) -> set[tuple[object, ...]]:
    return {
        (ox_key(r.focus), r.path, ox_key(r.value), r.severity, r.component)
        for r in compile_shapes(shapes, store).run(store, graphs)
    }


@pytest.fixture(scope="module")
def data() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(input=DATA, format=pyoxigraph.RdfFormat.TRIG)
    return store


# --------------------------------------------------------------------------- the components, one by one

def test_every_component_agrees_with_pyshacl(data: pyoxigraph.Store) -> None:
    expected = reference(data, SHAPES)
    got = compiled(data, SHAPES)
    assert sorted(got - expected, key=str) == [] and sorted(expected - got, key=str) == []
    # the fixture exercises every component, with violations for each
    components = {c.rsplit("#", 1)[-1].replace("ConstraintComponent", "") for *_, c in expected}
    assert components == {
        "MinCount", "MaxCount", "Class", "Datatype", "NodeKind", "In", "HasValue", "MinInclusive",
        "MaxInclusive", "MinExclusive", "MaxExclusive", "MinLength", "MaxLength", "Pattern", "LessThan",
        "LessThanOrEquals", "LanguageIn", "UniqueLang", "Equals", "Disjoint", "Node", "Not", "And", "Or",
        "Xone", "Closed", "SPARQL",
    }
    assert {sev.rsplit("#", 1)[-1] for _, _, _, sev, _ in expected} == {"Violation", "Warning", "Info"}


def test_given_focus_nodes_give_the_same_results(data: pyoxigraph.Store) -> None:
    # The incremental strategy (focus nodes listed, values read from the union) on every graph
    # finds what the whole-store strategy finds.
    assert compiled(data, SHAPES, [EX + "g1", EX + "g2"]) == compiled(data, SHAPES)


class _WithoutLateral:
    """The store, seen as an engine without SEP-0006 LATERAL (as a remote Virtuoso or Fuseki is)."""

    supports_lateral = False

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def test_without_lateral_the_sparql_constraints_give_the_same_results(data: pyoxigraph.Store) -> None:
    shapes = compile_shapes(SHAPES, data)
    plain = _WithoutLateral(data)
    key = lambda rs: {(ox_key(r.focus), r.path, ox_key(r.value), r.severity, r.component, str(r.message)) for r in rs}  # noqa: E731
    assert key(shapes.run(plain)) == key(compile_shapes(SHAPES, data).run(data))
    assert not shapes.lateral and not [q for q in shapes.queries() if "LATERAL" in q.text]
    sparql = [r for r in shapes.run(plain) if r.component.endswith("SPARQLConstraintComponent")]
    assert sparql, "the fixture has SPARQL-based constraints that fire"


def test_focus_restricted_to_the_given_graphs(data: pyoxigraph.Store) -> None:
    # Only nodes that g1 mentions are focus nodes; bob's violations come from g2 but bob is named
    # in g1 (alice knows bob), so they are found; dave and t2 (only in g2) are not.
    focus = {f for f, *_ in compiled(data, SHAPES, [EX + "g1"])}
    assert ("iri", EX + "bob") in focus
    assert ("iri", EX + "dave") not in focus and ("iri", EX + "t2") not in focus
    assert ("iri", EX + "dave") in {f for f, *_ in compiled(data, SHAPES)}


def test_messages_severity_and_sparql_templates(data: pyoxigraph.Store) -> None:
    results = compile_shapes(SHAPES, data).run(data)
    by = {(r.focus.value, r.component.rsplit("#", 1)[-1], r.path): r for r in results}
    assert by[(EX + "bob", "SPARQLConstraintComponent", None)].message == f"{EX}bob is 200 years old"
    assert by[(EX + "shell", "MinCountConstraintComponent", EX + "name")].message == "org needs a name"
    age = [r for r in results if r.path == EX + "age" and r.component.endswith("MinInclusiveConstraintComponent")]
    assert [(r.value.value, r.message) for r in age] == [("-1", "bad age")]
    assert by[(EX + "bob", "MinExclusiveConstraintComponent", EX + "score")].severity.endswith("#Info")


@pytest.mark.parametrize("component, shape", [
    ("sh:qualifiedValueShape", "sh:qualifiedValueShape [ sh:class ex:Person ] ; sh:qualifiedMinCount 1"),
    ("sh:js", "sh:js [ sh:jsFunctionName \"f\" ]"),
    ("sh:foo", "sh:foo 1"),
])
def test_an_unsupported_component_is_an_error_naming_it(data: pyoxigraph.Store, component: str, shape: str) -> None:
    shapes = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
    ex:Bad a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:knows ; {shape} ] ."""
    with pytest.raises(ShapeError) as e:
        compile_shapes(shapes, data)
    assert component in str(e.value) and "ex.org/Bad" in str(e.value) and "not supported" in str(e.value)


def test_a_custom_constraint_component_is_an_error(data: pyoxigraph.Store) -> None:
    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
    ex:MyComponent a sh:ConstraintComponent ; sh:parameter [ sh:path ex:myParam ] .
    ex:S a sh:NodeShape ; sh:targetClass ex:Person ; ex:myParam 1 ."""
    with pytest.raises(ShapeError, match="custom constraint component .*MyComponent"):
        compile_shapes(shapes, data)


# --------------------------------------------------------------------------- the build's entry point

def test_validate_graphs_locates_the_article_fact_and_quote(tmp_path: Path) -> None:
    settings = Settings.from_env(corpus_dir=tmp_path, store=str(tmp_path / "store"))
    i, sk, oa = settings.id_base, "https://w3id.org/sahelkg/ontology#", "http://www.w3.org/ns/oa#"
    store = pyoxigraph.Store()
    store.load(input=f"""
        <{i}A1/e1> a <{sk}Event> ; <{sk}hasTime> <{i}A1/e1/time> , <{i}A1/e1/time2> .
        <{i}A1/e1/annotation> <{oa}hasTarget> <{i}A1/e1/annotation/target> .
        <{i}A1/e1/annotation/target> <{oa}hasSelector> <{i}A1/e1/annotation/quote> .
        <{i}A1/e1/annotation/quote> <{oa}exact> "was killed on Monday" .
    """, format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(settings.graph_base + "article/A1"))
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://s/E> a sh:NodeShape ; sh:targetClass <{sk}Event> ;
            sh:property [ sh:path <{sk}hasTime> ; sh:maxCount 1 ; sh:message "An event has at most one sk:hasTime."@en ] .""")
    problems = validate_graphs(store, shapes, None, settings)
    assert problems == [Problem(
        str(tmp_path / "annotations" / "A1.yaml"), None,
        'e1 (quote "was killed on Monday"): An event has at most one sk:hasTime. (path hasTime)',
    )]
    # the incremental entry point: the same, from the article's graph name
    assert validate_graphs(store, shapes, [f"{settings.graph_base}article/A1"], settings) == problems
    assert validate_graphs(store, shapes, [f"{settings.graph_base}article/B2"], settings) == []


# --------------------------------------------------------------------------- the real corpus and shapes

@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    from sahelkg.build import build
    from sahelkg.store import open_read_only

    root = tmp_path_factory.mktemp("real")
    settings = Settings.from_env(store=str(root / "store"))
    build(settings, full=True)
    return open_read_only(root / "store")


def test_real_corpus_has_no_violation(real_store: pyoxigraph.Store) -> None:
    shapes = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    results = compile_shapes(shapes, real_store).run(real_store)
    assert [r for r in results if r.severity.endswith("#Violation")] == []


@pytest.mark.slow
def test_real_corpus_agrees_with_pyshacl(real_store: pyoxigraph.Store) -> None:
    shapes = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    assert compiled(real_store, shapes) == reference(real_store, shapes)


def test_replace_group_references_follow_xpath(data: pyoxigraph.Store) -> None:
    # XPath's "$1x" is group 1 then "x"; pyoxigraph alone would read a group named "1x".
    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
    ex:S a sh:NodeShape ; sh:targetNode ex:alice ; sh:sparql [ sh:select
        "SELECT $this WHERE { $this <http://ex.org/name> ?n . FILTER (REPLACE(?n, '^(A)lice$', '$1lex') != 'Alex') }" ] ."""
    assert compile_shapes(shapes, data).run(data) == []


def test_absence_is_a_hash_table_below_the_threshold_and_lookups_above(data: pyoxigraph.Store,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # sh:minCount 1 and sh:hasValue on a whole embedded store: MINUS when the property has fewer
    # than HASHED_ROWS triples (all of them in this fixture), FILTER NOT EXISTS above; both find
    # exactly what pyshacl finds.
    shapes = compile_shapes(SHAPES, data)
    absence = [q for q in shapes.queries() if q.hashed is not None]
    assert {q.component.rsplit("#", 1)[1] for q in absence} == {"MinCountConstraintComponent", "HasValueConstraintComponent"}
    assert all(shapes.text_for(data, q) == (q.hashed[0], None) and "MINUS" in q.hashed[0] for q in absence)  # type: ignore[index]
    roles = pyoxigraph.Store()
    roles.load(input="""
        @prefix ex: <http://ex.org/> .
        ex:a a ex:Person ; ex:role ex:Member . ex:b a ex:Person ; ex:role ex:Guest . ex:c a ex:Person .
    """, format=pyoxigraph.RdfFormat.TURTLE)
    role_shapes = """
        @prefix ex: <http://ex.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:property [ sh:path ex:role ; sh:hasValue ex:Member ] .
    """
    expected = reference(data, SHAPES)
    assert compiled(data, SHAPES) == expected
    assert {f for f, *_ in compiled(roles, role_shapes)} == {("iri", EX + "b"), ("iri", EX + "c")}
    monkeypatch.setattr(shacl, "HASHED_ROWS", 0)  # every property with a triple is now "large"
    assert all(shapes.text_for(data, q) == (q.text, None) and "NOT EXISTS" in q.text for q in absence)
    assert compiled(data, SHAPES) == expected
    assert {f for f, *_ in compiled(roles, role_shapes)} == {("iri", EX + "b"), ("iri", EX + "c")}


def test_a_whole_store_runs_on_several_threads_one_table_at_a_time(data: pyoxigraph.Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The lanes: the queries that may hold a table (GROUP BY, MINUS, SPARQL bodies) never run at
    # the same time as each other; the lookups run beside them on the other threads; the results
    # are exactly those of one thread, in the same order.
    import threading

    shapes = compile_shapes(SHAPES, data)
    queries = list(shapes.queries())
    assert {q.component.rsplit("#", 1)[1] for q in queries if q.table} >= {
        "MaxCountConstraintComponent", "MinCountConstraintComponent", "ClassConstraintComponent", "SPARQLConstraintComponent"}
    one = shapes._in_lanes(data, queries, 1)
    lanes: list[tuple[bool, str]] = []
    lock = threading.Lock()
    tables_running = [0, 0]  # now, at most
    a_lookup_started = threading.Event()
    beside: list[bool] = []
    real = shacl.CompiledShapes._violations

    def violations(self, store, q, *, whole=False):
        with lock:
            lanes.append((q.table, threading.current_thread().name))
        if not q.table:
            a_lookup_started.set()
            return real(self, store, q, whole=whole)
        with lock:
            tables_running[0] += 1
            tables_running[1] = max(tables_running)
        try:
            # the first table query holds until a lookup has started on another lane (an event, not a
            # sleep): with one lane only, or lookups queued behind the tables, this waits in vain
            beside.append(a_lookup_started.wait(timeout=60))
            return real(self, store, q, whole=whole)
        finally:
            with lock:
                tables_running[0] -= 1

    monkeypatch.setattr(shacl.CompiledShapes, "_violations", violations)
    two = shapes._in_lanes(data, queries, 2)
    assert two == one and any(one)
    assert len(lanes) == len(queries) and {name for _, name in lanes} == {"sahelkg-shacl-0", "sahelkg-shacl-1"}
    assert {name for table, name in lanes if table} == {"sahelkg-shacl-0"}
    assert tables_running == [0, 1]  # never two table queries at once
    assert beside[0] is True  # a lookup ran beside a table query


def test_ctrl_c_during_the_lanes_returns_at_once_and_starts_no_other_query(data: pyoxigraph.Store,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # A query cannot be stopped once Oxigraph runs it: Ctrl-C raises in the caller at once, and the
    # lanes start no further query (their threads are daemons: an exiting process does not wait).
    import _thread
    import threading

    shapes = compile_shapes(SHAPES, data)
    queries = list(shapes.queries())
    started: list[str] = []
    release = threading.Event()

    def violations(self, store, q, *, whole=False):
        started.append(threading.current_thread().name)
        if len(started) == 2:
            _thread.interrupt_main()  # Ctrl-C while both lanes are inside a query
        release.wait(timeout=30)
        return []

    monkeypatch.setattr(shacl.CompiledShapes, "_violations", violations)
    with pytest.raises(KeyboardInterrupt):
        shapes._in_lanes(data, queries, 2)
    lanes = [t for t in threading.enumerate() if t.name.startswith("sahelkg-shacl-")]
    assert len(lanes) == 2 and all(t.is_alive() for t in lanes)  # the caller did not wait for the queries
    release.set()
    for t in lanes:
        t.join(timeout=30)
    assert len(started) == 2 and all(t.daemon for t in lanes)


def test_a_node_found_in_several_graphs_and_types_is_reported_once() -> None:
    # The whole-store queries take focus nodes as they come (not DISTINCT, so that millions of them
    # are never held): ex:x is a target three times (two graphs, two classes), and ex:x's
    # name is stated in both graphs, which is one value, not two.
    store = pyoxigraph.Store()
    store.load(input="""
        @prefix ex: <http://ex.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:g1 { ex:x a ex:Student ; ex:name "a" . ex:y a ex:Student . }
        ex:g2 { ex:x a ex:Student , ex:Person ; ex:name "a" . ex:y a ex:Person ; ex:role ex:Member .
                ex:Student rdfs:subClassOf ex:Person . }
    """, format=pyoxigraph.RdfFormat.TRIG)
    shapes = """
        @prefix ex: <http://ex.org/> . @prefix sh: <http://www.w3.org/ns/shacl#> .
        ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ] ;
            sh:property [ sh:path ex:role ; sh:hasValue ex:Member ] .
    """
    results = compile_shapes(shapes, store).run(store)
    keys = [(r.focus.value, r.component.rsplit("#", 1)[1]) for r in results]  # type: ignore[attr-defined]
    assert sorted(keys) == [
        ("http://ex.org/x", "HasValueConstraintComponent"),
        ("http://ex.org/y", "MinCountConstraintComponent"),
    ]
    assert compiled(store, shapes) == reference(store, shapes)
