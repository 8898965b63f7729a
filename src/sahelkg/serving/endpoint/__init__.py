"""The SPARQL endpoint: the SPARQL 1.1 Protocol, the Graph Store Protocol, service description and VoID.

A Starlette app (served by uvicorn) in front of a pool of worker *processes*. Each worker
opens the store read-only (:func:`sahelkg.store.open_read_only`), reopens it when the store's
generation changes, and parses, evaluates and serializes every query on its own main thread,
returning bytes. That design follows from what pyoxigraph 0.5 can and cannot do:

* it has no query timeout or cancellation, so a runaway query is stopped by killing the
  worker process (SIGKILL) and starting a replacement; the client gets ``504``;
* a result iterated on another thread than the one that ran the query aborts the process,
  so a worker never hands a live result to anyone: it serializes it itself;
* a store has one writer; in write mode (a write token given) the pool is one worker that
  holds the store read-write and runs queries and writes one at a time.

See ``docs/endpoint.md`` for the routes, the status codes and the limits.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS_FORMATS).name
'xml'
>>> uses_network("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
True
>>> uses_network('SELECT * { ?s ?p "SERVICE <http://example.org/sparql>" } # SERVICE')
False
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import importlib.util
import json
import logging
import math
import multiprocessing
import os
import pickle
import re
import select
import signal
import socket
import struct
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pyoxigraph
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sahelkg.errors import QueryError, StoreError
from sahelkg.queries import describe_syntax_error, quote_line
from sahelkg.store import generation, locate

log = logging.getLogger("sahelkg.serving.endpoint")

DEFAULT_WORKERS = 4
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_RESULT_BYTES = 50_000_000
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_QUERY_CHARS = 100_000
MAX_QUEUED = 1000  # requests waiting for a worker beyond this many get 503 at once
MAX_QUEUED_PER_CLIENT = 100  # one client's requests waiting beyond this many get 429 at once
# A client whose query ran long (or was stopped for it) counts as heavy this long after, so that
# sending it again at once does not let it take the base workers the light queries need.
HEAVY_MEMORY_S = 30.0
# A query still running after this long is demoted (its worker gets nice 10), so that on a
# small machine the light queries that keep arriving get the CPU first; and from then on the
# server watches for the client hanging up, which stops the query.
LONG_QUERY_S = 1.0
DEMOTED_NICE = 19

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "formats": FORMATS_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "ent": "http://www.w3.org/ns/entailment/",
}


class EndpointError(QueryError):
    """A request the endpoint refuses or cannot answer; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# --------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class Format:
    """One serialization the endpoint can answer in."""

    name: str
    media_type: str
    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE, service description, VoID)
    aliases: tuple[str, ...] = ()
    w3c: str = ""  # its IRI in http://www.w3.org/ns/formats/, for the service description

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    def pyoxigraph_format(self) -> pyoxigraph.QueryResultsFormat | pyoxigraph.RdfFormat:
        if self.kind == "results":
            return pyoxigraph.QueryResultsFormat.from_media_type(self.media_type)
        return pyoxigraph.RdfFormat.from_media_type(self.media_type)


# In order of preference: the first one a client accepts equally well wins.
RESULTS_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "results", ("application/json",), "SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", "results", ("application/xml", "text/xml"), "SPARQL_Results_XML"),
    Format("csv", "text/csv", "results", (), "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "results", (), "SPARQL_Results_TSV"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", "text/turtle", "graph", ("application/x-turtle", "application/turtle"), "Turtle"),
    Format("ntriples", "application/n-triples", "graph", (), "N-Triples"),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/xml", "text/xml"), "RDF_XML"),
    Format("jsonld", "application/ld+json", "graph", ("application/json",), "JSON-LD"),
    Format("nquads", "application/n-quads", "graph", (), "N-Quads"),
    Format("trig", "application/trig", "graph", (), "TriG"),
    Format("n3", "text/n3", "graph", ("text/rdf+n3",), "N3"),
)
_BY_NAME = {f.name: f for f in (*RESULTS_FORMATS, *GRAPH_FORMATS)}
# ``format=`` names: (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "nquads": (None, "nquads"),
    "nq": (None, "nquads"),
    "trig": (None, "trig"),
    "n3": (None, "n3"),
}


def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = media + "/*" if media == "*" else media + "/"
        main, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((main, sub, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, str, float]]) -> float:
    """The q-value the most specific matching media range gives ``media_type`` (RFC 9110 12.5.1)."""
    main, _, sub = media_type.partition("/")
    best_specificity, q = -1, 0.0
    for r_main, r_sub, r_q in ranges:
        if r_main == main and r_sub == sub:
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif r_main == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity or (specificity == best_specificity and r_q > q):
            best_specificity, q = specificity, r_q
    return q


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """The format of ``formats`` that the ``Accept`` header prefers, None if it accepts none.

    Without an ``Accept`` header the first format is the answer; ties go to the earlier format.

    >>> negotiate(None, GRAPH_FORMATS).name
    'turtle'
    >>> negotiate("application/rdf+xml;q=0.9, text/turtle;q=0.2", GRAPH_FORMATS).name
    'rdfxml'
    >>> negotiate("image/png", GRAPH_FORMATS) is None
    True
    """
    if not accept or not accept.strip():
        return formats[0]
    ranges = _parse_accept(accept)
    exact = [r for r in ranges if "*" not in r[:2]]
    best, best_q = None, 0.0
    for fmt in formats:
        # Aliases (application/json, text/xml...) count when named, not through a wildcard such as text/*.
        q = max([_quality(fmt.media_type, ranges)] + [_quality(m, exact) for m in fmt.aliases])
        if q > best_q:
            best, best_q = fmt, q
    return best


@functools.lru_cache(maxsize=512)  # clients send the same few Accept headers over and over
def _formats_for(format_param: str | None, accept: str | None) -> tuple[Format | None, Format | None]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE) from ``format=`` or the Accept header."""
    if format_param:
        key = format_param.strip().lower()
        if key in FORMAT_NAMES:
            results, graph = FORMAT_NAMES[key]
            return (_BY_NAME[results] if results else None, _BY_NAME[graph] if graph else None)
        if "/" not in key:
            names = ", ".join(FORMAT_NAMES)
            raise EndpointError(406, f"unknown format {format_param!r}: use one of {names}, or a media type")
        accept = format_param
    return negotiate(accept, RESULTS_FORMATS), negotiate(accept, GRAPH_FORMATS)


def _not_acceptable(formats: Sequence[Format], what: str) -> EndpointError:
    offered = ", ".join(f.media_type for f in formats)
    return EndpointError(406, f"no acceptable format for {what}: the endpoint offers {offered}")


# --------------------------------------------------------------------------- query text scanning

# A lexer for SPARQL good enough to tell keywords from strings, IRIs, comments, prefixed
# names and variables (its string, IRI and comment rules are the grammar's). pyoxigraph does
# not expose its parser, so this is how SERVICE, LOAD, FROM, USING and WITH are found. Where
# the lexer and the parser could disagree, the lexer errs towards seeing keywords: text it
# cannot read as a string or an IRI it reads as code, and the network check (uses_network)
# also scans the text with its \u escapes decoded. A false alarm refuses a query; a miss
# would let it reach the network.
_PN_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN_RE = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            r'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"(?:[^"\\\r\n]|\\.)*"'
            r"|'(?:[^'\\\r\n]|\\.)*')",
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
            r"(?P<var>[?$]\w*)",
            r"(?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w.\-:%]|" + _PN_LOCAL_ESC + r")*|_:[\w.\-]*)",
            r"(?P<word>[A-Za-z]+)",
            r"(?P<brace>[{}])",
            r"(?P<other>.)",
        ]
    ),
    re.S,
)
_UNICODE_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Keyword:
    """A keyword of a query or update, with where it starts and how deep in ``{ }`` it is."""

    word: str  # upper case
    start: int
    depth: int


def keywords(text: str) -> list[Keyword]:
    """The keywords of ``text``: bare words outside strings, IRIs, comments, names and variables.

    >>> [k.word for k in keywords('SELECT ?from { ?s <http://x/FROM> "FROM" } # FROM')]
    ['SELECT']
    """
    found, depth = [], 0
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            found.append(Keyword(m.group().upper(), m.start(), depth))
        elif kind == "brace":
            depth = depth + 1 if m.group() == "{" else max(0, depth - 1)
    return found


def _decode_escapes(text: str) -> str:
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group()

    return _UNICODE_ESCAPE_RE.sub(char, text)


def uses_network(text: str, *, update: bool = False, found: list[Keyword] | None = None) -> bool:
    """True if ``text`` may contain a ``SERVICE`` (or, in an update, ``LOAD``) operation.

    Conservative: a keyword found in the text or in the text with its ``\\u`` escapes decoded counts.
    ``found`` is ``keywords(text)`` if the caller has it already.
    """
    words = {"SERVICE", "LOAD"} if update else {"SERVICE"}
    lowered = text.lower()
    escaped = "\\u" in lowered
    if not escaped and not any(w.lower() in lowered for w in words):
        return False  # the keyword is nowhere in the text, not even in a string
    if any(k.word in words for k in (found if found is not None else keywords(text))):
        return True
    if escaped:
        return any(k.word in words for k in keywords(_decode_escapes(text)))
    return False


def has_dataset_clause(query: str, found: list[Keyword] | None = None) -> bool:
    """True if the query names its own dataset with ``FROM`` or ``FROM NAMED``."""
    if "from" not in query.lower():
        return False
    return any(k.word == "FROM" for k in (found if found is not None else keywords(query)))


def add_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with ``USING``/``USING NAMED`` clauses for the protocol's ``using-graph-uri`` and
    ``using-named-graph-uri`` inserted before the ``WHERE`` of every DELETE/INSERT operation.

    :raises EndpointError: (400) if the update has its own ``USING`` or ``WITH`` clause.

    >>> add_using("INSERT { ?s a <http://x/C> } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s a <http://x/C> } USING <http://g> WHERE { ?s ?p ?o }'
    """
    if not using and not using_named:
        return update
    tokens = keywords(update)
    if any(k.depth == 0 and k.word in ("USING", "WITH") for k in tokens):
        raise EndpointError(
            400,
            "the update has a USING or WITH clause and the request gives using-graph-uri or "
            "using-named-graph-uri: the SPARQL protocol forbids both at once",
        )
    clause = "".join(f"USING <{g}> " for g in using) + "".join(f"USING NAMED <{g}> " for g in using_named)
    out, last, previous = [], 0, None
    for k in tokens:
        if k.depth == 0 and k.word == "WHERE" and previous != "DELETE":
            out.append(update[last : k.start])
            out.append(clause)
            last = k.start
        previous = k.word if k.depth == 0 else previous
    out.append(update[last:])
    return "".join(out)


def _describe_syntax_error(error: SyntaxError, text: str, what: str) -> str:
    """What is wrong, as a person would say it, at its line and column, the line quoted."""
    if what in ("query", "update"):
        line, column, rest = describe_syntax_error(error, text)
    else:
        m = re.match(r"error at (\d+):(\d+): (.*)", str(error), re.S)
        line, column, rest = (int(m.group(1)), int(m.group(2)), m.group(3)) if m else (None, None, str(error))
    if line is None or column is None:
        return f"malformed {what}: {rest}"
    return f"malformed {what} at line {line}, column {column}: {rest}{quote_line(text, line, column)}"


# --------------------------------------------------------------------------- the worker process

_FRAME = struct.Struct("!QQ")  # header length, body length


def _send_frame(sock: socket.socket, head: bytes, body: bytes = b"") -> None:
    frame = _FRAME.pack(len(head), len(body)) + head
    if len(body) < 1 << 20:
        sock.sendall(frame + body)  # one write: the server wakes up once
    else:
        sock.sendall(frame)
        sock.sendall(body)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise EOFError
        got += k
    return bytes(buf)


class _TooLarge(Exception):
    pass


class _LimitedWriter:
    """A binary file that refuses to grow past ``limit`` bytes (so a huge result stops early)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _graph_name(iri: str | None) -> pyoxigraph.NamedNode | pyoxigraph.DefaultGraph:
    return pyoxigraph.DefaultGraph() if iri is None else pyoxigraph.NamedNode(iri)


def _error(status: int, message: str) -> dict[str, Any]:
    return {"ok": False, "status": status, "message": message}


class _WorkerState:
    """What a worker process holds: the store, opened for the generation it was opened at."""

    def __init__(self, store_path: str, read_write: bool) -> None:
        self.store_path = store_path
        self.location = locate(store_path)
        self.read_write = read_write
        self.store: pyoxigraph.Store | None = None
        self.token: str | None = None

    def current_store(self) -> pyoxigraph.Store:
        # a readlink for a directory (cheap enough to do before every job); a SPARQL server's
        # queries and writes are forwarded to it (writes still need this endpoint's token)
        token = self.location.generation()
        if self.store is None or token != self.token:
            self.store = None  # let go of the old generation before opening the new one
            # a RemoteStore answers the same calls
            self.store = cast(pyoxigraph.Store, self.location.open(write=self.read_write))
            self.token = token
        return self.store

    def run(self, job: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
        op = job["op"]
        try:
            if op == "ping":
                return {"ok": True, "pid": os.getpid()}, b""
            store = self.current_store()
            if op == "query":
                return self._query(store, job)
            if op == "update":
                return self._update(store, job)
            if op == "stats":
                return {"ok": True}, json.dumps(_dataset_stats(store)).encode()
            if op.startswith("graph_"):
                return self._graph(store, op, job, data)
            return _error(500, f"unknown job {op!r}"), b""
        except StoreError as e:
            return _error(503, str(e)), b""
        except _TooLarge:
            limit = job.get("max_bytes", 0)
            return _error(500, f"result larger than {limit} bytes: ask for less (LIMIT, fewer variables)"), b""
        except SyntaxError as e:
            what = "update" if op == "update" else "query" if op == "query" else "RDF payload"
            text = job.get("text", "")
            return _error(400, _describe_syntax_error(e, text, what) if text else f"malformed {what}: {e}"), b""
        except OSError as e:
            return _error(500, f"evaluation failed: {e}"), b""
        except ValueError as e:
            return _error(400, f"invalid request: {e}"), b""
        except Exception as e:  # a worker must answer; the main process logs it
            return _error(500, f"internal error in the query worker: {type(e).__name__}: {e}"), b""

    def _query(self, store: pyoxigraph.Store, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        kwargs: dict[str, Any] = {}
        if job["default_graphs"] is not None:
            kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job["default_graphs"]]
            kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job["named_graphs"]]
        elif job["union"]:
            kwargs["use_default_graph_as_union"] = True
        result = store.query(job["text"], base_iri=job["base_iri"], **kwargs)
        graph = isinstance(result, pyoxigraph.QueryTriples)
        name = job["graph_format"] if graph else job["results_format"]
        if name is None:
            formats = GRAPH_FORMATS if graph else RESULTS_FORMATS
            what = "a CONSTRUCT or DESCRIBE result" if graph else "a SELECT or ASK result"
            e = _not_acceptable(formats, what)
            return _error(e.status, e.message), b""
        fmt = _BY_NAME[name]
        out = _LimitedWriter(job["max_bytes"])
        result.serialize(out, format=fmt.pyoxigraph_format())
        return {"ok": True, "media_type": fmt.media_type, "format": fmt.name}, out.getvalue()

    def _update(self, store: pyoxigraph.Store, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        if not self.read_write:
            return _error(403, "this worker holds the store read-only"), b""
        store.update(job["text"], base_iri=job["base_iri"])
        store.flush()
        return {"ok": True}, b""

    def _graph(self, store: pyoxigraph.Store, op: str, job: dict[str, Any], data: bytes) -> tuple[dict[str, Any], bytes]:
        iri = job["graph"]
        name = _graph_name(iri)
        exists = iri is None or store.contains_named_graph(name)
        if op == "graph_get":
            if not exists:
                return _error(404, f"no graph <{iri}> in the store"), b""
            fmt = _BY_NAME[job["format"]]
            out = _LimitedWriter(job["max_bytes"])
            triples = (q.triple for q in store.quads_for_pattern(None, None, None, name))
            pyoxigraph.serialize(triples, out, format=fmt.pyoxigraph_format(), prefixes=job.get("prefixes"))
            return {"ok": True, "media_type": fmt.media_type}, out.getvalue()
        if not self.read_write:
            return _error(403, "this worker holds the store read-only"), b""
        if op == "graph_delete":
            if not exists:
                return _error(404, f"no graph <{iri}> in the store"), b""
            if iri is None:
                store.clear_graph(name)
            else:
                store.remove_graph(name)
            store.flush()
            return {"ok": True, "status": 204}, b""
        fmt = _BY_NAME[job["format"]]
        parsed = pyoxigraph.parse(
            data, format=fmt.pyoxigraph_format(), base_iri=job["base_iri"], without_named_graphs=True
        )
        quads = [pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in parsed]
        if op == "graph_put" and exists:
            store.clear_graph(name)
        if iri is not None and not exists:
            store.add_graph(name)
        store.extend(quads)
        store.flush()
        return {"ok": True, "status": 204 if exists else 201}, b""


def _dataset_stats(store: pyoxigraph.Store) -> dict[str, Any]:
    """The counts the VoID description states (run in a worker)."""

    def rows(query: str, **kwargs: Any) -> list[pyoxigraph.QuerySolution]:
        result = store.query(query, **kwargs)
        assert isinstance(result, pyoxigraph.QuerySolutions)
        return list(result)

    def number(term: Any) -> int:
        return int(term.value) if term is not None else 0

    graphs = [
        (row["g"].value, number(row["n"]))
        for row in rows("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    ]
    default = number(rows("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    classes = [
        (row["c"].value, number(row["n"]))
        for row in rows(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY ?c",
            use_default_graph_as_union=True,
        )
    ]
    properties = number(
        rows("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }", use_default_graph_as_union=True)[0]["n"]
    )
    return {
        "triples": default + sum(n for _, n in graphs),
        "default_graph_triples": default,
        "graphs": graphs,
        "classes": classes,
        "properties": properties,
    }


def _exit_when_orphaned(fd: int) -> None:
    # The server holds the other end of this socket: when it goes (even killed), stop, even in
    # the middle of a query the main thread is still evaluating.
    poller = select.poll()
    poller.register(fd, 0)  # POLLHUP and POLLERR are always reported
    while True:
        for _, event in poller.poll():
            if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                os._exit(0)


def _worker_main(sock: socket.socket, store_path: str, read_write: bool) -> None:
    """The loop of a worker process: receive a job, run it on this thread, send the answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group; the server stops us
    threading.Thread(target=_exit_when_orphaned, args=(sock.fileno(),), daemon=True).start()
    state = _WorkerState(store_path, read_write)
    try:
        state.current_store()  # warm up; a failure is reported with the first job instead
    except Exception:
        pass
    while True:
        try:
            head_len, body_len = _FRAME.unpack(_recv_exact(sock, _FRAME.size))
            job = pickle.loads(_recv_exact(sock, head_len))
            data = _recv_exact(sock, body_len) if body_len else b""
        except (EOFError, OSError):
            return
        head, body = state.run(job, data)
        try:
            _send_frame(sock, pickle.dumps(head), body)
        except OSError:
            return


# --------------------------------------------------------------------------- the pool


def _mp_context() -> multiprocessing.context.BaseContext:
    # forkserver: a clean process (no server threads, no open store) forks the workers, and
    # with this module preloaded a replacement worker starts in milliseconds.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sahelkg.serving.endpoint"])
        return ctx
    return multiprocessing.get_context("spawn")


class _Worker:
    """The server's handle on one worker process."""

    def __init__(self, process: multiprocessing.process.BaseProcess, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.jobs = 0
        self.demoted = False

    @property
    def pid(self) -> int | None:
        return self.process.pid

    async def call(self, head: bytes, body: bytes) -> tuple[dict[str, Any], bytes]:
        self.writer.write(_FRAME.pack(len(head), len(body)) + head)
        if body:
            self.writer.write(body)
        await self.writer.drain()
        head_len, body_len = _FRAME.unpack(await self.reader.readexactly(_FRAME.size))
        answer = pickle.loads(await self.reader.readexactly(head_len))
        data = await self.reader.readexactly(body_len) if body_len else b""
        self.jobs += 1
        return answer, data

    def demote(self) -> None:
        """Lower the priority of the worker's main thread (the one evaluating the query)."""
        if self.pid is not None:
            try:
                os.setpriority(os.PRIO_PROCESS, self.pid, DEMOTED_NICE)
                self.demoted = True
            except OSError:
                pass

    def restore_priority(self) -> bool:
        """Undo :meth:`demote`; False if not allowed (lowering a nice value needs CAP_SYS_NICE)."""
        if not self.demoted:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid or 0, 0)
        except OSError:
            return False
        self.demoted = False
        return True

    def kill(self) -> None:
        try:
            self.process.kill()
        except Exception:
            pass
        try:
            self.writer.close()
        except Exception:
            pass


@dataclass
class _Running:
    """A job on a worker: whose it is, when its time is up, and where it stands."""

    client: str | None
    deadline: float  # time.monotonic() at which it is stopped (504)
    heavy: bool  # holds one of the base workers that heavy clients share
    long: bool = False  # has run LONG_QUERY_S and moved out of the base
    refused: EndpointError | None = None  # stopped when it went long, with this answer


@dataclass
class _Client:
    """What the pool remembers about one client (an address)."""

    long: int = 0  # its queries running long now
    heavy_until: float = 0.0  # it counts as heavy until then (time.monotonic())


class WorkerPool:
    """Worker processes that run jobs one at a time each, shared fairly between clients.

    *The base* is ``size`` workers that take every job. A job still running after
    ``LONG_QUERY_S`` *goes long*: its worker is demoted (nice 10) and leaves the base, and a
    fresh worker takes its place, so that long queries never hold the workers that the light
    ones need. At most ``max_long`` jobs run long at once (a job that goes long beyond that is
    stopped: 503 with ``Retry-After``), at most ``max_long_per_client`` of one client's (429).

    A client is *heavy* while one of its queries runs long, and for ``HEAVY_MEMORY_S`` after one
    did or was stopped: heavy clients share ``size - size // 2`` of the base workers, so that
    whatever they send, half of the base stays for the others. Waiting jobs are served round
    robin between clients, each client's in order. A job that overruns its time limit gets its
    worker killed (SIGKILL). In write mode there is one worker and no lending (one process may
    hold the store read-write): a long job is demoted and keeps it.
    """

    def __init__(self, store_path: str, *, size: int, read_write: bool = False, max_long: int | None = None,
                 max_long_per_client: int | None = None) -> None:
        self.store_path = store_path
        self.size = size
        self.read_write = read_write
        self.max_long = 0 if read_write else (size if max_long is None else max_long)
        self.max_long_per_client = max(1, size // 2) if max_long_per_client is None else max_long_per_client
        self.heavy_share = size - size // 2  # base workers that heavy clients may hold at once
        self.replaced = 0  # workers killed in the middle of a job so far
        self._ctx = _mp_context()
        self._workers: set[_Worker] = set()
        self._idle: deque[_Worker] = deque()
        self._running: dict[_Worker, _Running] = {}
        self._long: set[_Worker] = set()
        self._queues: dict[str | None, deque[asyncio.Future[tuple[_Worker, bool]]]] = {}  # in turn order
        self._queued = 0
        self._clients: dict[str, _Client] = {}
        self._heavy_busy = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._start_lock = threading.Lock()
        self._started = False
        self._closed = False

    def pids(self) -> list[int]:
        """The process ids of the live workers (the base and the long jobs' ones)."""
        return sorted(w.pid for w in self._workers if w.pid is not None)

    def long_pids(self) -> list[int]:
        """The process ids of the workers running long jobs."""
        return sorted(w.pid for w in self._long if w.pid is not None)

    def start(self) -> None:
        """Start the workers in the background (returns at once)."""
        if self._started or self._closed:
            return
        self._started = True
        for _ in range(self.size):
            self._background(self._spawn())

    def _background(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _start_process(self, process: multiprocessing.process.BaseProcess) -> None:
        with self._start_lock:  # multiprocessing's start() is not meant to run on several threads at once
            process.start()

    async def _spawn(self) -> None:
        delay = 0.5
        while not self._closed:
            parent, child = socket.socketpair()
            process = self._ctx.Process(
                target=_worker_main, args=(child, self.store_path, self.read_write), daemon=True, name="sahelkg-sparql"
            )
            try:
                await asyncio.to_thread(self._start_process, process)
            except Exception:
                log.exception("cannot start a SPARQL worker process; retrying in %.1f s", delay)
                parent.close()
                child.close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            child.close()
            reader, writer = await asyncio.open_unix_connection(sock=parent)
            worker = _Worker(process, reader, writer)
            if self._closed:
                worker.kill()
                return
            self._workers.add(worker)
            self._release(worker)
            return

    async def _replace(self, worker: _Worker, *, spawn: bool = True) -> None:
        self._workers.discard(worker)
        worker.kill()
        # Wait until it is gone: in write mode the replacement must be able to lock the store.
        await asyncio.to_thread(worker.process.join, 10)
        if spawn and not self._closed:
            await self._spawn()

    # -- handing out workers

    def _client(self, key: str) -> _Client:
        state = self._clients.get(key)
        if state is None:
            if len(self._clients) > 10_000:  # forget the clients that have nothing going on
                now = time.monotonic()
                self._clients = {k: c for k, c in self._clients.items() if c.long or c.heavy_until > now}
            state = self._clients[key] = _Client()
        return state

    def _is_heavy(self, key: str | None) -> bool:
        state = self._clients.get(key) if key is not None else None
        return state is not None and (state.long > 0 or state.heavy_until > time.monotonic())

    def _may_start(self, key: str | None) -> tuple[bool, bool]:
        """(may a job of this client take a base worker now, is the client heavy)."""
        heavy = self._is_heavy(key)
        # half of the base workers there are now (a killed one's replacement may be starting) stays for the others
        base = len(self._workers) - len(self._long)
        return (not heavy or self._heavy_busy < min(self.heavy_share, base - self.size // 2)), heavy

    def _release(self, worker: _Worker) -> None:
        self._idle.append(worker)
        self._dispatch()

    def _dispatch(self) -> None:
        """Hand the idle workers to the waiting jobs, one client after the other."""
        while self._idle and self._queues:
            for key in list(self._queues):
                allowed, heavy = self._may_start(key)
                if not allowed:
                    continue
                queue = self._queues.pop(key)
                waiter = queue.popleft()
                self._queued -= 1
                if queue:
                    self._queues[key] = queue  # to the back of the line: the next client's turn
                if heavy:
                    self._heavy_busy += 1
                waiter.set_result((self._idle.pop(), heavy))  # the most recently used: warm caches
                break
            else:
                return  # the clients waiting are heavy and their share is taken

    async def _acquire(self, key: str | None, timeout: float) -> tuple[_Worker, bool]:
        allowed, heavy = self._may_start(key)
        if self._idle and allowed:  # nobody who may go is waiting (else _dispatch had served them)
            if heavy:
                self._heavy_busy += 1
            return self._idle.pop(), heavy
        if self._queued >= MAX_QUEUED:
            raise EndpointError(503, "too many queries waiting; try again later", {"Retry-After": "5"})
        queue = self._queues.setdefault(key, deque())
        if len(queue) >= MAX_QUEUED_PER_CLIENT:
            raise EndpointError(
                429, f"{len(queue)} of your queries are waiting already; send the next when one is answered",
                {"Retry-After": "1"},
            )
        waiter: asyncio.Future[tuple[_Worker, bool]] = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        self._queued += 1
        try:
            return await asyncio.wait_for(waiter, timeout)
        except BaseException as e:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                worker, was_heavy = waiter.result()  # handed a worker just as we gave up: pass it on
                if was_heavy:
                    self._heavy_busy -= 1
                self._release(worker)
            else:
                waiter.cancel()
                queue = self._queues.get(key, deque())
                if waiter in queue:
                    queue.remove(waiter)
                    self._queued -= 1
                    if not queue:
                        del self._queues[key]
            if isinstance(e, asyncio.TimeoutError):
                raise EndpointError(
                    503,
                    f"all {self.size} query workers stayed busy for {timeout:g} s; try again later",
                    {"Retry-After": "5"},
                ) from None
            raise

    # -- long jobs

    def _retry_after(self, key: str | None = None) -> dict[str, str]:
        """A ``Retry-After`` header: when the first long job (of client ``key``, if given) is over at the latest."""
        ends = [r.deadline for r in self._running.values() if r.long and (key is None or r.client == key)]
        seconds = (min(ends) - time.monotonic()) if ends else LONG_QUERY_S
        return {"Retry-After": str(max(1, math.ceil(seconds)))}

    def _went_long(self, worker: _Worker, running: _Running) -> None:
        """The job has run LONG_QUERY_S: lend its worker to it and start another for the base, or stop it."""
        if self._running.get(worker) is not running:
            return
        if self.max_long == 0:
            worker.demote()  # write mode: the one worker that may hold the store keeps the job
            return
        now = time.monotonic()
        state = self._client(running.client) if running.client is not None else None
        if state is not None and state.long >= self.max_long_per_client:
            running.refused = EndpointError(
                429,
                f"this query was stopped after {LONG_QUERY_S:g} s: {state.long} of your queries are running long "
                "already; send it again when one of them is answered",
                self._retry_after(running.client),
            )
        elif len(self._long) >= self.max_long:
            running.refused = EndpointError(
                503,
                f"this query was stopped after {LONG_QUERY_S:g} s: the server runs {len(self._long)} long queries "
                "already, its most; try again later",
                self._retry_after(),
            )
        if state is not None:
            state.heavy_until = max(state.heavy_until, now + HEAVY_MEMORY_S)
        if running.refused is not None:
            worker.kill()  # the job's call fails at once; run() answers with ``refused``
            return
        worker.demote()
        running.long = True
        self._long.add(worker)
        if state is not None:
            state.long += 1
        if running.heavy:
            running.heavy = False
            self._heavy_busy -= 1
        self._background(self._spawn())  # a fresh worker takes its place in the base
        self._dispatch()

    def _end(self, worker: _Worker, running: _Running, *, healthy: bool) -> None:
        """The job is over: account for it, and give its worker back, retire or replace it."""
        self._running.pop(worker, None)
        healthy = healthy and running.refused is None  # stopped just as its answer came: the worker is gone
        if running.heavy:
            self._heavy_busy -= 1
        if not healthy:
            self.replaced += 1
        if running.long:
            self._long.discard(worker)
            state = self._clients.get(running.client) if running.client is not None else None
            if state is not None:
                state.long -= 1
                state.heavy_until = max(state.heavy_until, time.monotonic() + HEAVY_MEMORY_S)
            # its place in the base is taken already: the worker goes (nice 10 cannot be undone
            # without CAP_SYS_NICE anyway)
            self._background(self._replace(worker, spawn=False))
        elif not healthy:
            self._background(self._replace(worker))
        elif worker.restore_priority():
            self._idle.append(worker)
        else:
            self._background(self._replace(worker))  # a fresh one at normal priority
        self._dispatch()

    async def run(self, job: dict[str, Any], data: bytes = b"", *, timeout: float,
                  client: str | None = None) -> tuple[dict[str, Any], bytes]:
        """Run ``job`` on a free worker for ``client`` (an address; None: the server's own pages);
        kill the worker if it takes longer than ``timeout``.

        :raises EndpointError: 504 on timeout; 503 when no worker frees up in time or too many
            long jobs run; 429 when the client has too many long jobs or waiting jobs; 500 if the
            worker died.
        """
        if self._closed:
            raise EndpointError(503, "the endpoint is shutting down")
        self.start()
        worker, heavy = await self._acquire(client, timeout)
        running = _Running(client, time.monotonic() + timeout, heavy)
        self._running[worker] = running
        if heavy:
            worker.demote()  # a heavy client's query gives way from the start: it is likely to run long again
        head = pickle.dumps(job)
        went_long = asyncio.get_running_loop().call_later(min(LONG_QUERY_S, timeout), self._went_long, worker, running)
        try:
            answer = await asyncio.wait_for(worker.call(head, data), timeout)
        except BaseException as e:
            went_long.cancel()
            self._end(worker, running, healthy=False)
            if running.refused is not None and not isinstance(e, asyncio.CancelledError):
                raise running.refused from None
            snippet = " ".join(str(job.get("text", job["op"])).split())[:200]
            if isinstance(e, asyncio.TimeoutError):
                log.warning("stopped a query after %g s (worker %s killed): %s", timeout, worker.pid, snippet)
                raise EndpointError(
                    504, f"the query ran longer than {timeout:g} s and was stopped; simplify it or add a LIMIT"
                ) from None
            if isinstance(e, (asyncio.IncompleteReadError, ConnectionError, OSError, EOFError, pickle.UnpicklingError)):
                log.error("SPARQL worker %s died running: %s", worker.pid, snippet)
                raise EndpointError(500, "the query worker died while running the query") from None
            raise  # cancelled (the client left): the worker is mid-job, so it was replaced
        went_long.cancel()
        self._end(worker, running, healthy=True)
        return answer

    async def close(self) -> None:
        """Stop every worker (running queries are abandoned)."""
        self._closed = True
        for queue in self._queues.values():
            for waiter in queue:
                waiter.cancel()
        self._queues.clear()
        self._queued = 0
        workers = list(self._workers)
        self._workers.clear()
        self._idle.clear()
        for w in workers:
            try:
                w.writer.close()
                w.process.terminate()
            except Exception:
                pass

        def join_all() -> None:
            deadline = time.monotonic() + 2
            for w in workers:
                w.process.join(max(0.0, deadline - time.monotonic()))
                if w.process.is_alive():
                    w.process.kill()
                    w.process.join(1)

        await asyncio.to_thread(join_all)
        for task in list(self._tasks):
            task.cancel()


# --------------------------------------------------------------------------- the service


@dataclass(frozen=True)
class EndpointConfig:
    """The settings of one endpoint (see :func:`create_app`)."""

    store_path: str
    workers: int = DEFAULT_WORKERS
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS
    write_token: str | None = None
    allow_federation: bool = False
    max_long_queries: int | None = None  # None: as many as ``workers``
    max_long_queries_per_client: int | None = None  # None: half of ``workers`` (at least 1)

    @property
    def writable(self) -> bool:
        return self.write_token is not None


def _check_iris(iris: Iterable[str], parameter: str) -> list[str]:
    checked = []
    for iri in iris:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError as e:
            raise EndpointError(400, f"{parameter}: {iri!r} is not an absolute IRI: {e}") from None
        checked.append(iri)
    return checked


class SparqlService:
    """The endpoint's engine, on ``app.state.sparql``: runs queries, updates and graph operations on the pool."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config
        self.pool = WorkerPool(
            config.store_path,
            size=1 if config.writable else config.workers,
            read_write=config.writable,
            max_long=config.max_long_queries,
            max_long_per_client=config.max_long_queries_per_client,
        )
        self._writes = 0
        self._void: tuple[tuple[str, int], dict[str, Any]] | None = None
        self._void_lock: asyncio.Lock | None = None

    # -- the API other modules use

    async def query(
        self,
        query: str,
        *,
        result_format: str = "json",
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        client: str | None = None,
    ) -> tuple[str, bytes]:
        """Run ``query`` and return (media type, serialized result).

        ``result_format`` is a format name (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``,
        ``ntriples``, ``rdfxml``, ``jsonld``, ``nquads``, ``trig``, ``n3``) or a media type;
        ``json`` and ``xml`` give JSON-LD and RDF/XML for CONSTRUCT and DESCRIBE. ``client`` (the
        address of the client it is run for) puts it under that client's limits (see :class:`WorkerPool`).

        :raises EndpointError: (a :class:`~sahelkg.errors.QueryError`) with ``status`` and a message:
            400 malformed query, 406 format unsuitable for the query form, 504 timeout, ...
        """
        results, graph = _formats_for(result_format, None)
        return await self.run_query(
            query,
            results_format=results,
            graph_format=graph,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            client=client,
        )

    async def select_json(self, query: str, *, client: str | None = None) -> dict[str, Any]:
        """Run a SELECT or ASK query and return the parsed SPARQL JSON results."""
        _, body = await self.query(query, result_format="json", client=client)
        result: dict[str, Any] = json.loads(body)
        return result

    # -- what the routes use

    async def run_query(
        self,
        query: str,
        *,
        results_format: Format | None,
        graph_format: Format | None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        base_iri: str | None = None,
        client: str | None = None,
    ) -> tuple[str, bytes]:
        if results_format is None and graph_format is None:
            raise _not_acceptable((*RESULTS_FORMATS, *GRAPH_FORMATS), "any query result")
        self._check_text(query, "query")
        lowered = query.lower()
        found = keywords(query) if "service" in lowered or "from" in lowered else []
        if not self.config.allow_federation and uses_network(query, found=found):
            raise EndpointError(400, "federated queries (SERVICE) are disabled on this endpoint")
        protocol_dataset = bool(default_graph_uris or named_graph_uris)
        job = {
            "op": "query",
            "text": query,
            "base_iri": base_iri,
            "results_format": results_format.name if results_format else None,
            "graph_format": graph_format.name if graph_format else None,
            "default_graphs": _check_iris(default_graph_uris, "default-graph-uri") if protocol_dataset else None,
            "named_graphs": _check_iris(named_graph_uris, "named-graph-uri") if protocol_dataset else None,
            # The union of all graphs is the default graph unless the query or the request names a dataset.
            "union": not protocol_dataset and not has_dataset_clause(query, found),
            "max_bytes": self.config.max_result_bytes,
        }
        answer, body = await self.pool.run(job, timeout=self.config.timeout_s, client=client)
        self._raise_for(answer)
        return answer["media_type"], body

    async def update(
        self,
        update: str,
        *,
        using_graph_uris: Sequence[str] = (),
        using_named_graph_uris: Sequence[str] = (),
        base_iri: str | None = None,
        client: str | None = None,
    ) -> None:
        """Run a SPARQL Update (the caller has checked the token)."""
        self._check_text(update, "update")
        if not self.config.allow_federation and uses_network(update, update=True):
            raise EndpointError(400, "LOAD and SERVICE are disabled on this endpoint")
        text = add_using(
            update,
            _check_iris(using_graph_uris, "using-graph-uri"),
            _check_iris(using_named_graph_uris, "using-named-graph-uri"),
        )
        try:
            answer, _ = await self.pool.run(
                {"op": "update", "text": text, "base_iri": base_iri}, timeout=self.config.timeout_s, client=client
            )
        finally:
            self._writes += 1  # even a timed-out update may have committed
        self._raise_for(answer)

    async def graph(self, op: str, graph_iri: str | None, *, fmt: Format | None = None, data: bytes = b"",
                    base_iri: str | None = None, client: str | None = None) -> tuple[dict[str, Any], bytes]:
        """A Graph Store Protocol operation (``graph_get``, ``graph_put``, ``graph_post``, ``graph_delete``)."""
        if graph_iri is not None:
            _check_iris([graph_iri], "graph")
        job = {
            "op": op,
            "graph": graph_iri,
            "format": fmt.name if fmt else None,
            "base_iri": base_iri or graph_iri,
            "max_bytes": self.config.max_result_bytes,
            "prefixes": None,
        }
        try:
            answer, body = await self.pool.run(job, data, timeout=self.config.timeout_s, client=client)
        finally:
            if op != "graph_get":
                self._writes += 1
        self._raise_for(answer)
        return answer, body

    async def dataset_stats(self) -> dict[str, Any]:
        """The VoID counts, computed once per store generation (and after each write)."""
        key = (generation(self.config.store_path), self._writes)
        if self._void and self._void[0] == key:
            return self._void[1]
        if self._void_lock is None:
            self._void_lock = asyncio.Lock()
        async with self._void_lock:
            if self._void and self._void[0] == key:
                return self._void[1]
            answer, body = await self.pool.run({"op": "stats"}, timeout=self.config.timeout_s)
            self._raise_for(answer)
            stats: dict[str, Any] = json.loads(body)
            self._void = (key, stats)
            return stats

    def check_write(self, request: Request) -> None:
        """Refuse a write unless the endpoint has a token and the request carries it.

        :raises EndpointError: 403 when writes are off, 401 (with ``WWW-Authenticate``) when the token is missing or wrong.
        """
        token = self.config.write_token
        if token is None:
            raise EndpointError(
                403,
                "writes are disabled: this endpoint serves the store read-only "
                "(start it with a write token to allow SPARQL Update and Graph Store writes)",
            )
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            raise EndpointError(
                401, "this write needs the header `Authorization: Bearer <token>`", {"WWW-Authenticate": 'Bearer realm="sahelkg"'}
            )
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise EndpointError(
                401, "wrong write token", {"WWW-Authenticate": 'Bearer realm="sahelkg", error="invalid_token"'}
            )

    def _check_text(self, text: str, what: str) -> None:
        if len(text) > self.config.max_query_chars:
            raise EndpointError(413, f"{what} longer than {self.config.max_query_chars} characters")

    @staticmethod
    def _raise_for(answer: dict[str, Any]) -> None:
        if not answer["ok"]:
            raise EndpointError(answer["status"], answer["message"])


# --------------------------------------------------------------------------- HTTP

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
SPARQL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _service(request: Request) -> SparqlService:
    service: SparqlService = request.app.state.sparql
    return service


def _client_of(request: Request) -> str | None:
    """The client a request counts for: its address (a proxy in front would make all one client)."""
    return request.client.host if request.client else None


def _endpoint_url(request: Request) -> str:
    """The URL of the endpoint as the client named it (the base IRI of queries and updates)."""
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = f"{server[0]}:{server[1]}" if server[1] else str(server[0])
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"


def _content_type(request: Request) -> tuple[str, str | None]:
    """The media type of the request body (lower case) and its charset parameter, if any."""
    header = request.headers.get("content-type", "")
    fields = [f.strip() for f in header.split(";")]
    charset = None
    for param in fields[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return fields[0].lower(), charset


def _asks_to_upgrade(request: Request) -> bool:
    """True if the request asks to switch protocols (``Upgrade: h2c``, as Java's HttpClient sends)."""
    connection = {t.strip().lower() for t in request.headers.get("connection", "").split(",")}
    return "upgrade" in connection and "upgrade" in request.headers


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, up to ``limit`` bytes.

    :raises EndpointError: 413 when larger; 400 when fewer bytes arrived than the request announced.
        httptools, uvicorn's C parser, drops the body of a request that asks to upgrade (an open
        upstream bug): :func:`serve` runs h11, which keeps it, and under any other server a lost
        body is refused here rather than read as empty (an empty PUT clears the graph).
    """
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise EndpointError(413, f"request body larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise EndpointError(413, f"request body larger than {limit} bytes")
        chunks.append(chunk)
    announced = int(length) if length and length.isdigit() else None
    lost = (size != announced) if announced is not None else (
        size == 0 and "transfer-encoding" in request.headers and _asks_to_upgrade(request)
    )
    if lost:
        expected = f"{announced} bytes announced" if announced is not None else "a chunked body announced"
        raise EndpointError(
            400,
            f"the request body was lost on its way in ({size} bytes arrived, {expected}); nothing was run. "
            "The HTTP server in front of the endpoint drops the body of requests that ask to upgrade "
            "(Upgrade: h2c): serve with `sahelkg serve` (h11), or send the request without that header",
        )
    return b"".join(chunks)


def _decode(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise EndpointError(415, f"{what} must be UTF-8 (got charset={charset})")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EndpointError(400, f"{what} is not valid UTF-8: {e}") from None


def _parse_form(body: bytes) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as e:
        raise EndpointError(400, f"form body is not valid URL-encoded UTF-8: {e}") from None


def _values(params: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in params if k == key]


def _one(params: list[tuple[str, str]], key: str) -> str | None:
    values = _values(params, key)
    if len(values) > 1:
        raise EndpointError(400, f"more than one {key} parameter; send one {key} per request")
    return values[0] if values else None


def _method_not_allowed(method: str, allowed: str) -> EndpointError:
    return EndpointError(405, f"method {method} not allowed here; use {allowed}", {"Allow": allowed})


async def sparql_endpoint(request: Request) -> Response:
    """``/sparql``: the SPARQL 1.1 Protocol (query and update operations) and the service description."""
    service = _service(request)
    method = request.method
    allowed = "GET, HEAD, POST, OPTIONS"
    params = list(request.query_params.multi_items())
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allowed})
    if method in ("GET", "HEAD"):
        if _values(params, "update"):
            raise EndpointError(400, "a SPARQL Update must be sent with POST")
        query = _one(params, "query")
        if query is None:
            return await _service_description(request)
        if len(query) > service.config.max_query_chars:
            raise EndpointError(414, f"query longer than {service.config.max_query_chars} characters; send it with POST")
        return await _answer_query(request, query, params)
    if method != "POST":
        raise _method_not_allowed(method, allowed)

    media_type, charset = _content_type(request)
    if media_type not in (FORM, SPARQL_QUERY, SPARQL_UPDATE):
        given = f"Content-Type {media_type}" if media_type else "no Content-Type"
        raise EndpointError(415, f"{given}: POST a query or update as {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}")
    body = await _read_body(request, service.config.max_body_bytes)
    if media_type == FORM:
        if charset not in (None, "utf-8", "utf8"):
            raise EndpointError(415, f"form body must be UTF-8 (got charset={charset})")
        params = params + _parse_form(body)
        query, update = _one(params, "query"), _one(params, "update")
        if query is not None and update is not None:
            raise EndpointError(400, "give either query or update, not both")
        if query is not None:
            return await _answer_query(request, query, params)
        if update is not None:
            return await _answer_update(request, update, params)
        raise EndpointError(400, "the form has neither a query nor an update parameter")
    if media_type == SPARQL_QUERY:
        return await _answer_query(request, _decode(body, charset, "the query"), params)
    return await _answer_update(request, _decode(body, charset, "the update"), params)


async def _answer_query(request: Request, query: str, params: list[tuple[str, str]]) -> Response:
    service = _service(request)
    results, graph = _formats_for(_one(params, "format"), request.headers.get("accept"))
    media_type, body = await _unless_client_leaves(
        request,
        service.run_query(
            query,
            results_format=results,
            graph_format=graph,
            default_graph_uris=_values(params, "default-graph-uri"),
            named_graph_uris=_values(params, "named-graph-uri"),
            base_iri=_endpoint_url(request),
            client=_client_of(request),
        ),
    )
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


async def _client_left(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _unless_client_leaves(request: Request, work: Any) -> Any:
    """Await ``work``; if it runs long and the client hangs up meanwhile, cancel it (which stops the query).

    The watch starts only after ``LONG_QUERY_S``: a quick query costs one timer, not a task.
    """
    me = asyncio.current_task()
    assert me is not None
    left = False
    watcher: asyncio.Task[None] | None = None

    async def watch() -> None:
        nonlocal left
        await _client_left(request)
        left = True
        me.cancel()

    def start_watching() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(watch())

    timer = asyncio.get_running_loop().call_later(LONG_QUERY_S, start_watching)
    try:
        return await work
    except asyncio.CancelledError:
        if not left:
            raise
        if hasattr(me, "uncancel"):
            me.uncancel()
        raise EndpointError(499, "the client closed the connection; the query was stopped") from None
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.cancel()


async def _answer_update(request: Request, update: str, params: list[tuple[str, str]]) -> Response:
    service = _service(request)
    service.check_write(request)
    await service.update(
        update,
        using_graph_uris=_values(params, "using-graph-uri"),
        using_named_graph_uris=_values(params, "using-named-graph-uri"),
        base_iri=_endpoint_url(request),
        client=_client_of(request),
    )
    return Response(status_code=204)


def _serialize_graph(triples: list[pyoxigraph.Triple], fmt: Format) -> bytes:
    out: bytes = pyoxigraph.serialize(triples, format=fmt.pyoxigraph_format(), prefixes=PREFIXES)
    return out


async def _service_description(request: Request) -> Response:
    service = _service(request)
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    if fmt is None:
        raise _not_acceptable(GRAPH_FORMATS, "the service description")
    N, L = pyoxigraph.NamedNode, pyoxigraph.Literal
    me = N(_endpoint_url(request))
    dataset = pyoxigraph.BlankNode()
    default_graph = pyoxigraph.BlankNode()
    void_url = N(str(request.url_for("void")) + "#dataset")
    triples = [
        pyoxigraph.Triple(me, N(RDF_TYPE), N(SD + "Service")),
        pyoxigraph.Triple(me, N(SD + "endpoint"), me),
        pyoxigraph.Triple(me, N(SD + "supportedLanguage"), N(SD + "SPARQL11Query")),
        pyoxigraph.Triple(me, N(SD + "feature"), N(SD + "UnionDefaultGraph")),
        pyoxigraph.Triple(me, N(SD + "defaultEntailmentRegime"), N(PREFIXES["ent"] + "Simple")),
        pyoxigraph.Triple(me, N(SD + "defaultDataset"), dataset),
        pyoxigraph.Triple(dataset, N(RDF_TYPE), N(SD + "Dataset")),
        pyoxigraph.Triple(dataset, N(SD + "defaultGraph"), default_graph),
        pyoxigraph.Triple(default_graph, N(RDF_TYPE), N(SD + "Graph")),
        pyoxigraph.Triple(dataset, N(PREFIXES["rdfs"] + "seeAlso"), void_url),
        pyoxigraph.Triple(me, N(PREFIXES["dcterms"] + "title"), L("sahelkg SPARQL endpoint")),
    ]
    if service.config.writable:
        triples.append(pyoxigraph.Triple(me, N(SD + "supportedLanguage"), N(SD + "SPARQL11Update")))
    if service.config.allow_federation:
        triples.append(pyoxigraph.Triple(me, N(SD + "feature"), N(SD + "BasicFederatedQuery")))
    for f in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        triples.append(pyoxigraph.Triple(me, N(SD + "resultFormat"), N(FORMATS_NS + f.w3c)))
    body = _serialize_graph(triples, fmt) if request.method != "HEAD" else b""
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


async def void_endpoint(request: Request) -> Response:
    """``/.well-known/void``: a VoID description of the dataset (counts cached per store generation)."""
    if request.method not in ("GET", "HEAD"):
        raise _method_not_allowed(request.method, "GET, HEAD")
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    if fmt is None:
        raise _not_acceptable(GRAPH_FORMATS, "the VoID description")
    stats = await _service(request).dataset_stats()
    N, L = pyoxigraph.NamedNode, pyoxigraph.Literal
    base = str(request.url_for("void"))
    dataset = N(base + "#dataset")
    triples = [
        pyoxigraph.Triple(dataset, N(RDF_TYPE), N(VOID + "Dataset")),
        pyoxigraph.Triple(dataset, N(PREFIXES["dcterms"] + "title"), L("sahelkg: the armed conflict in the Sahel")),
        pyoxigraph.Triple(dataset, N(VOID + "sparqlEndpoint"), N(str(request.url_for("sparql")))),
        pyoxigraph.Triple(dataset, N(VOID + "triples"), L(str(stats["triples"]), datatype=N("http://www.w3.org/2001/XMLSchema#integer"))),
        pyoxigraph.Triple(dataset, N(VOID + "classes"), _integer(len(stats["classes"]))),
        pyoxigraph.Triple(dataset, N(VOID + "properties"), _integer(stats["properties"])),
    ]
    for i, (graph, count) in enumerate(stats["graphs"]):
        subset = N(f"{base}#graph-{i + 1}")
        triples += [
            pyoxigraph.Triple(dataset, N(VOID + "subset"), subset),
            pyoxigraph.Triple(subset, N(RDF_TYPE), N(VOID + "Dataset")),
            pyoxigraph.Triple(subset, N(SD + "name"), N(graph)),
            pyoxigraph.Triple(subset, N(VOID + "triples"), _integer(count)),
        ]
    for i, (cls, count) in enumerate(stats["classes"]):
        partition = N(f"{base}#class-{i + 1}")
        triples += [
            pyoxigraph.Triple(dataset, N(VOID + "classPartition"), partition),
            pyoxigraph.Triple(partition, N(VOID + "class"), N(cls)),
            pyoxigraph.Triple(partition, N(VOID + "entities"), _integer(count)),
        ]
    body = _serialize_graph(triples, fmt) if request.method != "HEAD" else b""
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


def _integer(n: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(n), datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


async def store_endpoint(request: Request) -> Response:
    """``/store?graph=IRI`` or ``/store?default``: the SPARQL 1.1 Graph Store HTTP Protocol."""
    service = _service(request)
    allowed = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
    method = request.method
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allowed})
    if method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
        raise _method_not_allowed(method, allowed)
    params = list(request.query_params.multi_items())
    graph = _one(params, "graph")
    is_default = "default" in request.query_params
    if (graph is None) == (not is_default):
        raise EndpointError(400, "name the graph: /store?graph=<IRI> or /store?default")
    if method in ("GET", "HEAD"):
        fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
        if fmt is None:
            raise _not_acceptable(GRAPH_FORMATS, "a graph")
        _, body = await service.graph("graph_get", graph, fmt=fmt, client=_client_of(request))
        return Response(body if method == "GET" else b"", media_type=fmt.media_type, headers={"Vary": "Accept"})
    service.check_write(request)
    if method == "DELETE":
        await service.graph("graph_delete", graph, client=_client_of(request))
        return Response(status_code=204)
    media_type, charset = _content_type(request)
    fmt = next((f for f in GRAPH_FORMATS if media_type in f.media_types and f.name not in ("nquads", "trig")), None)
    if fmt is None:
        offered = ", ".join(f.media_type for f in GRAPH_FORMATS if f.name not in ("nquads", "trig"))
        raise EndpointError(415, f"cannot read a graph sent as {media_type or 'no Content-Type'}: send {offered}")
    if charset not in (None, "utf-8", "utf8"):
        raise EndpointError(415, f"the graph must be UTF-8 (got charset={charset})")
    body = await _read_body(request, service.config.max_body_bytes)
    answer, _ = await service.graph(
        "graph_put" if method == "PUT" else "graph_post", graph, fmt=fmt, data=body,
        base_iri=graph or _endpoint_url(request), client=_client_of(request),
    )
    return Response(status_code=answer.get("status", 204))


async def _endpoint_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EndpointError)
    return PlainTextResponse(exc.message + "\n", status_code=exc.status, headers=exc.headers)


class CORSMiddleware:
    """Let browser clients on any origin use every route: ``Access-Control-Allow-Origin: *`` on
    every response, preflight requests answered here. (No credentials: a write token is sent
    as an ``Authorization`` header, which the preflight allows.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = (
            {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if scope["method"] == "OPTIONS"
            else {}
        )
        if "origin" in headers and "access-control-request-method" in headers:
            allow = [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", b"GET, HEAD, POST, PUT, DELETE, OPTIONS"),
                (b"access-control-allow-headers", headers.get("access-control-request-headers", "*").encode("latin-1")),
                (b"access-control-max-age", b"86400"),
                (b"content-length", b"0"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": allow})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", b"Content-Type, Content-Length, Retry-After, WWW-Authenticate, Location"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _default_extra_routes(queries_dir: str | Path | None, base_iri: str | None) -> list[BaseRoute]:
    # The web pages live in sahelkg.serving.web (another module); mount them when it exists.
    if importlib.util.find_spec("sahelkg.serving.web") is None:
        return []
    from sahelkg.serving import web
    from sahelkg.settings import Settings

    settings = Settings.from_env(queries_dir=queries_dir, base_iri=base_iri)
    routes: list[BaseRoute] = list(web.web_routes(settings.queries_dir, base_iri=settings.base_iri))
    return routes


def create_app(
    store_path: str | Path,
    *,
    workers: int = DEFAULT_WORKERS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
    write_token: str | None = None,
    allow_federation: bool = False,
    max_long_queries: int | None = None,
    max_long_queries_per_client: int | None = None,
    extra_routes: list[BaseRoute] | None = None,
    queries_dir: str | Path | None = None,
    base_iri: str | None = None,
) -> Starlette:
    """The endpoint as an ASGI app over the store at ``store_path`` (opens nothing until it starts).

    :param workers: query worker processes (in write mode there is exactly one).
    :param timeout_s: a query running longer is stopped (its worker is killed) and answered 504.
    :param max_result_bytes: a larger serialized result is abandoned and answered 500.
    :param max_body_bytes: a larger request body is answered 413.
    :param max_query_chars: a longer query is answered 413 (414 for GET).
    :param write_token: enables SPARQL Update and Graph Store writes for ``Authorization: Bearer <token>``.
    :param allow_federation: allows ``SERVICE`` in queries and ``LOAD`` in updates (they reach the network).
    :param max_long_queries: queries that may run longer than ``LONG_QUERY_S`` at once, each on a worker
        of its own beside the ``workers`` (default: ``workers``); one more is stopped (503).
    :param max_long_queries_per_client: the same for one client (default: half of ``workers``, at least 1; 429).
    :param extra_routes: more routes (by default the web pages of :mod:`sahelkg.serving.web`, if present).
    :param queries_dir: the named queries the default web pages offer (default: from :class:`~sahelkg.settings.Settings`).
    :param base_iri: the graph's base IRI, for the default web pages (default: from the settings).
    :raises ValueError: on a nonsensical setting.

    >>> app = create_app("/nonexistent/store")
    >>> app.state.sparql.config.workers
    4
    """
    if workers < 1 or timeout_s <= 0 or max_result_bytes < 1 or max_body_bytes < 1 or max_query_chars < 1:
        raise ValueError("workers, timeout_s and the limits must be positive")
    if any(n is not None and n < 1 for n in (max_long_queries, max_long_queries_per_client)):
        raise ValueError("max_long_queries and max_long_queries_per_client must be positive")
    if write_token is not None and not write_token.strip():
        raise ValueError("write_token must not be empty")
    config = EndpointConfig(
        store_path=locate(store_path).name,
        workers=workers,
        timeout_s=timeout_s,
        max_result_bytes=max_result_bytes,
        max_body_bytes=max_body_bytes,
        max_query_chars=max_query_chars,
        write_token=write_token,
        allow_federation=allow_federation,
        max_long_queries=max_long_queries,
        max_long_queries_per_client=max_long_queries_per_client,
    )
    service = SparqlService(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.pool.start()  # in the background: the server is up before the workers are
        try:
            yield
        finally:
            await service.pool.close()

    routes: list[BaseRoute] = [
        Route("/sparql", sparql_endpoint, methods=SPARQL_METHODS, name="sparql"),
        Route("/sparql/", sparql_endpoint, methods=SPARQL_METHODS, include_in_schema=False),
        Route("/store", store_endpoint, methods=SPARQL_METHODS, name="store"),
        Route("/.well-known/void", void_endpoint, methods=SPARQL_METHODS, name="void"),
        *(extra_routes if extra_routes is not None else _default_extra_routes(queries_dir, base_iri)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={EndpointError: _endpoint_error})
    app.add_middleware(CORSMiddleware)
    app.state.sparql = service
    return app


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
