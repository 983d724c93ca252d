"""Work on rows in forked processes, results back in the rows' order.

A rebuild spends most of its time analysing text in Python (jieba, pinyin), one core
at a time. :func:`mapped` hands chunks of rows to ``procs`` forked processes and yields
what ``work`` makes of each row, in order, while the caller (the engine's writer) uses
the results of the chunks already done.

The processes are forked once, before the caller starts any thread of its own (an
engine's writer starts several). A child forked while another thread holds a lock waits
on it for ever if it needs that lock (archive.forking): these children run ``work`` and
nothing else — the analysis, whose dictionaries are loaded before the fork and which
takes no lock another thread could hold — and are killed when the caller stops early."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator

CHUNK = 250  # rows a process analyses per message: large enough to amortise the pipe


class mapped:  # noqa: N801 - used like a function: mapped(chunks, work, procs)
    """``work(row)`` for every row of ``chunks``, in order, made by ``procs`` processes.
    The processes are forked here, at once (not at the first result); iterate once, then
    ``close()`` (also a context manager)."""

    def __init__(self, chunks: Iterable[list[dict]], work: Callable[[dict], object], procs: int):
        context = multiprocessing.get_context("fork")
        self.chunks = iter(chunks)
        self.children: list = []
        try:
            for _ in range(procs):
                mine, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, work), daemon=True)
                process.start()
                theirs.close()
                self.children.append((process, mine))
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[object]:
        return _pipeline(self.chunks, self.children)

    def close(self) -> None:
        for process, pipe in self.children:
            if process.is_alive():
                process.kill()
            process.join()
            pipe.close()
        self.children = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _pipeline(chunks: Iterator[list[dict]], children: list) -> Iterator[object]:
    """Keep every process busy with one chunk; take results back in turn."""
    waiting: deque = deque()
    for process, pipe in children:
        chunk = next(chunks, None)
        if chunk is None:
            break
        pipe.send(chunk)
        waiting.append((process, pipe))
    while waiting:
        process, pipe = waiting.popleft()
        try:
            outcome, value = pipe.recv()
        except EOFError:
            process.join(5)
            raise RuntimeError(
                f"an analysis process ended (exit code {process.exitcode})"
            ) from None
        if outcome != "ok":
            raise RuntimeError(f"an analysis process failed: {value}")
        chunk = next(chunks, None)
        if chunk is not None:  # sent before the results are used: the child works meanwhile
            pipe.send(chunk)
            waiting.append((process, pipe))
        yield from value


def _serve(pipe, work: Callable[[dict], object]) -> None:
    """A child's body: chunks in, their results (or why they failed) out."""
    try:
        while True:
            try:
                chunk = pipe.recv()
            except EOFError:
                return
            try:
                pipe.send(("ok", [work(row) for row in chunk]))
            except Exception as exc:  # reported to the parent, which raises it
                pipe.send(("error", repr(exc)))
                return
    finally:
        pipe.close()


def chunks_of(rows, size: int = CHUNK) -> Iterator[list[dict]]:
    """A cursor's rows as lists of plain dicts (a ``sqlite3.Row`` does not pickle)."""
    while chunk := [dict(row) for row in rows.fetchmany(size)]:
        yield chunk
