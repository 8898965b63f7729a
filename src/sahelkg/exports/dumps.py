"""RDF dumps of the store in every standard syntax, streamed by pyoxigraph.

========  ===========  ======================================================================
format    syntax       what is written
========  ===========  ======================================================================
``nq``    N-Quads      the whole dataset, named graphs kept (``Store.dump``)
``trig``  TriG         the whole dataset, named graphs kept
``jsonld`` JSON-LD     the whole dataset, named graphs kept (``@graph`` per named graph)
``nt``    N-Triples    the union of all graphs, *flattened*: each triple once, graph names lost
``ttl``   Turtle       the union, flattened
``rdfxml`` RDF/XML     the union, flattened
========  ===========  ======================================================================

With ``graph`` (an IRI, e.g. ``https://w3id.org/sahelkg/graph/registry``) only that graph is
written, as triples in every syntax. The union is the same default graph the endpoint queries:
the ontology, the registry, every article and the inferred graphs.

Memory: nothing that grows with the store, beyond RocksDB's own caches (see
``docs/exports.md``). The dataset formats and single graphs are streamed quad by quad by
``Store.dump``; the flattened union is streamed too, and writes a triple stated in several graphs
(a relation in the registry and in an article) once, with no set of the triples seen: see
:func:`~sahelkg.exports.common.distinct_triples` (about twice the CPU of the N-Quads dump;
``bench/bench_exports.py`` measures it).
"""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from sahelkg.errors import UsageError
from sahelkg.exports.common import ExportResult, Graphs, Progress, distinct_triples, nn, no_progress
from sahelkg.vocab import DEFAULT_BASE, PREFIXES

RDF_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML,
}
EXTENSIONS = {"nq": "nq", "trig": "trig", "jsonld": "jsonld", "nt": "nt", "ttl": "ttl", "rdfxml": "rdf"}


class _Counting:
    """A binary writer that counts bytes and lines on the way to ``out``."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.bytes, self.lines = out, 0, 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        self.lines += data.count(b"\n")
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def write_rdf(store: ox.Store, out: BinaryIO, *, fmt: str = "nq", graph: str | None = None,
              base_iri: str = DEFAULT_BASE, progress: Progress = no_progress) -> ExportResult:
    """Write ``store`` (or its named graph ``graph``) to ``out`` in ``fmt``.

    :raises UsageError: an unknown format, or a graph the store does not hold.
    """
    if fmt not in RDF_FORMATS:
        raise UsageError(f"--format {fmt!r}: use one of {', '.join(RDF_FORMATS)}")
    rdf_format = RDF_FORMATS[fmt]
    prefixes = dict(PREFIXES) | {"id": base_iri + "id/", "graph": Graphs(base_iri).base}
    if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        prefixes = {}
    counter = _Counting(out)
    progress(f"rdf {fmt}", 0, 1)
    if graph is not None:
        if not store.contains_named_graph(nn(graph)):
            known = ", ".join(g.value for g in sorted(store.named_graphs(), key=str)[:5])
            raise UsageError(f"--graph {graph}: no such graph in the store (for example: {known}, ...)")
        store.dump(counter, rdf_format, from_graph=nn(graph), prefixes=prefixes)  # type: ignore[arg-type]
        scope = f"graph <{graph}>"
    elif rdf_format.supports_datasets:
        store.dump(counter, rdf_format, prefixes=prefixes)  # type: ignore[arg-type]
        scope = "whole dataset, named graphs kept"
    else:
        union = distinct_triples(store, progress=progress, stage=f"rdf {fmt}")
        ox.serialize(union, counter, rdf_format, prefixes=prefixes)  # type: ignore[arg-type]
        scope = "union of all graphs, flattened: graph names dropped"
    progress(f"rdf {fmt}", 1, 1)
    unit = "quads" if rdf_format == ox.RdfFormat.N_QUADS else "triples"
    result = ExportResult(f"rdf {fmt}", "", counter.lines if fmt in ("nq", "nt") else counter.bytes,
                          unit if fmt in ("nq", "nt") else "bytes")
    result.notes.append(scope)
    return result
