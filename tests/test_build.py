"""The build: graph content with provenance, determinism, inference, SHACL, atomicity, incrementality."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest

from conftest import select
from sahelkg.build import build
from sahelkg.errors import GraphError
from sahelkg.graph.ontology import load_ontology
from sahelkg.iris import Iris
from sahelkg.settings import PACKAGE_ROOT, Settings
from sahelkg.store import open_read_only

SK = "https://w3id.org/sahelkg/ontology#"
ID = "https://w3id.org/sahelkg/id/"
GRAPH = "https://w3id.org/sahelkg/graph/"


def quads(store_path: str | Path) -> list[pyoxigraph.Quad]:
    return list(open_read_only(store_path))


def canonical(qs: list[pyoxigraph.Quad], rounds: int = 6) -> Counter[str]:
    """The quads as a multiset of strings with blank nodes named by their structure.

    Oxigraph relabels blank nodes on load, so two builds are compared up to blank-node renaming:
    each blank node's label is refined from its outgoing and incoming edges (Weisfeiler-Lehman),
    which tells apart the acyclic blank-node structures an OWL ontology has (lists, unions).
    """
    def text(t: object) -> str:
        return str(t)

    bnodes = {t.value for q in qs for t in (q.subject, q.object) if isinstance(t, pyoxigraph.BlankNode)}
    label = {b: "" for b in bnodes}

    def name(t: object) -> str:
        return "_:" + label[t.value] if isinstance(t, pyoxigraph.BlankNode) else text(t)

    for _ in range(rounds):
        sig: dict[str, list[str]] = {b: [] for b in bnodes}
        for q in qs:
            if isinstance(q.subject, pyoxigraph.BlankNode):
                sig[q.subject.value].append(f"out {q.predicate} {name(q.object)} {q.graph_name}")
            if isinstance(q.object, pyoxigraph.BlankNode):
                sig[q.object.value].append(f"in {name(q.subject)} {q.predicate} {q.graph_name}")
        label = {b: hashlib.sha256((label[b] + "|" + "|".join(sorted(v))).encode()).hexdigest()[:16] for b, v in sig.items()}
    return Counter(f"{name(q.subject)} {q.predicate} {name(q.object)} {q.graph_name}" for q in qs)


def assert_same_quads(a: list[pyoxigraph.Quad], b: list[pyoxigraph.Quad]) -> None:
    """Equal datasets up to blank-node renaming; on failure, print what is only in each."""
    ca, cb = canonical(a), canonical(b)
    only_a, only_b = sorted((ca - cb).elements()), sorted((cb - ca).elements())
    assert not only_a and not only_b, f"only in the first: {only_a[:20]}\nonly in the second: {only_b[:20]}"


def settings_for(tmp: Path, corpus: Path | None = None, ontology: Path | None = None) -> Settings:
    return Settings.from_env(store=str(tmp / "store"), corpus_dir=corpus or PACKAGE_ROOT / "corpus",
                             ontology_dir=ontology or PACKAGE_ROOT / "ontology", queries_dir=PACKAGE_ROOT / "queries")


# --- content ---------------------------------------------------------------------------------------

def test_one_named_graph_per_article_plus_ontology_registry_inferred(real_store):
    graphs = {g.value for g in real_store.named_graphs()}
    articles = ["000_8c355021fff2e163", "001_af0646745c3fb3a7", "002_b43efc41ee202923",
                "003_284cecf88603a7fc", "004_6c0a91cd67c955b8"]
    assert graphs == (
        {GRAPH + "ontology", GRAPH + "registry", GRAPH + "inferred/registry", GRAPH + "inferred/closure",
         GRAPH + "inferred/links"}
        | {GRAPH + "article/" + a for a in articles}
        | {GRAPH + "inferred/article/" + a for a in articles}
    )


def test_blasco_death_with_its_quote_and_selectors(real_store):
    # 001: "A French soldier was killed in action in Mali on Friday morning" ... "Posted on Sep 24, 2021"
    rows = select(real_store, """
        SELECT ?e ?date ?basis ?exact ?start ?end ?article WHERE {
          GRAPH <https://w3id.org/sahelkg/graph/article/001_af0646745c3fb3a7> {
            ?e a sk:Death ; sk:hasVictim <https://w3id.org/sahelkg/id/maxime-blasco> ;
               sk:hasTime [ sk:isoDate ?date ; sk:dateBasis ?basis ] ; sk:sourceArticle ?article .
            ?ann oa:hasBody ?e ; oa:motivatedBy oa:describing ; oa:hasTarget ?t .
            ?t oa:hasSource ?article ; oa:hasSelector ?q , ?p .
            ?q a oa:TextQuoteSelector ; oa:exact ?exact .
            ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          } }""")
    text = (PACKAGE_ROOT / "corpus/articles/001_af0646745c3fb3a7.txt").read_text(encoding="utf-8")
    assert len(rows) >= 1
    for row in rows:
        assert row["date"] == "2021-09-24"
        assert row["basis"] == SK + "BasisRelative"
        assert row["article"] == ID + "article/001_af0646745c3fb3a7"
        assert text[int(row["start"]):int(row["end"])] == row["exact"]
    assert any("killed in action in Mali on Friday morning" in r["exact"] for r in rows)


def test_relation_statement_and_direct_triple(real_store):
    # 004: "La katiba du Gourma est un groupe armé terroriste, créé en 2014, membre du Rassemblement ... (RVIM)"
    rows = select(real_store, """
        SELECT ?st ?exact WHERE {
          GRAPH <https://w3id.org/sahelkg/graph/article/004_6c0a91cd67c955b8> {
            <https://w3id.org/sahelkg/id/katiba-du-gourma> sk:memberOf <https://w3id.org/sahelkg/id/jnim> .
            ?st a sk:RelationStatement ; sk:statementSubject <https://w3id.org/sahelkg/id/katiba-du-gourma> ;
                sk:statementPredicate sk:memberOf ;
                sk:statementObject <https://w3id.org/sahelkg/id/jnim> .
            ?a oa:hasBody ?st ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          } }""")
    assert rows and all("RVIM" in r["exact"] or "Rassemblement" in r["exact"] for r in rows)


def test_article_metadata(real_store):
    rows = select(real_store, """
        SELECT ?lang ?pub ?basis WHERE {
          <https://w3id.org/sahelkg/id/article/001_af0646745c3fb3a7> a sk:Article ; dcterms:language ?lang ;
             sk:publishedOn [ sk:isoDate ?pub ; sk:dateBasis ?basis ] . }""")
    assert rows == [{"lang": "en", "pub": "2021-09-24", "basis": SK + "BasisStated"}]
    french = select(real_store, """
        SELECT ?title WHERE { <https://w3id.org/sahelkg/id/article/004_6c0a91cd67c955b8> dcterms:title ?title }""")
    assert french == [{"title": "BARKHANE : la force Barkhane met hors de combat un groupe terroriste au Mali."}]


# --- inference -------------------------------------------------------------------------------------

def test_inferred_types_and_hierarchy(real_store):
    # a katiba is an armed group and an agent, in the registry's inferred graph
    rows = select(real_store, """
        SELECT ?c WHERE { GRAPH <https://w3id.org/sahelkg/graph/inferred/registry> {
          <https://w3id.org/sahelkg/id/katiba-du-gourma> a ?c } } ORDER BY ?c""")
    classes = {r["c"] for r in rows}
    assert {SK + "JihadistGroup", SK + "ArmedGroup", SK + "Organization", SK + "Agent"} <= classes
    assert SK + "Katiba" not in classes  # asserted, so not repeated as inferred
    # every Death is an OutcomeEvent and an Event, inferred in its article's inferred graph
    assert select(real_store, """
        SELECT ?e WHERE { GRAPH ?g { ?e a sk:Death } FILTER NOT EXISTS { ?e a sk:OutcomeEvent } }""") == []


def test_inverse_and_subproperty_closure(real_store):
    # 001: Blasco is the victim of a death event, so he participated in it (hasVictim ⊑ hasParticipant, inverse)
    rows = select(real_store, """
        SELECT ?e WHERE { GRAPH <https://w3id.org/sahelkg/graph/inferred/article/001_af0646745c3fb3a7> {
          <https://w3id.org/sahelkg/id/maxime-blasco> sk:participatedIn ?e } }""")
    deaths = select(real_store, """
        SELECT ?e WHERE { ?e a sk:Death ; sk:hasVictim <https://w3id.org/sahelkg/id/maxime-blasco> }""")
    assert {r["e"] for r in deaths} <= {r["e"] for r in rows}


def test_transitive_affiliation_across_sources(real_store):
    # 004: the katiba du Gourma is "membre du ... (RVIM)"; 001: the GSIM is "Al-Qaeda-affiliated":
    # the chain katiba -> JNIM -> al-Qaeda is materialised in the closure graph (and, as every link
    # between two registry entities, once in the links graph).
    rows = select(real_store, """
        SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/sahelkg/id/katiba-du-gourma> sk:affiliatedWith
                                     <https://w3id.org/sahelkg/id/al-qaeda> } }""")
    assert {r["g"] for r in rows} == {GRAPH + "inferred/closure", GRAPH + "inferred/links"}
    # the place hierarchy: 003 puts the Adrar des Ifoghas in Northern Mali, the registry puts Northern
    # Mali in Mali: the closure says the Adrar is in Mali, and the inverse that Mali contains it.
    assert select(real_store, """
        SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/sahelkg/id/adrar-des-ifoghas> sk:locatedIn
                                     <https://w3id.org/sahelkg/id/mali> }
                             FILTER(?g != <https://w3id.org/sahelkg/graph/inferred/links>) }""") == [{"g": GRAPH + "inferred/closure"}]
    assert select(real_store, """
        SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/sahelkg/id/mali> sk:contains
                                     <https://w3id.org/sahelkg/id/adrar-des-ifoghas> }
                             FILTER(?g != <https://w3id.org/sahelkg/graph/inferred/links>) }""") == [{"g": GRAPH + "inferred/closure"}]


LINKS = GRAPH + "inferred/links"


def entity_links(store: pyoxigraph.Store) -> tuple[Counter[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """The triples between two entities (of the registry, or local to an article: a node with an
    article and no quote of its own, other than a registry fact): those of the links graph, counted,
    and the distinct ones of every other graph but the ontology."""
    def subjects(prop: str) -> set[str]:
        return {q.subject.value for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(SK + prop), None)}

    local = {x for x in subjects("sourceArticle") - subjects("quote") if not x.startswith(ID + "registry/")}

    def entity(t: object) -> bool:
        return isinstance(t, pyoxigraph.NamedNode) and (
            t.value in local or (t.value.startswith(ID) and "/" not in t.value[len(ID):]))

    in_links: Counter[tuple[str, str, str]] = Counter()
    elsewhere: set[tuple[str, str, str]] = set()
    for q in store.quads_for_pattern(None, None, None):
        if q.graph_name.value != GRAPH + "ontology" and entity(q.subject) and entity(q.object):
            t = (q.subject.value, q.predicate.value, q.object.value)
            if q.graph_name.value == LINKS:
                in_links[t] += 1
            else:
                elsewhere.add(t)
    return in_links, elsewhere


def test_the_links_graph_holds_every_link_between_entities_once(real_store):
    """Each triple between two entities (of the registry, or local to an article) that a graph states
    or entails (asserted by an article or the registry, inferred, or entailed across sources) is in
    the links graph, once, and nothing else is: no fact, no article."""
    links, elsewhere = entity_links(real_store)
    assert set(links) == elsewhere and set(links.values()) == {1}
    # stated by an article (002), inferred from one (a super-property, an inverse), entailed across
    # articles (004 and 001: katiba -> JNIM -> al-Qaeda)
    assert {(ID + "boubacar-banon", SK + "affiliatedWith", ID + "al-qaeda"), (ID + "boubacar-banon", SK + "memberOf", ID + "jnim"),
            (ID + "boubacar-banon", SK + "affiliatedWith", ID + "jnim"), (ID + "northern-mali", SK + "contains", ID + "adrar-des-ifoghas"),
            (ID + "katiba-du-gourma", SK + "affiliatedWith", ID + "al-qaeda")} <= set(links)
    # 001's sniper, a local entity, is a member of the local armed group; 001's commando group is part of Barkhane
    a001 = ID + "001_af0646745c3fb3a7/"
    assert {(a001 + "sniper", SK + "memberOf", a001 + "armed-terrorist-group"),
            (a001 + "commando-group", SK + "partOf", ID + "operation-barkhane")} <= set(links)


def test_inferred_graphs_never_repeat_their_source(real_store):
    dupes = select(real_store, """
        SELECT ?g (COUNT(*) AS ?n) WHERE {
          GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/sahelkg/graph/article/"))
          BIND(IRI(REPLACE(STR(?g), "/graph/article/", "/graph/inferred/article/")) AS ?ig)
          GRAPH ?ig { ?s ?p ?o } } GROUP BY ?g""")
    assert dupes == []


# --- determinism, atomicity, incrementality ---------------------------------------------------------

def test_rebuild_gives_the_same_graph(tmp_path):
    a, b = settings_for(tmp_path / "a"), settings_for(tmp_path / "b")
    build(a, full=True)
    build(b, full=True)
    assert_same_quads(quads(a.store), quads(b.store))


def test_nothing_changed_means_no_new_generation(tmp_path):
    s = settings_for(tmp_path)
    build(s)
    before = os.readlink(s.store)
    result = build(s)
    assert result.up_to_date and os.readlink(s.store) == before


def test_incremental_rebuild_equals_full_build(tmp_path, corpus_copy):
    inc = settings_for(tmp_path / "inc", corpus_copy)
    build(inc)
    ann = corpus_copy / "annotations" / "002_b43efc41ee202923.yaml"
    text = ann.read_text(encoding="utf-8")
    # a new mention of Gossi's second occurrence ("30 kilometers north of Gossi") with its own anchor
    ann.write_text(text.replace("\nmentions:\n", "\nmentions:\n  - {entity: gossi, quote: \"north of Gossi\"}\n", 1), encoding="utf-8")
    result = build(inc)
    assert (result.full, result.articles_rebuilt) == (False, ["002_b43efc41ee202923"])
    full = settings_for(tmp_path / "full", corpus_copy)
    build(full, full=True)
    assert_same_quads(quads(inc.store), quads(full.store))
    # removing an article removes its graphs
    (corpus_copy / "annotations" / "002_b43efc41ee202923.yaml").unlink()
    (corpus_copy / "articles" / "002_b43efc41ee202923.txt").unlink()
    result = build(inc)
    assert result.articles_removed == ["002_b43efc41ee202923"]
    graphs = {g.value for g in open_read_only(inc.store).named_graphs()}
    assert GRAPH + "article/002_b43efc41ee202923" not in graphs
    assert GRAPH + "inferred/article/002_b43efc41ee202923" not in graphs


def test_corpus_error_writes_nothing(tmp_path, corpus_copy):
    from sahelkg.errors import CorpusError

    s = settings_for(tmp_path, corpus_copy)
    build(s)
    before = quads(s.store)
    link = os.readlink(s.store)
    ann = corpus_copy / "annotations" / "000_8c355021fff2e163.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace("kevin-clement", "kevin-clemen", 1), encoding="utf-8")
    with pytest.raises(CorpusError):
        build(s)
    assert os.readlink(s.store) == link
    assert_same_quads(quads(s.store), before)


def assert_build_fails_on_the_publisher_shape(settings: Settings, ontology_dir: Path) -> None:
    """Add a stricter shape (every article must state its publisher: only 003 does); the build must
    fail with one located violation for each other article."""
    with open(ontology_dir / "shapes.ttl", "a", encoding="utf-8") as f:
        f.write("""
<https://w3id.org/sahelkg/shapes#ArticlePublisherShape> a <http://www.w3.org/ns/shacl#NodeShape> ;
  <http://www.w3.org/ns/shacl#targetClass> <https://w3id.org/sahelkg/ontology#Article> ;
  <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> <http://purl.org/dc/terms/publisher> ;
      <http://www.w3.org/ns/shacl#minCount> 1 ; <http://www.w3.org/ns/shacl#message> "an article needs a publisher" ] .
""")
    with pytest.raises(GraphError) as info:
        build(settings)
    files = sorted({Path(p.file).name for p in info.value.problems})
    assert files == ["000_8c355021fff2e163.yaml", "001_af0646745c3fb3a7.yaml", "002_b43efc41ee202923.yaml",
                     "004_6c0a91cd67c955b8.yaml"]
    assert all("an article needs a publisher" in p.message for p in info.value.problems)


def test_shacl_violation_fails_the_build_and_keeps_the_old_store(tmp_path):
    import shutil

    onto = tmp_path / "ontology"
    shutil.copytree(PACKAGE_ROOT / "ontology", onto)
    s = settings_for(tmp_path, ontology=onto)
    build(s)
    before, link = quads(s.store), os.readlink(s.store)
    assert_build_fails_on_the_publisher_shape(s, onto)
    assert os.readlink(s.store) == link
    assert_same_quads(quads(s.store), before)


# `sahelkg build --full` that stops once it has written the first lines of the new generation (its
# N-Quads file exists), says so on stdout, and waits there for the test's signal: the test signals at
# a known point of the build instead of polling for a file a fast build may already have removed.
PAUSED_BUILD = """
import threading
from sahelkg.store import embedded as build
write = build._Loader.write
def paused(self, lines):
    write(self, lines)
    if not getattr(build, "paused", False):
        build.paused = True
        print(self.chunk.path if self.chunk is not None else "", flush=True)
        threading.Event().wait()  # until the test's signal
build._Loader.write = paused
from sahelkg.cli import main
main(["build", "--full", "--quiet"], prog_name="sahelkg")
"""


def _run_and_stop(tmp_path: Path, sig: int) -> tuple[int, str, Settings]:
    s = settings_for(tmp_path)
    build(s)
    env = dict(os.environ, SAHELKG_STORE=s.store)
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_BUILD], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    chunk = proc.stdout.readline().strip()  # type: ignore[union-attr]
    assert proc.poll() is None and chunk, f"the build did not pause while writing: {proc.communicate()}"
    assert Path(chunk).parent == Path(s.store).with_name("store.d") and Path(chunk).exists()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err, s


def test_killed_build_leaves_the_previous_store(tmp_path):
    link_before = None
    code, _, s = _run_and_stop(tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    link_before = os.readlink(s.store)
    assert link_before == "store.d/gen-1"
    assert len(open_read_only(s.store)) > 0
    # the next build cleans up what the killed one left, and works
    result = build(s, full=True)
    assert result.full and os.readlink(s.store) != link_before
    assert not list(Path(s.store).with_name("store.d").glob("*.nq"))


def test_interrupted_build_says_so_and_leaves_the_previous_store(tmp_path):
    code, err, s = _run_and_stop(tmp_path, signal.SIGINT)
    assert code == 130
    assert "build interrupted; the previous store is intact" in err
    assert os.readlink(s.store) == "store.d/gen-1"
    assert len(open_read_only(s.store)) > 0


def test_store_layout_adopts_a_plain_directory(tmp_path):
    plain = tmp_path / "store"
    st = pyoxigraph.Store(str(plain))
    st.add(pyoxigraph.Quad(pyoxigraph.NamedNode("http://a"), pyoxigraph.NamedNode("http://b"), pyoxigraph.NamedNode("http://c")))
    st.flush()
    del st
    s = settings_for(tmp_path)
    result = build(s)
    assert result.full and result.reason == "the store has no build manifest"
    assert os.readlink(s.store) == "store.d/gen-1"


def test_unchanged_files_are_not_read_again(tmp_path, corpus_copy, monkeypatch):
    """An incremental build hashes only the files whose (mtime, size) changed since the last build."""
    from sahelkg.corpus import CorpusReader

    old = time.time() - 3600
    for p in [*corpus_copy.glob("articles/*.txt"), *corpus_copy.glob("annotations/*.yaml")]:
        os.utime(p, (old, old))
    s = settings_for(tmp_path, corpus_copy)
    build(s)
    hashed: list[str] = []
    real = CorpusReader.article_hash
    monkeypatch.setattr(CorpusReader, "article_hash", lambda self, aid: hashed.append(aid) or real(self, aid))
    assert build(s).up_to_date
    assert hashed == []
    ann = corpus_copy / "annotations" / "002_b43efc41ee202923.yaml"
    os.utime(ann, (old + 60, old + 60))  # touched, same content: hashed again, and found unchanged
    assert build(s).up_to_date and hashed == ["002_b43efc41ee202923"]
    assert build(s).up_to_date and hashed == ["002_b43efc41ee202923"]  # its new stat was recorded: not hashed again
    os.utime(ann)  # touched just now (within the clock's slack of the build): hashed again
    assert build(s).up_to_date and hashed == ["002_b43efc41ee202923"] * 2
    ann.write_text(ann.read_text(encoding="utf-8").replace(
        "\nmentions:\n", "\nmentions:\n  - {entity: gossi, quote: \"north of Gossi\"}\n", 1), encoding="utf-8")
    result = build(s)
    assert result.articles_rebuilt == ["002_b43efc41ee202923"]


def test_incremental_build_reuses_the_validated_registry(tmp_path, corpus_copy, monkeypatch):
    """The registry is validated once per registry hash: an incremental build takes the one the current
    generation was built with (a change to the registry makes the build full)."""
    from sahelkg.corpus import CorpusReader

    s = settings_for(tmp_path, corpus_copy)
    build(s)

    def fail(self, problems):
        raise AssertionError("the registry was read again")

    monkeypatch.setattr(CorpusReader, "read_registry", fail)
    ann = corpus_copy / "annotations" / "002_b43efc41ee202923.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace(
        "\nmentions:\n", "\nmentions:\n  - {entity: gossi, quote: \"north of Gossi\"}\n", 1), encoding="utf-8")
    result = build(s)
    assert (result.full, result.articles_rebuilt) == (False, ["002_b43efc41ee202923"])
    monkeypatch.undo()
    full = settings_for(tmp_path / "full", corpus_copy)
    build(full, full=True)
    assert_same_quads(quads(s.store), quads(full.store))


def test_the_schemas_are_checked_once_per_content(tmp_path, corpus_copy, monkeypatch):
    """jsonschema's check of each schema against its metaschema runs in the build that caches the
    registry; a later build process, finding that cache, does not run it again until a schema changes."""
    import jsonschema

    from sahelkg.corpus import schema

    checked: list[str] = []
    real = jsonschema.Draft202012Validator.check_schema.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(jsonschema.Draft202012Validator, "check_schema",
                        classmethod(lambda cls, schema: checked.append(schema.get("title", "?")) or real(cls, schema)))

    def new_process() -> None:
        schema._checked_against_metaschema.cache_clear()
        schema._compiled.cache_clear()

    new_process()  # earlier tests in this process vouched for the same schema texts
    s = settings_for(tmp_path, corpus_copy)
    build(s)
    assert len(checked) == len(list((corpus_copy / "schema").glob("*.json")))
    new_process()
    checked.clear()
    (corpus_copy / "annotations" / "002_b43efc41ee202923.yaml").open("a").write("# reviewed\n")
    assert build(s).articles_rebuilt == ["002_b43efc41ee202923"] and checked == []
    new_process()
    schema = corpus_copy / "schema" / "annotation.schema.json"
    schema.write_text(schema.read_text().replace('"title": "', '"title": "Edited: ', 1))
    (corpus_copy / "annotations" / "002_b43efc41ee202923.yaml").open("a").write("# again\n")
    build(s)
    assert any(t.startswith("Edited: ") for t in checked), checked


def test_the_parsed_ontology_is_cached_until_its_file_changes(tmp_path, monkeypatch):
    """A build parses the ontology once per file content: the next build unpickles it, and an edit
    (here, Protégé adding a class) is parsed again and replaces the cache."""
    import shutil

    import sahelkg.build as build_module
    import sahelkg.build.cache as cache_module

    onto = tmp_path / "ontology"
    shutil.copytree(PACKAGE_ROOT / "ontology", onto)
    s = settings_for(tmp_path, ontology=onto)
    build(s)
    caches = sorted(p.name for p in Path(f"{s.store}.d").glob("ontology-*.pickle"))
    assert len(caches) == 1

    def fail(path):
        raise AssertionError("the ontology was parsed again")

    monkeypatch.setattr(cache_module, "load_ontology", fail)
    assert build(s).up_to_date
    monkeypatch.undo()
    parsed = []
    monkeypatch.setattr(cache_module, "load_ontology", lambda path: parsed.append(path) or load_ontology(path))
    with open(onto / "sahelkg.ttl", "a", encoding="utf-8") as f:
        f.write("\n<https://w3id.org/sahelkg/ontology#Convoy> a <http://www.w3.org/2002/07/owl#Class> .\n")
    result = build(s)
    assert parsed == [onto / "sahelkg.ttl"] and result.full  # the ontology stamp changed: a full build
    assert "https://w3id.org/sahelkg/ontology#Convoy" in build_module.Builder(s).ontology().classes
    assert sorted(p.name for p in Path(f"{s.store}.d").glob("ontology-*.pickle")) != caches
    assert len(list(Path(f"{s.store}.d").glob("ontology-*.pickle"))) == 1


def test_a_full_build_loads_in_chunks_and_gets_the_same_quads(tmp_path, monkeypatch):
    """bulk_load takes the N-Quads a chunk at a time (its memory follows the chunk, not the corpus)."""
    import sahelkg.store.embedded as b

    loads: list[int] = []
    real = b._Chunk.load_into
    monkeypatch.setattr(b._Chunk, "load_into", lambda self, store: loads.append(self.lines) or real(self, store))
    one = settings_for(tmp_path / "one")
    build(one, full=True)
    assert len(loads) == 1
    monkeypatch.setattr(b, "LOAD_CHUNK_QUADS", 1000)
    loads.clear()
    chunked = settings_for(tmp_path / "chunked")
    result = build(chunked, full=True)
    assert len(loads) >= 5 and sum(loads) == result.quads  # a chunk closes after the graph that fills it
    assert set(result.timings) == {"mapping", "articles", "loading", "load wait", "shacl+commit"}
    assert 0 < result.timings["articles"] <= result.timings["mapping"]  # the articles' part of the mapping stage
    assert_same_quads(quads(chunked.store), quads(one.store))
    assert not list(Path(chunked.store).with_name("store.d").glob("*.nq"))


def test_a_chunk_loads_in_a_thread_while_the_next_is_mapped(tmp_path, monkeypatch):
    """The first chunk's bulk_load is still running when the mapping starts the second chunk."""
    import threading

    import sahelkg.store.embedded as b

    monkeypatch.setattr(b, "LOAD_CHUNK_QUADS", 1000)
    loading, second = threading.Event(), threading.Event()
    seen: list[tuple[int, bool]] = []
    real_init, real_load = b._Chunk.__init__, b._Chunk.load_into

    def init(self, folder):
        real_init(self, folder)
        if loading.is_set():
            second.set()

    def load(self, store):
        if not loading.is_set():  # the first load waits for the mapping to open the next chunk
            loading.set()
            seen.append((threading.get_ident(), second.wait(timeout=30)))
        return real_load(self, store)

    monkeypatch.setattr(b._Chunk, "__init__", init)
    monkeypatch.setattr(b._Chunk, "load_into", load)
    s = settings_for(tmp_path)
    build(s, full=True)
    (thread, overlapped), = seen
    assert thread != threading.get_ident() and overlapped


def test_a_failed_load_fails_the_build_and_leaves_the_previous_store(tmp_path, monkeypatch):
    import sahelkg.store.embedded as b

    s = settings_for(tmp_path)
    build(s)
    before = quads(s.store)
    monkeypatch.setattr(b, "LOAD_CHUNK_QUADS", 1000)
    loads: list[int] = []
    real = b._Chunk.load_into

    def load(self, store):
        loads.append(self.lines)
        if len(loads) == 2:
            self.discard()
            raise OSError(28, "No space left on device")
        return real(self, store)

    monkeypatch.setattr(b._Chunk, "load_into", load)
    with pytest.raises(OSError, match="No space left"):
        build(s, full=True)
    assert os.readlink(s.store) == "store.d/gen-1"
    assert_same_quads(quads(s.store), before)
    gens = Path(s.store).with_name("store.d")
    assert not list(gens.glob("*.nq")) and sorted(p.name for p in gens.glob("gen-*") if p.is_dir()) == ["gen-1"]


def _nquads_lines(store_path: str) -> list[str]:
    """The quads of the registry and article graphs (no blank nodes: the ontology's are renamed by
    each load) as N-Quads lines, graph by graph in the order of the graphs' names."""
    store = open_read_only(store_path)
    return [str(q) for g in sorted(store.named_graphs(), key=str) if g.value != GRAPH + "ontology"
            for q in store.quads_for_pattern(None, None, None, g)]


def test_mapping_in_two_processes_gives_the_same_store(tmp_path, monkeypatch):
    """--jobs 2 maps the articles in two worker processes: the same quads, graphs and manifest as one."""
    import sahelkg.build.mapping as b

    order: dict[int, list[str]] = {}
    real = b.Mapped.add

    def add(self, article, *args):
        order.setdefault(id(self), []).append(article.id)
        return real(self, article, *args)

    monkeypatch.setattr(b.Mapped, "add", add)
    workers: list[int] = []
    real_map = b.Mapper.map
    monkeypatch.setattr(b.Mapper, "map", lambda self, ids: workers.append(os.getpid()) or real_map(self, ids))
    one, two = settings_for(tmp_path / "one"), settings_for(tmp_path / "two")
    r1 = build(one, full=True, jobs=1)
    assert workers and set(workers) == {os.getpid()}  # one process: the mapping runs here
    workers.clear()
    r2 = build(two, full=True, jobs=2)
    assert workers == []  # two: every batch was mapped in a worker process, none here
    assert r1.quads == r2.quads and r1.articles_rebuilt == r2.articles_rebuilt
    first, second = order.values()
    assert first == second == sorted(first) and len(first) == r1.articles_total == 5
    assert_same_quads(quads(two.store), quads(one.store))
    # the articles' and the registry's graphs have no blank nodes: equal quad for quad
    assert _nquads_lines(two.store) == _nquads_lines(one.store)
    # the manifest is the same: an incremental build after either has nothing to do
    assert build(two, jobs=2).up_to_date and build(one, jobs=1).up_to_date


def test_a_failed_mapping_worker_fails_the_build_and_leaves_the_previous_store(tmp_path, monkeypatch):
    import sahelkg.build.mapping as b

    s = settings_for(tmp_path)
    build(s, jobs=1)
    before = quads(s.store)
    parent = os.getpid()
    real = b.Mapper.article_graphs

    def graphs(self, article, *args, **kwargs):
        if os.getpid() != parent and article.id.startswith("003"):
            raise RuntimeError(f"worker failed on {article.id}")
        return real(self, article, *args, **kwargs)

    monkeypatch.setattr(b.Mapper, "article_graphs", graphs)  # the forked workers inherit it
    with pytest.raises(RuntimeError, match="worker failed on 003"):
        build(s, full=True, jobs=2)
    assert os.readlink(s.store) == "store.d/gen-1"
    assert_same_quads(quads(s.store), before)
    gens = Path(s.store).with_name("store.d")
    assert not list(gens.glob("*.nq")) and sorted(p.name for p in gens.glob("gen-*") if p.is_dir()) == ["gen-1"]


def test_jobs_must_be_positive(tmp_path):
    from click.testing import CliRunner

    from sahelkg.cli import main

    result = CliRunner().invoke(main, ["build", "--store", str(tmp_path / "s"), "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output and "0 is not in the range x>=1" in result.output
    assert not (tmp_path / "s").exists()


def test_the_closure_is_recomputed_only_when_transitive_edges_change(tmp_path, corpus_copy, monkeypatch):
    """An edit that leaves an article's edges as they were keeps the closure and links graphs (they
    are not recomputed); one that removes an edge recomputes them from the manifest's edges, and the
    store equals a full build."""
    from sahelkg.graph.inference import Reasoner

    s = settings_for(tmp_path, corpus_copy)
    build(s)
    closures: list[int] = []
    real = Reasoner.closure
    monkeypatch.setattr(Reasoner, "closure", lambda self, edges: closures.append(len(edges)) or real(self, edges))
    ann = corpus_copy / "annotations" / "002_b43efc41ee202923.yaml"
    text = ann.read_text(encoding="utf-8")
    r1_quote = '    quote: "the jihadist Boubacar Banon, from the Support Group for Islam and Muslims (GSIM or Jnim in Arabic)"\n'
    ann.write_text(text.replace(r1_quote, r1_quote + '    note: "edited"\n', 1), encoding="utf-8")
    assert build(s).articles_rebuilt == ["002_b43efc41ee202923"]
    assert closures == []
    r2 = text[text.index("  - id: r2\n"):text.index("  - id: r3\n")]
    assert "affiliatedWith" in r2
    banon_al_qaeda = """SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/sahelkg/id/boubacar-banon> sk:affiliatedWith
                                                <https://w3id.org/sahelkg/id/al-qaeda> } }"""
    assert {r["g"] for r in select(open_read_only(s.store), banon_al_qaeda)} == {
        GRAPH + "article/002_b43efc41ee202923", LINKS}
    ann.write_text(text.replace(r2, ""), encoding="utf-8")
    assert build(s).articles_rebuilt == ["002_b43efc41ee202923"]
    assert len(closures) == 1
    # no article states it now; it is still entailed (Banon is a member of the JNIM, affiliated with al-Qaeda)
    assert {r["g"] for r in select(open_read_only(s.store), banon_al_qaeda)} == {GRAPH + "inferred/closure", LINKS}
    full = settings_for(tmp_path / "full", corpus_copy)
    build(full, full=True)
    assert_same_quads(quads(s.store), quads(full.store))


def test_a_json_manifest_of_an_older_version_keeps_the_build_incremental(tmp_path, corpus_copy):
    """Generations built before the manifest moved to SQLite have ``gen-N.manifest.json``: it is
    converted once, and the next build re-processes only the edited article (in a folder whose name
    would break a SQLite URI if it were not encoded)."""
    from sahelkg.build.manifest import Manifest

    s = settings_for(tmp_path / "store #1? 100%", corpus_copy)
    build(s)
    gen = Path(s.store).resolve()
    sqlite = gen.with_name(gen.name + ".manifest.sqlite")
    legacy = gen.with_name(gen.name + ".manifest.json")
    m = Manifest.open(sqlite)
    legacy.write_text(m.to_json(), encoding="utf-8")
    m.close()
    sqlite.unlink()
    ann = corpus_copy / "annotations" / "002_b43efc41ee202923.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace(
        "\nmentions:\n", "\nmentions:\n  - {entity: gossi, quote: \"north of Gossi\"}\n", 1), encoding="utf-8")
    result = build(s)
    assert (result.full, result.articles_rebuilt, result.reason) == (False, ["002_b43efc41ee202923"], "1 changed, 0 removed")
    assert not legacy.exists()
    assert build(s).up_to_date


def test_the_quads_written_are_the_quads_the_store_holds(tmp_path, min_corpus):
    # Two relations with the same ends (each with its own quote) make one direct triple: the build
    # counted it twice (the 1k synthetic corpus: "803477 quads written" for a store of 803,476).
    annotation = min_corpus / "annotations" / "t1.yaml"
    text = annotation.read_text(encoding="utf-8")
    twice = '  - {id: r9, property: locatedIn, subject: gossi, object: mali, quote: "Gossi is in Mali"}\n'
    annotation.write_text(text.replace("claims:\n", twice + "claims:\n", 1), encoding="utf-8")
    s = settings_for(tmp_path, min_corpus)
    full = build(s, full=True)
    located = select(open_read_only(s.store), f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{SK}locatedIn> <{ID}mali> }} "
                                              f"FILTER(CONTAINS(STR(?g), 'article/')) }}")
    assert located == [{"s": f"{ID}gossi"}]
    assert full.quads == len(quads(s.store))
    annotation.write_text(annotation.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    incremental = build(s)  # rewrites the article's graph and its inferred graph
    assert not incremental.full and incremental.articles_rebuilt == ["t1"]
    iris = Iris(s.base_iri)
    graphs = [iris.article_graph("t1"), iris.inferred_graph("article/t1")]
    assert incremental.quads == sum(1 for q in quads(s.store) if q.graph_name.value in graphs)
