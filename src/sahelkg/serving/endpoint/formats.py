"""The serializations the endpoint answers in, and the one content negotiator (``Accept`` headers).

The SPARQL routes negotiate among :data:`RESULTS_FORMATS` (SELECT, ASK) and :data:`GRAPH_FORMATS`
(CONSTRUCT, DESCRIBE, graphs, the service description); the web pages negotiate among their own
list of :class:`Format` with the same :func:`negotiate`.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS_FORMATS).name
'xml'
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph

from sahelkg.serving.endpoint.errors import EndpointError


@dataclass(frozen=True)
class Format:
    """One serialization the endpoint can answer in."""

    name: str
    media_type: str
    kind: str  # "results" (SELECT, ASK), "graph" (CONSTRUCT, DESCRIBE, service description, VoID) or "page" (HTML)
    aliases: tuple[str, ...] = ()
    w3c: str = ""  # its IRI in http://www.w3.org/ns/formats/, for the service description

    @property
    def media_types(self) -> tuple[str, ...]:
        """Its media type, then its aliases."""
        return (self.media_type, *self.aliases)

    def results_format(self) -> pyoxigraph.QueryResultsFormat:
        """The pyoxigraph format that writes it, for a ``results`` format."""
        fmt = pyoxigraph.QueryResultsFormat.from_media_type(self.media_type) if self.kind == "results" else None
        if fmt is None:
            raise ValueError(f"{self.name} is not a SPARQL results format")
        return fmt

    def rdf_format(self) -> pyoxigraph.RdfFormat:
        """The pyoxigraph format that writes and reads it, for a ``graph`` format."""
        fmt = pyoxigraph.RdfFormat.from_media_type(self.media_type) if self.kind == "graph" else None
        if fmt is None:
            raise ValueError(f"{self.name} is not an RDF format")
        return fmt


# In order of preference: the first one a client accepts equally well wins.
RESULTS_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", ("application/json",), "SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml"), "SPARQL_Results_XML"),
    Format("csv", "text/csv", "results", (), "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "results", (), "SPARQL_Results_TSV"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "graph", ("application/x-turtle", "application/turtle"), "Turtle"),
    Format("ntriples", "application/n-triples", "graph", (), "N-Triples"),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/xml", "text/xml"), "RDF_XML"),
    Format("jsonld", "application/ld+json", "graph", ("application/json",), "JSON-LD"),
    Format("nquads", "application/n-quads", "graph", (), "N-Quads"),
    Format("trig", "application/trig", "graph", (), "TriG"),
    Format("n3", "text/n3", "graph", ("text/rdf+n3",), "N3"),
)
BY_NAME = {f.name: f for f in (*RESULTS_FORMATS, *GRAPH_FORMATS)}
# ``format=`` names: (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "nquads": (None, "nquads"),
    "nq": (None, "nquads"),
    "trig": (None, "trig"),
    "n3": (None, "n3"),
}


def quality_values(header: str) -> list[tuple[str, float]]:
    """The items of a header such as ``Accept`` or ``Accept-Language``, lower case, each with its q-value
    (1 when not given, 0 when unreadable, clipped to [0, 1]).

    >>> quality_values("fr-CH, fr;q=0.9, en;q=x")
    [('fr-ch', 1.0), ('fr', 0.9), ('en', 0.0)]
    """
    items = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        value = fields[0].lower()
        if not value:
            continue
        q = 1.0
        for param in fields[1:]:
            key, _, given = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(given.strip())))
                except ValueError:
                    q = 0.0
        items.append((value, q))
    return items


def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    ranges = []
    for media, q in quality_values(header):
        if "/" not in media:
            media = media + "/*" if media == "*" else media + "/"
        main, _, sub = media.partition("/")
        ranges.append((main, sub, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q-value the most specific matching media range gives ``media_type`` (RFC 9110 12.5.1)."""
    main, _, sub = media_type.partition("/")
    best_specificity, q = -1, 0.0
    for r_main, r_sub, r_q in ranges:
        if r_main == main and r_sub == sub:
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif r_main == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (specificity == best_specificity and r_q > q):
            best_specificity, q = specificity, r_q
    return q


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """The format of ``formats`` that the ``Accept`` header prefers, None if it accepts none.

    Without an ``Accept`` header the first format is the answer; ties go to the earlier format.

    >>> negotiate(None, GRAPH_FORMATS).name
    'turtle'
    >>> negotiate("application/rdf+xml;q=0.9, text/turtle;q=0.2", GRAPH_FORMATS).name
    'rdfxml'
    >>> negotiate("image/png", GRAPH_FORMATS) is None
    True
    """
    if not accept or not accept.strip():
        return formats[0]
    ranges = _parse_accept(accept)
    exact = [r for r in ranges if "*" not in r[:2]]
    best, best_q = None, 0.0
    for fmt in formats:
        # Aliases (application/json, text/xml...) count when named, not through a wildcard such as text/*.
        q = max([_quality(fmt.media_type, ranges)] + [_quality(m, exact) for m in fmt.aliases])
        if q > best_q:
            best, best_q = fmt, q
    return best


@functools.lru_cache(maxsize=512)  # clients send the same few Accept headers over and over
def formats_for(format_param: str | None, accept: str | None) -> tuple[Format | None, Format | None]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE) from ``format=`` or the Accept header."""
    if format_param:
        key = format_param.strip().lower()
        if key in FORMAT_NAMES:
            results, graph = FORMAT_NAMES[key]
            return (BY_NAME[results] if results else None, BY_NAME[graph] if graph else None)
        if "/" not in key:
            names = ", ".join(FORMAT_NAMES)
            raise EndpointError(406, f"unknown format {format_param!r}: use one of {names}, or a media type")
        accept = format_param
    return negotiate(accept, RESULTS_FORMATS), negotiate(accept, GRAPH_FORMATS)


def not_acceptable(formats: Sequence[Format], what: str) -> EndpointError:
    """The 406 error for a request that accepts none of ``formats`` for ``what``."""
    offered = ", ".join(f.media_type for f in formats)
    return EndpointError(406, f"no acceptable format for {what}: the endpoint offers {offered}")

