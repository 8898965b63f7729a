"""Stores: the embedded pyoxigraph store on disk, or a SPARQL 1.1 server, behind one interface.

:func:`locate` is the one place that tells from a location (``--store``: a directory or a URL)
which implementation it is; the rest of the library asks the :class:`~sahelkg.store.protocol.Location`,
:class:`~sahelkg.store.protocol.Store` or :class:`~sahelkg.store.protocol.BuildTarget` it gets
(:mod:`sahelkg.store.protocol`) what it can do.

>>> locate("http://localhost:7878/query").keeps_files, locate("build/store").keeps_files
(False, True)
"""

from __future__ import annotations

from pathlib import Path

from sahelkg.settings import Settings
from sahelkg.store.embedded import EmbeddedLocation, StoreLayout, directory_size, open_read_only, release_free_memory
from sahelkg.store.protocol import BuildTarget, Location, Store

__all__ = [
    "BuildTarget", "Location", "Store", "StoreLayout", "build_target", "directory_size", "generation", "locate",
    "open_read_only", "open_store", "release_free_memory", "store_stats",
]


def is_remote(location: str) -> bool:
    """True if ``location`` names a SPARQL server rather than a directory.

    >>> is_remote("http://localhost:7878/query"), is_remote("build/store")
    (True, False)
    """
    return str(location).startswith(("http://", "https://"))


def locate(location: Path | str) -> Location:
    """The store at ``location``: a SPARQL server's query endpoint (a URL) or a directory.

    Only the remote module imports the HTTP client, and only when a URL is given.
    """
    if is_remote(str(location)):
        from sahelkg.store.remote import RemoteLocation

        return RemoteLocation(str(location))
    return EmbeddedLocation(location)


def open_store(location: Path | str) -> Store:
    """The store at ``location``, for reading: the current generation of a directory, opened
    read-only, or the SPARQL server at a URL (:class:`sahelkg.store.remote.RemoteStore`).

    :raises StoreError: no store there, or it cannot be opened.
    """
    return locate(location).open()


def generation(location: Path | str) -> str:
    """The generation token of the store at ``location`` (changes after every successful build)."""
    return locate(location).generation()


def build_target(settings: Settings) -> BuildTarget:
    """Where a build of ``settings.store`` writes (:meth:`sahelkg.store.protocol.Location.build_target`)."""
    return locate(settings.store).build_target(settings)


def store_stats(store: Store, graph_base: str | None = None) -> dict[str, list[tuple[str, int]]]:
    """Counts per graph and per class (asserted or inferred types, each instance once).

    With ``graph_base``, only the graphs whose IRI starts with it count (a shared server's
    other graphs, such as Virtuoso's system graphs, are left out).
    """
    scope = "" if graph_base is None else f'FILTER (STRSTARTS(STR(?g), "{graph_base}"))'
    graphs = [
        (sol["g"].value, int(sol["n"].value))
        for sol in store.query(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {scope} }} GROUP BY ?g ORDER BY ?g")
    ]
    query = (f"SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a ?c }} {scope} }} GROUP BY ?c ORDER BY DESC(?n) ?c"
             if scope else "SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c")
    classes = [(sol["c"].value, int(sol["n"].value)) for sol in store.query(query, use_default_graph_as_union=not scope)]
    return {"graphs": graphs, "classes": classes}
