"""A remote SPARQL 1.1 server as a store: Protocol queries, Update, and the Graph Store Protocol.

:class:`RemoteStore` answers the part of :class:`pyoxigraph.Store`'s interface that the library
uses (``query`` with the same keyword arguments and result types, ``update``, ``named_graphs``,
``contains_named_graph``, ``quads_for_pattern``, graph writes), so the queries, the SHACL validator,
``stats`` and the endpoint run on it unchanged. What differs between servers is handled in one
adapter per capability, chosen by a :class:`Profile` (detected from the server's ``Server`` header,
or set with ``SAHELKG_STORE_KIND``):

* :class:`Auth`: HTTP basic or digest (user and password) or a bearer token, from the environment;
* :class:`UnionDefaultGraph`: how to ask for the union of the named graphs as the default graph
  (Oxigraph's ``union-default-graph`` parameter, Virtuoso's native union, Fuseki's union graph, or
  the standard ``default-graph-uri``/``named-graph-uri`` list);
* :class:`Results`: the result formats asked for and parsed (SPARQL XML results everywhere; N-Triples
  for graphs; Virtuoso's ``__ASK_RETVAL`` table read as a boolean);
* :class:`Uploader`: the Graph Store Protocol (one N-Quads POST per batch where the server takes a
  dataset, one PUT per graph otherwise) or SPARQL Update ``INSERT DATA`` where there is no GSP, in
  batches of a bounded size, split in two and retried when the server answers 413.

Credentials come from the environment (read by :class:`sahelkg.settings.RemoteOptions`, docs/settings.md), never from the command line (a URL with a user or password
in it is refused):

=============================  ===================================================================
SAHELKG_STORE_USER/_PASSWORD   HTTP basic or digest credentials (the scheme the server asks for)
SAHELKG_STORE_AUTH             ``basic`` or ``digest`` to skip the discovery
SAHELKG_STORE_TOKEN            a bearer token
SAHELKG_STORE_UPDATE_URL       the Update endpoint (default: derived from the profile)
SAHELKG_STORE_GSP_URL          the Graph Store endpoint (default: derived; ``none``: use Update)
SAHELKG_STORE_KIND             oxigraph, virtuoso, fuseki, sahelkg or generic (default: detected)
SAHELKG_STORE_BATCH_BYTES      upload batch size in bytes (default 4 MB)
SAHELKG_STORE_TIMEOUT          seconds per request (default 600)
=============================  ===================================================================

>>> RemoteStore("http://user:secret@localhost:7878/query")
Traceback (most recent call last):
...
sahelkg.errors.StoreError: http://localhost:7878/query: credentials in the URL are refused (they end up in shell history and process lists); set SAHELKG_STORE_USER and SAHELKG_STORE_PASSWORD, or SAHELKG_STORE_TOKEN
"""

from __future__ import annotations

import gc
import json
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph

from sahelkg.errors import StoreError, TooLarge
from sahelkg.iris import Iris, iri
from sahelkg.settings import RemoteOptions
from sahelkg.sparql import inject_values, query_form, substitute_terms, with_base

if TYPE_CHECKING:
    from sahelkg.settings import Settings
    from sahelkg.store.remote_build import RemoteTarget

XML_RESULTS = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
FORM = "application/x-www-form-urlencoded"
MANIFEST_PREDICATE = "https://w3id.org/sahelkg/build#manifest"  # in a remote build's graph (sahelkg.iris.Iris.build_graph)
MANIFEST_PART_CHARS = 8_000  # a part's literal stays far below the 64 KiB Virtuoso reads to guess an upload's syntax
REMOTE_GENERATION_SECONDS = 60


# --------------------------------------------------------------------------- server profiles

@dataclass(frozen=True)
class Profile:
    """What one kind of server does its own way.

    ``update`` and ``gsp`` are paths relative to the query endpoint's parent (``None``: the same
    URL as the query endpoint; ``gsp=""``: no Graph Store Protocol). ``auth_update``/``auth_gsp``
    replace them when credentials are given (Virtuoso serves writes on separate ``-auth`` paths).
    """

    kind: str
    update: str | None
    gsp: str
    union: str  # "param:<name>", "native", "graph:<iri>" or "list"
    lateral: bool = False  # SEP-0006 LATERAL joins (Oxigraph)
    dataset_post: bool = False  # GSP: POST N-Quads without ?graph loads each quad into its graph
    auth_update: str | None = None
    auth_gsp: str | None = None
    # how parameters are bound: a VALUES block ("values"), or the terms written in place of the
    # variables ("substitute") where a VALUES binding does not reach FILTERs inside OPTIONAL
    bind: str = "values"
    # datatypes the server rewrites on load, read back as the datatype that was written
    datatype_aliases: tuple[tuple[str, str], ...] = ()
    # ``GRAPH ?g {}`` lists the named graphs from the server's graph index (else: scan the quads)
    lists_graphs: bool = False


PROFILES: dict[str, Profile] = {
    "oxigraph": Profile("oxigraph", "update", "store", "param:union-default-graph", lateral=True, dataset_post=True,
                        lists_graphs=True),
    "virtuoso": Profile("virtuoso", None, "sparql-graph-crud", "native",
                        auth_update="sparql-auth", auth_gsp="sparql-graph-crud-auth", bind="substitute",
                        datatype_aliases=(("http://www.openlinksw.com/schemas/virtrdf#Geometry",
                                           "http://www.opengis.net/ont/geosparql#wktLiteral"),)),
    "fuseki": Profile("fuseki", "update", "data", "graph:urn:x-arq:UnionGraph"),
    "sahelkg": Profile("sahelkg", None, "store", "param:union-default-graph", lateral=True, lists_graphs=True),
    "generic": Profile("generic", None, "", "list"),
}


def detect_kind(server_header: str) -> str:
    """The profile name for a ``Server`` response header.

    >>> detect_kind("Oxigraph/0.5.13"), detect_kind("Virtuoso/07.20.3229 (Linux)"), detect_kind("nginx")
    ('oxigraph', 'virtuoso', 'generic')
    """
    header = server_header.lower()
    for kind in ("oxigraph", "virtuoso", "fuseki", "sahelkg"):
        if kind in header:
            return kind
    return "generic"


# --------------------------------------------------------------------------- capability adapters

class Auth:
    """Credentials from the environment as an httpx auth: bearer token, basic or digest.

    With a user and no ``SAHELKG_STORE_AUTH``, the scheme is the one the server's first 401 asks for.
    """

    def __init__(self, options: RemoteOptions) -> None:
        self.user = options.user
        self.password = options.password
        self.token = options.token
        self.scheme = options.auth

    @property
    def given(self) -> bool:
        return bool(self.user or self.token)

    def httpx_auth(self) -> httpx.Auth | None:
        if self.token:
            return _Bearer(self.token)
        if not self.user:
            return None
        if self.scheme == "basic":
            return httpx.BasicAuth(self.user, self.password)
        if self.scheme == "digest":
            return httpx.DigestAuth(self.user, self.password)
        return _Negotiated(self.user, self.password)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class _Negotiated(httpx.Auth):
    """Basic or digest, whichever the server's ``WWW-Authenticate`` asks for (then remembered)."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        if self.chosen is not None:
            yield from self.chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        challenge = response.headers.get("www-authenticate", "").lower()
        self.chosen = (httpx.DigestAuth if challenge.startswith("digest") else httpx.BasicAuth)(self.user, self.password)
        yield from self.chosen.auth_flow(request)


class UnionDefaultGraph:
    """Request parameters that make the default graph the union of the named graphs."""

    def __init__(self, strategy: str, store: RemoteStore) -> None:
        self.strategy = strategy
        self.store = store

    def params(self) -> list[tuple[str, str]]:
        kind, _, arg = self.strategy.partition(":")
        if kind == "param":
            return [(arg, "true")]
        if kind == "graph":
            return [("default-graph-uri", arg)]
        if kind == "list":
            graphs = [g.value for g in self.store.named_graphs()]
            return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
        return []  # native: the server's default graph is already the union


class Results:
    """What to ask for and how to read it back as pyoxigraph's result types."""

    accept = f"{XML_RESULTS}, {N_TRIPLES};q=0.9, text/turtle;q=0.8"

    @staticmethod
    def read(response: httpx.Response, form: str, aliases: tuple[tuple[str, str], ...] = ()) -> Any:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = unalias(response.content, aliases)
        if media in (N_TRIPLES, "text/plain", "text/turtle", "application/turtle"):
            fmt = pyoxigraph.RdfFormat.N_TRIPLES if media != "text/turtle" else pyoxigraph.RdfFormat.TURTLE
            graph = pyoxigraph.Store()  # CONSTRUCT/DESCRIBE: give back a real QueryTriples
            graph.load(body, format=fmt)
            return graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
        formats = {XML_RESULTS: pyoxigraph.QueryResultsFormat.XML,
                   "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
                   "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV}
        if media not in formats:
            raise StoreError(f"{response.request.url}: the server answered {media or 'no content type'}, not SPARQL results")
        result = pyoxigraph.parse_query_results(body, formats[media])
        if form == "ASK" and isinstance(result, pyoxigraph.QuerySolutions):
            # Virtuoso answers ASK with a one-row table { __ASK_RETVAL: 0|1 }
            rows = list(result)
            value = bool(rows) and rows[0][0] is not None and rows[0][0].value not in ("0", "false")
            return pyoxigraph.parse_query_results('{"head":{},"boolean":%s}' % ("true" if value else "false"),
                                                  pyoxigraph.QueryResultsFormat.JSON)
        return result


def unalias(body: bytes, aliases: tuple[tuple[str, str], ...]) -> bytes:
    """``body`` with each datatype IRI the server substituted put back (Virtuoso stores
    ``geo:wktLiteral`` values as ``virtrdf:Geometry``)."""
    for theirs, ours in aliases:
        body = body.replace(theirs.encode(), ours.encode())
    return body


class Uploader:
    """Writes N-Quads lines into named graphs, in batches of at most ``batch_bytes``.

    Graph Store Protocol when the server has it: one POST of N-Quads per batch where the server
    takes a dataset (Oxigraph), else one PUT per graph (a graph larger than a batch goes as a PUT
    and POSTs); SPARQL Update ``INSERT DATA`` otherwise. A 413 answer splits the batch in two.
    """

    def __init__(self, store: RemoteStore, batch_bytes: int, display: Callable[[str], str] = str) -> None:
        self.store = store
        self.batch_bytes = batch_bytes
        self.display = display  # the name a graph is reported under (a build reports its final name)

    def put(self, graphs: Iterable[tuple[str, list[str]]]) -> None:
        """Replace each graph by the quads (N-Quads lines, the graph in each line) given for it."""
        batch: list[tuple[str, list[str]]] = []
        size = 0
        for graph, lines in graphs:
            n = sum(len(line) for line in lines)
            if batch and size + n > self.batch_bytes:
                self._send(batch)
                batch, size = [], 0
            batch.append((graph, lines))
            size += n
        if batch:
            self._send(batch)

    def _send(self, batch: list[tuple[str, list[str]]]) -> None:
        try:
            self._send_once(batch)
        except StoreError as e:
            if str(e).startswith("uploading graph"):
                raise
            names = [f"<{self.display(g)}>" for g, _ in batch]
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            raise StoreError(f"uploading graph{'s' if len(names) > 1 else ''} {shown}: {e}; "
                             "the graphs already on the server are unchanged") from e

    def _send_once(self, batch: list[tuple[str, list[str]]]) -> None:
        store = self.store
        try:
            if store.gsp_url and store.profile.dataset_post:
                # a POST adds: only graphs the server does not hold yet are uploaded (staging or new ones)
                body = "".join(line for _, lines in batch for line in lines).encode("utf-8")
                store.request("POST", store.gsp_url, content=body, headers={"Content-Type": N_QUADS})
            elif store.gsp_url:
                for graph, lines in batch:
                    body = _triples_body(lines)
                    store.request("PUT", store.gsp_url, params={"graph": graph}, content=body,
                                  headers={"Content-Type": N_TRIPLES})
            else:
                parts = [f"GRAPH <{graph}> {{\n{''.join(_triple_line(line) for line in lines)}}}\n" for graph, lines in batch]
                store.update("INSERT DATA {\n" + "".join(parts) + "}")
        except TooLarge:
            if len(batch) == 1 and len(batch[0][1]) > 1:
                graph, lines = batch[0]
                half = len(lines) // 2
                first, second = lines[:half], lines[half:]
                self._send([(graph, first)])
                self._append(graph, second)
                return
            if len(batch) == 1:
                raise StoreError(f"{store.url}: graph <{batch[0][0]}>: one quad is larger than the server accepts") from None
            self.batch_bytes = max(1024, self.batch_bytes // 2)
            half = len(batch) // 2
            self._send(batch[:half])
            self._send(batch[half:])

    def _append(self, graph: str, lines: list[str]) -> None:
        store = self.store
        try:
            if store.gsp_url:
                body = _triples_body(lines)
                store.request("POST", store.gsp_url, params={"graph": graph}, content=body,
                              headers={"Content-Type": N_TRIPLES})
            else:
                store.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{''.join(_triple_line(line) for line in lines)}}} }}")
        except TooLarge:
            if len(lines) == 1:
                raise StoreError(f"{store.url}: graph <{graph}>: one quad is larger than the server accepts") from None
            half = len(lines) // 2
            self._append(graph, lines[:half])
            self._append(graph, lines[half:])


SNIFFED_BYTES = 65_536  # Virtuoso 7.2 guesses a Graph Store upload's syntax from its first 64 KiB


def _triples_body(nquads: list[str]) -> bytes:
    """The N-Triples body of a Graph Store upload of ``nquads``, a short line first.

    Virtuoso 7.2 ignores the Content-Type of a Graph Store PUT or POST and guesses the syntax from
    the start of the body: when the first line is longer than that (an article's ``sk:text``), the
    guess fails and the server answers 500 "unsupported type text/plain". The order of the triples
    means nothing, so a line short enough goes first.

    >>> [len(line) for line in _triples_body(["<a> <p> " + '"' + "x" * 70_000 + '" <g> .', '<a> <p> "y" <g> .']).decode().splitlines()]
    [13, 70012]
    """
    lines = [_triple_line(line) for line in nquads]
    if lines and len(lines[0]) >= SNIFFED_BYTES // 4:  # 4: the most bytes a character takes in UTF-8
        short = next((i for i, line in enumerate(lines) if len(line) < SNIFFED_BYTES // 4), None)
        if short is not None:
            lines[0], lines[short] = lines[short], lines[0]
    return "".join(lines).encode("utf-8")


def _triple_line(nquad: str) -> str:
    """An N-Quads line ``s p o <g> .`` as the N-Triples line ``s p o .`` (the graph is the last IRI)."""
    body = nquad.rstrip()[:-1].rstrip()
    return body[: body.rfind("<")].rstrip() + " .\n"


# --------------------------------------------------------------------------- the store

class RemoteStore:
    """A SPARQL 1.1 server at ``url`` (its query endpoint), used like a :class:`pyoxigraph.Store`.

    :raises StoreError: a URL with credentials, an unknown ``SAHELKG_STORE_KIND``, or (on first use)
        a server that cannot be reached.
    """

    def __init__(self, url: str, env: Mapping[str, str] | None = None) -> None:
        parts = urlsplit(url)
        if parts.username or parts.password:
            clean = urlunsplit(parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")))
            raise StoreError(f"{clean}: credentials in the URL are refused (they end up in shell history and process "
                             "lists); set SAHELKG_STORE_USER and SAHELKG_STORE_PASSWORD, or SAHELKG_STORE_TOKEN")
        self.url = url
        self.options = options = RemoteOptions.from_env(env)  # env None: the process's environment
        self.auth = Auth(options)
        self.timeout = options.timeout
        self.batch_bytes = options.batch_bytes
        self._client = httpx.Client(auth=self.auth.httpx_auth(), timeout=self.timeout, follow_redirects=True)
        self._profile: Profile | None = None
        kind = options.kind
        if kind:
            if kind not in PROFILES:
                raise StoreError(f"SAHELKG_STORE_KIND={kind!r}: use one of {', '.join(PROFILES)}")
            self._profile = PROFILES[kind]

    def __repr__(self) -> str:
        return f"<RemoteStore {self.url}>"

    # ---- profile and endpoints
    @property
    def profile(self) -> Profile:
        if self._profile is None:
            response = self.request("GET", self.url, params={"query": "ASK { }"}, headers={"Accept": XML_RESULTS})
            self._profile = PROFILES[detect_kind(response.headers.get("server", ""))]
        return self._profile

    def _sibling(self, path: str | None) -> str:
        if path is None:
            return self.url
        parts = urlsplit(self.url)
        parent = parts.path.rsplit("/", 1)[0]
        return urlunsplit(parts._replace(path=f"{parent}/{path}", query=""))

    @property
    def update_url(self) -> str:
        given = self.options.update_url
        if given:
            return given
        p = self.profile
        return self._sibling(p.auth_update if (self.auth.given and p.auth_update) else p.update)

    @property
    def gsp_url(self) -> str | None:
        given = self.options.gsp_url
        if given:
            return None if given.lower() == "none" else given
        p = self.profile
        path = p.auth_gsp if (self.auth.given and p.auth_gsp) else p.gsp
        return self._sibling(path) if path else None

    @property
    def supports_lateral(self) -> bool:
        return self.profile.lateral

    # ---- HTTP
    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One HTTP request; errors become :class:`StoreError` (or :class:`SyntaxError` for a 400 on a query)."""
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as e:
            raise StoreError(f"{url}: no answer within {self.timeout:g} s (SAHELKG_STORE_TIMEOUT)") from e
        except httpx.HTTPError as e:
            raise StoreError(f"{url}: cannot reach the SPARQL server: {e}; is it running?") from e
        if response.status_code == 413:
            raise TooLarge(f"{method} {url}: HTTP 413, the server refused the request as too large")
        if response.status_code in (401, 403):
            hint = "set SAHELKG_STORE_USER and SAHELKG_STORE_PASSWORD, or SAHELKG_STORE_TOKEN" if not self.auth.given \
                else "check the credentials in SAHELKG_STORE_USER/SAHELKG_STORE_PASSWORD or SAHELKG_STORE_TOKEN"
            raise StoreError(f"{url}: HTTP {response.status_code}, the server refused the request: {hint}")
        if response.status_code >= 400:
            message = _server_message(response)
            if response.status_code == 400:
                raise SyntaxError(message)
            raise StoreError(f"{method} {url}: HTTP {response.status_code}: {message}")
        return response

    def close(self) -> None:
        self._client.close()

    # ---- the pyoxigraph.Store interface the library uses
    def query(self, query: str, *, use_default_graph_as_union: bool = False,
              default_graph: Any = None, named_graphs: Any = None,
              substitutions: Mapping[pyoxigraph.Variable, Any] | None = None, base_iri: str | None = None) -> Any:
        """Evaluate ``query`` on the server; returns QuerySolutions, QueryBoolean or QueryTriples."""
        if substitutions:
            terms = {v.value: str(t) for v, t in substitutions.items()}
            query = substitute_terms(query, terms) if self.profile.bind == "substitute" else inject_values(query, terms)
        query = with_base(query, base_iri)
        params: list[tuple[str, str]] = [("query", query)]
        if default_graph is not None or named_graphs is not None:
            defaults = default_graph if isinstance(default_graph, list) else [default_graph] if default_graph else []
            params += [("default-graph-uri", g.value) for g in defaults if isinstance(g, pyoxigraph.NamedNode)]
            params += [("named-graph-uri", g.value) for g in named_graphs or []]
        elif use_default_graph_as_union:
            params += UnionDefaultGraph(self.profile.union, self).params()
        response = self.request("POST", self.url, content=urlencode(params).encode("ascii"),
                                headers={"Accept": Results.accept, "Content-Type": FORM})
        return Results.read(response, query_form(query) or "SELECT", self.profile.datatype_aliases)

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        update = with_base(update, base_iri)
        self.request("POST", self.update_url, content=urlencode({"update": update}).encode("ascii"),
                     headers={"Content-Type": FORM})

    def named_graphs(self) -> list[pyoxigraph.NamedNode]:
        pattern = "{ }" if self.profile.lists_graphs else "{ ?s ?p ?o }"  # Virtuoso answers GRAPH ?g {} unbound
        # GROUP BY, not DISTINCT: Virtuoso 7.2 takes 45-65 s for DISTINCT ?g over 25k quads, 0.2 s for this
        rows = self.query(f"SELECT ?g WHERE {{ GRAPH ?g {pattern} }} GROUP BY ?g")
        return [r["g"] for r in rows if isinstance(r["g"], pyoxigraph.NamedNode)]

    def contains_named_graph(self, graph: pyoxigraph.NamedNode) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[pyoxigraph.Quad]:
        s, p, o = (str(t) if t is not None else f"?{v}" for t, v in ((subject, "s"), (predicate, "p"), (object, "o")))
        if isinstance(graph_name, pyoxigraph.NamedNode):
            where, g = f"GRAPH {graph_name} {{ {s} {p} {o} }}", None
        elif isinstance(graph_name, pyoxigraph.DefaultGraph):
            where, g = f"{s} {p} {o}", pyoxigraph.DefaultGraph()
        else:
            where, g = f"GRAPH ?g {{ {s} {p} {o} }}", None
        for row in self.query(f"SELECT * WHERE {{ {where} }}"):
            yield pyoxigraph.Quad(
                subject if subject is not None else row["s"],
                predicate if predicate is not None else row["p"],
                object if object is not None else row["o"],
                graph_name if isinstance(graph_name, pyoxigraph.NamedNode) else g or row["g"],
            )

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value)

    def add_graph(self, graph: pyoxigraph.NamedNode) -> None:
        self.update(f"CREATE SILENT GRAPH {graph}")

    def clear_graph(self, graph: Any) -> None:
        self.update("CLEAR SILENT DEFAULT" if isinstance(graph, pyoxigraph.DefaultGraph) else f"CLEAR SILENT GRAPH {graph}")

    def remove_graph(self, graph: pyoxigraph.NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def extend(self, quads: Iterable[pyoxigraph.Quad]) -> None:
        by_graph: dict[str, list[str]] = {}
        default: list[str] = []
        for q in quads:
            line = f"{q.subject} {q.predicate} {q.object} .\n"
            if isinstance(q.graph_name, pyoxigraph.NamedNode):
                by_graph.setdefault(q.graph_name.value, []).append(line)
            else:
                default.append(line)
        parts = [f"GRAPH <{g}> {{\n{''.join(lines)}}}\n" for g, lines in by_graph.items()] + default
        if parts:
            self.update("INSERT DATA {\n" + "".join(parts) + "}")

    def flush(self) -> None:
        """Nothing to do: each request is committed by the server."""

    # ---- bulk graph operations (the build)
    def upload(self, graphs: Iterable[tuple[str, list[str]]], display: Callable[[str], str] = str) -> int:
        """Write graphs that do not exist yet from N-Quads lines, in batches; returns the batch size used.
        ``display`` gives the name a failed graph is reported under."""
        uploader = Uploader(self, self.batch_bytes, display)
        uploader.put(graphs)
        return uploader.batch_bytes

    def drop_graphs(self, graphs: Iterable[str], *, batch: int = 200) -> None:
        self._in_batches([f"DROP SILENT GRAPH <{g}>" for g in graphs], batch)

    def move_graphs(self, moves: Iterable[tuple[str, str]], *, batch: int = 200) -> None:
        """``MOVE SILENT <a> TO <b>`` for each pair: b gets a's triples, a is dropped (b is emptied
        first, and a graph that does not exist leaves b empty)."""
        self._in_batches([f"DROP SILENT GRAPH <{b}> ; MOVE SILENT <{a}> TO <{b}>" for a, b in moves], batch)

    def _in_batches(self, operations: list[str], batch: int) -> None:
        for i in range(0, len(operations), batch):
            self.update(" ;\n".join(operations[i:i + batch]))

    def graph_ntriples(self, graph: str) -> bytes:
        """The triples of one graph as N-Triples (GSP GET where available, else CONSTRUCT)."""
        if self.gsp_url:
            response = self.request("GET", self.gsp_url, params={"graph": graph}, headers={"Accept": N_TRIPLES})
            if response.headers.get("content-type", "").startswith((N_TRIPLES, "text/plain")):
                return unalias(response.content, self.profile.datatype_aliases)
        triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""

    def data_graphs(self, iris: Iris) -> list[str]:
        """The graphs under ``iris``'s base that hold data (not a build's manifest, staging or backups)."""
        return sorted(g.value for g in self.named_graphs() if iris.is_data_graph(g.value))

    def read_manifest(self, iris: Iris) -> dict[str, Any] | None:
        """The manifest of the last build into this server (None: none, or unreadable): the JSON
        text of :func:`manifest_lines`' parts in order (one literal on the graph's own IRI, as
        builds before the parts wrote it, is read as well)."""
        graph = iris.build_graph
        rows = list(self.query(f"SELECT ?part ?m WHERE {{ GRAPH <{graph}> {{ ?part <{MANIFEST_PREDICATE}> ?m }} }}"))
        parts = sorted((row["part"].value, row["m"].value) for row in rows)
        try:
            manifest = json.loads("".join(text for _, text in parts)) if parts else None
        except ValueError:
            return None
        return manifest if isinstance(manifest, dict) else None

    def snapshot(self, graphs: Iterable[str], into: pyoxigraph.Store) -> pyoxigraph.Store:
        """Copy ``graphs`` into the local store ``into`` (for exports, which read many small patterns)."""
        for g in graphs:
            data = self.graph_ntriples(g)
            if data:
                into.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(g))
        return into


def manifest_lines(graph: str, into: str, text: str) -> list[str]:
    """The N-Quads lines (in graph ``into``) that keep a build's manifest, its JSON ``text``, in the
    build graph ``graph``: one literal per part of :data:`MANIFEST_PART_CHARS` characters, on
    ``<graph#part-NNNNNN>``, in order. One literal of the whole text was refused by Virtuoso once it
    passed 64 KiB (a corpus of a few dozen articles), see :func:`_triples_body`.

    >>> [line.split(" ", 1)[0] for line in manifest_lines("urn:b", "urn:s", "x" * 16_001)]
    ['<urn:b#part-000000>', '<urn:b#part-000001>', '<urn:b#part-000002>']
    """
    return [f"{iri(f'{graph}#part-{n:06d}')} {iri(MANIFEST_PREDICATE)} {pyoxigraph.Literal(text[i:i + MANIFEST_PART_CHARS])} {iri(into)} .\n"
            for n, i in enumerate(range(0, max(len(text), 1), MANIFEST_PART_CHARS))]


def _server_message(response: httpx.Response) -> str:
    text = response.text.strip()
    text = re.sub(r"<[^>]+>", " ", text) if "<html" in text[:200].lower() else text
    text = re.sub(r"\s+", " ", text)
    return text[:800] or response.reason_phrase


class RemoteLocation:
    """A SPARQL server's query endpoint as the place of a store: :class:`sahelkg.store.protocol.Location`.

    A server keeps no files for sahelkg (no diff, no watcher) and is not watched for builds: its
    generation token changes every minute, so caches keyed by it (the endpoint's dataset
    statistics) are at most that old.
    """

    keeps_files = False

    def __init__(self, url: str, env: Mapping[str, str] | None = None) -> None:
        self.name = url
        self.env = env
        self._store: RemoteStore | None = None

    def exists(self) -> bool:
        return True

    def open(self, *, write: bool = False) -> RemoteStore:
        """The server, as a store (the same one each time: one HTTP client, one profile detection)."""
        if self._store is None:
            self._store = RemoteStore(self.name, self.env)
        return self._store

    def generation(self) -> str:
        return f"remote:{int(time.time() // REMOTE_GENERATION_SECONDS)}"

    def changed_since_build(self) -> bool | None:
        return None

    def stats(self, base_iri: str) -> dict[str, list[tuple[str, int]]]:
        """Only the graphs under ``base_iri`` count (a shared server's other graphs, such as
        Virtuoso's system graphs, are left out)."""
        from sahelkg.store import store_stats

        return store_stats(self.open(), Iris(base_iri).graph)

    def disk_size(self) -> int | None:
        return None

    def build_target(self, settings: Settings) -> RemoteTarget:
        """Staging graphs on the server; the build's caches go to ``<project>/build/cache/`` (a
        server holds only graphs)."""
        from sahelkg.store.remote_build import RemoteTarget

        return RemoteTarget(self.name, settings.base_iri, settings.root / "build" / "cache")

    @contextmanager
    def local_copy(self, base_iri: str) -> Iterator[tuple[pyoxigraph.Store, int | None]]:
        """The server's graphs under ``base_iri`` copied into a temporary embedded store (the
        exports read many small patterns: one local copy beats thousands of round trips), deleted
        on leaving."""
        folder = tempfile.mkdtemp(prefix="sahelkg-export-")
        try:
            yield _copy(self.open(), Iris(base_iri), Path(folder))
        finally:
            gc.collect()  # pyoxigraph closes the copy when its last reference goes
            shutil.rmtree(folder, ignore_errors=True)


def remote_snapshot(settings: Settings, folder: Path) -> tuple[pyoxigraph.Store, int | None]:
    """The graphs under the base IRI of the remote server of ``settings``, copied into an embedded
    store in ``folder``, and the time of the remote build (for ACLED's ``timestamp``)."""
    return _copy(RemoteStore(settings.store), Iris(settings.base_iri), folder)


def _copy(remote: RemoteStore, iris: Iris, folder: Path) -> tuple[pyoxigraph.Store, int | None]:
    folder.mkdir(parents=True, exist_ok=True)
    store = remote.snapshot(remote.data_graphs(iris), pyoxigraph.Store(str(folder)))
    built = (remote.read_manifest(iris) or {}).get("built")
    return store, built if isinstance(built, int) else None
