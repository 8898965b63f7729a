"""What the endpoint says about itself: its SPARQL service description and the dataset's VoID.

Both are lists of triples built from the endpoint's settings and URLs (and, for VoID, the counts a
worker computed, :func:`sahelkg.serving.endpoint.workers.dataset_stats`); the routes negotiate the
format and serialize them with :func:`serialize_graph`.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph

from sahelkg.serving.endpoint.formats import GRAPH_FORMATS, RESULTS_FORMATS, Format
from sahelkg.serving.endpoint.service import EndpointConfig

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": FORMATS_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "ent": "http://www.w3.org/ns/entailment/",
}


def serialize_graph(triples: list[pyoxigraph.Triple], fmt: Format) -> bytes:
    """``triples`` in ``fmt``, with the prefixes above."""
    return pyoxigraph.serialize(triples, format=fmt.rdf_format(), prefixes=PREFIXES) or b""


def service_description(endpoint_url: str, void_url: str, config: EndpointConfig) -> list[pyoxigraph.Triple]:
    """The ``sd:Service`` at ``endpoint_url``: languages, features, result formats, its dataset (described at ``void_url``)."""
    N, L = pyoxigraph.NamedNode, pyoxigraph.Literal
    me = N(endpoint_url)
    dataset = pyoxigraph.BlankNode()
    default_graph = pyoxigraph.BlankNode()
    triples = [
        pyoxigraph.Triple(me, N(RDF_TYPE), N(SD + "Service")),
        pyoxigraph.Triple(me, N(SD + "endpoint"), me),
        pyoxigraph.Triple(me, N(SD + "supportedLanguage"), N(SD + "SPARQL11Query")),
        pyoxigraph.Triple(me, N(SD + "feature"), N(SD + "UnionDefaultGraph")),
        pyoxigraph.Triple(me, N(SD + "defaultEntailmentRegime"), N(PREFIXES["ent"] + "Simple")),
        pyoxigraph.Triple(me, N(SD + "defaultDataset"), dataset),
        pyoxigraph.Triple(dataset, N(RDF_TYPE), N(SD + "Dataset")),
        pyoxigraph.Triple(dataset, N(SD + "defaultGraph"), default_graph),
        pyoxigraph.Triple(default_graph, N(RDF_TYPE), N(SD + "Graph")),
        pyoxigraph.Triple(dataset, N(PREFIXES["rdfs"] + "seeAlso"), N(void_url)),
        pyoxigraph.Triple(me, N(PREFIXES["dcterms"] + "title"), L("sahelkg SPARQL endpoint")),
    ]
    if config.writable:
        triples.append(pyoxigraph.Triple(me, N(SD + "supportedLanguage"), N(SD + "SPARQL11Update")))
    if config.allow_federation:
        triples.append(pyoxigraph.Triple(me, N(SD + "feature"), N(SD + "BasicFederatedQuery")))
    for f in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        triples.append(pyoxigraph.Triple(me, N(SD + "resultFormat"), N(FORMATS_NS + f.w3c)))
    return triples


def void_description(base: str, sparql_url: str, stats: dict[str, Any]) -> list[pyoxigraph.Triple]:
    """The ``void:Dataset`` ``<base#dataset>``: its triples, graphs and classes counted in ``stats``."""
    N, L = pyoxigraph.NamedNode, pyoxigraph.Literal
    dataset = N(base + "#dataset")
    triples = [
        pyoxigraph.Triple(dataset, N(RDF_TYPE), N(VOID + "Dataset")),
        pyoxigraph.Triple(dataset, N(PREFIXES["dcterms"] + "title"), L("sahelkg: the armed conflict in the Sahel")),
        pyoxigraph.Triple(dataset, N(VOID + "sparqlEndpoint"), N(sparql_url)),
        pyoxigraph.Triple(dataset, N(VOID + "triples"), _integer(stats["triples"])),
        pyoxigraph.Triple(dataset, N(VOID + "classes"), _integer(len(stats["classes"]))),
        pyoxigraph.Triple(dataset, N(VOID + "properties"), _integer(stats["properties"])),
    ]
    for i, (graph, count) in enumerate(stats["graphs"]):
        subset = N(f"{base}#graph-{i + 1}")
        triples += [
            pyoxigraph.Triple(dataset, N(VOID + "subset"), subset),
            pyoxigraph.Triple(subset, N(RDF_TYPE), N(VOID + "Dataset")),
            pyoxigraph.Triple(subset, N(SD + "name"), N(graph)),
            pyoxigraph.Triple(subset, N(VOID + "triples"), _integer(count)),
        ]
    for i, (cls, count) in enumerate(stats["classes"]):
        partition = N(f"{base}#class-{i + 1}")
        triples += [
            pyoxigraph.Triple(dataset, N(VOID + "classPartition"), partition),
            pyoxigraph.Triple(partition, N(VOID + "class"), N(cls)),
            pyoxigraph.Triple(partition, N(VOID + "entities"), _integer(count)),
        ]
    return triples


def _integer(n: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(n), datatype=pyoxigraph.NamedNode(XSD_INTEGER))
