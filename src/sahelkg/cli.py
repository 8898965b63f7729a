"""The command line: parse, make one library call, print, map errors to exit codes.

Exit codes: 0 success, 1 an error in the input or the graph, 2 a usage error.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sahelkg import __version__
from sahelkg.errors import SahelKGError, UsageError, ValidationError
from sahelkg.exports import FORMATS as EXPORT_FORMATS
from sahelkg.exports import LANGS as EXPORT_LANGS
from sahelkg.exports import PROJECTIONS as EXPORT_PROJECTIONS
from sahelkg.exports import RDF_FORMATS
from sahelkg.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

store_option = click.option(
    "--store", metavar="PATH|URL", default=None,
    help="Store directory (or SPARQL server URL). Default: $SAHELKG_STORE, else build/store in the project.",
)


def _err(message: str) -> None:
    click.echo(message, err=True)


def handle_errors(fn: F) -> F:
    """Turn library errors into a clean message and exit code; no traceback for the user."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationError as e:
            for p in e.problems:
                _err(f"{p.severity}: {p}" if p.severity != "error" else f"error: {p}")
            _err(f"{len([p for p in e.problems if p.severity == 'error'])} error(s); nothing was changed.")
            sys.exit(e.exit_code)
        except SahelKGError as e:
            _err(f"error: {e}")
            sys.exit(e.exit_code)

    return wrapper  # type: ignore[return-value]


def settings_for(store: str | None) -> Settings:
    return Settings.from_env(store=store)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sahelkg")
def main() -> None:
    """sahelkg: a knowledge graph of the armed conflict in the Sahel, from annotated articles."""


@main.command()
@store_option
@click.option("--full", is_flag=True, help="Rebuild everything, not only what changed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, envvar="SAHELKG_JOBS", show_envvar=True,
              help="Processes mapping the articles of a full build. Default: $SAHELKG_JOBS, else the number of cores.")
@handle_errors
def build(store: str | None, full: bool, quiet: bool, jobs: int | None) -> None:
    """Build the graph from ontology/ and corpus/ into the store (atomic, incremental)."""
    from sahelkg.build import build as run_build
    from sahelkg.console import progress_bar

    settings = settings_for(store)
    with progress_bar(disabled=quiet) as progress:
        result = run_build(settings, full=full, progress=progress, jobs=jobs)
    for w in result.warnings:
        _err(f"warning: {w}")
    if result.up_to_date:
        click.echo(f"{result.store}: up to date ({result.articles_total} articles, nothing changed)")
        return
    kind = "full build" if result.full else "incremental build"
    click.echo(
        f"{result.store}: {kind} ({result.reason}): {len(result.articles_rebuilt)} article(s) processed, "
        f"{len(result.articles_removed)} removed, {result.articles_total} in the corpus; "
        f"{result.quads} quads written in {result.seconds:.2f} s"
    )


@main.command()
@click.argument("what", type=click.Choice(["ontology", "corpus", "graph", "all"]), default="all")
@store_option
@click.option("--no-reason", is_flag=True, help="ontology: skip the HermiT reasoner (no Java needed).")
@handle_errors
def check(what: str, store: str | None, no_reason: bool) -> None:
    """Validate the ontology, the corpus or the built graph; exit 1 on errors."""
    from sahelkg.checks import run_checks

    settings = settings_for(store)
    problems = run_checks(settings, what, reason=not no_reason)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        click.echo(f"{p.severity}: {p}", err=p.severity == "error")
    click.echo(f"check {what}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    if errors:
        sys.exit(1)


@main.command()
@store_option
@handle_errors
def stats(store: str | None) -> None:
    """Counts per class and per graph, and the store's size."""
    from sahelkg.store import StoreLayout, directory_size, open_store, store_stats

    settings = settings_for(store)
    remote = settings.store_is_remote
    s = store_stats(open_store(settings.store), settings.graph_base if remote else None)
    click.echo("graph\tquads")
    for g, n in s["graphs"]:
        click.echo(f"{g}\t{n}")
    click.echo("\nclass\tinstances")
    for c, n in s["classes"]:
        click.echo(f"{c}\t{n}")
    quads = sum(n for _, n in s["graphs"])
    if remote:
        click.echo(f"\nstore {settings.store}: {quads} quads in graphs under {settings.graph_base} (remote SPARQL server)")
        return
    current = StoreLayout(settings.store).current()
    size = directory_size(current) if current else 0
    click.echo(f"\nstore {settings.store}: {quads} quads, {size / 1e6:.1f} MB on disk")


@main.command()
@click.argument("name", required=False)
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="Run the query in FILE.")
@click.option("--param", "-p", "params", multiple=True, metavar="K=V", help="Bind parameter K to V (repeatable).")
@click.option("--lang", default="en", show_default=True, help="Language of labels (en or fr).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "md"]), help="Output format.")
@click.option("--list", "list_", is_flag=True, help="List the named queries with their summaries.")
@store_option
@handle_errors
def query(name: str | None, file: Path | None, params: tuple[str, ...], lang: str, fmt: str,
          list_: bool, store: str | None) -> None:
    """Run a named query (NAME), a query file (-f FILE) or standard input (-)."""
    from sahelkg import queries as q
    from sahelkg.store import open_store

    settings = settings_for(store)
    if list_:
        for nq in q.list_queries(settings.queries_dir):
            click.echo(f"{nq.name}\t{nq.summary}")
        return
    if (name is None) == (file is None):
        raise UsageError("give a query NAME, -f FILE, or - for standard input (see --list)")
    if file is not None:
        named = q.parse_query_text(file.stem, file.read_text(encoding="utf-8"), file)
    elif name == "-":
        named = q.parse_query_text("stdin", sys.stdin.read())
    else:
        named = q.find_query(settings.queries_dir, name)  # type: ignore[arg-type]
    given = {}
    for item in params:
        if "=" not in item:
            raise UsageError(f"--param {item!r}: write NAME=VALUE")
        k, v = item.split("=", 1)
        given[k] = v
    bindings = q.bind_params(named, given, lang)
    store_ = open_store(settings.store)
    table = q.run_select(store_, named.text, bindings, str(named.path or named.name))
    labels = {}
    if fmt in ("table", "md"):
        import pyoxigraph

        iris = {t.value for row in table.rows for t in row if isinstance(t, pyoxigraph.NamedNode)}
        labels = q.labels_for(store_, iris, lang)
    click.echo(q.render(table, fmt, labels), nl=False)


@main.command()
@store_option
@handle_errors
def watch(store: str | None) -> None:
    """Journal the corpus's changes so that builds of the store need not stat every file (Linux)."""
    from sahelkg.store import StoreLayout
    from sahelkg.watch import Watcher

    settings = settings_for(store)
    if settings.store_is_remote:
        raise UsageError("--store: sahelkg watch speeds up the builds of an embedded store, not of a SPARQL server")
    layout = StoreLayout(settings.store)
    try:
        Watcher(layout.watch_dir, settings.corpus_dir).run(
            ready=lambda: _err(f"watching {settings.corpus_dir} for the builds of {layout.path} (Ctrl-C stops)"))
    except KeyboardInterrupt:
        _err("stopped watching; builds scan the corpus again")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7878, show_default=True, type=int)
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Per-query timeout in seconds.")
@click.option("--workers", default=4, show_default=True, type=int, help="Query worker processes.")
@click.option("--write-token-env", default=None, metavar="VAR",
              help="Enable SPARQL Update and Graph Store writes with the bearer token in environment variable VAR.")
@store_option
@handle_errors
def serve(host: str, port: int, timeout: float, workers: int, write_token_env: str | None, store: str | None) -> None:
    """Serve the graph: SPARQL endpoint at /sparql, web page at /, entity pages at /id/..."""
    import os

    from sahelkg.endpoint import serve as run_server
    from sahelkg.store import StoreLayout

    settings = settings_for(store)
    if not settings.store_is_remote and not StoreLayout(settings.store).exists():
        click.echo(f"no store at {settings.store}: building it first", err=True)
        from sahelkg.build import build as run_build

        run_build(settings)
    token = None
    if write_token_env:
        token = os.environ.get(write_token_env)
        if not token:
            raise UsageError(f"--write-token-env {write_token_env}: that environment variable is empty")
    click.echo(f"serving {settings.store} at http://{host}:{port}/ (SPARQL: http://{host}:{port}/sparql)", err=True)
    run_server(settings.store, host=host, port=port, timeout_s=timeout, workers=workers, write_token=token,
               queries_dir=settings.queries_dir, base_iri=settings.base_iri)


@main.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.option("-o", "--output", metavar="FILE", default=None,
              help="Write to FILE (written whole, then renamed). Default: standard output.")
@click.option("--format", "rdf_format", type=click.Choice(list(RDF_FORMATS)), default=None,
              help="rdf: the syntax. Default: from FILE's extension, else nq. nq, trig and jsonld keep the "
                   "named graphs; ttl, nt and rdfxml flatten the union of all graphs.")
@click.option("--graph", metavar="IRI", default=None, help="rdf: only this named graph.")
@click.option("--lang", type=click.Choice(EXPORT_LANGS), default="en", show_default=True, help="Language of labels.")
@click.option("--projection", type=click.Choice(EXPORT_PROJECTIONS), default="full", show_default=True,
              help="gexf, graphml: the full graph, the actor network (actors linked by shared events) "
                   "or the event-place network.")
@click.option("--no-events", is_flag=True, help="gexf, graphml, full projection: hide the event nodes.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@store_option
@handle_errors
def export(fmt: str, output: str | None, rdf_format: str | None, graph: str | None, lang: str,
           projection: str, no_events: bool, quiet: bool, store: str | None) -> None:
    """Export the graph: gexf (Gephi), graphml, owl (Protégé), rdf (ttl|nt|nq|trig|jsonld|rdfxml), acled-csv."""
    from sahelkg.console import progress_bar
    from sahelkg.exports import export_store

    with progress_bar(disabled=quiet) as progress:
        result = export_store(settings_for(store), fmt, output, rdf_format=rdf_format, graph=graph, lang=lang,
                              projection=projection, events=not no_events, progress=progress)
    for w in result.warnings:
        _err(f"warning: {w}")
    _err(result.summary())
