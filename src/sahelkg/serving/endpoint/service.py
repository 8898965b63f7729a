"""The SPARQL service: the protocol's logic between the routes and the worker pool.

:class:`SparqlService` (on ``app.state.sparql``) checks a request's text, dataset and token, turns
it into a typed job for :class:`~sahelkg.serving.endpoint.workers.WorkerPool`, and turns the
worker's :class:`~sahelkg.serving.endpoint.workers.Reply` into bytes or an :class:`EndpointError`.
The web pages read the graph through it too (:meth:`SparqlService.query`, :meth:`SparqlService.select_json`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from starlette.requests import Request

from sahelkg.errors import QueryError
from sahelkg.serving.endpoint.errors import EndpointError
from sahelkg.serving.endpoint.formats import GRAPH_FORMATS, RESULTS_FORMATS, Format, formats_for, not_acceptable
from sahelkg.serving.endpoint.workers import (
    GraphDelete,
    GraphGet,
    GraphWrite,
    Job,
    QueryJob,
    Reply,
    StatsJob,
    UpdateJob,
    WorkerPool,
)
from sahelkg.settings import BY_NAME
from sahelkg.sparql import add_using, has_dataset_clause, keywords, uses_network
from sahelkg.store import generation

# The defaults are the settings' (sahelkg.settings.SETTINGS, where `serve`'s options come from): one place.
DEFAULT_WORKERS: int = BY_NAME[("endpoint", "workers")].default
DEFAULT_TIMEOUT_S: float = BY_NAME[("endpoint", "timeout_s")].default
DEFAULT_MAX_RESULT_BYTES: int = BY_NAME[("endpoint", "max_result_bytes")].default
DEFAULT_MAX_BODY_BYTES: int = BY_NAME[("endpoint", "max_body_bytes")].default
DEFAULT_MAX_QUERY_CHARS: int = BY_NAME[("endpoint", "max_query_chars")].default


@dataclass(frozen=True)
class EndpointConfig:
    """The settings of one endpoint (see :func:`create_app`)."""

    store_path: str
    workers: int = DEFAULT_WORKERS
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS
    write_token: str | None = None
    allow_federation: bool = False
    max_long_queries: int | None = None  # None: as many as ``workers``
    max_long_queries_per_client: int | None = None  # None: half of ``workers`` (at least 1)

    @property
    def writable(self) -> bool:
        return self.write_token is not None


def _check_iris(iris: Iterable[str], parameter: str) -> list[str]:
    checked = []
    for iri in iris:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError as e:
            raise EndpointError(400, f"{parameter}: {iri!r} is not an absolute IRI: {e}") from None
        checked.append(iri)
    return checked


class SparqlService:
    """The endpoint's engine, on ``app.state.sparql``: runs queries, updates and graph operations on the pool."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self.pool = WorkerPool(
            config.store_path,
            size=1 if config.writable else config.workers,
            read_write=config.writable,
            max_long=config.max_long_queries,
            max_long_per_client=config.max_long_queries_per_client,
        )
        self._writes = 0
        self._void: tuple[tuple[str, int], dict[str, Any]] | None = None
        self._void_lock: asyncio.Lock | None = None

    # -- the API other modules use

    async def query(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        client: str | None = None,
    ) -> tuple[str, bytes]:
        """Run ``query`` and return (media type, serialized result).

        ``result_format`` is a format name (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``,
        ``ntriples``, ``rdfxml``, ``jsonld``, ``nquads``, ``trig``, ``n3``) or a media type;
        ``json`` and ``xml`` give JSON-LD and RDF/XML for CONSTRUCT and DESCRIBE. ``client`` (the
        address of the client it is run for) puts it under that client's limits (see :class:`WorkerPool`).

        :raises EndpointError: (a :class:`~sahelkg.errors.QueryError`) with ``status`` and a message:
            400 malformed query, 406 format unsuitable for the query form, 504 timeout, ...
        """
        results, graph = formats_for(result_format, None)
        return await self.run_query(
            query,
            results_format=results,
            graph_format=graph,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            client=client,
        )

    async def select_json(self, query: str, *, client: str | None = None) -> dict[str, Any]:
        """Run a SELECT or ASK query and return the parsed SPARQL JSON results."""
        _, body = await self.query(query, result_format="json", client=client)
        result: dict[str, Any] = json.loads(body)
        return result

    # -- what the routes use

    async def run_query(
        self,
        query: str,
        *,
        results_format: Format | None,
        graph_format: Format | None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        base_iri: str | None = None,
        client: str | None = None,
    ) -> tuple[str, bytes]:
        if results_format is None and graph_format is None:
            raise not_acceptable((*RESULTS_FORMATS, *GRAPH_FORMATS), "any query result")
        self._check_text(query, "query")
        lowered = query.lower()
        found = keywords(query) if "service" in lowered or "from" in lowered else []
        if not self.config.allow_federation and uses_network(query, found=found):
            raise EndpointError(400, "federated queries (SERVICE) are disabled on this endpoint")
        protocol_dataset = bool(default_graph_uris or named_graph_uris)
        job = QueryJob(
            text=query,
            base_iri=base_iri,
            results_format=results_format.name if results_format else None,
            graph_format=graph_format.name if graph_format else None,
            max_bytes=self.config.max_result_bytes,
            default_graphs=tuple(_check_iris(default_graph_uris, "default-graph-uri")) if protocol_dataset else None,
            named_graphs=tuple(_check_iris(named_graph_uris, "named-graph-uri")),
            # The union of all graphs is the default graph unless the query or the request names a dataset.
            union=not protocol_dataset and not has_dataset_clause(query, found),
        )
        reply, body = await self._run(job, client=client)
        return reply.media_type or "", body

    async def update(
        self,
        update: str,
        *,
        using_graph_uris: Sequence[str] = (),
        using_named_graph_uris: Sequence[str] = (),
        base_iri: str | None = None,
        client: str | None = None,
    ) -> None:
        """Run a SPARQL Update (the caller has checked the token)."""
        self._check_text(update, "update")
        if not self.config.allow_federation and uses_network(update, update=True):
            raise EndpointError(400, "LOAD and SERVICE are disabled on this endpoint")
        using = _check_iris(using_graph_uris, "using-graph-uri")
        using_named = _check_iris(using_named_graph_uris, "using-named-graph-uri")
        try:
            text = add_using(update, using, using_named)
        except QueryError as e:  # the update names its own dataset as well
            raise EndpointError(400, str(e)) from None
        await self._write(UpdateJob(text, base_iri), client=client)

    async def get_graph(self, graph_iri: str | None, fmt: Format, *, client: str | None = None) -> bytes:
        """Graph Store GET: the graph (None: the default graph) serialized as ``fmt``.

        :raises EndpointError: 404 when the store has no such graph.
        """
        _check_iris([graph_iri] if graph_iri is not None else [], "graph")
        _, body = await self._run(GraphGet(graph_iri, fmt.name, self.config.max_result_bytes), client=client)
        return body

    async def write_graph(self, graph_iri: str | None, fmt: Format, data: bytes, *, replace: bool,
                          base_iri: str | None = None, client: str | None = None) -> int:
        """Graph Store PUT (``replace``) or POST: ``data`` into the graph; returns 201 if it is new, else 204."""
        _check_iris([graph_iri] if graph_iri is not None else [], "graph")
        job = GraphWrite(graph_iri, fmt.name, base_iri or graph_iri, replace)
        reply = await self._write(job, data, client=client)
        return reply.status

    async def delete_graph(self, graph_iri: str | None, *, client: str | None = None) -> None:
        """Graph Store DELETE: drop the named graph, or empty the default graph (None).

        :raises EndpointError: 404 when the store has no such graph.
        """
        _check_iris([graph_iri] if graph_iri is not None else [], "graph")
        await self._write(GraphDelete(graph_iri), client=client)

    async def dataset_stats(self) -> dict[str, Any]:
        """The VoID counts, computed once per store generation (and after each write)."""
        key = (generation(self.config.store_path), self._writes)
        if self._void and self._void[0] == key:
            return self._void[1]
        if self._void_lock is None:
            self._void_lock = asyncio.Lock()
        async with self._void_lock:
            if self._void and self._void[0] == key:
                return self._void[1]
            _, body = await self._run(StatsJob())
            stats: dict[str, Any] = json.loads(body)
            self._void = (key, stats)
            return stats

    def check_write(self, request: Request) -> None:
        """Refuse a write unless the endpoint has a token and the request carries it.

        :raises EndpointError: 403 when writes are off, 401 (with ``WWW-Authenticate``) when the token is missing or wrong.
        """
        token = self.config.write_token
        if token is None:
            raise EndpointError(
                403,
                "writes are disabled: this endpoint serves the store read-only "
                "(start it with a write token to allow SPARQL Update and Graph Store writes)",
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise EndpointError(
                401, "this write needs the header `Authorization: Bearer <token>`", {"WWW-Authenticate": 'Bearer realm="sahelkg"'}
            )
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise EndpointError(
                401, "wrong write token", {"WWW-Authenticate": 'Bearer realm="sahelkg", error="invalid_token"'}
            )

    def _check_text(self, text: str, what: str) -> None:
        if len(text) > self.config.max_query_chars:
            raise EndpointError(413, f"{what} longer than {self.config.max_query_chars} characters")

    async def _run(self, job: Job, data: bytes = b"", *, client: str | None = None) -> tuple[Reply, bytes]:
        """Run ``job`` on the pool; a worker's refusal or failure becomes an :class:`EndpointError`."""
        reply, body = await self.pool.run(job, data, timeout=self.config.timeout_s, client=client)
        if not reply.ok:
            raise EndpointError(reply.status, reply.message)
        return reply, body

    async def _write(self, job: Job, data: bytes = b"", *, client: str | None = None) -> Reply:
        try:
            reply, _ = await self._run(job, data, client=client)
        finally:
            self._writes += 1  # even a timed-out write may have committed: the VoID counts are recomputed
        return reply


