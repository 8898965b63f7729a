"""The query workers: a pool of processes, the jobs they run, and the framing between them.

Each worker opens the store read-only (:meth:`sahelkg.store.protocol.Location.open`), reopens it when the
store's generation changes, and parses, evaluates and serializes every query on its own main
thread, returning bytes. That design follows from what pyoxigraph 0.5 can and cannot do:

* it has no query timeout or cancellation, so a runaway query is stopped by killing the
  worker process (SIGKILL) and starting a replacement; the client gets ``504``;
* a result iterated on another thread than the one that ran the query aborts the process,
  so a worker never hands a live result to anyone: it serializes it itself;
* a store has one writer; in write mode (a write token given) the pool is one worker that
  holds the store read-write and runs queries and writes one at a time.

A job is one of the frozen dataclasses of :data:`Job`; the worker answers with a :class:`Reply`
and the serialized bytes. Both cross the socket pickled, in a frame of two lengths
(``_send_frame``).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
import multiprocessing
import os
import pickle
import select
import signal
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union, cast

import pyoxigraph

from sahelkg.errors import StoreError, TooLarge
from sahelkg.serving.endpoint.errors import EndpointError
from sahelkg.serving.endpoint.formats import BY_NAME, GRAPH_FORMATS, RESULTS_FORMATS, not_acceptable
from sahelkg.sparql import describe_syntax_error, quote_line
from sahelkg.store import locate

if TYPE_CHECKING:
    from typing_extensions import Buffer

log = logging.getLogger("sahelkg.serving.endpoint")

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


# --------------------------------------------------------------------------- jobs and replies


@dataclass(frozen=True)
class Ping:
    """Is the worker up (it answers with its process id)."""


@dataclass(frozen=True)
class QueryJob:
    """Evaluate a query and serialize its result, at most ``max_bytes`` of it."""

    text: str
    base_iri: str | None
    results_format: str | None  # a format name for SELECT/ASK (None: such a result is not acceptable)
    graph_format: str | None  # a format name for CONSTRUCT/DESCRIBE (None: not acceptable)
    max_bytes: int
    default_graphs: tuple[str, ...] | None = None  # the protocol's dataset, if the request named one
    named_graphs: tuple[str, ...] = ()
    union: bool = False  # the default graph is the union of all graphs


@dataclass(frozen=True)
class UpdateJob:
    """Run a SPARQL Update (write mode only)."""

    text: str
    base_iri: str | None


@dataclass(frozen=True)
class StatsJob:
    """Count what the VoID description states (see :func:`dataset_stats`)."""


@dataclass(frozen=True)
class GraphGet:
    """Serialize one graph (``graph`` None: the default graph)."""

    graph: str | None
    format: str
    max_bytes: int
    prefixes: dict[str, str] | None = None


@dataclass(frozen=True)
class GraphWrite:
    """Parse ``data`` and put it in a graph: replacing it (PUT) or adding to it (POST)."""

    graph: str | None
    format: str
    base_iri: str | None
    replace: bool


@dataclass(frozen=True)
class GraphDelete:
    """Drop a named graph, or empty the default graph."""

    graph: str | None


Job = Union[Ping, QueryJob, UpdateJob, StatsJob, GraphGet, GraphWrite, GraphDelete]


@dataclass(frozen=True)
class Reply:
    """A worker's answer to a job (the serialized result travels beside it, as bytes)."""

    ok: bool = True
    status: int = 200  # the HTTP status to answer with (201/204 for graph writes)
    message: str = ""  # what went wrong, when not ok
    media_type: str | None = None  # of the bytes, when there are any
    pid: int | None = None  # the worker's, for a Ping

    @classmethod
    def error(cls, status: int, message: str) -> Reply:
        """A refusal or a failure, with the HTTP status it goes out under."""
        return cls(ok=False, status=status, message=message)


def _job_text(job: Job) -> str:
    return job.text if isinstance(job, (QueryJob, UpdateJob)) else type(job).__name__


def _describe_syntax_error(error: SyntaxError, text: str, what: str) -> str:
    """What is wrong, as a person would say it, at its line and column, the line quoted."""
    line, column, rest = describe_syntax_error(error, text)
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


class _LimitedWriter(io.BytesIO):
    """A binary file that refuses to grow past ``limit`` bytes (so a huge result stops early)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Buffer, /) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise TooLarge(f"result larger than {self.limit} bytes: ask for less (LIMIT, fewer variables)")
        return super().write(data)


def _graph_name(iri: str | None) -> pyoxigraph.NamedNode | pyoxigraph.DefaultGraph:
    return pyoxigraph.DefaultGraph() if iri is None else pyoxigraph.NamedNode(iri)



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

    def run(self, job: Job, data: bytes) -> tuple[Reply, bytes]:
        try:
            if isinstance(job, Ping):
                return Reply(pid=os.getpid()), b""
            store = self.current_store()
            if isinstance(job, QueryJob):
                return self._query(store, job)
            if isinstance(job, UpdateJob):
                return self._update(store, job)
            if isinstance(job, StatsJob):
                return Reply(), json.dumps(dataset_stats(store)).encode()
            if isinstance(job, GraphGet):
                return self._graph_get(store, job)
            if isinstance(job, (GraphWrite, GraphDelete)):
                return self._graph_write(store, job, data)
            return Reply.error(500, f"unknown job {type(job).__name__}"), b""
        except TooLarge as e:
            return Reply.error(500, str(e)), b""
        except StoreError as e:
            return Reply.error(503, str(e)), b""
        except SyntaxError as e:
            if isinstance(job, (QueryJob, UpdateJob)) and job.text:
                what = "update" if isinstance(job, UpdateJob) else "query"
                return Reply.error(400, _describe_syntax_error(e, job.text, what)), b""
            what = "update" if isinstance(job, UpdateJob) else "query" if isinstance(job, QueryJob) else "RDF payload"
            return Reply.error(400, f"malformed {what}: {e}"), b""
        except OSError as e:
            return Reply.error(500, f"evaluation failed: {e}"), b""
        except ValueError as e:
            return Reply.error(400, f"invalid request: {e}"), b""
        except Exception as e:  # a worker must answer; the main process logs it
            return Reply.error(500, f"internal error in the query worker: {type(e).__name__}: {e}"), b""

    def _query(self, store: pyoxigraph.Store, job: QueryJob) -> tuple[Reply, bytes]:
        kwargs: dict[str, Any] = {}
        if job.default_graphs is not None:
            kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
            kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
        elif job.union:
            kwargs["use_default_graph_as_union"] = True
        result = store.query(job.text, base_iri=job.base_iri, **kwargs)
        graph = isinstance(result, pyoxigraph.QueryTriples)
        name = job.graph_format if graph else job.results_format
        if name is None:
            formats = GRAPH_FORMATS if graph else RESULTS_FORMATS
            what = "a CONSTRUCT or DESCRIBE result" if graph else "a SELECT or ASK result"
            e = not_acceptable(formats, what)
            return Reply.error(e.status, e.message), b""
        fmt = BY_NAME[name]
        out = _LimitedWriter(job.max_bytes)
        if isinstance(result, pyoxigraph.QueryTriples):
            result.serialize(out, format=fmt.rdf_format())
        else:
            result.serialize(out, format=fmt.results_format())
        return Reply(media_type=fmt.media_type), out.getvalue()

    def _update(self, store: pyoxigraph.Store, job: UpdateJob) -> tuple[Reply, bytes]:
        if not self.read_write:
            return Reply.error(403, "this worker holds the store read-only"), b""
        store.update(job.text, base_iri=job.base_iri)
        store.flush()
        return Reply(), b""

    def _graph_get(self, store: pyoxigraph.Store, job: GraphGet) -> tuple[Reply, bytes]:
        name = _graph_name(job.graph)
        if job.graph is not None and not store.contains_named_graph(name):
            return Reply.error(404, f"no graph <{job.graph}> in the store"), b""
        fmt = BY_NAME[job.format]
        out = _LimitedWriter(job.max_bytes)
        triples = (q.triple for q in store.quads_for_pattern(None, None, None, name))
        pyoxigraph.serialize(triples, out, format=fmt.rdf_format(), prefixes=job.prefixes)
        return Reply(media_type=fmt.media_type), out.getvalue()

    def _graph_write(self, store: pyoxigraph.Store, job: GraphWrite | GraphDelete, data: bytes) -> tuple[Reply, bytes]:
        iri = job.graph
        name = _graph_name(iri)
        exists = iri is None or store.contains_named_graph(name)
        if not self.read_write:
            return Reply.error(403, "this worker holds the store read-only"), b""
        if isinstance(job, GraphDelete):
            if not exists:
                return Reply.error(404, f"no graph <{iri}> in the store"), b""
            if iri is None:
                store.clear_graph(name)
            else:
                store.remove_graph(name)
            store.flush()
            return Reply(status=204), b""
        fmt = BY_NAME[job.format]
        parsed = pyoxigraph.parse(
            data, format=fmt.rdf_format(), base_iri=job.base_iri, without_named_graphs=True
        )
        quads = [pyoxigraph.Quad(q.subject, q.predicate, q.object, name) for q in parsed]
        if job.replace and exists:
            store.clear_graph(name)
        if iri is not None and not exists:
            store.add_graph(name)
        store.extend(quads)
        store.flush()
        return Reply(status=204 if exists else 201), b""


def dataset_stats(store: pyoxigraph.Store) -> dict[str, Any]:
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
            job: Job = pickle.loads(_recv_exact(sock, head_len))
            data = _recv_exact(sock, body_len) if body_len else b""
        except (EOFError, OSError):
            return
        head, body = state.run(job, data)
        try:
            _send_frame(sock, pickle.dumps(head), body)
        except OSError:
            return


# --------------------------------------------------------------------------- the pool


def _mp_context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    # forkserver: a clean process (no server threads, no open store) forks the workers, and
    # with this module preloaded a replacement worker starts in milliseconds.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sahelkg.serving.endpoint.workers"])
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

    async def call(self, head: bytes, body: bytes) -> tuple[Reply, bytes]:
        self.writer.write(_FRAME.pack(len(head), len(body)) + head)
        if body:
            self.writer.write(body)
        await self.writer.drain()
        head_len, body_len = _FRAME.unpack(await self.reader.readexactly(_FRAME.size))
        answer: Reply = pickle.loads(await self.reader.readexactly(head_len))
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

    async def run(self, job: Job, data: bytes = b"", *, timeout: float,
                  client: str | None = None) -> tuple[Reply, bytes]:
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
            snippet = " ".join(_job_text(job).split())[:200]
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


