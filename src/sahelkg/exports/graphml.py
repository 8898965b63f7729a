"""GraphML for Cytoscape, yEd and networkx users: the network of :mod:`sahelkg.exports.network`.

Written with networkx (its GraphML writer is sound). Same node and edge attributes as the GEXF
export; GraphML has no time model, so times are plain attributes: ``start`` and ``end`` (first and
last day, ISO 8601) and ``spells`` (``begin/end`` intervals separated by ``; `` when there are
several). The edge's kind is the ``kind`` attribute.
"""

from __future__ import annotations

from typing import BinaryIO

import networkx as nx

from sahelkg.exports.network import Network

INT_ATTRIBUTES = {"degree", "events", "fatalities"}
FLOAT_ATTRIBUTES = {"latitude", "longitude"}


def _times(spells: list[tuple[str, str]]) -> dict[str, str]:
    if not spells:
        return {}
    return {"start": spells[0][0], "end": spells[-1][1], "spells": "; ".join(f"{b}/{e}" for b, e in spells)}


def _typed(key: str, value: object) -> object:
    if key in INT_ATTRIBUTES:
        return int(value)  # type: ignore[call-overload]
    if key in FLOAT_ATTRIBUTES:
        return float(value)  # type: ignore[arg-type]
    return str(value)


def to_networkx(net: Network, *, consume: bool = False) -> nx.MultiDiGraph | nx.MultiGraph:
    """``net`` as a networkx multigraph (directed unless the projection is ``actors``).

    :param consume: empty ``net`` while copying it, each node and edge dropped once copied, so that
        the network and the graph never both exist whole (the export's peak memory is the larger
        of the two instead of their sum).
    """
    g: nx.MultiDiGraph | nx.MultiGraph = nx.MultiDiGraph() if net.directed else nx.MultiGraph()
    g.graph.update(projection=net.projection, lang=net.lang)
    for iri in sorted(net.nodes):
        n = net.nodes.pop(iri) if consume else net.nodes[iri]
        attrs = {k: _typed(k, v) for k, v in n.attrs.items() if v is not None and v != ""}
        g.add_node(iri, label=n.label, type=n.type, **{"class": n.cls}, **attrs, **_times(n.spells))
    edges = net.edges
    if consume:
        net.edges = []
        edges.reverse()  # popped from the end, in their order
    for i in range(len(edges)):
        e = edges.pop() if consume else edges[i]
        attrs = {k: _typed(k, v) for k, v in e.attrs.items() if v is not None and v != ""}
        g.add_edge(e.source, e.target, key=f"e{i}", kind=e.kind, label=e.label, weight=float(e.weight),
                   **attrs, **_times(e.spells))
    return g


def write_graphml(net: Network, out: BinaryIO, *, consume: bool = False) -> None:
    """Write ``net`` to ``out`` (binary) as GraphML (``consume``: see :func:`to_networkx`)."""
    nx.write_graphml(to_networkx(net, consume=consume), out, encoding="utf-8", prettyprint=True)
