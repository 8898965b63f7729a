"""The web routes: one handler per route, on :class:`WebRoutes`, which holds what they share.

Every handler reads the graph through ``request.app.state.sparql`` (the endpoint's worker pool,
with its timeouts and limits), never the store directly.
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

import pyoxigraph
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from sahelkg import __version__
from sahelkg.errors import SahelKGError, UsageError
from sahelkg.queries import find_query, list_queries
from sahelkg.sparql import query_form
from sahelkg.serving.web.entity_data import bindings, construct_description, describe, fetch_labels, nt
from sahelkg.serving.web.named_queries import bind_named_query, events_query, namespaces, query_json
from sahelkg.serving.web.negotiation import (
    DEFAULT_LANGUAGE, ENTITY_FORMATS, FORMAT_ALIASES, LANGUAGES, RDF_FORMATS, RESULT_FORMATS, choose_language,
    negotiate,
)
from sahelkg.serving.web.pages import Site, not_found_page, render_entity, render_not_found
from sahelkg.store import generation
from sahelkg.vocab import DEFAULT_BASE

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_LABEL_IRIS = 2000  # IRIs one /api/labels call may ask for


def _json_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


class WebRoutes:
    """The handlers of the entity pages, the query page and the named-query API.

    :param queries_dir: the folder of named queries (``queries/``).
    :param base_iri: the base of the graph's IRIs; ``/id/X`` on this server is ``<base_iri>id/X``.
    """

    def __init__(self, queries_dir: Path, base_iri: str = DEFAULT_BASE) -> None:
        self.site = Site(base_iri)
        self.base_iri = base_iri
        self.queries_dir = Path(queries_dir)
        self.search_index: dict[tuple[str, int], Any] = {}  # the entity names of the current store generation

    def routes(self) -> list[BaseRoute]:
        """The routes, with the static assets."""
        return [
            Route("/", self.index, methods=["GET", "HEAD"], name="web-index"),
            Route("/article/{article_id}", self.article, methods=["GET", "HEAD"], name="article"),
            Route("/id/", self.id_root, methods=["GET", "HEAD"]),
            Route("/id/{path:path}", self.entity, methods=["GET", "HEAD"], name="entity"),
            Route("/api/queries", self.api_queries, methods=["GET", "HEAD"]),
            Route("/api/queries/{name}", self.api_run, methods=["GET", "HEAD"]),
            Route("/api/labels", self.api_labels, methods=["POST"]),
            Route("/api/search", self.api_search, methods=["GET", "HEAD"]),
            Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        ]

    async def entity(self, request: Request) -> Response:
        """``/id/{path}``: the resource ``<base>id/{path}`` as HTML or RDF, by content negotiation."""
        site = self.site
        path = request.path_params["path"]
        page_path = request.url.path
        lang = choose_language(request)
        asked = request.query_params.get("format", "").lower()
        if asked:
            rep = FORMAT_ALIASES.get(asked)
            if rep is None:
                return Response(f"unknown format {asked!r}; use one of html, turtle, jsonld, ntriples, rdfxml\n",
                                status_code=400, media_type="text/plain")
        else:
            chosen = negotiate(request.headers.get("accept", "*/*"), ENTITY_FORMATS)
            rep = chosen.name if chosen else None
            if rep is None:
                offered = ", ".join(f.media_type for f in ENTITY_FORMATS)
                return Response(f"Not Acceptable: this resource is available as {offered}\n",
                                status_code=406, media_type="text/plain", headers={"Vary": "Accept"})
        try:
            iri = str(pyoxigraph.NamedNode(site.id_base + path))
            iri = iri[1:-1]
        except ValueError:
            iri = None
        sparql = request.app.state.sparql
        if rep == "html":
            if iri is None:
                return not_found_page(site, lang, page_path, "", site.id_base + path, " is not an IRI.")
            d = await describe(sparql, iri, lang)
            if not d.exists:
                return await render_not_found(sparql, site, iri, lang, page_path)
            return render_entity(site, d, lang, page_path)
        media, fmt, _ = RDF_FORMATS[rep]
        if iri is None:
            return Response("not found\n", status_code=404, media_type="text/plain")
        probe = await sparql.select_json(
            f"SELECT ?x WHERE {{ {{ {nt(iri)} ?p ?x }} UNION {{ ?x ?p {nt(iri)} }} }} LIMIT 1")
        if not bindings(probe):
            return Response(f"The graph has no statement about <{iri}>.\n", status_code=404,
                            media_type="text/plain", headers={"Vary": "Accept"})
        content_type, body = await sparql.query(construct_description(iri), result_format=fmt)
        return Response(body, media_type=content_type or media, headers={"Vary": "Accept"})

    async def index(self, request: Request) -> Response:
        """``/``: the query page (``static/index.html``) with its config."""
        config = {
            "base": self.base_iri, "idBase": self.site.id_base, "prefixes": self.site.prefixes,
            "languages": list(LANGUAGES), "lang": choose_language(request),
            "terms": {ns_prefix: sorted(ns.terms) for ns_prefix, ns in namespaces().items()},
            "eventsQuery": events_query(),
        }
        html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        # The config is JSON inside a <script> element: '<' is escaped so data can never close it.
        config_json = json.dumps(config).replace("<", "\\u003c")
        return HTMLResponse(html.replace("{{config}}", config_json).replace("{{version}}", escape(__version__)))

    async def api_queries(self, request: Request) -> Response:
        """``/api/queries``: the named queries."""
        return JSONResponse({"queries": [query_json(q) for q in list_queries(self.queries_dir)]})

    async def api_run(self, request: Request) -> Response:
        """``/api/queries/{name}``: one named query run with its parameters bound."""
        name = request.path_params["name"]
        try:
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
                raise UsageError(name)
            query = find_query(self.queries_dir, name)
        except UsageError:
            # Not find_query's message: it names the server's folder, which is none of a visitor's business.
            known = ", ".join(q.name for q in list_queries(self.queries_dir))
            return _json_error(404, f"no query named {name!r}; known queries: {known}")
        given = {k: v for k, v in request.query_params.items() if k not in ("lang", "format")}
        lang = request.query_params.get("lang")
        fmt_name = request.query_params.get("format", "").lower()
        try:
            text, terms = bind_named_query(query, given, lang or None)
        except UsageError as e:
            return _json_error(400, str(e))
        sparql = request.app.state.sparql
        client = request.client.host if request.client else None  # a named query counts for its client
        form = query_form(text)
        if fmt_name:
            if fmt_name not in RESULT_FORMATS:
                return _json_error(400, f"unknown format {fmt_name!r}; use one of {', '.join(RESULT_FORMATS)}")
            fmt, ext = RESULT_FORMATS[fmt_name]
            try:
                content_type, body = await sparql.query(text, result_format=fmt, client=client)
            except SahelKGError as e:
                return _json_error(getattr(e, "status", 400), str(e))
            return Response(body, media_type=content_type,
                            headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'})
        meta = {"name": query.name, "params": {k: v for k, v in terms.items()}, "text": text, "form": form}
        try:
            if form in ("CONSTRUCT", "DESCRIBE"):
                content_type, body = await sparql.query(text, result_format="ntriples", client=client)
                return JSONResponse({"query": meta, "ntriples": body.decode("utf-8")})
            content_type, body = await sparql.query(text, result_format="json", client=client)
        except SahelKGError as e:
            # The endpoint's errors carry their HTTP status (400 malformed, 504 timeout...).
            return _json_error(getattr(e, "status", 400), str(e))
        result = json.loads(body)
        result["query"] = meta
        return JSONResponse(result)

    async def api_labels(self, request: Request) -> Response:
        """``/api/labels`` (POST ``{"iris": [...], "lang": "fr"}``): the label of each IRI in one language."""
        try:
            data = await request.json()
        except ValueError:
            return _json_error(400, "send a JSON object {\"iris\": [...], \"lang\": \"en\"}")
        if not isinstance(data, dict) or not isinstance(data.get("iris"), list):
            return _json_error(400, "send a JSON object {\"iris\": [...], \"lang\": \"en\"}")
        lang = str(data["lang"]) if data.get("lang") in LANGUAGES else DEFAULT_LANGUAGE
        iris = []
        for value in data["iris"][:MAX_LABEL_IRIS]:
            if isinstance(value, str):
                try:
                    pyoxigraph.NamedNode(value)
                    iris.append(value)
                except ValueError:
                    continue
        labels = await fetch_labels(request.app.state.sparql, iris, lang)
        return JSONResponse({"lang": lang, "labels": labels})

    async def api_search(self, request: Request) -> Response:
        """``/api/search?q=TEXT&type=CLASS&lang=en|fr&limit=N``: entities by name (sahelkg.search)."""
        from sahelkg.search import NameIndex, index_queries

        params = request.query_params
        text = params.get("q", "").strip()
        if not text:
            return _json_error(400, "give the name to look for as q=TEXT")
        lang = params.get("lang") or None
        if lang is not None and lang not in LANGUAGES:
            return _json_error(400, f"lang: use one of {', '.join(LANGUAGES)}")
        try:
            limit = int(params.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return _json_error(400, "limit: a whole number from 1 to 100")
        sparql = request.app.state.sparql
        # the names are read once per store generation (and after each write), as the VoID counts are
        key = (generation(sparql.config.store_path), getattr(sparql, "_writes", 0))
        index = self.search_index.get(key)
        if index is None:
            try:
                names, types, mentions = [await sparql.select_json(q) for q in index_queries(self.site.id_base)]
            except SahelKGError as e:
                return _json_error(getattr(e, "status", 400), str(e))
            index = NameIndex.from_json_results(names, types, mentions, id_base=self.site.id_base,
                                                graph_base=self.base_iri + "graph/")
            self.search_index.clear()
            self.search_index[key] = index
        hits = index.search(text, type_=params.get("type") or None, lang=lang, limit=limit)
        return JSONResponse({"q": text, "type": params.get("type") or None, "lang": lang,
                             "results": [hit.as_json() for hit in hits]})

    async def id_root(self, request: Request) -> Response:
        """``/id/``: the not-found page, with its hints on what entity IRIs look like."""
        lang = choose_language(request)
        return await render_not_found(request.app.state.sparql, self.site, self.site.id_base, lang, request.url.path)

    async def article(self, request: Request) -> Response:
        """``/article/ID``: the article's text with its annotations highlighted."""
        from sahelkg.serving.web.article_view import article_page

        return await article_page(request, self.site, request.path_params["article_id"])


def web_routes(queries_dir: Path, *, base_iri: str = DEFAULT_BASE) -> list[BaseRoute]:
    """The routes of the entity pages, the query page, the named-query API and the static assets.

    :param queries_dir: the folder of named queries (``queries/``).
    :param base_iri: the base of the graph's IRIs; ``/id/X`` on this server is ``<base_iri>id/X``.
    """
    return WebRoutes(queries_dir, base_iri).routes()
