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
from sahelkg.exchange import FORMATS as EXCHANGE_FORMATS
from sahelkg.app import App
from sahelkg.settings import Setting, command_settings

F = TypeVar("F", bound=Callable[..., Any])
DIFF_SHOWN = 5  # build prints the facts it changed when it changed at most this many articles
WARNINGS_SHOWN = 100  # build prints at most this many warnings (check lists them all)


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


def _click_option(setting: Setting) -> Callable[[F], F]:
    """The click option of one setting: its flag, type, help; its default only when no variable overrides it."""
    assert setting.option is not None
    kind: Any
    if setting.type is Path:
        kind = click.Path(file_okay=False, path_type=Path)
    elif setting.type is int:
        kind = click.IntRange(min=None if setting.minimum is None else int(setting.minimum))
    elif setting.type is float:
        kind = click.FloatRange(min=setting.minimum)
    else:
        kind = str
    # A setting with an environment variable defaults to None here: Settings reads the variable, then
    # the default, so that the order (option, variable, default) is decided in one place.
    default = setting.default if setting.env is None else None
    flags = [setting.option, *([setting.short] if setting.short else []), setting.name]
    return click.option(*flags, type=kind, default=default, show_default=default is not None,
                        metavar=setting.metavar, help=setting.help)


def with_app(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the options of ``command``'s settings (:data:`sahelkg.settings.SETTINGS`) and pass an :class:`App`.

    The function receives ``app`` instead of those options; errors (in the options too) go
    through :func:`handle_errors`.
    """
    taken = command_settings(command)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        @handle_errors
        def wrapper(**kwargs: Any) -> Any:
            given = {s.name: kwargs.pop(s.name) for s in taken}
            return fn(app=App.from_options(**given), **kwargs)

        for setting in reversed(taken):
            wrapper = _click_option(setting)(wrapper)
        return wrapper

    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sahelkg")
def main() -> None:
    """sahelkg: a knowledge graph of the armed conflict in the Sahel, from annotated articles."""


@main.command()
@with_app("build")
@click.option("--full", is_flag=True, help="Rebuild everything, not only what changed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def build(app: App, full: bool, quiet: bool) -> None:
    """Build the graph from ontology/ and corpus/ into the store (atomic, incremental)."""
    from sahelkg.build import build as run_build
    from sahelkg.console import progress_bar

    with progress_bar(disabled=quiet) as progress:
        result = run_build(app.settings, full=full, progress=progress, jobs=app.settings.jobs)
    for w in result.warnings[:WARNINGS_SHOWN]:
        _err(f"warning: {w}")
    if len(result.warnings) > WARNINGS_SHOWN:
        _err(f"... and {len(result.warnings) - WARNINGS_SHOWN} more warnings: `sahelkg check corpus` and "
             "`sahelkg check graph` list them all")
    if result.up_to_date:
        click.echo(f"{result.store}: up to date ({result.articles_total} articles, nothing changed)")
        return
    kind = "full build" if result.full else "incremental build"
    click.echo(
        f"{result.store}: {kind} ({result.reason}): {len(result.articles_rebuilt)} article(s) processed, "
        f"{len(result.articles_removed)} removed, {result.articles_total} in the corpus; "
        f"{result.quads} quads written in {result.seconds:.2f} s"
    )
    if 0 < len(result.diff) <= DIFF_SHOWN:
        from sahelkg.build.diff import render

        click.echo(render(result.diff), nl=False)
    elif result.diff:
        click.echo(f"{len(result.diff)} articles changed: `sahelkg diff [ARTICLE]` lists their facts")


@main.command()
@click.argument("text")
@click.option("--type", "type_", metavar="CLASS", default=None, help="Only instances of CLASS (or a subclass), e.g. Person.")
@click.option("--lang", type=click.Choice(["en", "fr"]), default=None, help="Only names in this language.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@with_app("search")
def search(app: App, text: str, type_: str | None, lang: str | None, limit: int, fmt: str) -> None:
    """Find entities by any label or alias, fuzzily (case, accents, apostrophes and misspellings)."""
    import json

    from sahelkg.search import render
    from sahelkg.search import search as run_search

    settings = app.settings
    hits = run_search(app.open_store(), text, id_base=settings.id_base, graph_base=settings.graph_base,
                      type_=type_, lang=lang, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([h.as_json() for h in hits], ensure_ascii=False, indent=1))
    else:
        click.echo(render(hits), nl=False)


@main.command()
@click.argument("article", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@with_app("diff")
def diff(app: App, article: str | None, fmt: str) -> None:
    """The facts the last build added, removed and changed, per article (ARTICLE: only that one)."""
    import json
    from dataclasses import asdict

    from sahelkg.build.diff import read_diff, render
    from sahelkg.store import locate

    settings = app.settings
    if not locate(settings.store).keeps_files:
        raise UsageError("--store: the diff is kept beside an embedded store's generations, not on a SPARQL server")
    data, diffs = read_diff(settings.store, article)
    if fmt == "json":
        click.echo(json.dumps({**data, "articles": [asdict(d) for d in diffs]}, ensure_ascii=False, indent=1))
        return
    if not diffs:
        if data["previous"] is None:
            click.echo("the last build was the first of this store: there is nothing to compare it with")
        else:
            click.echo(f"the last build ({'full' if data['full'] else 'incremental'}) changed no article's facts")
        return
    click.echo(render(diffs), nl=False)


@main.command()
@click.argument("what", type=click.Choice(["ontology", "corpus", "graph", "all"]), default="all")
@with_app("check")
@click.option("--no-reason", is_flag=True, help="ontology: skip the HermiT reasoner (no Java needed).")
def check(app: App, what: str, no_reason: bool) -> None:
    """Validate the ontology, the corpus or the built graph; exit 1 on errors."""
    from sahelkg.checks import run_checks

    problems = run_checks(app.settings, what, reason=not no_reason)
    errors = [p for p in problems if p.severity == "error"]
    for p in problems:
        click.echo(f"{p.severity}: {p}", err=p.severity == "error")
    click.echo(f"check {what}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    if errors:
        sys.exit(1)


@main.command()
@with_app("stats")
def stats(app: App) -> None:
    """Counts per class and per graph, and the store's size."""
    from sahelkg.store import locate

    settings = app.settings
    location = locate(settings.store)
    s = location.stats(settings.base_iri)
    click.echo("graph\tquads")
    for g, n in s["graphs"]:
        click.echo(f"{g}\t{n}")
    click.echo("\nclass\tinstances")
    for c, n in s["classes"]:
        click.echo(f"{c}\t{n}")
    quads = sum(n for _, n in s["graphs"])
    size = location.disk_size()
    if size is None:
        click.echo(f"\nstore {settings.store}: {quads} quads in graphs under {settings.graph_base} (remote SPARQL server)")
        return
    click.echo(f"\nstore {settings.store}: {quads} quads, {size / 1e6:.1f} MB on disk")


@main.command()
@click.argument("name", required=False)
@click.option("-f", "--file", "file", type=click.Path(dir_okay=False, path_type=Path), help="Run the query in FILE.")
@click.option("--param", "-p", "params", multiple=True, metavar="K=V", help="Bind parameter K to V (repeatable).")
@click.option("--lang", default="en", show_default=True, help="Language of labels (en or fr).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "tsv", "json", "jsonl", "md"]), help="Output format.")
@click.option("--list", "list_", is_flag=True, help="List the named queries with their summaries.")
@with_app("query")
def query(app: App, name: str | None, file: Path | None, params: tuple[str, ...], lang: str, fmt: str,
          list_: bool) -> None:
    """Run a named query (NAME), a query file (-f FILE) or standard input (-)."""
    from sahelkg import queries as q

    settings = app.settings
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
    text, shift = named.text, 0
    if name is None or name == "-":  # a query written or pasted by hand, not a named one
        from sahelkg.sparql import declare_known_prefixes

        text, declared = declare_known_prefixes(named.text)
        shift = len(text) - len(named.text)
        if declared:
            click.echo("note: declared " + ", ".join(f"PREFIX {p}:" for p in declared) + " (not in the query)",
                       err=True)
    store_ = app.open_store()
    table = q.run_select(store_, text, bindings, str(named.path or named.name), shift=shift)
    labels = {}
    if fmt in ("table", "md"):
        import pyoxigraph

        iris = {t.value for row in table.rows for t in row if isinstance(t, pyoxigraph.NamedNode)}
        labels = q.labels_for(store_, iris, lang)
    click.echo(q.render(table, fmt, labels), nl=False)


@main.command()
@with_app("watch")
def watch(app: App) -> None:
    """Journal the corpus's changes so that builds of the store need not stat every file (Linux)."""
    from sahelkg.build.watch import Watcher
    from sahelkg.store import StoreLayout, locate

    settings = app.settings
    if not locate(settings.store).keeps_files:
        raise UsageError("--store: sahelkg watch speeds up the builds of an embedded store, not of a SPARQL server")
    layout = StoreLayout(settings.store)
    try:
        Watcher(layout.watch_dir, settings.corpus_dir).run(
            ready=lambda: _err(f"watching {settings.corpus_dir} for the builds of {layout.path} (Ctrl-C stops)"))
    except KeyboardInterrupt:
        _err("stopped watching; builds scan the corpus again")


@main.command()
@with_app("serve")
@click.option("--write-token-env", default=None, metavar="VAR",
              help="Enable SPARQL Update and Graph Store writes with the bearer token in environment variable VAR.")
@click.option("--get", "get_path", metavar="PATH", default=None,
              help="Answer one GET of PATH (e.g. /api/search?q=gao) without opening a port, print the body, "
                   "and exit: 0 for a 2xx or 3xx status, 1 otherwise.")
@click.option("--header", "-H", "headers", multiple=True, metavar="'NAME: VALUE'",
              help="--get: a request header, e.g. -H 'Accept: text/turtle' (repeatable).")
def serve(app: App, write_token_env: str | None, get_path: str | None, headers: tuple[str, ...]) -> None:
    """Serve the graph: SPARQL endpoint at /sparql, web page at /, entity pages at /id/..."""
    import os

    from sahelkg.serving.app import get, run
    from sahelkg.store import locate

    settings, limits = app.settings, app.limits
    request_headers = {}
    for item in headers:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"--header {item!r}: write 'NAME: VALUE'")
        request_headers[name.strip()] = value.strip()
    if not locate(settings.store).exists():
        click.echo(f"no store at {settings.store}: building it first", err=True)
        from sahelkg.build import build as run_build

        run_build(settings)
    token = None
    if write_token_env:
        token = os.environ.get(write_token_env)
        if not token:
            raise UsageError(f"--write-token-env {write_token_env}: that environment variable is empty")
    if get_path is not None:
        if not get_path.startswith("/"):
            raise UsageError(f"--get {get_path!r}: give a path starting with /, e.g. /api/search?q=gao")
        answer = get(app.web_app(write_token=token), get_path, request_headers)
        click.echo(answer.body, nl=False)
        if not answer.ok:
            _err(f"HTTP {answer.status} for GET {get_path}")
            sys.exit(1)
        return
    host, port = limits.host, limits.port
    click.echo(f"serving {settings.store} at http://{host}:{port}/ (SPARQL: http://{host}:{port}/sparql)", err=True)
    run(app.web_app(write_token=token), host, port)


@main.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice([*EXPORT_FORMATS, *EXCHANGE_FORMATS]))
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
@click.option("--article", "articles", multiple=True, metavar="ID", help="brat, xmi: only this article (repeatable).")
@with_app("export")
def export(app: App, fmt: str, output: str | None, rdf_format: str | None, graph: str | None, lang: str,
           projection: str, no_events: bool, quiet: bool, articles: tuple[str, ...]) -> None:
    """Export the graph: gexf (Gephi), graphml, owl (Protégé), rdf (ttl|nt|nq|trig|jsonld|rdfxml), acled-csv;
    or the corpus's annotations for brat or INCEpTION (brat, xmi: -o DIR)."""
    from sahelkg.console import progress_bar
    from sahelkg.exports import export_store

    if fmt in EXCHANGE_FORMATS:
        from sahelkg.exchange import export_articles

        if not output:
            raise UsageError(f"export {fmt}: give the folder to write to with -o DIR")
        written = export_articles(app.settings, fmt, Path(output), list(articles) or None)
        for line in written.lines():
            _err(line)
        _err(f"wrote {len(written.files)} file(s) to {output}")
        return

    with progress_bar(disabled=quiet) as progress:
        result = export_store(app.settings, fmt, output, rdf_format=rdf_format, graph=graph, lang=lang,
                              projection=projection, events=not no_events, progress=progress)
    for w in result.warnings:
        _err(f"warning: {w}")
    _err(result.summary())


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXCHANGE_FORMATS))
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--language", type=click.Choice(EXPORT_LANGS), default=None,
              help="The article's language, when it has no annotation file yet and the file does not say.")
@with_app("import")
def import_(app: App, fmt: str, path: Path, language: str | None) -> None:
    """Bring annotations back from brat (.ann + .txt) or INCEpTION (.xmi) into corpus/annotations/."""
    from sahelkg.exchange import import_articles

    result = import_articles(app.settings, fmt, path, language=language)
    for line in result.lines():
        _err(line)
    click.echo(f"wrote {len(result.files)} annotation file(s): " + ", ".join(str(p) for p in result.files))


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--id", "article_id", metavar="ID", help="Article id (default: the file name without .txt).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Draft file (a folder for a folder of articles). Default: corpus-style annotations/<id>.yaml "
                   "beside articles/, else <id>.yaml beside the text.")
@click.option("--force", is_flag=True, help="Replace an existing annotation file (never done without it).")
@click.option("--no-model", is_flag=True, help="Rules only: do not use spaCy even when it is installed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@with_app("annotate")
def annotate(app: App, path: Path, article_id: str | None, output: Path | None, force: bool, no_model: bool,
             quiet: bool) -> None:
    """Draft the annotation of a new article (or of each article of a folder) for a person to review."""
    from sahelkg.annotate import annotate_file, annotate_folder, load_annotator
    from sahelkg.console import progress_bar

    settings = app.settings
    if path.is_dir() and article_id:
        raise UsageError("--id names one article: not with a folder")
    annotator = load_annotator(settings.corpus_dir, settings.ontology_file, use_model=not no_model)
    if path.is_dir():
        with progress_bar(disabled=quiet) as progress:
            done, skipped, failed = annotate_folder(annotator, path, output_dir=output, force=force, progress=progress)
        for p in skipped:
            _err(f"skipped {p.name}: its annotation exists (--force replaces it)")
        for out, draft in done:
            click.echo(f"{out}: {_summary(draft)}")
        for e in failed:
            _err(f"error: {e}")
        if failed:
            sys.exit(1)
        return
    out, draft = annotate_file(annotator, path, article_id=article_id, output=output, force=force)
    click.echo(f"{out}: {_summary(draft)}")


def _summary(draft: Any) -> str:
    doc = draft.doc
    counts = ", ".join(f"{len(doc.get(k, []))} {k}" for k in ("entities", "mentions", "events", "relations", "claims"))
    return f"draft ({draft.language}, {counts}) in {draft.seconds:.2f} s; review it, then sahelkg check corpus"
