"""Exports of the built graph for the tools analysts already use: Gephi, Protégé, RDF, GraphML, ACLED.

Every export reads a :class:`pyoxigraph.Store` (never the corpus) and writes to a binary file
object; :func:`export_store` opens the store of a :class:`~sahelkg.settings.Settings`, writes to a
file atomically (a temporary file renamed when complete, so a failed export leaves no half file)
or to standard output, and returns an :class:`ExportResult`.

========== ================================================ =======================================
format     module                                           memory
========== ================================================ =======================================
gexf       :mod:`~sahelkg.exports.gexf` (Gephi, GEXF 1.3)  the network of the projection
graphml    :mod:`~sahelkg.exports.graphml` (networkx)       the network of the projection
owl        :mod:`~sahelkg.exports.owl` (Protégé, RDF/XML)   bounded (individuals sorted on disk)
rdf        :mod:`~sahelkg.exports.dumps` (6 syntaxes)       bounded (streamed by pyoxigraph)
acled-csv  :mod:`~sahelkg.exports.acled` (one row/event)    bounded (row by row, bounded caches)
========== ================================================ =======================================

*Bounded*: besides the caches of pyoxigraph's RocksDB (at most 160 MiB whatever the store's size,
plus the index blocks of its table files, about 1 MB per 1,000 articles), which any read of a large
store fills; ``docs/exports.md`` has the figures.

>>> import io, pyoxigraph
>>> out = io.BytesIO()
>>> export(pyoxigraph.Store(), "rdf", out, rdf_format="nt").summary()
'rdf nt: 0 triples (union of all graphs, flattened: graph names dropped)'
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from sahelkg.errors import UsageError
from sahelkg.exports.common import LANGS, ExportResult, Progress, check_lang, no_progress
from sahelkg.exports.dumps import EXTENSIONS, RDF_FORMATS
from sahelkg.exports.network import PROJECTIONS
from sahelkg.vocab import DEFAULT_BASE

if TYPE_CHECKING:
    from sahelkg.settings import Settings

__all__ = [
    "FORMATS", "LANGS", "PROJECTIONS", "RDF_FORMATS", "ExportResult", "Progress", "export", "export_store",
    "rdf_format_for",
]

FORMATS = ("gexf", "graphml", "owl", "rdf", "acled-csv")
SUFFIXES = {"gexf": ".gexf", "graphml": ".graphml", "owl": ".owl", "acled-csv": ".csv"}


def rdf_format_for(path: str | Path | None) -> str:
    """The ``rdf`` syntax named by a file extension (``.ttl`` -> ``ttl``); N-Quads by default.

    >>> rdf_format_for("dump.ttl"), rdf_format_for("x.rdf"), rdf_format_for(None)
    ('ttl', 'rdfxml', 'nq')
    """
    if path is None:
        return "nq"
    ext = Path(str(path)).suffix.lower().lstrip(".")
    by_ext = {v: k for k, v in EXTENSIONS.items()} | {"owl": "rdfxml", "xml": "rdfxml", "json": "jsonld"}
    return by_ext.get(ext, "nq")


def export(store: ox.Store, fmt: str, out: BinaryIO, *, rdf_format: str | None = None, lang: str = "en",
           projection: str = "full", events: bool = True, graph: str | None = None,
           timestamp: int | None = None, base_iri: str = DEFAULT_BASE,
           progress: Progress = no_progress) -> ExportResult:
    """Write ``store`` to the binary stream ``out`` in ``fmt``.

    :param fmt: one of :data:`FORMATS`.
    :param rdf_format: ``rdf`` only: ``ttl``, ``nt``, ``nq`` (default), ``trig``, ``jsonld`` or ``rdfxml``.
    :param lang: ``en`` or ``fr``: language of labels (gexf, graphml, acled-csv place names).
    :param projection: gexf and graphml: ``full``, ``actors`` or ``event-place``.
    :param events: gexf and graphml, ``full`` projection: False hides the event nodes.
    :param graph: ``rdf`` only: write this named graph only.
    :param timestamp: ``acled-csv``: the ``timestamp`` column (Unix time).
    :param progress: ``progress(stage, done, total)`` callback for long exports.
    :returns: what was written (counts, notes, warnings).
    :raises UsageError: an unknown format or an option that does not apply to ``fmt``.
    """
    check_lang(lang)
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt != "rdf" and (rdf_format is not None or graph is not None):
        raise UsageError("--format and --graph apply to `export rdf` only")
    if fmt not in ("gexf", "graphml") and (projection != "full" or not events):
        raise UsageError("--projection and --no-events apply to `export gexf` and `export graphml` only")
    if fmt == "rdf":
        from sahelkg.exports.dumps import write_rdf

        return write_rdf(store, out, fmt=rdf_format or "nq", graph=graph, base_iri=base_iri, progress=progress)
    if fmt == "owl":
        from sahelkg.exports.owl import write_owl

        return write_owl(store, out, base_iri=base_iri, progress=progress)
    if fmt == "acled-csv":
        from sahelkg.exports.acled import write_acled

        return write_acled(store, out, lang=lang, timestamp=timestamp, base_iri=base_iri, progress=progress)
    from sahelkg.exports.network import read_network

    net = read_network(store, projection=projection, lang=lang, events=events, base_iri=base_iri, progress=progress)
    located = sum(1 for n in net.nodes.values() if "latitude" in n.attrs)
    timed = sum(1 for n in net.nodes.values() if n.spells) + sum(1 for e in net.edges if e.spells)
    result = ExportResult(fmt, "", len(net.nodes), "nodes", {"edges": len(net.edges), "with coordinates": located,
                                                             "dated nodes and edges": timed},
                          notes=[f"projection {projection}" + ("" if events else ", events hidden")])
    if fmt == "gexf":
        from sahelkg.exports.gexf import write_gexf

        write_gexf(net, out)
    else:
        from sahelkg.exports.graphml import write_graphml

        write_graphml(net, out, consume=True)  # the network is not needed after: freed as it is copied
    return result


def export_store(settings: Settings, fmt: str, output: str | Path | None = None, **options: object) -> ExportResult:
    """Export the store of ``settings`` to ``output`` (a path; None or ``-`` for standard output).

    A file is written under a temporary name in its folder and renamed when complete. ``rdf``
    takes its syntax from ``output``'s extension when ``rdf_format`` is not given. Other options
    are those of :func:`export`. A SPARQL server's graphs are copied into a temporary embedded
    store first (:meth:`sahelkg.store.protocol.Location.local_copy`).

    :raises StoreError: no store, or a remote server that cannot be read.
    """
    from sahelkg.store import locate

    with locate(settings.store).local_copy(settings.base_iri) as (store, built):
        if fmt == "acled-csv" and options.get("timestamp") is None:
            options["timestamp"] = built
        return _export_to(store, settings, fmt, output, **options)


def _create_beside(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (renamed onto it once written): its descriptor and name.

    Created with mode 0666 as ``open()`` would, so the kernel applies the umask (and a folder's
    default ACL): ``mkstemp`` makes 0600 files, and the export then replaced a 0644 file with one
    nobody else could read.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
        try:
            return os.open(tmp, flags, 0o666), str(tmp)
        except FileExistsError:
            continue


def _export_to(store: ox.Store, settings: Settings, fmt: str, output: str | Path | None, **options: object) -> ExportResult:
    options.setdefault("base_iri", settings.base_iri)
    to_stdout = output is None or str(output) == "-"
    if fmt == "rdf" and options.get("rdf_format") is None:
        options["rdf_format"] = rdf_format_for(None if to_stdout else output)
    if to_stdout:
        result = export(store, fmt, sys.stdout.buffer, **options)  # type: ignore[arg-type]
        sys.stdout.buffer.flush()
        result.output = "-"
        return result
    path = Path(str(output)).expanduser().absolute()
    if path.is_dir():
        raise UsageError(f"-o {output}: is a folder; give a file name (e.g. {path / ('sahelkg' + SUFFIXES.get(fmt, '.nq'))})")
    if not path.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {path.parent} does not exist")
    fd, tmp = _create_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            result = export(store, fmt, f, **options)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    result.output = str(output)
    return result
