"""The endpoint's HTTP side: the Starlette routes, request parsing, CORS, and :func:`create_app`.

``/sparql`` is the SPARQL 1.1 Protocol (query and update operations, and the service description
on a GET without a query), ``/store`` the Graph Store HTTP Protocol, ``/.well-known/void`` the VoID
description. The routes read the request, negotiate the format and hand the rest to the
:class:`~sahelkg.serving.endpoint.service.SparqlService` on ``app.state.sparql``.
See ``docs/endpoint.md`` for the routes, the status codes and the limits.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sahelkg.serving.endpoint.description import serialize_graph, service_description, void_description
from sahelkg.serving.endpoint.errors import EndpointError
from sahelkg.serving.endpoint.formats import GRAPH_FORMATS, formats_for, negotiate, not_acceptable
from sahelkg.serving.endpoint.service import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_QUERY_CHARS,
    DEFAULT_MAX_RESULT_BYTES,
    DEFAULT_TIMEOUT_S,
    DEFAULT_WORKERS,
    EndpointConfig,
    SparqlService,
)
from sahelkg.serving.endpoint.workers import LONG_QUERY_S
from sahelkg.store import locate

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
SPARQL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _service(request: Request) -> SparqlService:
    service: SparqlService = request.app.state.sparql
    return service


def _client_of(request: Request) -> str | None:
    """The client a request counts for: its address (a proxy in front would make all one client)."""
    return request.client.host if request.client else None


def _endpoint_url(request: Request) -> str:
    """The URL of the endpoint as the client named it (the base IRI of queries and updates)."""
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = f"{server[0]}:{server[1]}" if server[1] else str(server[0])
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"


def _content_type(request: Request) -> tuple[str, str | None]:
    """The media type of the request body (lower case) and its charset parameter, if any."""
    header = request.headers.get("content-type", "")
    fields = [f.strip() for f in header.split(";")]
    charset = None
    for param in fields[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return fields[0].lower(), charset


def _asks_to_upgrade(request: Request) -> bool:
    """True if the request asks to switch protocols (``Upgrade: h2c``, as Java's HttpClient sends)."""
    connection = {t.strip().lower() for t in request.headers.get("connection", "").split(",")}
    return "upgrade" in connection and "upgrade" in request.headers


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, up to ``limit`` bytes.

    :raises EndpointError: 413 when larger; 400 when fewer bytes arrived than the request announced.
        httptools, uvicorn's C parser, drops the body of a request that asks to upgrade (an open
        upstream bug): :func:`serve` runs h11, which keeps it, and under any other server a lost
        body is refused here rather than read as empty (an empty PUT clears the graph).
    """
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise EndpointError(413, f"request body larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise EndpointError(413, f"request body larger than {limit} bytes")
        chunks.append(chunk)
    announced = int(length) if length and length.isdigit() else None
    lost = (size != announced) if announced is not None else (
        size == 0 and "transfer-encoding" in request.headers and _asks_to_upgrade(request)
    )
    if lost:
        expected = f"{announced} bytes announced" if announced is not None else "a chunked body announced"
        raise EndpointError(
            400,
            f"the request body was lost on its way in ({size} bytes arrived, {expected}); nothing was run. "
            "The HTTP server in front of the endpoint drops the body of requests that ask to upgrade "
            "(Upgrade: h2c): serve with `sahelkg serve` (h11), or send the request without that header",
        )
    return b"".join(chunks)


def _decode(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise EndpointError(415, f"{what} must be UTF-8 (got charset={charset})")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EndpointError(400, f"{what} is not valid UTF-8: {e}") from None


def _parse_form(body: bytes) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as e:
        raise EndpointError(400, f"form body is not valid URL-encoded UTF-8: {e}") from None


def _values(params: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in params if k == key]


def _one(params: list[tuple[str, str]], key: str) -> str | None:
    values = _values(params, key)
    if len(values) > 1:
        raise EndpointError(400, f"more than one {key} parameter; send one {key} per request")
    return values[0] if values else None


def _method_not_allowed(method: str, allowed: str) -> EndpointError:
    return EndpointError(405, f"method {method} not allowed here; use {allowed}", {"Allow": allowed})


async def sparql_endpoint(request: Request) -> Response:
    """``/sparql``: the SPARQL 1.1 Protocol (query and update operations) and the service description."""
    service = _service(request)
    method = request.method
    allowed = "GET, HEAD, POST, OPTIONS"
    params = list(request.query_params.multi_items())
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allowed})
    if method in ("GET", "HEAD"):
        if _values(params, "update"):
            raise EndpointError(400, "a SPARQL Update must be sent with POST")
        query = _one(params, "query")
        if query is None:
            return await _service_description(request)
        if len(query) > service.config.max_query_chars:
            raise EndpointError(414, f"query longer than {service.config.max_query_chars} characters; send it with POST")
        return await _answer_query(request, query, params)
    if method != "POST":
        raise _method_not_allowed(method, allowed)

    media_type, charset = _content_type(request)
    if media_type not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
        given = f"Content-Type {media_type}" if media_type else "no Content-Type"
        raise EndpointError(415, f"{given}: POST a query or update as {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}")
    body = await _read_body(request, service.config.max_body_bytes)
    if media_type == FORM:
        if charset not in (None, "utf-8", "utf8"):
            raise EndpointError(415, f"form body must be UTF-8 (got charset={charset})")
        params = params + _parse_form(body)
        query, update = _one(params, "query"), _one(params, "update")
        if query is not None and update is not None:
            raise EndpointError(400, "give either query or update, not both")
        if query is not None:
            return await _answer_query(request, query, params)
        if update is not None:
            return await _answer_update(request, update, params)
        raise EndpointError(400, "the form has neither a query nor an update parameter")
    if media_type == SPARQL_QUERY:
        return await _answer_query(request, _decode(body, charset, "the query"), params)
    return await _answer_update(request, _decode(body, charset, "the update"), params)


async def _answer_query(request: Request, query: str, params: list[tuple[str, str]]) -> Response:
    service = _service(request)
    results, graph = formats_for(_one(params, "format"), request.headers.get("accept"))
    media_type, body = await _unless_client_leaves(
        request,
        service.run_query(
            query,
            results_format=results,
            graph_format=graph,
            default_graph_uris=_values(params, "default-graph-uri"),
            named_graph_uris=_values(params, "named-graph-uri"),
            base_iri=_endpoint_url(request),
            client=_client_of(request),
        ),
    )
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


async def _client_left(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _unless_client_leaves(request: Request, work: Any) -> Any:
    """Await ``work``; if it runs long and the client hangs up meanwhile, cancel it (which stops the query).

    The watch starts only after ``LONG_QUERY_S``: a quick query costs one timer, not a task.
    """
    me = asyncio.current_task()
    assert me is not None
    left = False
    watcher: asyncio.Task[None] | None = None

    async def watch() -> None:
        nonlocal left
        await _client_left(request)
        left = True
        me.cancel()

    def start_watching() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(watch())

    timer = asyncio.get_running_loop().call_later(LONG_QUERY_S, start_watching)
    try:
        return await work
    except asyncio.CancelledError:
        if not left:
            raise
        if hasattr(me, "uncancel"):
            me.uncancel()
        raise EndpointError(499, "the client closed the connection; the query was stopped") from None
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.cancel()


async def _answer_update(request: Request, update: str, params: list[tuple[str, str]]) -> Response:
    service = _service(request)
    service.check_write(request)
    await service.update(
        update,
        using_graph_uris=_values(params, "using-graph-uri"),
        using_named_graph_uris=_values(params, "using-named-graph-uri"),
        base_iri=_endpoint_url(request),
        client=_client_of(request),
    )
    return Response(status_code=204)



async def store_endpoint(request: Request) -> Response:
    """``/store?graph=IRI`` or ``/store?default``: the SPARQL 1.1 Graph Store HTTP Protocol."""
    service = _service(request)
    allowed = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
    method = request.method
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allowed})
    if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        raise _method_not_allowed(method, allowed)
    params = list(request.query_params.multi_items())
    graph = _one(params, "graph")
    is_default = "default" in request.query_params
    if (graph is None) == (not is_default):
        raise EndpointError(400, "name the graph: /store?graph=<IRI> or /store?default")
    if method in ("GET", "HEAD"):
        fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
        if fmt is None:
            raise not_acceptable(GRAPH_FORMATS, "a graph")
        body = await service.get_graph(graph, fmt, client=_client_of(request))
        return Response(body if method == "GET" else b"", media_type=fmt.media_type, headers={"Vary": "Accept"})
    service.check_write(request)
    if method == "DELETE":
        await service.delete_graph(graph, client=_client_of(request))
        return Response(status_code=204)
    media_type, charset = _content_type(request)
    fmt = next((f for f in GRAPH_FORMATS if media_type in f.media_types and f.name not in ("nquads", "trig")), None)
    if fmt is None:
        offered = ", ".join(f.media_type for f in GRAPH_FORMATS if f.name not in ("nquads", "trig"))
        raise EndpointError(415, f"cannot read a graph sent as {media_type or 'no Content-Type'}: send {offered}")
    if charset not in (None, "utf-8", "utf8"):
        raise EndpointError(415, f"the graph must be UTF-8 (got charset={charset})")
    body = await _read_body(request, service.config.max_body_bytes)
    status = await service.write_graph(
        graph, fmt, body, replace=method == "PUT", base_iri=graph or _endpoint_url(request), client=_client_of(request),
    )
    return Response(status_code=status)


async def _service_description(request: Request) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    if fmt is None:
        raise not_acceptable(GRAPH_FORMATS, "the service description")
    void_url = str(request.url_for("void")) + "#dataset"
    triples = service_description(_endpoint_url(request), void_url, _service(request).config)
    body = serialize_graph(triples, fmt) if request.method != "HEAD" else b""
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


async def void_endpoint(request: Request) -> Response:
    """``/.well-known/void``: a VoID description of the dataset (counts cached per store generation)."""
    if request.method not in ("GET", "HEAD"):
        raise _method_not_allowed(request.method, "GET, HEAD")
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    if fmt is None:
        raise not_acceptable(GRAPH_FORMATS, "the VoID description")
    stats = await _service(request).dataset_stats()
    triples = void_description(str(request.url_for("void")), str(request.url_for("sparql")), stats)
    body = serialize_graph(triples, fmt) if request.method != "HEAD" else b""
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


async def endpoint_error(request: Request, exc: Exception) -> Response:
    """The plain-text answer to an :class:`EndpointError`, with its status and headers."""
    assert isinstance(exc, EndpointError)
    return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)


class CORSMiddleware:
    """Let browser clients on any origin use every route: ``Access-Control-Allow-Origin: *`` on
    every response, preflight requests answered here. (No credentials: a write token is sent
    as an ``Authorization`` header, which the preflight allows.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = (
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if scope["method"] == "OPTIONS"
            else {}
        )
        if "origin" in headers and "access-control-request-method" in headers:
            allow = [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", b"GET, HEAD, POST, PUT, DELETE, OPTIONS"),
                (b"access-control-allow-headers", headers.get("access-control-request-headers", "*").encode("latin-1")),
                (b"access-control-max-age", b"86400"),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": allow})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", b"Content-Type, Content-Length, Retry-After, WWW-Authenticate, Location"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def create_app(
    store_path: str | Path,
    *,
    workers: int = DEFAULT_WORKERS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
    write_token: str | None = None,
    allow_federation: bool = False,
    max_long_queries: int | None = None,
    max_long_queries_per_client: int | None = None,
    extra_routes: list[BaseRoute] | None = None,
) -> Starlette:
    """The endpoint as an ASGI app over the store at ``store_path`` (opens nothing until it starts).

    :param workers: query worker processes (in write mode there is exactly one).
    :param timeout_s: a query running longer is stopped (its worker is killed) and answered 504.
    :param max_result_bytes: a larger serialized result is abandoned and answered 500.
    :param max_body_bytes: a larger request body is answered 413.
    :param max_query_chars: a longer query is answered 413 (414 for GET).
    :param write_token: enables SPARQL Update and Graph Store writes for ``Authorization: Bearer <token>``.
    :param allow_federation: allows ``SERVICE`` in queries and ``LOAD`` in updates (they reach the network).
    :param max_long_queries: queries that may run longer than ``LONG_QUERY_S`` at once, each on a worker
        of its own beside the ``workers`` (default: ``workers``); one more is stopped (503).
    :param max_long_queries_per_client: the same for one client (default: half of ``workers``, at least 1; 429).
    :param extra_routes: more routes (``sahelkg serve`` composes the web pages here:
        :func:`sahelkg.serving.app.build_app`).
    :raises ValueError: on a nonsensical setting.

    >>> app = create_app("/nonexistent/store")
    >>> app.state.sparql.config.workers
    4
    """
    if workers < 1 or timeout_s <= 0 or max_result_bytes < 1 or max_body_bytes < 1 or max_query_chars < 1:
        raise ValueError("workers, timeout_s and the limits must be positive")
    if any(n is not None and n < 1 for n in (max_long_queries, max_long_queries_per_client)):
        raise ValueError("max_long_queries and max_long_queries_per_client must be positive")
    if write_token is not None and not write_token.strip():
        raise ValueError("write_token must not be empty")
    config = EndpointConfig(
        store_path=locate(store_path).name,
        workers=workers,
        timeout_s=timeout_s,
        max_result_bytes=max_result_bytes,
        max_body_bytes=max_body_bytes,
        max_query_chars=max_query_chars,
        write_token=write_token,
        allow_federation=allow_federation,
        max_long_queries=max_long_queries,
        max_long_queries_per_client=max_long_queries_per_client,
    )
    service = SparqlService(config)

    routes: list[BaseRoute] = [
        *sparql_routes(),
        *(extra_routes or ()),
    ]
    app = Starlette(routes=routes, lifespan=pool_lifespan(service), exception_handlers={EndpointError: endpoint_error})
    app.add_middleware(CORSMiddleware)
    app.state.sparql = service
    return app


def sparql_routes() -> list[BaseRoute]:
    """The routes of the SPARQL protocols (``/sparql``, ``/store``, ``/.well-known/void``).

    They find their :class:`SparqlService` on ``app.state.sparql``; an app serving them also needs
    :func:`pool_lifespan` and the :func:`endpoint_error` handler for :class:`EndpointError`, as
    :func:`create_app` sets them up.
    """
    return [
        Route("/sparql", sparql_endpoint, methods=SPARQL_METHODS, name="sparql"),
        Route("/sparql/", sparql_endpoint, methods=SPARQL_METHODS, include_in_schema=False),
        Route("/store", store_endpoint, methods=SPARQL_METHODS, name="store"),
        Route("/.well-known/void", void_endpoint, methods=SPARQL_METHODS, name="void"),
    ]


def pool_lifespan(service: SparqlService) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A Starlette lifespan that starts ``service``'s workers (in the background: the server is up
    before they are) and stops them when the app stops."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.pool.start()
        try:
            yield
        finally:
            await service.pool.close()

    return lifespan
