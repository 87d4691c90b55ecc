"""Writing a run's outputs while it analyses: ``Writer``s in processes of their own, fed partners
through pipes, and ``write_run``, which streams a run's results into them and swaps the output
folder in once every file is ready.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from pathlib import Path

from ..config import Config
from ..errors import OutputError, PipelineError
from ..models import Changes, Document, History, Partner, Rejected
from ..signals import held, release
from .folder import full_disk_hint, staged
from .writing import Writer


def write_run(out_dir: Path, formats: Sequence[str], documents: Sequence[Document], config: Config,
              items: Iterable[Partner | Rejected], background: bool = True,
              changes: Callable[[], Changes] | None = None,
              history: History | None = None) -> tuple[int, list[Rejected]]:
    """Write a run's outputs as its ``items`` come (partners, and sections that failed), then replace
    ``out_dir`` with them at once; the lines of the ``documents`` set aside follow the failed sections
    in rejected.csv. ``changes``, if given, tells what changed since a previous run once every item has
    come (its parts are written with the rest); a ``history`` of the pages over their versions is
    written with them too. Returns the number of partners written and the failed sections."""
    failed: list[Rejected] = []
    with staged(out_dir) as folder:
        writer = (BackgroundWriters if background else Writer)(folder, formats, documents, config)
        try:
            for item in items:
                if isinstance(item, Partner):
                    writer.add(item)
                else:
                    failed.append(item)
            writer.close(failed, changes() if changes is not None else None, history)
        except BaseException:
            writer.abort()
            close = getattr(items, "close", None)
            if close is not None:
                close()  # the analysis stops now (its pending batches cancelled), not at a garbage collection
            raise
    return writer.count, failed


class BackgroundWriters:
    """``Writer``s in processes of their own, fed partners through pipes: the outputs are written on
    the second core while this one analyses the next sections. The workbook, the costliest file, has
    a process to itself, so that a re-run of cached sections writes on both cores. Each partner is
    pickled once for all; the pipes' small buffers keep everyone in step, so no process ever holds
    more than a few partners."""

    def __init__(self, folder: Path, formats: Sequence[str], documents: Sequence[Document], config: Config) -> None:
        context = multiprocessing.get_context("fork")
        groups = [g for g in ([f for f in formats if f != "xlsx"], [f for f in formats if f == "xlsx"]) if g]
        self._children: list[tuple] = []  # (connection, process, feed): the feed once every writer runs
        # Every writer is forked, and every feeding thread started, with the interrupts held: the
        # threads keep them held for good, so that the kernel hands an interrupt to the main thread.
        # An interrupt held meanwhile is raised as the block ends: the writers started are then
        # stopped here, since the run never gets this object to abort.
        try:
            with held():
                for i, group in enumerate(groups):
                    conn, child = context.Pipe()
                    # The rows are checked against the schema once, by the first writer.
                    # (Forked: the arguments are inherited, not pickled.)
                    process = context.Process(target=_serve,
                                              args=(child, conn, folder, group, documents, config, i == 0),
                                              name=f"omd-writer-{'-'.join(group)}", daemon=True)
                    process.start()
                    child.close()
                    self._children.append((conn, process, None))
                self._children = [(conn, process, _Feed(conn)) for conn, process, _ in self._children]
        except BaseException:
            self.abort()
            raise
        self.count = 0

    def _send(self, message: tuple) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        for conn, process, feed in self._children:
            if feed.broken:  # that writer stopped: its reason is waiting in the pipe
                self._reply(conn, process)
            feed.put(data)

    @staticmethod
    def _reply(conn, process) -> None:
        try:
            status, value = conn.recv()
        except (EOFError, OSError):
            status, value = "error", OutputError("outputs", "the process writing the outputs stopped unexpectedly",
                                                 "run again; if it recurs, report it")
        process.join()
        if status == "error":
            raise value

    def add(self, partner: Partner) -> None:
        self._send(("add", partner))
        self.count += 1

    def close(self, rejected: Sequence[Rejected] = (), changes: Changes | None = None,
              history: History | None = None) -> None:
        self._send(("close", (tuple(rejected), changes, history)))
        for conn, process, feed in self._children:
            feed.finish()
            self._reply(conn, process)

    def abort(self) -> None:
        for conn, process, feed in self._children:
            if process.is_alive():
                process.terminate()
            process.join()
            if feed is not None:
                feed.finish()
            conn.close()


class _Feed:
    """Sends a writer its messages from a thread, so that the run is never held up by the slowest
    writer: what that writer has not taken yet waits here (at most the run's pickled partners, a
    few kilobytes each, and only when the sections come from the cache faster than it writes)."""

    def __init__(self, conn) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.broken = False
        self._thread = threading.Thread(target=self._run, name="omd-writer-feed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            try:
                self._conn.send_bytes(data)
            except OSError:
                self.broken = True
                return

    def put(self, data: bytes) -> None:
        self._queue.put(data)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()


def _serve(conn, parent_end, folder: Path, formats: Sequence[str], documents: Sequence[Document], config: Config,
           validate: bool) -> None:
    release()
    parent_end.close()  # else the pipe would never tell this process that the run has gone
    writer = None
    try:
        # The first writer checks the rows and writes the files of no format (changes_since_previous.json,
        # history.json).
        writer = Writer(folder, formats, documents, config, validate=validate, companions=validate)
        while True:
            command, value = pickle.loads(conn.recv_bytes())
            if command == "add":
                writer.add(value)
            else:
                writer.close(*value)
                conn.send(("ok", None))
                return
    except EOFError:  # the run stopped without closing: its outputs are discarded by the run
        if writer:
            writer.abort()
    except BaseException as exc:  # noqa: BLE001 - reported to the run, which raises it
        if writer:
            writer.abort()
        error = exc if isinstance(exc, OutputError | PipelineError) else OutputError(
            "outputs", f"writing failed: {type(exc).__name__}: {exc}", "this is a bug: please report it")
        if isinstance(exc, OSError):
            error = OutputError(str(folder), f"cannot write the outputs: {exc.strerror or exc}",
                                full_disk_hint(exc.errno))
        with suppress(OSError):
            conn.send(("error", error))
