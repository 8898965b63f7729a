"""Helpers shared by the endpoint tests: build a small store, run the app on a free loopback port.

Not a conftest (nothing here is a fixture pytest loads by itself): the test modules import it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph
import uvicorn
from starlette.applications import Starlette

from sahelkg.serving.endpoint import server_config
from sahelkg.store import StoreLayout


def build_store(path: Path, quads: Iterable[pyoxigraph.Quad]) -> Path:
    """Write ``quads`` as a new committed generation of the store at ``path``; return ``path``."""
    layout = StoreLayout(path)
    directory = layout.begin(incremental=False)
    store = pyoxigraph.Store(str(directory))
    store.extend(list(quads))
    store.flush()
    del store  # releases the RocksDB lock
    layout.commit(directory)
    return path


class LiveServer:
    """The app served by uvicorn on 127.0.0.1, on a port the OS picked, in a background thread."""

    def __init__(self, app: Starlette, http: str | None = None) -> None:
        self.app = app
        # proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on the connections (else Nagle adds 40 ms)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.sparql = self.url + "/sparql"
        # the configuration `sahelkg serve` runs (its HTTP parser, its limits), or uvicorn's own with ``http``
        config = (
            server_config(app, log_level="warning", lifespan="on")
            if http is None
            else uvicorn.Config(app, log_level="warning", lifespan="on", http=http)
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        self.wait_for_workers()
        return self

    def wait_for_workers(self, timeout: float = 30) -> None:
        """Block until a query gets an answer (the workers start in the background)."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=timeout) as client:
            while True:
                r = client.get(self.sparql, params={"query": "ASK {}"})
                if r.status_code == 200:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the workers did not start: {r.status_code} {r.text}")
                time.sleep(0.05)

    def wait_for_pool(self, timeout: float = 30) -> list[int]:
        """Block until the pool has all its workers (after a kill, the replacement starts in the background)."""
        deadline = time.monotonic() + timeout
        while len(self.pool.pids()) < self.pool.size:
            if time.monotonic() > deadline:
                raise RuntimeError("the pool did not fill up")
            time.sleep(0.02)
        return list(self.pool.pids())

    def __exit__(self, *exc: Any) -> None:
        self._server.should_exit = True
        self._thread.join(20)
        self._sock.close()

    @property
    def pool(self) -> Any:
        return self.app.state.sparql.pool


def pid_gone(pid: int, timeout: float = 10.0) -> bool:
    """True once process ``pid`` no longer exists (waits up to ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":  # dead, not yet reaped by its parent
                return True
        except (FileNotFoundError, ProcessLookupError):  # gone before the open, or between the open and the read
            return True
        time.sleep(0.05)
    return False
