"""The IRI scheme: the one place that mints and parses the IRIs of nodes and graphs.

Everything the build writes is named under one base IRI (``--base-iri``, ``SAHELKG_BASE_IRI``;
see ``docs/graph-model.md``):

=====================================  ==================================================
``<base>id/<entity>``                  an entity of the registry
``<base>id/article/<article>``         an article
``<base>id/<article>/<local>``         a fact (event, relation, claim...) or a local entity
``<base>graph/ontology``               the ontology
``<base>graph/registry``               the registry
``<base>graph/article/<article>``      one article's facts and their provenance
``<base>graph/inferred/<source>``      what is inferred from one source graph
``<base>graph/inferred/closure``       the transitive closure across all sources
``<base>graph/inferred/links``         every link between two entities (registry or local), once
``<base>graph/build``                  a remote build's manifest
``<base>graph/staging/<build>/<rest>`` a remote build's upload of ``graph/<rest>``
``<base>graph/backup/<build>/<rest>``  the graph ``graph/<rest>`` a remote build replaced
=====================================  ==================================================

IRIs are plain strings here; :func:`iri` is the one conversion to an N-Triples term
(``<...>``), the form :class:`Triple` and the build's N-Quads lines use.

>>> iris = Iris("https://w3id.org/sahelkg/")
>>> iris.article_graph("001")
'https://w3id.org/sahelkg/graph/article/001'
>>> iris.graph_kind(iris.inferred_graph("article/001")), iris.graph_kind(iris.staging("b1", iris.registry_graph))
('inferred', 'staging')
>>> iris.node(iris.local("001", "e3"))
Node(kind='fact', article='001', local='e3')
>>> iris.node(iris.entity("mali")), iris.node("https://example.org/x")
(Node(kind='entity', article=None, local='mali'), None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Triple = tuple[str, str, str]
"""A triple of N-Triples terms (``<iri>``, ``"text"@en``...): what the mapping and the reasoner
pass around, and what the build streams into N-Quads without an object per term."""

GRAPH_KINDS = ("ontology", "registry", "article", "inferred", "build", "staging", "backup", "other")
_NAME = r"[A-Za-z0-9_-]+"  # an article's or an entity's id (corpus ids are file stems and slugs)
_LOCAL = r"[a-z][a-z0-9_-]*"  # a fact's or a local entity's id inside an article


def iri(value: str) -> str:
    """The N-Triples term of an IRI.

    >>> iri("https://w3id.org/sahelkg/id/mali")
    '<https://w3id.org/sahelkg/id/mali>'
    """
    return f"<{value}>"


@dataclass(frozen=True)
class Node:
    """What an IRI under ``<base>id/`` names: an ``entity`` of the registry (``local`` is its id),
    an ``article`` (``local``: a node of its own, such as its publication time), or a ``fact``
    (or local entity) ``local`` of ``article``."""

    kind: str
    article: str | None
    local: str | None


class Iris:
    """Mints and parses the IRIs of nodes and graphs under one base IRI."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.id = base + "id/"
        self.graph = base + "graph/"
        self._entity_prefix = "<" + self.id
        self._node = re.compile(re.escape(self.id) + rf"(article/)?({_NAME})(?:/({_LOCAL}))?")

    # ---- nodes
    def entity(self, eid: str) -> str:
        return self.id + eid

    def local(self, article_id: str, local_id: str) -> str:
        """A fact or a local entity of an article."""
        return f"{self.id}{article_id}/{local_id}"

    def article(self, article_id: str) -> str:
        return f"{self.id}article/{article_id}"

    def annotation(self, article_id: str, fact_id: str) -> str:
        """The oa:Annotation that anchors a fact to its quote."""
        return f"{self.local(article_id, fact_id)}/annotation"

    def mention(self, article_id: str, start: int, end: int) -> str:
        return f"{self.id}{article_id}/mention/{start}-{end}"

    def registry_fact(self, entity_id: str, n: int) -> str:
        """The statement node of the ``n``-th fact the registry records about an entity."""
        return f"{self.id}registry/{entity_id}/fact-{n}"

    def node(self, value: str) -> Node | None:
        """What the IRI ``value`` names (its start: ``.../e3/annotation`` is fact ``e3``), or None
        when it is not under ``<base>id/``."""
        m = self._node.match(value)
        if not m:
            return None
        if m.group(1):
            return Node("article", m.group(2), m.group(3))
        if m.group(3) is None:
            return Node("entity", None, m.group(2))
        return Node("fact", m.group(2), m.group(3))

    # ---- graphs
    def article_graph(self, article_id: str) -> str:
        return f"{self.graph}article/{article_id}"

    def inferred_graph(self, source: str) -> str:
        """The graph of what is inferred from one source graph ('registry', 'ontology', 'article/<id>', 'closure')."""
        return f"{self.graph}inferred/{source}"

    def inferred_of(self, graph: str) -> str:
        """The inferred graph of the asserted graph ``graph`` (``graph/X`` -> ``graph/inferred/X``)."""
        return self.inferred_graph(graph[len(self.graph):])

    @property
    def ontology_graph(self) -> str:
        return self.graph + "ontology"

    @property
    def registry_graph(self) -> str:
        return self.graph + "registry"

    @property
    def closure_graph(self) -> str:
        """The transitive closure across all sources."""
        return self.inferred_graph("closure")

    @property
    def links_graph(self) -> str:
        """Every link between two entities (of the registry, or local to an article) that any graph states or entails, once."""
        return self.inferred_graph("links")

    def is_entity_term(self, term: str) -> bool:
        """Whether the N-Triples term ``term`` is a registry entity's IRI (``<base>id/<entity>``).

        >>> iris = Iris("https://w3id.org/sahelkg/")
        >>> [iris.is_entity_term(t) for t in ("<https://w3id.org/sahelkg/id/mali>", "<https://w3id.org/sahelkg/id/a1/e3>",
        ...                                   "<https://w3id.org/sahelkg/id/article/a1>", '"mali"')]
        [True, False, False, False]
        """
        # an article's IRI, a fact's or a node of the registry's such as a geometry has a "/" after the prefix
        return term.startswith(self._entity_prefix) and "/" not in term[len(self._entity_prefix):]

    @property
    def build_graph(self) -> str:
        """Where a remote build keeps its manifest."""
        return self.graph + "build"

    def staging(self, build_id: str, graph: str) -> str:
        """The name a remote build uploads ``graph`` under before it swaps it in."""
        return f"{self.graph}staging/{build_id}/{graph[len(self.graph):]}"

    def backup(self, build_id: str, graph: str) -> str:
        """The name a remote build keeps the graph ``graph`` it replaces under until it committed."""
        return f"{self.graph}backup/{build_id}/{graph[len(self.graph):]}"

    def unstaged(self, build_id: str, staged: str) -> str:
        """The final name of a staging graph (for messages)."""
        return staged.replace(f"{self.graph}staging/{build_id}/", self.graph, 1)

    def graph_kind(self, graph: str) -> str:
        """One of :data:`GRAPH_KINDS`: ``other`` for a graph outside the scheme."""
        if graph == self.ontology_graph:
            return "ontology"
        if graph == self.registry_graph:
            return "registry"
        if graph == self.build_graph:
            return "build"
        for kind in ("article", "inferred", "staging", "backup"):
            if graph.startswith(f"{self.graph}{kind}/"):
                return kind
        return "other"

    def is_data_graph(self, graph: str) -> bool:
        """True for a graph a build wrote as data (not a remote build's manifest, staging or backup)."""
        return graph.startswith(self.graph) and self.graph_kind(graph) not in ("build", "staging", "backup")
