"""The corpus watcher (``sahelkg watch``): which article files changed, without stat-ing them all.

An incremental build must find the few files that changed among all of the corpus's. Without help
it lists both article folders and stats every file (about 1 s for the 200,000 files of 100,000
articles, more than half of it the kernel's own ``stat`` calls), then compares each stat with the
manifest's. Git meets the same cost in ``git status`` and answers it the same way as here: a daemon
that the kernel tells about every change (git's fsmonitor, Watchman).

``sahelkg watch`` runs such a watcher for one store. Through inotify (:mod:`inotify_simple`) it
appends to a journal the name of every article file created, written, touched, moved or removed.
A build that finds the watcher running reads the journal from the position its manifest recorded,
stats and hashes only the files named there, and records the new position. It scans the corpus as
before when no watcher runs, when the watcher was restarted since (another session), or when the
journal says that events were lost (``*``: the kernel's queue overflowed, a folder was replaced).

The kernel delivers events asynchronously, so a change made just before a build could still be on
its way. A build therefore syncs as Watchman's clients do: it creates a *cookie* file in the corpus
folder and waits until the watcher journals it. Events come from one inotify queue in order, so
every change made before the cookie is then in the journal before it.

Files, in ``<store>.d/watch/``:

- ``lock``: held (``flock``) by the running watcher;
- ``journal``: a header line ``sahelkg-watch 1 <session> <corpus folder>``, then one line per event:
  ``articles/<name>``, ``annotations/<name>``, ``*`` (anything may have changed) or ``:<cookie>``.

A new watcher writes a new journal with a new session, replacing the old file atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sahelkg.errors import WatchError

try:
    import inotify_simple
    from inotify_simple import flags as _f
except (ImportError, OSError):  # not Linux: no watcher, builds scan
    inotify_simple = None
else:
    _FILES = (_f.CREATE | _f.DELETE | _f.MODIFY | _f.ATTRIB | _f.CLOSE_WRITE | _f.MOVED_FROM | _f.MOVED_TO
              | _f.DELETE_SELF | _f.MOVE_SELF)
    _GONE = _f.DELETE_SELF | _f.MOVE_SELF | _f.IGNORED

HEADER = "sahelkg-watch 1"
FOLDERS = {"articles": ".txt", "annotations": ".yaml"}  # the files CorpusReader.article_files lists
COOKIE = ".sahelkg-cookie-"
EVERYTHING = "*"
SYNC_TIMEOUT = 2.0  # seconds a build waits for the watcher to journal its cookie before scanning


@dataclass
class Seen:
    """What a build learnt from the watcher."""

    token: str  # the journal position after this build's cookie: what the build records beside its generation
    articles: set[str] | None  # ids of the articles whose files changed since the given token; None: unknown


def _locked_by_other(lock: Path) -> bool:
    """True if a watcher holds ``lock``."""
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def article_id(line: str) -> str | None:
    """The article id of a journal line naming an article file.

    >>> article_id("articles/a1.txt"), article_id("annotations/a1.yaml"), article_id(":cookie")
    ('a1', 'a1', None)
    """
    folder, _, name = line.partition("/")
    suffix = FOLDERS.get(folder)
    return name[: -len(suffix)] if suffix and name.endswith(suffix) else None


def sync(folder: Path, corpus_dir: Path, token: str | None, timeout: float | None = None) -> Seen | None:
    """Ask the watcher running for the store whose watch folder is ``folder`` which articles changed
    since ``token`` (a :attr:`Seen.token` a previous build recorded; None: none recorded).

    Returns None when no watcher runs for ``corpus_dir`` or it does not answer within ``timeout``
    (the build then scans); :attr:`Seen.articles` is None when the journal cannot tell (another
    session, lost events), and the build scans but records the new token.
    """
    if not _locked_by_other(folder / "lock"):
        return None
    try:
        journal = open(folder / "journal", "rb")  # noqa: SIM115 (closed below)
    except OSError:
        return None
    with journal:
        header = journal.readline().decode("utf-8", "surrogateescape").rstrip("\n").split(" ", 3)
        if len(header) != 4 or " ".join(header[:2]) != HEADER or header[3] != str(Path(corpus_dir).resolve()):
            return None
        session = header[2]
        size = os.fstat(journal.fileno()).st_size
        recorded, _, offset = (token or "").partition(":")
        known = recorded == session and offset.isdigit() and journal.tell() <= int(offset) <= size
        journal.seek(int(offset) if known else size)
        cookie = f"{COOKIE}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            Path(corpus_dir, cookie).touch(exist_ok=False)
        except OSError:
            return None  # a read-only corpus: the watcher cannot be synced with
        articles: set[str] | None = set() if known else None
        buffer, deadline = b"", time.monotonic() + (SYNC_TIMEOUT if timeout is None else timeout)
        try:
            while True:
                chunk = journal.read()
                if not chunk:
                    if time.monotonic() > deadline:
                        return None
                    time.sleep(0.001)
                    continue
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "surrogateescape")  # as the watcher wrote os.listdir's names
                    if line == f":{cookie}":
                        return Seen(f"{session}:{journal.tell() - len(buffer)}", articles)
                    if articles is not None:
                        if line == EVERYTHING:
                            articles = None
                        elif (aid := article_id(line)) is not None:
                            articles.add(aid)
        finally:
            Path(corpus_dir, cookie).unlink(missing_ok=True)


class Watcher:
    """Journals the changes to one corpus folder's article files for one store's builds."""

    def __init__(self, folder: Path, corpus_dir: Path) -> None:
        self.folder = Path(folder)
        self.corpus = Path(corpus_dir).resolve()
        self.session = uuid.uuid4().hex
        self.folders: dict[int, str] = {}  # inotify watch descriptor -> article folder name
        self.lost = False  # the corpus folder itself was moved or removed

    def run(self, stop: threading.Event | None = None, ready: Callable[[], None] | None = None) -> None:
        """Watch until ``stop`` is set (or Ctrl-C); ``ready`` is called once the journal is written
        and the folders are watched.

        :raises WatchError: another watcher runs for the store, the corpus folder is missing, or
            the system has no inotify.
        """
        if inotify_simple is None:
            raise WatchError("sahelkg watch needs Linux's inotify; builds scan the corpus instead")
        if not self.corpus.is_dir():
            raise WatchError(f"{self.corpus}: no corpus folder to watch; set SAHELKG_CORPUS")
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WatchError(f"{self.folder}: a watcher already runs for this store; stop it first") from None
            with inotify_simple.INotify() as inotify:
                self._watch(inotify, stop, ready)
        finally:
            os.close(lock)

    def _watch(self, inotify: inotify_simple.INotify, stop: threading.Event | None,
               ready: Callable[[], None] | None) -> None:
        root = inotify.add_watch(self.corpus, _f.CREATE | _f.DELETE | _f.MOVED_FROM | _f.MOVED_TO | _GONE)
        self._rewatch(inotify)
        tmp = self.folder / f"journal.{self.session}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        try:
            os.write(out, f"{HEADER} {self.session} {self.corpus}\n".encode("utf-8", "surrogateescape"))
            os.replace(tmp, self.folder / "journal")
            if ready is not None:
                ready()
            while stop is None or not stop.is_set():
                lines: list[str] = []
                for event in inotify.read(timeout=200):
                    for line in self._lines(inotify, event, root):
                        if not lines or lines[-1] != line:
                            lines.append(line)
                if lines:
                    os.write(out, ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
                if self.lost:
                    raise WatchError(f"{self.corpus}: the corpus folder was moved or removed; stopped watching")
        finally:
            os.close(out)

    def _rewatch(self, inotify: inotify_simple.INotify) -> None:
        """(Re)watch the article folders that exist (a missing one's creation is a root event)."""
        for wd in list(self.folders):
            with contextlib.suppress(OSError):  # already gone with its folder
                inotify.rm_watch(wd)
        self.folders.clear()
        for name in FOLDERS:
            with contextlib.suppress(OSError):
                self.folders[inotify.add_watch(self.corpus / name, _FILES)] = name

    def _lines(self, inotify: inotify_simple.INotify, e: inotify_simple.Event, root: int) -> list[str]:
        """The journal lines of one event."""
        if e.mask & _f.Q_OVERFLOW:
            return [EVERYTHING]
        if e.wd == root:
            if e.mask & _GONE:
                self.lost = True  # the folder watched is no longer the corpus: run() stops
                return [EVERYTHING]
            if e.name in FOLDERS:  # an article folder created, removed or replaced
                self._rewatch(inotify)
                return [EVERYTHING]
            if e.name.startswith(COOKIE) and e.mask & _f.CREATE:
                with contextlib.suppress(OSError):
                    os.unlink(self.corpus / e.name)  # the build may have been killed before removing it
                return [f":{e.name}"]
            return []
        folder = self.folders.get(e.wd)
        if folder is None:
            return []  # a folder's watch already replaced
        if e.mask & _GONE:
            self._rewatch(inotify)
            return [EVERYTHING]
        if e.name.endswith(FOLDERS[folder]) and not e.name.startswith(".") and not e.mask & _f.ISDIR:
            return [f"{folder}/{e.name}"]
        return []
