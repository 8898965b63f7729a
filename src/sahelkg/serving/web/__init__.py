"""The HTML side of the endpoint: entity pages, the article view, the query page, and the named-query API.

:func:`web_routes` returns the Starlette routes that :func:`sahelkg.serving.app.build_app` mounts
beside the SPARQL protocol. The package, by job:

- :mod:`~sahelkg.serving.web.routes`: one handler per route; every one reads the graph through
  ``request.app.state.sparql`` (the endpoint's worker pool, with its timeouts and limits);
- :mod:`~sahelkg.serving.web.negotiation`: the page's language and the representation to send;
- :mod:`~sahelkg.serving.web.entity_data`: what an entity page shows, read from the graph;
- :mod:`~sahelkg.serving.web.pages`: the pages rendered from the Jinja2 templates in ``templates/``;
- :mod:`~sahelkg.serving.web.article_view`: ``/article/ID``, the text with its annotations highlighted;
- :mod:`~sahelkg.serving.web.named_queries`: the named queries' parameters, JSON and the page's config.

Routes:

- ``/id/{path}``: Linked Data. ``/id/X`` is the resource ``<base>id/X``; a browser gets an HTML page,
  a machine its description (outgoing and incoming triples, its annotations and their selectors) in
  Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation (or ``?format=``). 404 when nothing is
  known about the IRI.
- ``/``: the query page (editor, named queries, results, downloads, timeline, map); its script and
  styles are in ``static/``, with the vendored CodeMirror and country outlines in ``static/vendor/``.
- ``/api/queries`` and ``/api/queries/{name}``: the named queries and their results. Parameters are
  bound as RDF terms in a ``VALUES`` block (see :func:`inject_values`), never pasted into the query.
- ``/api/labels``: the labels of a list of IRIs in one language, for the results table.
- ``/api/search``: entities by name (:mod:`sahelkg.search`).
"""

from __future__ import annotations

from sahelkg.sparql import inject_values, query_form
from sahelkg.serving.web.entity_data import construct_description, describe, fetch_labels, pick_label
from sahelkg.serving.web.named_queries import bind_named_query
from sahelkg.serving.web.negotiation import ENTITY_FORMATS, choose_language
from sahelkg.serving.web.routes import STATIC_DIR, web_routes

__all__ = [
    "web_routes", "inject_values", "bind_named_query", "choose_language", "describe",
    "construct_description", "fetch_labels", "pick_label", "query_form", "STATIC_DIR", "ENTITY_FORMATS",
]
