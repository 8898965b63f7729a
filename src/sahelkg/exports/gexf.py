"""GEXF 1.3 for Gephi, written as a stream (no XML tree in memory; no networkx writer).

networkx's GEXF writer emits files the schema rejects (``name=""`` on the graph, ``timeformat``
"long"), so this module writes the XML itself: namespace ``http://gexf.net/1.3``, ``viz`` colours
in ``http://gexf.net/1.3/viz``, ``mode="dynamic" timeformat="date"`` whenever an element carries a
date, closed intervals as ``start``/``end`` or ``<spells>``. Attribute types are the ones Gephi
knows (string, integer, double). See :mod:`sahelkg.exports.network` for what the nodes and edges are.

>>> import io
>>> out = io.BytesIO()
>>> net = Network("full", "en", {"a": Node("a", "A", "actor", "Person", "person", "person")}, [])
>>> write_gexf(net, out)
>>> b'<node id="a" label="A">' in out.getvalue()
True
"""

from __future__ import annotations

import re
from typing import BinaryIO

from sahelkg import __version__
from sahelkg.exports.network import COLOURS, Network, Node

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# (id, title, type): the node columns are the same in every projection, so files can be compared in Gephi
NODE_ATTRIBUTES = [
    ("type", "type", "string"), ("class", "class", "string"), ("iri", "iri", "string"),
    ("degree", "degree", "integer"), ("events", "events", "integer"), ("fatalities", "fatalities", "integer"),
    ("latitude", "latitude", "double"), ("longitude", "longitude", "double"), ("date", "date", "string"),
    ("acled_event_type", "acled_event_type", "string"), ("location", "location", "string"),
]
EDGE_ATTRIBUTES = [("relation", "relation", "string"), ("roles", "roles", "string"),
                   ("first_date", "first_date", "string"), ("last_date", "last_date", "string")]

EDGE_IDS = {aid for aid, _, _ in EDGE_ATTRIBUTES}

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def attr(value: object) -> str:
    """An XML attribute value, quoted; characters XML 1.0 cannot hold are dropped.

    >>> attr('N’Daki "forest" & <co>\\n')
    '"N’Daki &quot;forest&quot; &amp; &lt;co&gt;&#10;"'
    """
    text = _INVALID_XML.sub("", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return '"' + text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def _number(v: object) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return repr(v)  # 15.0 stays a double
    return str(v)


def _spells(spells: list[tuple[str, str]]) -> tuple[str, str]:
    """(attributes on the element, child element) for a list of closed intervals."""
    if not spells:
        return "", ""
    if len(spells) == 1:
        b, e = spells[0]
        return f" start={attr(b)} end={attr(e)}", ""
    inner = "".join(f"<spell start={attr(b)} end={attr(e)}/>" for b, e in spells)
    return "", f"<spells>{inner}</spells>"


def write_gexf(net: Network, out: BinaryIO, *, description: str | None = None) -> None:
    """Write ``net`` to ``out`` (binary) as GEXF 1.3."""
    def w(s: str) -> None:
        out.write(s.encode("utf-8"))

    dynamic = any(n.spells for n in net.nodes.values()) or any(e.spells for e in net.edges)
    mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    edgetype = "directed" if net.directed else "undirected"
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(f'<gexf xmlns="{NS}" xmlns:viz="{VIZ}" xmlns:xsi="{XSI}" '
      f'xsi:schemaLocation="{NS} http://gexf.net/1.3/gexf.xsd" version="1.3">\n')
    desc = description or f"sahelkg {net.projection} network, labels in {net.lang}"
    w(f"  <meta>\n    <creator>sahelkg {__version__}</creator>\n    <description>{attr(desc)[1:-1]}</description>\n  </meta>\n")
    w(f'  <graph defaultedgetype="{edgetype}"{mode}>\n')
    # an edge column is declared only where some edge has a value in it (Gephi shows a declared
    # column on every edge: an always-empty one is noise); nodes always have type, class, degree
    used = {"relation"} | {k for e in net.edges for k, v in e.attrs.items() if v is not None and v != ""}
    edge_decls = [d for d in EDGE_ATTRIBUTES if d[0] in used]
    for cls, decls in (("node", NODE_ATTRIBUTES), ("edge", edge_decls)):
        w(f'    <attributes class="{cls}" mode="static">\n')
        for aid, title, typ in decls:
            w(f"      <attribute id={attr(aid)} title={attr(title)} type={attr(typ)}/>\n")
        w("    </attributes>\n")
    w(f'    <nodes count="{len(net.nodes)}">\n')
    for iri in sorted(net.nodes):
        _node(w, net.nodes[iri])
    w("    </nodes>\n")
    w(f'    <edges count="{len(net.edges)}">\n')
    for i, e in enumerate(net.edges):
        times, spells = _spells(e.spells)
        values = {"relation": e.kind, **{k: v for k, v in e.attrs.items() if k in EDGE_IDS}}
        w(f"      <edge id={attr(f'e{i}')} source={attr(e.source)} target={attr(e.target)} "
          f"label={attr(e.label)} kind={attr(e.kind)} weight={attr(_number(float(e.weight)))}{times}>")
        w("<attvalues>" + "".join(f"<attvalue for={attr(k)} value={attr(_number(v))}/>"
                                  for k, v in values.items() if v is not None and v != "") + "</attvalues>")
        w(spells + "</edge>\n")
    w("    </edges>\n  </graph>\n</gexf>\n")


def _node(w: object, n: Node) -> None:
    times, spells = _spells(n.spells)
    r, g, b = COLOURS.get(n.category, (127, 127, 127))
    values = {"type": n.type, "class": n.cls, **n.attrs}
    known = {aid for aid, _, _ in NODE_ATTRIBUTES}
    vals = "".join(f"<attvalue for={attr(k)} value={attr(_number(v))}/>"
                   for k, v in values.items() if k in known and v is not None and v != "")
    w(f"      <node id={attr(n.id)} label={attr(n.label)}{times}>"  # type: ignore[operator]
      f"<attvalues>{vals}</attvalues>{spells}"
      f'<viz:color r="{r}" g="{g}" b="{b}" a="1.0"/></node>\n')
