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

    def run(self, stop: threading.Event | None = None, ready: Callable[[], None] | None = None) -> None:
        """Watch until ``stop`` is set (or Ctrl-C); ``ready`` is called once the journal is written
        and the folders are watched.

        :raises WatchError: another watcher runs for the store, the corpus folder is missing, or
            the system has no inotify.
        """
        try:
            from inotify_simple import INotify, flags
        except (ImportError, OSError) as e:  # not Linux
            raise WatchError(f"sahelkg watch needs Linux's inotify ({e}); builds scan the corpus instead") from e
        if not self.corpus.is_dir():
            raise WatchError(f"{self.corpus}: no corpus folder to watch; set --corpus or SAHELKG_CORPUS")
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WatchError(f"{self.folder}: a watcher already runs for this store; stop it first") from None
            with INotify() as inotify:
                self._watch(inotify, flags, stop, ready)
        finally:
            os.close(lock)

    def _watch(self, inotify: object, flags: object, stop: threading.Event | None,
               ready: Callable[[], None] | None) -> None:
        f = flags  # inotify_simple.flags
        files = (f.CREATE | f.DELETE | f.MODIFY | f.ATTRIB | f.CLOSE_WRITE | f.MOVED_FROM | f.MOVED_TO  # type: ignore[attr-defined]
                 | f.DELETE_SELF | f.MOVE_SELF)  # type: ignore[attr-defined]
        gone = f.DELETE_SELF | f.MOVE_SELF | f.IGNORED  # type: ignore[attr-defined]
        root = inotify.add_watch(self.corpus, f.CREATE | f.DELETE | f.MOVED_FROM | f.MOVED_TO | gone)  # type: ignore[attr-defined]
        folders: dict[int, str] = {}

        def rewatch() -> None:
            # (re)watch the article folders, then say that anything may have changed meanwhile
            for wd in list(folders):
                try:
                    inotify.rm_watch(wd)  # type: ignore[attr-defined]
                except OSError:
                    pass  # already gone with its folder
            folders.clear()
            for name in FOLDERS:
                try:
                    folders[inotify.add_watch(self.corpus / name, files)] = name  # type: ignore[attr-defined]
                except OSError:
                    pass  # not there (yet): its creation in the root is an event

        rewatch()
        tmp = self.folder / f"journal.{self.session}.tmp"
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
        try:
            os.write(out, f"{HEADER} {self.session} {self.corpus}\n".encode("utf-8", "surrogateescape"))
            os.replace(tmp, self.folder / "journal")
            if ready is not None:
                ready()
            while stop is None or not stop.is_set():
                lines: list[str] = []
                for e in inotify.read(timeout=200):  # type: ignore[attr-defined]
                    if e.mask & f.Q_OVERFLOW:  # type: ignore[attr-defined]
                        lines.append(EVERYTHING)
                    elif e.wd == root:
                        if e.mask & gone:
                            os.write(out, f"{EVERYTHING}\n".encode())
                            raise WatchError(f"{self.corpus}: the corpus folder was moved or removed; stopped watching")
                        if e.name in FOLDERS:
                            rewatch()
                            lines.append(EVERYTHING)
                        elif e.name.startswith(COOKIE) and e.mask & f.CREATE:  # type: ignore[attr-defined]
                            lines.append(f":{e.name}")
                            with contextlib.suppress(OSError):
                                os.unlink(self.corpus / e.name)  # a build killed before removing it
                    elif e.wd in folders:
                        if e.mask & gone:
                            rewatch()
                            lines.append(EVERYTHING)
                        elif e.name.endswith(FOLDERS[folders[e.wd]]) and not e.name.startswith(".") \
                                and not e.mask & f.ISDIR:  # type: ignore[attr-defined]
                            line = f"{folders[e.wd]}/{e.name}"
                            if not lines or lines[-1] != line:
                                lines.append(line)
                if lines:
                    os.write(out, ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
        finally:
            os.close(out)

