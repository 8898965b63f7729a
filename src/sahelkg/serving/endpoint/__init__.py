"""The SPARQL endpoint: the SPARQL 1.1 Protocol, the Graph Store Protocol, service description and VoID.

A Starlette app (served by uvicorn) in front of a pool of worker *processes*; the modules:

* :mod:`~sahelkg.serving.endpoint.formats`: the result and graph formats, ``Accept`` negotiation;
* :mod:`~sahelkg.serving.endpoint.workers`: the worker processes, their typed jobs and replies, the pool
  that shares them between clients and stops runaway queries;
* :mod:`~sahelkg.serving.endpoint.service`: :class:`SparqlService`, the protocol's logic over the pool;
* :mod:`~sahelkg.serving.endpoint.description`: the service description and VoID triples;
* :mod:`~sahelkg.serving.endpoint.routes`: the HTTP routes, CORS, :func:`create_app`;
* :mod:`~sahelkg.serving.endpoint.server`: :func:`serve` under uvicorn (h11).

What a query's text may do (``SERVICE``, ``FROM``, ``USING``) is read by :mod:`sahelkg.sparql`.
See ``docs/endpoint.md`` for the routes, the status codes and the limits.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS_FORMATS).name
'xml'
"""

from __future__ import annotations

from sahelkg.serving.endpoint.errors import EndpointError
from sahelkg.serving.endpoint.formats import GRAPH_FORMATS, RESULTS_FORMATS, Format, negotiate
from sahelkg.serving.endpoint.routes import CORSMiddleware, create_app, endpoint_error, pool_lifespan, sparql_routes
from sahelkg.serving.endpoint.server import max_head_bytes, serve, server_config
from sahelkg.serving.endpoint.service import EndpointConfig, SparqlService
from sahelkg.serving.endpoint.workers import DEMOTED_NICE, LONG_QUERY_S, WorkerPool

__all__ = [
    "CORSMiddleware", "DEMOTED_NICE", "EndpointConfig", "EndpointError", "Format", "GRAPH_FORMATS", "LONG_QUERY_S",
    "RESULTS_FORMATS", "SparqlService", "WorkerPool", "create_app", "endpoint_error", "max_head_bytes", "negotiate",
    "pool_lifespan", "serve", "server_config", "sparql_routes",
]
