"""The corpus watcher: a build that it serves stats and hashes only the files it journaled, and gets
the graph a full build gets; without it (none running, restarted, events lost) the build scans."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sahelkg.build import watch
from sahelkg.build import WATCHED, build
from sahelkg.corpus import CorpusReader
from sahelkg.errors import WatchError
from sahelkg.settings import Settings
from sahelkg.store import StoreLayout
from sahelkg.store.embedded import sidecar
from test_build import assert_same_quads, quads, settings_for

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")

EDITED = "002_b43efc41ee202923"


@contextmanager
def watching(settings: Settings) -> Iterator[watch.Watcher]:
    """A watcher for ``settings``'s store, running in a thread until the block ends."""
    w = watch.Watcher(StoreLayout(settings.store).watch_dir, settings.corpus_dir)
    stop, ready, errors = threading.Event(), threading.Event(), []

    def run() -> None:
        try:
            w.run(stop, ready.set)
        except BaseException as e:  # noqa: BLE001 (reported below)
            errors.append(e)
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10) and not errors, errors
    try:
        yield w
    finally:
        stop.set()
        thread.join(10)
    assert not errors, errors


class Spy:
    """Counts the corpus scans and records the articles hashed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.scans = 0
        self.hashed: list[str] = []
        files, hash_ = CorpusReader.article_files, CorpusReader.article_hash

        def article_files(reader: CorpusReader, *, stat: bool = True) -> dict[str, tuple[int, int, int, int]]:
            self.scans += 1
            return files(reader, stat=stat)

        monkeypatch.setattr(CorpusReader, "article_files", article_files)
        monkeypatch.setattr(CorpusReader, "article_hash", lambda r, aid: self.hashed.append(aid) or hash_(r, aid))

    def take(self) -> tuple[int, list[str]]:
        out = (self.scans, sorted(self.hashed))
        self.scans, self.hashed = 0, []
        return out


def add_mention(corpus: Path, folder: Path | None = None) -> None:
    """Article 002 gets a new mention of Gossi ("30 kilometers north of Gossi")."""
    ann = (folder or corpus / "annotations") / f"{EDITED}.yaml"
    ann.write_text(ann.read_text(encoding="utf-8").replace(
        "\nmentions:\n", "\nmentions:\n  - {entity: gossi, quote: \"north of Gossi\"}\n", 1), encoding="utf-8")


def annotate(corpus: Path, article: str) -> None:
    """A new comment in an article's annotation file: new content, the same graph."""
    with open(corpus / "annotations" / f"{article}.yaml", "a", encoding="utf-8") as f:
        f.write("# reviewed\n")


def test_with_the_watcher_a_build_reads_only_the_journaled_files(tmp_path, corpus_copy, monkeypatch):
    s = settings_for(tmp_path / "inc", corpus_copy)
    with watching(s) as w:
        build(s)  # the first build scans, and records where the journal stood
        layout = StoreLayout(s.store)
        assert sidecar(layout, layout.current(), WATCHED).read_text().startswith(w.session + ":")
        spy = Spy(monkeypatch)
        add_mention(corpus_copy)
        result = build(s)
        assert (result.full, result.articles_rebuilt, result.articles_total) == (False, [EDITED], 5)
        assert spy.take() == (0, [EDITED])  # no scan: only the edited article was stat-ed and hashed
        full = settings_for(tmp_path / "full", corpus_copy)
        build(full, full=True)
        assert_same_quads(quads(s.store), quads(full.store))
        spy.take()  # (the full build's own scan)

        assert build(s).up_to_date and spy.take() == (0, [])
        os.utime(corpus_copy / "articles" / "003_284cecf88603a7fc.txt")  # touched, same content
        assert build(s).up_to_date and spy.take() == (0, ["003_284cecf88603a7fc"])
        assert build(s).up_to_date and spy.take() == (0, [])  # the journal position moved on

        for p in (corpus_copy / "articles" / f"{EDITED}.txt", corpus_copy / "annotations" / f"{EDITED}.yaml"):
            shutil.move(p, tmp_path / p.name)
        result = build(s)
        assert (result.articles_removed, result.articles_total, spy.take()) == ([EDITED], 4, (0, []))
        shutil.move(tmp_path / f"{EDITED}.txt", corpus_copy / "articles")
        shutil.move(tmp_path / f"{EDITED}.yaml", corpus_copy / "annotations")
        result = build(s)
        assert (result.articles_rebuilt, result.articles_total, spy.take()) == ([EDITED], 5, (0, [EDITED]))
    assert_same_quads(quads(s.store), quads(full.store))
    assert not list(corpus_copy.glob(".sahelkg-cookie-*")), "a build left its cookie in the corpus"


def test_lost_events_another_session_or_no_watcher_make_the_build_scan(tmp_path, corpus_copy, monkeypatch):
    s = settings_for(tmp_path, corpus_copy)
    spy = Spy(monkeypatch)
    with watching(s):
        build(s)
        spy.take()
        # a folder moved away and back: its watch is renewed and the journal says "anything changed"
        ann = corpus_copy / "annotations"
        os.rename(ann, tmp_path / "elsewhere")
        add_mention(corpus_copy, folder=tmp_path / "elsewhere")
        os.rename(tmp_path / "elsewhere", ann)
        result = build(s)
        assert result.articles_rebuilt == [EDITED] and spy.take()[0] == 1
        annotate(corpus_copy, "003_284cecf88603a7fc")  # the new watch sees this one
        assert build(s).articles_rebuilt == ["003_284cecf88603a7fc"] and spy.take() == (0, ["003_284cecf88603a7fc"])
    annotate(corpus_copy, "001_af0646745c3fb3a7")  # no watcher: a scan finds it
    assert build(s).articles_rebuilt == ["001_af0646745c3fb3a7"] and spy.take()[0] == 1
    with watching(s):
        assert build(s).up_to_date and spy.take()[0] == 1  # another session: a scan, which finds nothing
        annotate(corpus_copy, EDITED)  # ... and records where the journal stands
        assert build(s).articles_rebuilt == [EDITED] and spy.take() == (0, [EDITED])


def test_a_second_watcher_for_the_store_is_refused(tmp_path, corpus_copy):
    s = settings_for(tmp_path, corpus_copy)
    with watching(s), pytest.raises(WatchError, match="a watcher already runs for this store"):
        watch.Watcher(StoreLayout(s.store).watch_dir, corpus_copy).run()


def test_a_watcher_that_does_not_answer_is_not_waited_for(tmp_path, corpus_copy, monkeypatch):
    # the lock held and a journal written, but nobody reads the kernel's events
    s = settings_for(tmp_path, corpus_copy)
    folder = StoreLayout(s.store).watch_dir
    folder.mkdir(parents=True)
    (folder / "journal").write_text(f"{watch.HEADER} s1 {corpus_copy.resolve()}\n")
    lock = os.open(folder / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        assert watch.sync(folder, corpus_copy, None, timeout=0.2) is None
        monkeypatch.setattr(watch, "SYNC_TIMEOUT", 0.2)
        spy = Spy(monkeypatch)
        assert build(s).full and spy.take()[0] == 1
    finally:
        os.close(lock)
    assert not list(corpus_copy.glob(".sahelkg-cookie-*"))


def test_the_watch_command_serves_builds_until_interrupted(tmp_path, corpus_copy):
    env = {**os.environ, "SAHELKG_CORPUS": str(corpus_copy)}
    store = tmp_path / "store"
    cli = [sys.executable, "-m", "sahelkg"]
    proc = subprocess.Popen([*cli, "watch", "--store", str(store)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        assert line.startswith(f"watching {corpus_copy} for the builds of {store}"), line
        subprocess.run([*cli, "build", "--quiet", "--store", str(store)], env=env, check=True, capture_output=True)
        add_mention(corpus_copy)
        out = subprocess.run([*cli, "build", "--quiet", "--store", str(store)], env=env, check=True,
                             capture_output=True, text=True).stdout
        assert "incremental build (1 changed, 0 removed): 1 article(s) processed" in out
        again = subprocess.run([*cli, "watch", "--store", str(store)], env=env, capture_output=True, text=True, timeout=60)
        assert again.returncode == 1 and "a watcher already runs for this store" in again.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped watching" in err
    remote = subprocess.run([*cli, "watch", "--store", "http://localhost:1/sparql"], env=env, capture_output=True, text=True)
    assert remote.returncode == 2 and "not of a SPARQL server" in remote.stderr



def test_a_moved_corpus_folder_stops_the_watcher(tmp_path, corpus_copy):
    s = settings_for(tmp_path, corpus_copy)
    folder = StoreLayout(s.store).watch_dir
    w = watch.Watcher(folder, corpus_copy)
    ready, errors = threading.Event(), []
    thread = threading.Thread(target=lambda: _capture(w, ready, errors), daemon=True)
    thread.start()
    assert ready.wait(10)
    os.rename(corpus_copy, tmp_path / "moved")
    thread.join(10)
    assert not thread.is_alive() and len(errors) == 1 and "was moved or removed" in str(errors[0])
    assert (folder / "journal").read_text().splitlines()[-1] == watch.EVERYTHING
    os.rename(tmp_path / "moved", corpus_copy)
    assert watch.sync(folder, corpus_copy, None) is None  # its lock released: builds scan


def _capture(w: watch.Watcher, ready: threading.Event, errors: list[BaseException]) -> None:
    try:
        w.run(ready=ready.set)
    except WatchError as e:
        errors.append(e)
