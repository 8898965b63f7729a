"""Exports: each format judged by an independent checker, read back by its users' library, and its
content compared with what the articles say.

The real corpus is built once per session (``real_store`` in conftest.py). Expected values come
from the article texts (quoted next to each assertion), not from the annotation files.

In-project checks always run: GEXF against the official GEXF 1.3 schema (vendored in
``tests/fixtures/gexf-1.3``, CC-BY 4.0) with lxml plus what Gephi's importer drops or merges; the OWL
file through HermiT (bundled with owlready2, needs Java: marked ``java``); the RDF dumps read back by
pyoxigraph and rdflib. The outside checkers run in addition where present (``../shared/tools``, or
``$SAHELKG_TOOLS``): ``gexf/gexfcheck``, ``owlcheck/owlcheck`` (OWL API + Konclude),
``owlcheck/owlready2_reason.py`` and ``jena/rdfcheck`` (Apache Jena). Without them the tests that run
them skip with that reason on a developer's machine, and fail in CI (``conftest.missing``).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from conftest import missing

from sahelkg.errors import OntologyError
from sahelkg.exports import FORMATS, RDF_FORMATS, export, export_store, rdf_format_for
from sahelkg.exports.acled import COLUMNS
from sahelkg.exports.dumps import EXTENSIONS
from sahelkg.settings import PACKAGE_ROOT

TOOLS = Path(os.environ.get("SAHELKG_TOOLS", PACKAGE_ROOT.parent / "shared" / "tools"))
GEXFCHECK = TOOLS / "gexf" / "gexfcheck"
OWLCHECK = TOOLS / "owlcheck" / "owlcheck"
RDFCHECK = TOOLS / "jena" / "rdfcheck"
ID = "https://w3id.org/sahelkg/id/"
SK = "https://w3id.org/sahelkg/ontology#"
GRAPH = "https://w3id.org/sahelkg/graph/"

GEXF_VARIANTS = {
    "full": {}, "actors": {"projection": "actors"}, "event-place": {"projection": "event-place"},
    "full-fr": {"lang": "fr"}, "no-events": {"events": False},
}


def need(tool: Path) -> Path:
    """An outside checker, run in addition to the in-project one: skip (fail in CI) when absent."""
    if not tool.exists():
        missing(f"the outside checker {tool} is not beside this checkout (optional; see ../shared/tools/README.md); "
                "the in-project checks ran")
    return tool


def need_java() -> None:
    if shutil.which("java") is None:
        missing("needs Java 17 (bash ../shared/tools/install-deps.sh)")


def run(*cmd: object, timeout: float = 600) -> tuple[int, str]:
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def summary(output: str) -> str:
    return [line for line in output.splitlines() if line.startswith("SUMMARY")][-1]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="module")
def gexf_files(real_store: pyoxigraph.Store, out_dir: Path) -> dict[str, Path]:
    files = {}
    for name, options in GEXF_VARIANTS.items():
        files[name] = out_dir / f"{name}.gexf"
        with open(files[name], "wb") as f:
            export(real_store, "gexf", f, **options)  # type: ignore[arg-type]
    return files


@pytest.fixture(scope="module")
def owl_file(real_store: pyoxigraph.Store, out_dir: Path) -> Path:
    path = out_dir / "sahelkg-all.owl"
    with open(path, "wb") as f:
        result = export(real_store, "owl", f)
    assert result.warnings == []
    return path


@pytest.fixture(scope="module")
def acled_rows(real_store: pyoxigraph.Store) -> list[dict[str, str]]:
    out = io.BytesIO()
    export(real_store, "acled-csv", out, timestamp=1700000000)
    text = out.getvalue().decode("utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


# --------------------------------------------------------------------------- GEXF

GEXF_XSD = Path(__file__).parent / "fixtures" / "gexf-1.3" / "gexf.xsd"
GEXF_NS, GEXF_VIZ = "http://gexf.net/1.3", "http://gexf.net/1.3/viz"
GEPHI_TYPES = {"integer", "long", "float", "double", "boolean", "string", "liststring", "anyURI",
               "listboolean", "listinteger", "listlong", "listfloat", "listdouble"}


def gexf_schema_errors(path: Path) -> list[str]:
    """Errors of ``path`` against the GEXF 1.3 schema, as ``line N: message``.

    The official (generated) XSDs declare viz:color, viz:position, viz:size ... in the GEXF namespace,
    where the specification, Gephi and networkx put them in the viz namespace: they are moved into the
    GEXF namespace in memory before validating (what gexfcheck does too).
    """
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(GEXF_XSD)))
    doc = etree.parse(str(path))
    for el in doc.iter():
        if isinstance(el.tag, str) and etree.QName(el).namespace == GEXF_VIZ:
            el.tag = f"{{{GEXF_NS}}}{etree.QName(el).localname}"
    etree.cleanup_namespaces(doc)
    schema.validate(doc)
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def gephi_import_problems(path: Path) -> list[str]:
    """What Gephi's GEXF importer would merge, drop or ignore: duplicate ids, edges to missing nodes,
    values of undeclared attributes, attribute types it does not know (a ``date`` column is dropped)."""
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    ns = {"g": GEXF_NS}
    problems = []
    declared: dict[str, set[str]] = {"node": set(), "edge": set()}
    for attributes in root.iterfind("g:graph/g:attributes", ns):
        for a in attributes.iterfind("g:attribute", ns):
            declared[attributes.get("class")].add(a.get("id"))
            if a.get("type") not in GEPHI_TYPES:
                problems.append(f"attribute {a.get('id')}: type {a.get('type')} unknown to Gephi")
    nodes = [n.get("id") for n in root.iterfind("g:graph/g:nodes/g:node", ns)]
    edges = list(root.iterfind("g:graph/g:edges/g:edge", ns))
    problems += [f"node id {i} repeated" for i in sorted({i for i in nodes if nodes.count(i) > 1})]
    edge_ids = [e.get("id") for e in edges]
    problems += [f"edge id {i} repeated" for i in sorted({i for i in edge_ids if edge_ids.count(i) > 1})]
    known = set(nodes)
    problems += [f"edge {e.get('id')} to a missing node" for e in edges if not {e.get("source"), e.get("target")} <= known]
    for kind in ("node", "edge"):
        for v in root.iterfind(f"g:graph/g:{kind}s/g:{kind}/g:attvalues/g:attvalue", ns):
            if v.get("for") not in declared[kind]:
                problems.append(f"{kind} value for undeclared attribute {v.get('for')}")
    return problems


@pytest.mark.parametrize("variant", list(GEXF_VARIANTS))
def test_gexf_is_valid_gexf_1_3_that_gephi_imports_whole(gexf_files: dict[str, Path], variant: str) -> None:
    from lxml import etree

    assert gexf_schema_errors(gexf_files[variant]) == []
    assert gephi_import_problems(gexf_files[variant]) == []
    root = etree.parse(str(gexf_files[variant])).getroot()
    assert (etree.QName(root).namespace, root.get("version")) == (GEXF_NS, "1.3")
    # what the timeline and Geo Layout need: a dynamic graph with dates, latitude/longitude columns
    graph = root.find(f"{{{GEXF_NS}}}graph")
    assert graph is not None and (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    titles = {a.get("title") for a in graph.iterfind(f"{{{GEXF_NS}}}attributes[@class='node']/{{{GEXF_NS}}}attribute")}
    assert {"latitude", "longitude", "type"} <= titles


def test_gexf_checks_catch_what_the_schema_and_gephi_refuse(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gexf"
    bad.write_text(f'''<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ}" version="1.3"><graph defaultedgetype="directed">
<attributes class="node"><attribute id="0" title="when" type="date"/></attributes>
<nodes><node id="a" label="A"><viz:size value="big"/></node><node id="a" label="A again"/></nodes>
<edges><edge id="e" source="a" target="b"/></edges></graph></gexf>''', encoding="utf-8")
    errors = gexf_schema_errors(bad)
    assert len(errors) == 2 and errors[0].startswith("line 3: ") and "'date'" in errors[0]
    assert errors[1].startswith("line 4: ") and "'big'" in errors[1]
    assert gephi_import_problems(bad) == ["attribute 0: type date unknown to Gephi", "node id a repeated",
                                          "edge e to a missing node"]



@pytest.mark.parametrize("variant", list(GEXF_VARIANTS))
def test_gexf_passes_gexfcheck_strictly(gexf_files: dict[str, Path], variant: str) -> None:
    code, output = run(sys.executable, need(GEXFCHECK), gexf_files[variant], "--require", "labels,dynamic,geo,weights")
    assert summary(output) == "SUMMARY: status=ok schema_errors=0 gephi_errors=0 warnings=0", output
    assert code == 0
    assert "Geo Layout: ready" in output and "timeline_usable=True" in output


def test_gexf_reads_back_with_networkx(gexf_files: dict[str, Path]) -> None:
    import networkx as nx

    g = nx.read_gexf(gexf_files["full"])
    gossi = g.nodes[ID + "gossi"]
    assert gossi["label"] == "Gossi" and gossi["type"] == "place"
    # Gossi, a town of the Gourma in Mali (15.8 N, 1.3 W): coordinates for Geo Layout
    assert 15.0 < gossi["latitude"] < 16.5 and -2.0 < gossi["longitude"] < -0.5
    assert g.graph["mode"] == "dynamic"
    # "A French soldier was killed in action in Mali on Friday morning" / "Posted on Sep 24, 2021":
    # the event of Blasco's death is dated, with the role of each participant as the edge's kind; the army press
    # release's account of it ("quickly succumbed to his injuries") is a second report of the same death
    deaths = sorted(n for n, d in g.nodes(data=True) if d.get("class") == "death" and ID + "maxime-blasco" in g[n])
    assert deaths == [f"{ID}001_af0646745c3fb3a7/e1", f"{ID}001_af0646745c3fb3a7/e19"]
    for death in deaths:
        assert (g.nodes[death]["start"], g.nodes[death]["end"]) == ("2021-09-24", "2021-09-24")
        assert {d["relation"] for d in g[death][ID + "maxime-blasco"].values()} == {"victim"}
    # "Master Corporal Maxime Blasco from the 7th Battalion of the Alpine Hunters"
    assert "memberOf" in {d["relation"] for d in g[ID + "maxime-blasco"][ID + "7th-alpine-hunters-battalion"].values()}
    # labels in French on request: "la force Barkhane" -> the registry's French label
    fr = nx.read_gexf(gexf_files["full-fr"])
    assert fr.nodes[ID + "operation-barkhane"]["label"] == "opération Barkhane"
    assert fr.nodes[ID + "operation-barkhane"]["type"] == "opération militaire"


def test_gexf_hides_events_on_request(gexf_files: dict[str, Path]) -> None:
    import networkx as nx

    g = nx.read_gexf(gexf_files["no-events"])
    assert {d["type"] for _, d in g.nodes(data=True)}.isdisjoint({"event"})
    assert ID + "gossi" in g and ID + "operation-barkhane" in g


def _actor_edges(g: object, a: str) -> dict[str, dict[str, object]]:
    return {b: d for b, d in g[a].items()}  # type: ignore[index]


def test_actor_network_links_french_forces_and_the_groups_they_fought(gexf_files: dict[str, Path]) -> None:
    import networkx as nx

    g = nx.read_gexf(gexf_files["actors"])
    assert not g.is_directed()
    barkhane, faf = ID + "operation-barkhane", ID + "french-armed-forces"

    def fought(actor: str, date: str) -> list[tuple[str, dict[str, object]]]:
        return [(b, d) for b, d in g[actor].items()
                if g.nodes[b]["type"] == "armed group" and d.get("first_date") == date]

    # 001: "Elements of an armed terrorist group were discovered early in the morning in the N'Daki
    # forest" ... "reconnaissance and harassment operation by the Barkhane Force" (Friday 24 Sep 2021)
    [(group, d)] = fought(barkhane, "2021-09-24")
    assert g.nodes[group]["label"] == "an armed terrorist group"
    assert (d["weight"], d["first_date"], d["last_date"]) == (1.0, "2021-09-24", "2021-09-24")
    assert (d["start"], d["end"]) == ("2021-09-24", "2021-09-24")
    # 004: "Dans la nuit du 11 au 12 novembre 2018 ... les forces françaises ... ont mené une opération
    # contre un groupe terroriste": one incident over two days
    [(group, d)] = fought(faf, "2018-11-11")
    assert g.nodes[group]["label"] == "un groupe terroriste"
    assert (d["weight"], d["last_date"]) == (1.0, "2018-11-12")
    # 002: "operations in recent weeks in Mali against the various Al-Qaida groups and the Islamic
    # State in the Greater Sahara (EIGS)" in an article of 2022 (it reports March 28, 2022)
    isgs = g[barkhane][ID + "isgs"]
    assert isgs["weight"] == 1.0 and str(isgs["first_date"]).startswith("2022")
    # 002: "On March 28, 2022, the French force eliminated the jihadist Boubacar Banon"
    banon = g[barkhane][ID + "boubacar-banon"]
    assert (banon["weight"], banon["first_date"], banon["last_date"]) == (1.0, "2022-03-28", "2022-03-28")


def test_event_place_network(gexf_files: dict[str, Path]) -> None:
    import networkx as nx

    g = nx.read_gexf(gexf_files["event-place"])
    assert {d["type"] for _, d in g.nodes(data=True)} == {"event", "place"}
    # 003: "kidnapped and killed in Kidal" on November 2, 2013
    kidal_events = [e for e in g.predecessors(ID + "kidal") if g.nodes[e].get("start") == "2013-11-02"]
    assert kidal_events
    # Kidal is shown inside the places that contain it
    assert any(d["relation"] == "locatedIn" for _, _, d in g.out_edges(ID + "kidal", data=True))


@pytest.mark.parametrize("variant", list(GEXF_VARIANTS))
def test_gexf_declares_only_edge_columns_that_have_values(gexf_files: dict[str, Path], variant: str) -> None:
    from lxml import etree

    ns = {"g": "http://gexf.net/1.3"}
    doc = etree.parse(str(gexf_files[variant]))
    declared = set(doc.xpath("//g:attributes[@class='edge']/g:attribute/@id", namespaces=ns))
    used = set(doc.xpath("//g:edge/g:attvalues/g:attvalue/@for", namespaces=ns))
    assert declared == used, f"declared but empty: {sorted(declared - used)}"


def test_gexf_participation_edges_carry_role_and_dates(gexf_files: dict[str, Path]) -> None:
    import networkx as nx

    g = nx.read_gexf(gexf_files["full"])
    # "A French soldier was killed in action in Mali on Friday morning" / "Posted on Sep 24, 2021" (001's e1)
    [edge] = g[ID + "001_af0646745c3fb3a7/e1"][ID + "maxime-blasco"].values()
    assert (edge["roles"], edge["first_date"], edge["last_date"]) == ("victim", "2021-09-24", "2021-09-24")
    # an event -> place edge of 004, "dans la nuit du 11 au 12 novembre 2018": the two days
    ep = nx.read_gexf(gexf_files["event-place"])
    spans = {(d["first_date"], d["last_date"]) for _, _, d in ep.edges(data=True) if d["relation"] == "occurredAt"
             and "first_date" in d}
    assert ("2018-11-11", "2018-11-12") in spans


# --------------------------------------------------------------------------- GraphML


def test_graphml_reads_back_with_the_same_attributes(real_store: pyoxigraph.Store, out_dir: Path,
                                                     gexf_files: dict[str, Path]) -> None:
    import networkx as nx
    from lxml import etree

    path = out_dir / "full.graphml"
    with open(path, "wb") as f:
        result = export(real_store, "graphml", f)
    etree.parse(str(path))  # well-formed
    g, gx = nx.read_graphml(path), nx.read_gexf(gexf_files["full"])
    assert result.items == g.number_of_nodes() == gx.number_of_nodes()
    assert g.number_of_edges() == gx.number_of_edges()
    gossi = g.nodes[ID + "gossi"]
    assert gossi["latitude"] == gx.nodes[ID + "gossi"]["latitude"]
    assert {k for k in gossi} >= {"label", "type", "class", "degree", "events", "latitude", "longitude"}
    kinds = {d["kind"] for _, _, d in g.edges(data=True)}
    assert {"victim", "attacker", "occurredAt", "memberOf", "locatedIn"} <= kinds


# --------------------------------------------------------------------------- OWL


@pytest.mark.java
def test_owl_passes_owlcheck_with_reasoner(owl_file: Path) -> None:
    need_java()
    code, output = run(need(OWLCHECK), owl_file, "--langs", "en,fr", "--reason")
    line = summary(output)
    assert line.startswith("SUMMARY: status=ok import_errors=0 dl_violations=0 unparsed_triples=0 "), output[-3000:]
    assert line.endswith(" reasoner_problems=0") and code == 0
    assert "guessed by the RDF parser" not in output and "illegal punning" not in output
    # --langs checks every entity of the file; article-local individuals carry only the article's
    # language and provenance nodes no label, so only the ontology's own terms pass --strict-labels
    # (labels only: the reasoner has already run above)
    code, output = run(OWLCHECK, owl_file, "--langs", "en,fr", "--strict-labels", "--label-ns", SK)
    assert summary(output) == ("SUMMARY: status=ok import_errors=0 dl_violations=0 unparsed_triples=0 "
                               "label_problems=0 reasoner_problems=0"), output[-3000:]


@pytest.mark.java
def test_owl_is_consistent_and_coherent_for_hermit_in_project(owl_file: Path) -> None:
    """HermiT (Protégé's default reasoner, bundled with owlready2) on the whole OWL export."""
    import owlready2

    need_java()
    world = owlready2.World()
    try:
        onto = world.get_ontology(owl_file.as_uri()).load()
        with onto:  # raises OwlReadyInconsistentOntologyError if inconsistent, OwlReadyJavaError if not OWL 2 DL
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        unsatisfiable = [c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing]
        assert unsatisfiable == []
        assert len(list(onto.individuals())) > 100
    finally:
        world.close()


@pytest.mark.java
def test_owl_is_consistent_for_hermit(owl_file: Path) -> None:
    need_java()
    code, output = run(sys.executable, need(TOOLS / "owlcheck" / "owlready2_reason.py"), owl_file)
    assert code == 0 and "consistent; 0 unsatisfiable class(es)" in output, output


def test_owl_holds_maxime_blasco_with_his_unit_and_death(owl_file: Path) -> None:
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology(owl_file.as_uri()).load()
    assert onto.base_iri.startswith("https://w3id.org/sahelkg/ontology")
    blasco = world[ID + "maxime-blasco"]
    sk = world.get_namespace(SK)
    assert sk.Person in blasco.is_a
    # "Master Corporal Maxime Blasco from the 7th Battalion of the Alpine Hunters of Varces"
    assert [u.iri for u in blasco.memberOf] == [ID + "7th-alpine-hunters-battalion"]
    assert "7th" in str(world[ID + "7th-alpine-hunters-battalion"].label)
    # "A French soldier was killed in action in Mali on Friday morning" (Friday 24 Sep 2021), and the army's account
    # of the same death, "Master Corporal Maxime Blasco quickly succumbed to his injuries", which shares its date
    deaths = sorted((e for e in world.search(hasVictim=blasco) if sk.Death in e.is_a), key=lambda e: e.iri)
    assert [e.iri.rsplit("/", 1)[-1] for e in deaths] == ["e1", "e19"]
    assert sk.hasTime[deaths[0]] == sk.hasTime[deaths[1]]
    [time] = sk.hasTime[deaths[0]]
    assert [str(d)[:10] for d in sk.beginDate[time]] == ["2021-09-24"]
    # provenance kept as individuals: the annotation, its target and quote selector
    oa = world.get_namespace("http://www.w3.org/ns/oa#")
    anns = [a for a in oa.Annotation.instances() if deaths[0] in oa.hasBody[a]]  # the fact and its trigger
    quotes = [q for a in anns for t in oa.hasTarget[a] for s in oa.hasSelector[t] for q in oa.exact[s]]
    assert "A French soldier was killed in action in Mali on Friday morning" in quotes


def test_owl_declares_every_individual_and_keeps_to_the_datatype_map(owl_file: Path) -> None:
    import rdflib
    from rdflib.namespace import OWL, RDF, XSD

    g = rdflib.Graph().parse(owl_file, format="xml")
    declared = set(g.subjects(RDF.type, OWL.NamedIndividual))
    for s in set(g.subjects()):
        if isinstance(s, rdflib.URIRef) and str(s).startswith(ID):
            assert s in declared, s
    datatypes = {o.datatype for o in g.objects() if isinstance(o, rdflib.Literal) and o.datatype}
    assert XSD.date not in datatypes and rdflib.URIRef("http://www.opengis.net/ont/geosparql#wktLiteral") not in datatypes
    assert len(set(g.subjects(RDF.type, OWL.Ontology))) == 1


def test_owl_spills_its_individuals_to_sorted_runs_and_writes_the_same_file(
        real_store: pyoxigraph.Store, owl_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With runs of 100 IRIs (thousands of individuals: dozens of temporary files merged), the file is
    the one written with every individual in one run."""
    from sahelkg.exports import owl

    runs: list[int] = []
    real_init = owl.SortedStrings.__init__

    def small(self: owl.SortedStrings, run: int = 100) -> None:
        real_init(self, 100)
        runs.append(id(self))

    monkeypatch.setattr(owl.SortedStrings, "__init__", small)
    spilled: list[int] = []
    real_add = owl.SortedStrings.add
    monkeypatch.setattr(owl.SortedStrings, "add",
                        lambda self, v: (real_add(self, v), spilled.append(len(self.runs)))[0])
    out = io.BytesIO()
    export(real_store, "owl", out)
    assert runs and max(spilled) > 20
    assert out.getvalue() == owl_file.read_bytes()


# --------------------------------------------------------------------------- RDF dumps


@pytest.fixture(scope="module")
def rdf_files(real_store: pyoxigraph.Store, out_dir: Path) -> dict[str, Path]:
    files = {}
    for fmt, ext in EXTENSIONS.items():
        files[fmt] = out_dir / f"dump.{ext}"
        with open(files[fmt], "wb") as f:
            export(real_store, "rdf", f, rdf_format=fmt)
    files["registry"] = out_dir / "registry.ttl"
    with open(files["registry"], "wb") as f:
        export(real_store, "rdf", f, rdf_format="ttl", graph=GRAPH + "registry")
    return files


@pytest.mark.java
def test_rdf_dumps_pass_jena_rdfcheck(rdf_files: dict[str, Path]) -> None:
    need_java()
    code, output = run(need(RDFCHECK), "--warnings-as-errors", *rdf_files.values())
    assert summary(output) == f"SUMMARY: {len(rdf_files)} file(s), 0 bad", output
    assert code == 0


def test_rdf_dumps_read_back(real_store: pyoxigraph.Store, rdf_files: dict[str, Path]) -> None:
    import rdflib

    quads = len(real_store)
    graphs = {g.value for g in real_store.named_graphs()}
    union = {(q.subject, q.predicate, q.object) for q in real_store.quads_for_pattern(None, None, None)}
    for fmt in ("nq", "trig", "jsonld"):  # named graphs kept
        ds = rdflib.Dataset()
        ds.parse(rdf_files[fmt], format={"nq": "nquads", "trig": "trig", "jsonld": "json-ld"}[fmt])
        assert {str(c.identifier) for c in ds.graphs() if len(c)} == graphs, fmt
        assert sum(len(c) for c in ds.graphs()) == quads, fmt
    for fmt in ("nt", "ttl", "rdfxml"):  # flattened: every triple of the union once
        parsed = list(pyoxigraph.parse(path=str(rdf_files[fmt]), format=RDF_FORMATS[fmt]))
        assert len(parsed) == len(set(parsed)) == len(union), fmt
    registry = rdflib.Graph().parse(rdf_files["registry"], format="turtle")
    assert len(registry) == sum(1 for _ in real_store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(GRAPH + "registry")))


def test_rdf_format_from_extension_and_unknown_graph(real_store: pyoxigraph.Store) -> None:
    from sahelkg.errors import UsageError

    assert [rdf_format_for(p) for p in ("a.ttl", "a.nt", "a.nq", "a.trig", "a.jsonld", "a.rdf", "a.owl", None)] == [
        "ttl", "nt", "nq", "trig", "jsonld", "rdfxml", "rdfxml", "nq"]
    with pytest.raises(UsageError, match="no such graph"):
        export(real_store, "rdf", io.BytesIO(), graph=GRAPH + "nothing")
    with pytest.raises(UsageError, match="apply to `export rdf` only"):
        export(real_store, "gexf", io.BytesIO(), rdf_format="ttl")


# --------------------------------------------------------------------------- ACLED


def _row(rows: list[dict[str, str]], **match: str) -> dict[str, str]:
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_acled_blasco_death_row(acled_rows: list[dict[str, str]]) -> None:
    # 001: "the victim was killed 'during a reconnaissance and harassment operation by the Barkhane
    # Force in Gourma, Mali'" ... "The command group was taken at close range by other elements of the
    # armed terrorist group. During this action, Master Corporal Maxime Blasco was hit by a sniper"
    row = _row(acled_rows, event_date="2021-09-24", event_type="Battles")
    assert (row["country"], row["iso"], row["region"], row["year"]) == ("Mali", "466", "Western Africa", "2021")
    assert row["fatalities"] == "1"  # Blasco; the sniper was "neutralized", not counted as killed
    assert row["sub_event_type"] == "Armed clash" and row["time_precision"] == "1"
    assert (row["actor2"], row["inter2"]) == ("Military Forces of France", "8")  # French forces in Mali
    assert row["actor1"] == "Unidentified Armed Group (Mali)" and row["interaction"] == "38"
    assert "Blasco" in row["notes"] and "neutralized: 1" in row["tags"]
    assert "inferred date" in row["tags"]  # "Friday morning", resolved from the posting date
    assert row["source"] == "001_af0646745c3fb3a7" and row["timestamp"] == "1700000000"


def test_acled_fatalities_are_empty_when_unknown(acled_rows: list[dict[str, str]]) -> None:
    assert all(r["fatalities"] != "0" for r in acled_rows)
    # 004: "neutraliser sept terroristes" in the night of 11 to 12 November 2018: neutralized, not killed
    raid = _row(acled_rows, event_date="2018-11-11", event_type="Battles")
    assert raid["fatalities"] == "" and "neutralized: 7" in raid["tags"]
    assert raid["time_precision"] == "2" and raid["country"] == "Mali"
    # 002: "He was neutralized by a drone strike ... 30 kilometers north of Gossi" on March 28, 2022: the graph does not
    # put the strike at Gossi, ACLED codes it there with geo-precision 2
    strike = _row(acled_rows, event_date="2022-03-28")
    assert (strike["sub_event_type"], strike["fatalities"], strike["location"]) == ("Air/drone strike", "", "Gossi")
    assert strike["geo_precision"] == "2"  # near Gossi, not in it


def test_acled_counts_and_precision_from_the_texts(acled_rows: list[dict[str, str]]) -> None:
    # 003: "Nine members of Niger's security forces were killed on October 30"
    assert _row(acled_rows, event_date="2014-10-30")["fatalities"] == "9"
    # 003: "On November 2, 2013, two French journalists ... were kidnapped and killed in Kidal"
    kidal = _row(acled_rows, event_date="2013-11-02")
    assert (kidal["fatalities"], kidal["location"], kidal["time_precision"]) == ("2", "Kidal", "1")
    assert kidal["civilian_targeting"] == "Civilian targeting" and kidal["inter2"] == "7"
    assert kidal["geo_precision"] == "1" and "inferred date" not in kidal["tags"]  # stated in full
    # 001: "On January 2, two soldiers ... were killed ... by an 'improvised explosive device'" (no year)
    ied = _row(acled_rows, event_date="2021-01-02")
    assert ied["fatalities"] == "2" and ied["sub_event_type"] == "Remote explosive/landmine/IED"
    assert "inferred date" in ied["tags"] and "location not stated" in ied["tags"] and ied["country"] == ""
    # every row has a date and an event type; no outcome event has a row of its own
    assert all(r["event_date"] and r["event_type"] for r in acled_rows)
    assert len({r["event_id_cnty"] for r in acled_rows}) == len(acled_rows)


def test_acled_left_out_events_are_counted(real_store: pyoxigraph.Store) -> None:
    result = export(real_store, "acled-csv", io.BytesIO())
    assert result.details["left out: operational event (no ACLED event type)"] > 0
    assert result.details["left out: no resolved date"] > 0  # e.g. 000: "killed Monday", no date anywhere
    assert result.details["outcome events folded into a row"] > 0


# --------------------------------------------------------------------------- library and CLI


def test_progress_is_reported(real_store: pyoxigraph.Store) -> None:
    calls: list[tuple[str, int, int]] = []
    for fmt in FORMATS:
        export(real_store, fmt, io.BytesIO(), progress=lambda s, d, t: calls.append((s, d, t)))
    stages = {s for s, _, _ in calls}
    assert {"reading types", "owl: reading individuals", "acled rows", "rdf nq"} <= stages


def test_exports_see_the_store_never_the_corpus() -> None:
    import ast

    for path in (PACKAGE_ROOT / "src" / "sahelkg" / "exports").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.startswith(("sahelkg.corpus", "sahelkg.build", "sahelkg.cli")) for n in names), path


def test_cli_export(real_settings: object, real_store: pyoxigraph.Store, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sahelkg.cli import main

    store = str(real_settings.store)  # type: ignore[attr-defined]
    runner = CliRunner()
    res = runner.invoke(main, ["export", "gexf", "-o", str(tmp_path / "a.gexf"), "--projection", "actors",
                                         "--store", store, "-q"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a.gexf").read_bytes().startswith(b"<?xml")
    assert not list(tmp_path.glob(".*.part"))  # the temporary file was renamed
    res = runner.invoke(main, ["export", "rdf", "-o", str(tmp_path / "d.ttl"), "--store", store, "-q"])
    assert res.exit_code == 0 and "rdf ttl:" in res.output
    res = runner.invoke(main, ["export", "rdf", "--format", "nt", "--store", store, "-q"])
    assert res.exit_code == 0 and res.stdout_bytes.count(b"\n") > 1000
    res = runner.invoke(main, ["export", "acled-csv", "--projection", "actors", "--store", store])
    assert res.exit_code == 2 and "apply to `export gexf`" in res.output
    res = runner.invoke(main, ["export", "owl", "--store", str(tmp_path / "nothing")])
    assert res.exit_code == 1 and "no store here" in res.output
    res = runner.invoke(main, ["export", "--help"])
    assert res.exit_code == 0 and "acled-csv" in res.output


def test_failed_export_leaves_no_file(real_settings: object, tmp_path: Path) -> None:
    from sahelkg.errors import UsageError

    target = tmp_path / "x.gexf"
    with pytest.raises(UsageError):
        export_store(real_settings, "gexf", target, projection="nope")
    assert list(tmp_path.iterdir()) == []



def test_an_export_file_gets_the_mode_the_umask_gives(real_settings: object, real_store: pyoxigraph.Store,
                                                      tmp_path: Path) -> None:
    # Written through a temporary file renamed into place: that file was made 0600 by mkstemp,
    # whatever the umask, also when it replaced a 0644 file.
    target = tmp_path / "events.csv"
    old = os.umask(0o022)
    try:
        export_store(real_settings, "acled-csv", target)
        assert oct(target.stat().st_mode & 0o777) == "0o644"
        target.chmod(0o644)
        export_store(real_settings, "acled-csv", target)  # replaces the file
        assert oct(target.stat().st_mode & 0o777) == "0o644"
        os.umask(0o027)
        export_store(real_settings, "acled-csv", target)
        assert oct(target.stat().st_mode & 0o777) == "0o640"
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8").splitlines()[0].split(",")[0] == COLUMNS[0]
    assert [p.name for p in tmp_path.iterdir()] == ["events.csv"]  # no temporary file left

# --------------------------------------------------------------------------- Protégé round trip

OWLAPI_CONVERT = r"""
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.*;
import org.semanticweb.owlapi.model.*;

public class OwlConvert {
    public static void main(String[] a) throws Exception {
        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        OWLOntology o = m.loadOntologyFromOntologyDocument(new File(a[0]));
        for (int i = 1; i + 1 < a.length; i += 2) {
            OWLDocumentFormat f = a[i].equals("rdfxml") ? new RDFXMLDocumentFormat()
                : a[i].equals("turtle") ? new TurtleDocumentFormat() : new OWLXMLDocumentFormat();
            OWLDocumentFormat src = m.getOntologyFormat(o);
            if (src != null && src.isPrefixOWLDocumentFormat() && f.isPrefixOWLDocumentFormat())
                f.asPrefixOWLDocumentFormat().copyPrefixesFrom(src.asPrefixOWLDocumentFormat());
            m.saveOntology(o, f, IRI.create(new File(a[i + 1]).getAbsoluteFile()));
        }
    }
}
"""
OWLAPI_JARS = (
    "owlapi-distribution guava caffeine commons-io commons-codec commons-rdf-api jsr305 slf4j-api slf4j-nop hppcrt "
    "xz atinject-jsr330-api jackson-core jackson-databind jackson-annotations jsonld-java httpclient httpclient-cache "
    "httpcore commons-logging rdf4j-model-api rdf4j-model rdf4j-model-vocabulary rdf4j-util rdf4j-rio-api "
    "rdf4j-rio-datatypes rdf4j-rio-languages rdf4j-rio-ntriples rdf4j-rio-nquads rdf4j-rio-turtle rdf4j-rio-trig "
    "rdf4j-rio-jsonld rdf4j-rio-rdfxml rdf4j-rio-n3 rdf4j-rio-rdfjson rdf4j-rio-trix rdf4j-rio-binary"
).split()


@pytest.fixture(scope="module")
def protege_saves(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ontology/sahelkg.ttl saved by the OWL API (Protégé's library) in Turtle, RDF/XML and OWL/XML."""
    need_java()
    jars = [Path("/usr/share/java") / f"{j}.jar" for j in OWLAPI_JARS]
    if not jars[0].exists():
        missing("needs the OWL API (apt-get install libowlapi-java)")
    d = tmp_path_factory.mktemp("protege")
    (d / "OwlConvert.java").write_text(OWLAPI_CONVERT, encoding="utf-8")
    files = {"turtle": d / "sahelkg-owlapi.ttl", "rdfxml": d / "sahelkg.owl", "owlxml": d / "sahelkg.owx"}
    code, output = run("java", "-cp", ":".join(str(j) for j in jars if j.exists()), d / "OwlConvert.java",
                       PACKAGE_ROOT / "ontology" / "sahelkg.ttl", *[x for k, p in files.items() for x in (k, p)])
    assert code == 0, output
    return files


def _named_triples(store_or_path: object, fmt: object = None) -> set[str]:
    if isinstance(store_or_path, pyoxigraph.Store):
        triples = [q.triple for q in store_or_path.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(GRAPH + "ontology"))]
    else:
        triples = list(pyoxigraph.parse(path=str(store_or_path), format=fmt))
    out = set()
    for t in triples:
        if isinstance(t.subject, pyoxigraph.BlankNode) or isinstance(t.object, pyoxigraph.BlankNode):
            continue
        s, p, o = str(t.subject), str(t.predicate), str(t.object)
        if p == "<http://www.w3.org/2002/07/owl#disjointWith>":  # symmetric: the OWL API may flip it
            s, o = sorted((s, o))
        out.add(f"{s} {p} {o}")
    return out


def _build_with_ontology(ontology_file: Path, tmp: Path) -> pyoxigraph.Store:
    from sahelkg.build import build
    from sahelkg.settings import Settings
    from sahelkg.store import open_read_only

    onto = tmp / "ontology"
    onto.mkdir()
    shutil.copy(ontology_file, onto / "sahelkg.ttl")
    shutil.copy(PACKAGE_ROOT / "ontology" / "shapes.ttl", onto / "shapes.ttl")
    settings = Settings.from_env(store=str(tmp / "store"), ontology_dir=onto, corpus_dir=PACKAGE_ROOT / "corpus",
                                 queries_dir=PACKAGE_ROOT / "queries", root=PACKAGE_ROOT)
    build(settings, full=True)
    return open_read_only(settings.store)


@pytest.mark.java
@pytest.mark.slow
def test_ontology_saved_by_protege_as_turtle_builds(protege_saves: dict[str, Path], tmp_path: Path) -> None:
    original = _named_triples(PACKAGE_ROOT / "ontology" / "sahelkg.ttl", pyoxigraph.RdfFormat.TURTLE)
    assert _named_triples(protege_saves["turtle"], pyoxigraph.RdfFormat.TURTLE) == original
    store = _build_with_ontology(protege_saves["turtle"], tmp_path)
    assert _named_triples(store) == original


@pytest.mark.java
@pytest.mark.slow
@pytest.mark.parametrize("syntax", ["rdfxml", "owlxml"])
def test_ontology_saved_by_protege_as_rdfxml_or_owlxml_builds(protege_saves: dict[str, Path], tmp_path: Path,
                                                             syntax: str) -> None:
    # Protégé's "Save as" keeps the file name and changes the syntax inside it.
    _build_with_ontology(protege_saves[syntax], tmp_path)


@pytest.mark.java
def test_protege_saves_hold_the_ontology(protege_saves: dict[str, Path], tmp_path: Path) -> None:
    """What the build would read after the change in docs/exports.md (sniff the syntax, parse it)."""
    import owlready2

    original = _named_triples(PACKAGE_ROOT / "ontology" / "sahelkg.ttl", pyoxigraph.RdfFormat.TURTLE)
    assert _named_triples(protege_saves["rdfxml"], pyoxigraph.RdfFormat.RDF_XML) == original
    # OWL/XML: neither rdflib nor pyoxigraph reads it; owlready2 (a dependency) does
    world = owlready2.World()
    world.get_ontology(protege_saves["owlxml"].as_uri()).load()
    nt = tmp_path / "from-owx.nt"
    world.get_ontology("https://w3id.org/sahelkg/ontology").save(file=str(nt), format="ntriples")
    missing = original - _named_triples(nt, pyoxigraph.RdfFormat.N_TRIPLES)
    # owlready2 drops the declaration of a datatype it does not know, and writes a pair of different
    # individuals as an owl:AllDifferent (blank nodes, left out of the comparison); everything else is there
    assert missing == {"<http://www.opengis.net/ont/geosparql#wktLiteral> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                       "<http://www.w3.org/2000/01/rdf-schema#Datatype>",
                       "<https://w3id.org/sahelkg/ontology#Draft> <http://www.w3.org/2002/07/owl#differentFrom> "
                       "<https://w3id.org/sahelkg/ontology#Reviewed>"}


# --------------------------------------------------------------------------- small fixtures


def _tiny_store() -> pyoxigraph.Store:
    """An ontology graph with one object property, and an article graph that uses it wrongly.

    Property kinds follow use: an IRI value is an individual when the ABox describes it (it is a
    subject) or the property is a declared object property; other IRIs (a web page) are annotation
    values.
    """
    nn, lit = pyoxigraph.NamedNode, pyoxigraph.Literal
    rdf_type = nn("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    owl = "http://www.w3.org/2002/07/owl#"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    onto, art = nn(GRAPH + "ontology"), nn(GRAPH + "article/A")
    a, b = nn(ID + "a"), nn(ID + "b")
    store = pyoxigraph.Store()
    store.extend([
        pyoxigraph.Quad(nn(SK[:-1]), rdf_type, nn(owl + "Ontology"), onto),
        pyoxigraph.Quad(nn(SK + "Person"), rdf_type, nn(owl + "Class"), onto),
        pyoxigraph.Quad(nn(SK + "memberOf"), rdf_type, nn(owl + "ObjectProperty"), onto),
        pyoxigraph.Quad(a, rdf_type, nn(SK + "Person"), art),
        pyoxigraph.Quad(b, rdf_type, nn(SK + "Person"), art),
        pyoxigraph.Quad(a, nn("http://example.org/homepage"), nn("http://example.org/a.html"), art),  # not an individual
        pyoxigraph.Quad(a, nn(SK + "memberOf"), b, art),
        pyoxigraph.Quad(a, nn(SK + "memberOf"), lit("the 7th battalion"), art),           # object property + literal
        pyoxigraph.Quad(a, nn("http://example.org/knows"), b, art),                         # undeclared, IRIs only
        pyoxigraph.Quad(a, nn("http://example.org/born"), lit("1990-01-02", datatype=nn(xsd + "date")), art),
        pyoxigraph.Quad(a, nn("http://example.org/seen"), b, art),                          # undeclared, both kinds
        pyoxigraph.Quad(a, nn("http://example.org/seen"), lit("yesterday"), art),
        pyoxigraph.Quad(a, nn("http://example.org/knows"), b, nn(GRAPH + "registry")),      # same triple twice
    ])
    return store


def test_owl_declares_undeclared_properties_by_their_use() -> None:
    import rdflib
    from rdflib.namespace import OWL, RDF, XSD

    out = io.BytesIO()
    result = export(_tiny_store(), "owl", out)
    g = rdflib.Graph().parse(data=out.getvalue(), format="xml")
    ex = rdflib.Namespace("http://example.org/")
    assert (ex.knows, RDF.type, OWL.ObjectProperty) in g
    assert (ex.born, RDF.type, OWL.DatatypeProperty) in g
    assert (ex.seen, RDF.type, OWL.AnnotationProperty) in g
    assert (ex.homepage, RDF.type, OWL.AnnotationProperty) in g
    assert (ex["a.html"], RDF.type, OWL.NamedIndividual) not in g
    assert (rdflib.URIRef(ID + "b"), RDF.type, OWL.NamedIndividual) in g
    assert list(g.objects(rdflib.URIRef(ID + "a"), ex.born)) == [rdflib.Literal("1990-01-02T00:00:00", datatype=XSD.dateTime)]
    # the literal value of an object property cannot be OWL 2 DL: left out, and said
    assert len(list(g.objects(rdflib.URIRef(ID + "a"), rdflib.URIRef(SK + "memberOf")))) == 1
    assert any("object property with a literal value" in w for w in result.warnings)
    assert result.details["literals of xsd:date as xsd:dateTime"] == 1


def test_flattened_union_writes_each_triple_once() -> None:
    out = io.BytesIO()
    result = export(_tiny_store(), "rdf", out, rdf_format="nt")
    lines = out.getvalue().decode().splitlines()
    assert len(lines) == len(set(lines)) == result.items == 12  # 13 quads, one triple in two graphs
