"""The ASGI app of ``sahelkg serve``, composed in one place: the SPARQL routes and the web routes.

:func:`build_app` gives :func:`sahelkg.serving.endpoint.create_app` the endpoint's limits and the web
pages' routes (:func:`sahelkg.serving.web.web_routes`) from one :class:`~sahelkg.settings.Settings`;
:func:`run` serves it on a port; :func:`get` answers one request without opening a port (``sahelkg
serve --get PATH``, the smoke test of the README's examples).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from sahelkg.serving.endpoint import create_app, server_config
from sahelkg.serving.web import web_routes
from sahelkg.settings import EndpointLimits, Settings


def build_app(settings: Settings, limits: EndpointLimits, *, write_token: str | None = None) -> Starlette:
    """The endpoint over ``settings.store`` with ``limits``, and the web pages of ``settings.queries_dir``.

    Opens nothing: the worker processes start with the app's lifespan (a server, or :func:`get`).

    :raises ValueError: a limit that is not positive, or an empty ``write_token``.
    """
    return create_app(settings.store, **limits.endpoint_kwargs(), write_token=write_token,
                      extra_routes=web_routes(settings.queries_dir, base_iri=settings.base_iri))


def run(app: Starlette, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn on ``host:port`` until interrupted (Ctrl-C)."""
    import uvicorn

    server = uvicorn.Server(server_config(app, host, port))
    try:
        server.run()
    except KeyboardInterrupt:  # as uvicorn.run: Ctrl-C is how it is meant to stop
        pass


@dataclass(frozen=True)
class Answer:
    """One response: its status, headers and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        """A 2xx or 3xx status."""
        return 200 <= self.status < 400


def get(app: Starlette, path: str, headers: Mapping[str, str] | None = None) -> Answer:
    """Answer ``GET path`` through ``app`` in this process, with no port opened.

    The app's lifespan runs around the request: its worker processes start, answer, and are
    stopped before this returns. Redirects are not followed: a 3xx is the answer.

    :param path: the path and query string, e.g. ``/api/search?q=gao``.
    :raises ValueError: a path that does not start with ``/``.
    """
    if not path.startswith("/"):
        raise ValueError(f"{path!r}: give a path starting with /")
    return asyncio.run(_get(app, path, dict(headers or {})))


async def _get(app: Starlette, path: str, headers: dict[str, str]) -> Answer:
    # httpx's ASGI transport sends the request without a socket but does not run the lifespan
    # (which starts and stops the workers): the app's own lifespan context runs around it.
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            response = await client.get(path, headers=headers)
    return Answer(response.status_code, dict(response.headers), response.content)
