"""Letters planned in worker processes while the main process draws them.

Planning a letter (above all its QR code, even with portal.letters.qr's fast mask choice)
costs about three times its drawing. On a machine with cores to spare, a campaign of more
than a thousand letters is planned by a small pool of processes, in order, a few batches
ahead of the drawing. On two cores shared with other work (bench/bench_letters.py, 3,000
letters: 13 s in one process, 14 to 19 s with two workers, and a third more CPU time) the
pool does not pay, so there the letters are planned in this process; likewise a preview
or a small campaign. Worker processes are spawned (no fork of a threaded web process): the
program that calls `render()` must guard its main module (`if __name__ == "__main__":`),
as gunicorn, RQ and pytest do.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain, islice

BATCH, SMALL = 100, 1000
_planner = None  # in a worker process: the campaign's planner, received once


def default_workers() -> int:
    """Two planning processes from four cores, none below."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 if (cores or 1) >= 4 else 0


def planned(planner, recipients: Iterable, workers: int | None) -> Iterator[tuple]:
    """(recipient, pages) for each recipient, in order."""
    iterator = iter(recipients)
    first = list(islice(iterator, SMALL))
    if workers is None:
        workers = default_workers() if len(first) == SMALL else 0
    if not workers:
        for recipient in chain(first, iterator):
            yield recipient, planner.plan(recipient)
        return
    iterator = chain(first, iterator)
    batches = iter(lambda: list(islice(iterator, BATCH)), [])
    context = multiprocessing.get_context("spawn")  # no fork of a threaded web process
    with ProcessPoolExecutor(workers, context, initializer=_start, initargs=(planner,)) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_plan, batch)))
            if len(pending) > 2 * workers:
                batch, future = pending.popleft()
                yield from zip(batch, future.result(), strict=True)
        while pending:
            batch, future = pending.popleft()
            yield from zip(batch, future.result(), strict=True)


def _start(planner) -> None:
    global _planner
    _planner = planner


def _plan(batch: list) -> list:
    return [_planner.plan(recipient) for recipient in batch]
