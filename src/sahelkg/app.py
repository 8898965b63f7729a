"""The application object: one run's settings, and the store and the web app built from them.

The CLI builds one :class:`App` per command from its options (:meth:`App.from_options`), the tests
build it the same way, and every command reads its paths, limits and store through it.

>>> app = App.from_options(store="/tmp/sahelkg-doc-store", workers=2)
>>> app.settings.store, app.limits.workers, app.limits.timeout_s
('/tmp/sahelkg-doc-store', 2, 30.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from sahelkg.settings import EndpointLimits, Settings

if TYPE_CHECKING:
    import pyoxigraph
    from starlette.applications import Starlette

    from sahelkg.store.remote import RemoteStore

_PROJECT = {f.name for f in fields(Settings)}
_ENDPOINT = {f.name for f in fields(EndpointLimits)}


@dataclass(frozen=True)
class App:
    """One run of sahelkg: where things are (:class:`Settings`) and what the server allows (:class:`EndpointLimits`)."""

    settings: Settings
    limits: EndpointLimits = field(default_factory=EndpointLimits.from_options)

    @classmethod
    def from_options(cls, env: Mapping[str, str] | None = None, **options: Any) -> App:
        """The app for the options given on the command line (``None``: not given), then the environment.

        :raises TypeError: an option that is no setting (a bug in the caller).
        :raises UsageError: a number setting whose value is not a number, or too small.
        """
        unknown = set(options) - _PROJECT - _ENDPOINT
        if unknown:
            raise TypeError(f"App.from_options: no setting {', '.join(sorted(unknown))}")
        return cls(
            Settings.from_env(env, **{k: v for k, v in options.items() if k in _PROJECT}),
            EndpointLimits.from_options(env, **{k: v for k, v in options.items() if k in _ENDPOINT}),
        )

    def open_store(self) -> pyoxigraph.Store | RemoteStore:
        """The store of these settings: the embedded one in its directory, or the SPARQL server at its URL."""
        from sahelkg.store import open_store

        return open_store(self.settings.store)

    def web_app(self, *, write_token: str | None = None) -> Starlette:
        """The ASGI app ``sahelkg serve`` runs: the SPARQL endpoint and the web pages (:mod:`sahelkg.serving.app`)."""
        from sahelkg.serving.app import build_app

        return build_app(self.settings, self.limits, write_token=write_token)
