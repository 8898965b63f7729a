"""Every setting of sahelkg in one declarative list: name, type, default, environment variable, help.

:data:`SETTINGS` is the only place a setting is declared. The CLI's options are generated from it
(:func:`sahelkg.cli.options`), so is the table of ``docs/settings.md`` (:func:`settings_table`), and
the values one run works with are read from it in one order: an option given on the command line,
else the environment variable, else the default. Path defaults derive from the project root, so
nothing depends on the current directory.

Three groups, one frozen dataclass each:

* ``project``: :class:`Settings`, where the ontology, corpus, queries and store are, and the build's processes;
* ``endpoint``: :class:`EndpointLimits`, what ``sahelkg serve`` allows one request and one client;
* ``remote``: :class:`RemoteOptions`, how a store at a SPARQL server's URL is reached. They come from
  the environment only: credentials never go on a command line (shell history, process lists).

>>> Settings.from_env(store="/tmp/s").store
'/tmp/s'
>>> EndpointLimits.from_options(workers=2).timeout_s
30.0
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sahelkg.errors import StoreError, UsageError
from sahelkg.vocab import DEFAULT_BASE

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    """One setting: where its value comes from and what it means.

    :param name: the field of its group's dataclass (``store``, ``workers``...).
    :param group: ``project``, ``endpoint`` or ``remote``.
    :param type: ``Path``, ``str``, ``int`` or ``float``: how a value given as text is read.
    :param default: the value when neither an option nor the environment gives one; a callable
        takes the project root (a path default derives from it); ``None``: unset.
    :param env: the environment variable, or ``None``.
    :param help: what it is, for ``--help`` and ``docs/settings.md``.
    :param option: the command-line flag, or ``None`` (environment only); ``short``: its one-letter form.
    :param commands: the commands that take the option (``"*"``: every command).
    :param shown_default: the default as the docs and ``--help`` show it, when it is derived.
    :param minimum: the smallest value an ``int`` or ``float`` may take; ``unit``: what it counts.
    """

    name: str
    group: str
    type: type
    default: Any
    env: str | None
    help: str
    option: str | None = None
    short: str | None = None
    commands: tuple[str, ...] = ()
    metavar: str | None = None
    shown_default: str | None = None
    minimum: float | None = None
    unit: str = ""

    def takes(self, command: str) -> bool:
        """True if ``command``'s options include this setting's."""
        return self.option is not None and ("*" in self.commands or command in self.commands)

    def parse(self, text: str, source: str) -> Any:
        """``text`` (from ``source``: an environment variable or an option) as this setting's type.

        :raises UsageError: a value that is not a number where one is needed, or below the minimum.
        """
        if self.type is Path:
            return Path(text).expanduser().resolve()
        if self.type in (int, float):
            wanted = ("a whole number" if self.type is int else "a number") + (f" of {self.unit}" if self.unit else "")
            try:
                value = self.type(text)
            except ValueError:
                raise UsageError(f"{source}={text!r}: give {wanted}") from None
            if self.minimum is not None and value < self.minimum:
                raise UsageError(f"{source}={text!r}: give {wanted}, at least {self.minimum:g}")
            return value
        return str(text)

    def default_for(self, root: Path) -> Any:
        """The default, derived from the project ``root`` if it is a path under it."""
        return self.default(root) if callable(self.default) else self.default

    def default_text(self) -> str:
        """The default as ``docs/settings.md`` shows it."""
        if self.shown_default is not None:
            return self.shown_default
        return "(unset)" if self.default is None else str(self.default)


SETTINGS: tuple[Setting, ...] = (
    # --- where things are
    Setting("root", "project", Path, PACKAGE_ROOT, "SAHELKG_HOME", "The project: the folder holding ontology/, "
            "corpus/ and queries/.", shown_default="the checkout this package is in"),
    Setting("ontology_dir", "project", Path, lambda root: root / "ontology", "SAHELKG_ONTOLOGY",
            "The ontology folder (sahelkg.ttl, shapes.ttl).", shown_default="<root>/ontology"),
    Setting("corpus_dir", "project", Path, lambda root: root / "corpus", "SAHELKG_CORPUS",
            "brat, xmi: the corpus folder. Default: $SAHELKG_CORPUS, else corpus/ in the project.",
            option="--corpus", commands=("export", "import"), metavar="DIR", shown_default="<root>/corpus"),
    Setting("queries_dir", "project", Path, lambda root: root / "queries", "SAHELKG_QUERIES",
            "The named queries (<name>.rq, checks/).", shown_default="<root>/queries"),
    Setting("store", "project", str, lambda root: str(root / "build" / "store"), "SAHELKG_STORE",
            "Store directory (or SPARQL server URL). Default: $SAHELKG_STORE, else build/store in the project.",
            option="--store", commands=("*",), metavar="PATH|URL", shown_default="<root>/build/store"),
    Setting("base_iri", "project", str, DEFAULT_BASE, "SAHELKG_BASE_IRI",
            "The base of the graph's IRIs (<base>id/..., <base>graph/...)."),
    Setting("jobs", "project", int, None, "SAHELKG_JOBS",
            "Processes mapping the articles of a full build. Default: $SAHELKG_JOBS, else the number of "
            "cores less two.", option="--jobs", short="-j", commands=("build",), metavar="INTEGER", minimum=1,
            shown_default="the number of cores less two"),
    # --- what sahelkg serve allows
    Setting("host", "endpoint", str, "127.0.0.1", None, "The address to listen on.",
            option="--host", commands=("serve",)),
    Setting("port", "endpoint", int, 7878, None, "The port to listen on.", option="--port", commands=("serve",),
            minimum=0),
    Setting("timeout_s", "endpoint", float, 30.0, None, "Per-query timeout in seconds.",
            option="--timeout", commands=("serve",), minimum=0.001),
    Setting("workers", "endpoint", int, 4, None, "Query worker processes.", option="--workers",
            commands=("serve",), minimum=1),
    Setting("max_result_bytes", "endpoint", int, 50_000_000, None,
            "A larger serialized result is abandoned and answered 500.", option="--max-result-bytes",
            commands=("serve",), minimum=1),
    Setting("max_body_bytes", "endpoint", int, 1_000_000, None, "A larger request body is answered 413.",
            option="--max-body-bytes", commands=("serve",), minimum=1),
    Setting("max_query_chars", "endpoint", int, 100_000, None,
            "A longer query is answered 413 (414 for a GET).", option="--max-query-chars",
            commands=("serve",), minimum=1),
    Setting("max_long_queries", "endpoint", int, None, None,
            "Queries that may run long at once, each on a worker of its own; one more is answered 503. "
            "Default: --workers.", option="--max-long-queries", commands=("serve",), minimum=1,
            shown_default="the number of workers"),
    Setting("max_long_queries_per_client", "endpoint", int, None, None,
            "The same for one client (429). Default: half of --workers, at least 1.",
            option="--max-long-queries-per-client", commands=("serve",), minimum=1,
            shown_default="half the workers, at least 1"),
    # --- a store at a SPARQL server's URL (docs/remote.md)
    Setting("user", "remote", str, None, "SAHELKG_STORE_USER", "HTTP basic or digest user (the scheme the "
            "server asks for)."),
    Setting("password", "remote", str, "", "SAHELKG_STORE_PASSWORD", "Its password.", shown_default="(empty)"),
    Setting("auth", "remote", str, None, "SAHELKG_STORE_AUTH", "basic or digest, to skip the discovery."),
    Setting("token", "remote", str, None, "SAHELKG_STORE_TOKEN", "A bearer token."),
    Setting("update_url", "remote", str, None, "SAHELKG_STORE_UPDATE_URL", "The Update endpoint.",
            shown_default="derived from the server's kind"),
    Setting("gsp_url", "remote", str, None, "SAHELKG_STORE_GSP_URL",
            "The Graph Store endpoint (none: use Update).", shown_default="derived from the server's kind"),
    Setting("kind", "remote", str, None, "SAHELKG_STORE_KIND",
            "oxigraph, virtuoso, fuseki, sahelkg or generic.", shown_default="detected from the Server header"),
    Setting("batch_bytes", "remote", int, 4_000_000, "SAHELKG_STORE_BATCH_BYTES", "Upload batch size in bytes.",
            minimum=1, unit="bytes"),
    Setting("timeout", "remote", float, 600.0, "SAHELKG_STORE_TIMEOUT", "Seconds per request.", minimum=0.001,
            unit="seconds"),
)
BY_NAME = {(s.group, s.name): s for s in SETTINGS}


def _value(s: Setting, options: Mapping[str, Any], env: Mapping[str, str], root: Path) -> Any:
    given = options.get(s.name)
    if given is not None:
        return s.parse(str(given), s.option or s.name) if isinstance(given, (str, Path)) else given
    if s.env and env.get(s.env):
        return s.parse(env[s.env], s.env)
    return s.default_for(root)


def _resolve(group: str, options: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """The value of each setting of ``group``: the option given, else the environment, else the default.

    An option of ``None`` counts as not given, so the CLI's options can be passed through as they are.
    Defaults that are paths derive from the root, resolved first.
    """
    root = _value(BY_NAME[("project", "root")], options, env, PACKAGE_ROOT)
    return {s.name: _value(s, options, env, root) for s in SETTINGS if s.group == group}


@dataclass(frozen=True)
class Settings:
    """The paths and IRIs one run works with (the ``project`` group of :data:`SETTINGS`)."""

    root: Path
    ontology_dir: Path
    corpus_dir: Path
    queries_dir: Path
    store: str
    base_iri: str
    jobs: int | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from the environment, then ``overrides`` (options given on the command line).

        An override of ``None`` is ignored. A path given as an override (or in the environment) is
        resolved; one left to its default derives from the root.

        :raises UsageError: a number setting whose value is not a number.
        """
        env = os.environ if env is None else env
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"Settings.from_env: no setting {', '.join(sorted(unknown))}")
        return cls(**_resolve("project", overrides, env))

    @property
    def ontology_file(self) -> Path:
        return self.ontology_dir / "sahelkg.ttl"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def checks_dir(self) -> Path:
        return self.queries_dir / "checks"

    @property
    def id_base(self) -> str:
        return self.base_iri + "id/"

    @property
    def graph_base(self) -> str:
        return self.base_iri + "graph/"


@dataclass(frozen=True)
class EndpointLimits:
    """What ``sahelkg serve`` listens on and allows (the ``endpoint`` group of :data:`SETTINGS`, with their defaults)."""

    host: str
    port: int
    timeout_s: float
    workers: int
    max_result_bytes: int
    max_body_bytes: int
    max_query_chars: int
    max_long_queries: int | None  # None: as many as the workers
    max_long_queries_per_client: int | None  # None: half the workers, at least 1

    @classmethod
    def from_options(cls, env: Mapping[str, str] | None = None, **options: Any) -> EndpointLimits:
        """The limits, from the options given (``None``: the default)."""
        return cls(**_resolve("endpoint", options, os.environ if env is None else env))

    def endpoint_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`sahelkg.serving.endpoint.create_app` these limits set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("host", "port")}


@dataclass(frozen=True)
class RemoteOptions:
    """How a store at a SPARQL server's URL is reached (the ``remote`` group; environment only)."""

    user: str | None
    password: str
    auth: str | None
    token: str | None
    update_url: str | None
    gsp_url: str | None
    kind: str | None
    batch_bytes: int
    timeout: float

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RemoteOptions:
        """The options from the environment (``env``, default ``os.environ``).

        :raises StoreError: an unknown ``SAHELKG_STORE_AUTH`` or a number setting that is not a number.

        >>> RemoteOptions.from_env({"SAHELKG_STORE_AUTH": "Basic"}).auth
        'basic'
        >>> RemoteOptions.from_env({"SAHELKG_STORE_BATCH_BYTES": "4 MB"})
        Traceback (most recent call last):
        ...
        sahelkg.errors.StoreError: SAHELKG_STORE_BATCH_BYTES='4 MB': give a whole number of bytes
        """
        env = os.environ if env is None else env
        try:
            values = _resolve("remote", {}, env)
        except UsageError as e:  # a store's setting: the error is the store's, as its other errors are
            raise StoreError(str(e)) from None
        values["auth"] = (values["auth"] or "").lower() or None
        if values["auth"] not in (None, "basic", "digest"):
            raise StoreError(f"SAHELKG_STORE_AUTH={values['auth']!r}: use basic or digest")
        return cls(**values)


def command_settings(command: str) -> list[Setting]:
    """The settings whose options ``command`` takes, in the order of :data:`SETTINGS`."""
    return [s for s in SETTINGS if s.takes(command)]


GROUP_TITLES = {
    "project": "The project: where things are, and the build",
    "endpoint": "What `sahelkg serve` allows",
    "remote": "A store at a SPARQL server's URL (environment only: credentials never go on a command line)",
}


def _cell(text: str) -> str:
    """``text`` in a Markdown table cell: no column break, no HTML tag (``<root>``)."""
    return text.replace("|", "&#124;").replace("<", "&lt;")


def settings_table() -> str:
    """``docs/settings.md``: every setting, by group, as Markdown (``python -m sahelkg.settings`` prints it)."""
    out = ["# Settings", "",
           "Generated from `SETTINGS` in `src/sahelkg/settings.py` by `python -m sahelkg.settings > docs/settings.md`",
           "(a test checks that this file is current). A value comes from the command-line option if given,",
           "else from the environment variable, else the default.", ""]
    for group, title in GROUP_TITLES.items():
        out += [f"## {title}", "", "| setting | option | environment variable | default | what |", "|---|---|---|---|---|"]
        for s in SETTINGS:
            if s.group != group:
                continue
            option = f"`{s.option}` ({', '.join('every command' if c == '*' else c for c in s.commands)})" \
                if s.option else "—"
            env = f"`{s.env}`" if s.env else "—"
            out.append(f"| `{s.name}` | {option} | {env} | {_cell(s.default_text())} | {_cell(s.help)} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(settings_table())
