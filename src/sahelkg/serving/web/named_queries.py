"""The named queries as the web side offers them: bound parameters, their JSON, and the query page's config.

>>> inject_values('SELECT ?x WHERE { ?x ?p ?lang }', {"lang": '"fr"'})
'SELECT ?x WHERE { VALUES (?lang) { ("fr") } ?x ?p ?lang }'
"""

from __future__ import annotations

import sahelkg.vocab as vocab
from sahelkg.queries import NamedQuery, bind_params
from sahelkg.sparql import inject_values, query_form
from sahelkg.vocab import PREFIXES, RDFS, SK, Namespace


def bind_named_query(query: NamedQuery, given: dict[str, str], lang: str | None) -> tuple[str, dict[str, str]]:
    """The text of ``query`` with its parameters bound, and the bound values as N-Triples terms.

    Values are checked and turned into RDF terms by :func:`sahelkg.queries.bind_params` (an IRI
    must parse as an IRI, a literal is escaped by pyoxigraph), then bound by :func:`inject_values`.

    :raises UsageError: for an undeclared parameter or a value of the wrong type.
    """
    substitutions = bind_params(query, given, lang)
    terms = {var.value: str(term) for var, term in substitutions.items()}
    return inject_values(query.text, terms), terms


def query_json(q: NamedQuery) -> dict:
    """What ``/api/queries`` says about one named query."""
    return {
        "name": q.name, "summary": q.summary, "description": q.description,
        "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                   for p in q.params],
        "query": q.text, "form": query_form(q.text),
    }


def namespaces() -> dict[str, Namespace]:
    """The vocabulary's namespaces by prefix, for the editor's completion."""
    spaces = {}
    for prefix, iri in PREFIXES.items():
        for obj in vars(vocab).values():
            if isinstance(obj, Namespace) and obj.base == iri:
                spaces[prefix] = obj
    return spaces


def events_query() -> str:
    """The query behind the page's "Events: timeline and map" button."""
    return (
        f"PREFIX sk: <{SK.base}>\nPREFIX rdfs: <{RDFS.base}>\n"
        + """
# Every dated event, with its most specific type (sk:specificType, written by the build), its place and the
# place's coordinates: one pattern per OPTIONAL, looked up from the row.
SELECT DISTINCT ?event ?type ?date ?begin ?place ?lat ?long WHERE {
  ?event sk:specificType ?type ; sk:hasTime ?time .
  { SELECT DISTINCT ?type WHERE { ?type rdfs:subClassOf* sk:Event } }
  ?time sk:isoDate ?date .
  OPTIONAL { ?time sk:beginDate ?begin }
  OPTIONAL { ?event sk:occurredAt ?place }
  BIND(COALESCE(?place, <urn:sahelkg:unbound>) AS ?placeKey)
  OPTIONAL { ?placeKey sk:latitude ?lat }
  OPTIONAL { ?placeKey sk:longitude ?long }
}
ORDER BY ?begin ?event
"""
    )
