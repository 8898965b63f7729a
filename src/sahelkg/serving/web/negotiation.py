"""What to answer in: the page's language and the representation of a resource.

Both read their header with the endpoint's one parser and negotiator (:mod:`sahelkg.serving.endpoint.formats`).

>>> negotiate("text/turtle;q=0.9, application/ld+json", ENTITY_FORMATS).name
'jsonld'
"""

from __future__ import annotations

from starlette.requests import Request

from sahelkg.serving.endpoint.formats import Format, negotiate, quality_values

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
# Media types a client may ask an entity IRI for, in the server's order of preference on a tie
# (each one its own Format: a wildcard such as application/* reaches every one of them).
ENTITY_FORMATS: tuple[Format, ...] = tuple(Format(rep, media, "page" if rep == "html" else "graph") for media, rep in [
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
])
# Result formats of /api/queries/{name}?format=: name -> (SPARQL result format name, extension).
RESULT_FORMATS = {
    "json": ("json", "json"), "xml": ("xml", "xml"), "csv": ("csv", "csv"), "tsv": ("tsv", "tsv"),
    **{name: (fmt, ext) for name, (_, fmt, ext) in RDF_FORMATS.items()},
}


def choose_language(request: Request) -> str:
    """``?lang=`` if it is a language we label in, else the best of Accept-Language, else English."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for tag, q in quality_values(request.headers.get("accept-language", "")):
        primary = tag.split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


__all__ = ["ENTITY_FORMATS", "FORMAT_ALIASES", "RDF_FORMATS", "RESULT_FORMATS", "choose_language", "negotiate"]
