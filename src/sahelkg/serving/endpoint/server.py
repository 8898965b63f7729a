"""Running the endpoint under uvicorn: :func:`serve` and the :func:`server_config` it (and the tests) use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from sahelkg.serving.endpoint.routes import create_app
from sahelkg.serving.endpoint.service import DEFAULT_MAX_QUERY_CHARS, SparqlService

# uvicorn's HTTP/1.1 parser. Not httptools (its C parser, which uvicorn picks when installed): it
# drops the body of a request that asks to upgrade (``Connection: Upgrade``, ``Upgrade: h2c``),
# which every Java HttpClient sends, Apache Jena included: queries were answered 400 and a Graph
# Store PUT emptied the graph. h11 reads the body and ignores the upgrade. bench/bench_endpoint.py
# measures what it costs on light queries (docs/endpoint.md).
HTTP_PARSER = "h11"
HEAD_BYTES_PER_QUERY_CHAR = 12  # a character percent-encoded in a GET: up to 4 UTF-8 bytes, %XX each
HEAD_ALLOWANCE = 64 * 1024  # the request line's other parameters and the headers


def max_head_bytes(max_query_chars: int) -> int:
    """The largest request head (request line and headers) the HTTP parser reads.

    Large enough for a GET of any query within ``max_query_chars``, and at least within the default
    limit, so that it is answered, or refused 414 by the endpoint (h11's default, 16 KiB, answered
    long GETs with a bare 400). A longer head gets the parser's 400.

    >>> max_head_bytes(100_000) == max_head_bytes(3_000) == 12 * 100_000 + 64 * 1024
    True
    """
    return HEAD_BYTES_PER_QUERY_CHAR * max(max_query_chars, DEFAULT_MAX_QUERY_CHARS) + HEAD_ALLOWANCE


def server_config(app: Starlette, host: str = "127.0.0.1", port: int = 7878, *, log_level: str = "info", **kwargs: Any) -> Any:
    """The ``uvicorn.Config`` that :func:`serve` runs ``app`` with (tests run the same).

    ``kwargs`` go to ``uvicorn.Config`` (e.g. ``lifespan``), but the HTTP parser is always h11.
    """
    import uvicorn

    service: SparqlService = app.state.sparql
    kwargs.pop("http", None)
    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, http=HTTP_PARSER,
        h11_max_incomplete_event_size=max_head_bytes(service.config.max_query_chars),
        timeout_graceful_shutdown=5, **kwargs,
    )


def serve(store_path: str | Path, host: str = "127.0.0.1", port: int = 7878, *, log_level: str = "info", **kwargs: Any) -> None:
    """Serve the endpoint with uvicorn until interrupted (``kwargs`` go to :func:`create_app`)."""
    import uvicorn

    app = create_app(store_path, **kwargs)
    server = uvicorn.Server(server_config(app, host, port, log_level=log_level))
    try:
        server.run()
    except KeyboardInterrupt:  # as uvicorn.run: Ctrl-C is how it is meant to stop
        pass
