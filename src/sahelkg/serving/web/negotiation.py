"""What to answer in: the page's language and the representation of a resource (content negotiation).

>>> negotiate("text/turtle;q=0.9, application/ld+json", ENTITY_MEDIA_TYPES)
'jsonld'
"""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"

# Linked Data representations: name -> (media type, the SPARQL result format name, file extension).
RDF_FORMATS: dict[str, tuple[str, str, str]] = {
    "turtle": ("text/turtle", "turtle", "ttl"),
    "jsonld": ("application/ld+json", "jsonld", "jsonld"),
    "ntriples": ("application/n-triples", "ntriples", "nt"),
    "rdfxml": ("application/rdf+xml", "rdfxml", "rdf"),
}
FORMAT_ALIASES = {
    "html": "html", "ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
    "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml",
    "rdfxml": "rdfxml", "xml": "rdfxml",
}
# Media types a client may ask an entity IRI for, in the server's order of preference on a tie.
ENTITY_MEDIA_TYPES: list[tuple[str, str]] = [
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
]
# Result formats of /api/queries/{name}?format=: name -> (SPARQL result format name, extension).
RESULT_FORMATS = {
    "json": ("json", "json"), "xml": ("xml", "xml"), "csv": ("csv", "csv"), "tsv": ("tsv", "tsv"),
    **{name: (fmt, ext) for name, (_, fmt, ext) in RDF_FORMATS.items()},
}


def _parse_header_list(header: str) -> list[tuple[str, float]]:
    items = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        items.append((fields[0].lower(), q))
    return items


def choose_language(request: Request) -> str:
    """``?lang=`` if it is a language we label in, else the best of Accept-Language, else English."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for tag, q in _parse_header_list(request.headers.get("accept-language", "")):
        primary = tag.split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def negotiate(accept: str, offers: list[tuple[str, str]]) -> str | None:
    """The representation to send for an Accept header, or None if nothing offered is acceptable.

    ``offers`` lists (media type, representation) in the server's order of preference; the most
    specific matching range gives a media type its q-value, the highest q wins, ties go to the
    server's order.

    >>> negotiate("text/turtle;q=0.9, application/ld+json", ENTITY_MEDIA_TYPES)
    'jsonld'
    >>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ENTITY_MEDIA_TYPES)
    'html'
    """
    ranges = _parse_header_list(accept or "*/*")
    best: tuple[float, int] | None = None
    chosen = None
    for rank, (media, rep) in enumerate(offers):
        main = media.split("/")[0]
        q, specificity = None, -1
        for rng, rq in ranges:
            s = 2 if rng == media else 1 if rng == main + "/*" else 0 if rng == "*/*" else -1
            if s > specificity:
                q, specificity = rq, s
        if q is None or q <= 0:
            continue
        if best is None or q > best[0]:
            best, chosen = (q, rank), rep
    return chosen
