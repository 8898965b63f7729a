"""The store interface: one place tells a directory from a URL; the build target's begin, write,
commit and abort on the embedded store; the IRI authority's names and parses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from sahelkg.errors import StoreError
from sahelkg.iris import Iris, Node
from sahelkg.settings import PACKAGE_ROOT, Settings
from sahelkg.store import build_target, locate
from sahelkg.store.embedded import EmbeddedLocation, EmbeddedTarget
from sahelkg.store.remote import RemoteLocation, RemoteStore
from sahelkg.store.remote_build import RemoteTarget

BASE = "https://w3id.org/sahelkg/"
G = BASE + "graph/"


class FileManifest:
    """A manifest that is one line of text (what a build target needs of one)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def commit_as(self, final: Path) -> None:
        final.write_text(self.text, encoding="utf-8")

    def to_json(self, **extra: object) -> str:
        return self.text


def quad_line(s: str, graph: str) -> str:
    return f"<{BASE}id/{s}> <{BASE}ontology#p> \"{s}\" <{graph}> .\n"


def graph_contents(store: object) -> dict[str, set[str]]:
    return {g.value: {q.subject.value for q in store.quads_for_pattern(None, None, None, g)}  # type: ignore[attr-defined]
            for g in store.named_graphs()}  # type: ignore[attr-defined]


def test_a_location_is_a_directory_or_a_server_and_says_what_it_can_do(tmp_path: Path) -> None:
    here = locate(tmp_path / "store")
    assert isinstance(here, EmbeddedLocation)
    assert (here.name, here.keeps_files, here.exists()) == (str(tmp_path / "store"), True, False)
    with pytest.raises(StoreError, match=r"no store here; run `sahelkg build --store .*` first"):
        here.open()
    server = locate("http://127.0.0.1:9/query")
    assert isinstance(server, RemoteLocation)
    assert (server.name, server.keeps_files, server.exists(), server.disk_size(), server.changed_since_build()) == (
        "http://127.0.0.1:9/query", False, True, None, None)
    assert isinstance(server.open(), RemoteStore) and server.open() is server.open()  # one client per location
    assert server.generation().startswith("remote:")
    settings = Settings.from_env(store=str(tmp_path / "store"), root=tmp_path)
    assert isinstance(build_target(settings), EmbeddedTarget)
    remote = build_target(Settings.from_env(store="http://127.0.0.1:9/query", root=tmp_path))
    assert isinstance(remote, RemoteTarget) and remote.cache_dir == tmp_path / "build" / "cache"


def test_the_http_client_is_imported_only_for_a_server(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from sahelkg.store import locate, open_store\n"
        "import sahelkg.build, sahelkg.exports, sahelkg.serving.endpoint\n"
        "print('httpx' in sys.modules)\n"
        "locate('http://127.0.0.1:9/query').open()\n"
        "print('httpx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(PACKAGE_ROOT / "src"), "PATH": ""}).stdout.split()
    assert out == ["False", "True"]


def test_the_embedded_target_commits_a_new_generation_or_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "store"
    first = EmbeddedTarget(path)
    with first.lock():
        first.begin(incremental=False)
        assert first.write([(G + "article/a", [quad_line("a1", G + "article/a")]),
                            (G + "article/b", [quad_line("b1", G + "article/b")])]).keys() == {"mapping", "loading", "load wait"}
        assert first.validate(lambda store: [len(store)]) == [2]
        first.commit(FileManifest("first"))
    location = locate(path)
    token = location.generation()
    assert graph_contents(location.open()) == {G + "article/a": {BASE + "id/a1"}, G + "article/b": {BASE + "id/b1"}}
    assert first.manifest_file(current=True).read_text() == "first"  # type: ignore[union-attr]

    # an incremental build replaces the graphs it writes and removes the ones it is told; aborted, nothing changed
    second = EmbeddedTarget(path)
    with second.lock():
        second.begin(incremental=True)
        second.remove([G + "article/b"])
        assert second.write([(G + "article/a", [quad_line("a2", G + "article/a")])]) == {}
        assert graph_contents(second.store) == {G + "article/a": {BASE + "id/a2"}}
        second.abort()
    assert location.generation() == token
    assert graph_contents(location.open()) == {G + "article/a": {BASE + "id/a1"}, G + "article/b": {BASE + "id/b1"}}
    assert sorted(p.name for p in (tmp_path / "store.d").glob("gen-*") if p.is_dir()) == ["gen-1"]
    # the same, committed
    third = EmbeddedTarget(path)
    with third.lock():
        third.begin(incremental=True)
        assert third.previous_generation() == "gen-1"
        third.remove([G + "article/b"])
        third.write([(G + "article/a", [quad_line("a2", G + "article/a")])])
        third.commit(FileManifest("third"))
    assert location.generation() != token
    assert graph_contents(location.open()) == {G + "article/a": {BASE + "id/a2"}}
    with third.lock(), pytest.raises(StoreError, match="another build is running on this store"):
        with EmbeddedTarget(path).lock():
            pass


def test_the_iri_authority_mints_and_parses_the_same_scheme() -> None:
    iris = Iris(BASE)
    assert (iris.entity("mali"), iris.article("001"), iris.local("001", "e3"), iris.annotation("001", "e3")) == (
        BASE + "id/mali", BASE + "id/article/001", BASE + "id/001/e3", BASE + "id/001/e3/annotation")
    assert [iris.node(x) for x in (iris.entity("mali"), iris.article("001"), BASE + "id/article/001/published",
                                   iris.annotation("001", "e3"), "https://example.org/id/mali")] == [
        Node("entity", None, "mali"), Node("article", "001", None), Node("article", "001", "published"),
        Node("fact", "001", "e3"), None]
    graphs = [iris.ontology_graph, iris.registry_graph, iris.article_graph("001"), iris.inferred_graph("article/001"),
              iris.build_graph, iris.staging("b1", iris.article_graph("001")), iris.backup("b1", iris.registry_graph),
              "urn:x-other"]
    assert [iris.graph_kind(g) for g in graphs] == ["ontology", "registry", "article", "inferred", "build", "staging",
                                                     "backup", "other"]
    assert [g for g in graphs if iris.is_data_graph(g)] == graphs[:4]
    assert iris.staging("b1", iris.article_graph("001")) == G + "staging/b1/article/001"
    assert iris.unstaged("b1", iris.staging("b1", iris.article_graph("001"))) == iris.article_graph("001")
    assert iris.inferred_of(iris.article_graph("001")) == iris.inferred_graph("article/001") == G + "inferred/article/001"


def test_pyoxigraph_and_the_remote_store_answer_the_store_protocol() -> None:
    from sahelkg.store.protocol import Store

    names = [n for n in vars(Store) if not n.startswith("_") or n == "__len__"]
    assert sorted(names) == ["__len__", "contains_named_graph", "named_graphs", "quads_for_pattern", "query", "update"]
    for implementation in (pyoxigraph.Store, RemoteStore):
        assert all(callable(getattr(implementation, n, None)) for n in names), implementation
