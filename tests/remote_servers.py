"""Real SPARQL servers on loopback for the remote-store tests: Oxigraph's server and Virtuoso.

Each runs in a temporary folder on free ports and is stopped at the end of the session. The
binaries come from the PyPI package ``oxigraph`` (``oxigraph serve``) and Debian's
``virtuoso-opensource-7-bin`` (``virtuoso-t``), which ``.ci/run`` installs; where one is missing
the tests skip on a developer's machine and fail in CI (see ``conftest.missing``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # the password of a new Virtuoso database's administrator

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
CheckpointInterval = 60
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 300
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str | None:
    """``oxigraph`` beside this Python (the venv's), else on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


class Server:
    """A server process; ``url`` is its SPARQL query endpoint."""

    def __init__(self, args: list[str], url: str, folder: Path, log: Path) -> None:
        self.args, self.url, self.folder, self.log = args, url, folder, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> Server:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(self.args, cwd=self.folder, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.args[0]} did not answer at {self.url} within {timeout:g} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def oxigraph_server(folder: Path) -> Server | None:
    binary = oxigraph_binary()
    if binary is None:
        return None
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    return Server([binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"],
                  f"http://127.0.0.1:{port}/query", folder, folder / "oxigraph.log")


def virtuoso_server(folder: Path) -> Server | None:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, http_port=http_port, sql_port=sql_port), encoding="utf-8")
    return Server([binary, "-f", "-c", str(ini)], f"http://127.0.0.1:{http_port}/sparql", folder, folder / "stdout.log")
