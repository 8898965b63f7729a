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
# Every dated event, with its most specific type, its place and the place's coordinates.
SELECT DISTINCT ?event ?type ?date ?begin ?place ?lat ?long WHERE {
  ?event a ?type . ?type rdfs:subClassOf* sk:Event .
  FILTER NOT EXISTS { ?event a ?sub . ?sub rdfs:subClassOf ?type . FILTER(?sub != ?type) }
  ?event sk:hasTime ?time . ?time sk:isoDate ?date .
  OPTIONAL { ?time sk:beginDate ?begin }
  OPTIONAL { ?event sk:occurredAt ?place .
             OPTIONAL { ?place sk:latitude ?lat ; sk:longitude ?long } }
}
ORDER BY ?begin ?event
"""
    )
