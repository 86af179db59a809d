"""Letters planned in worker processes while the main process draws them.

Encoding a QR code (segno, pure Python: the standard's eight masks are each tried and
scored) costs more than drawing the whole letter, so a campaign of more than one batch is
planned by a small pool of processes, in order, a few batches ahead of the drawing; a
smaller one (a preview, a test) in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain, islice

BATCH = 100
_planner = None  # in a worker process: the campaign's planner, received once


def default_workers() -> int:
    """Two processes where there are at least two cores (more did not pay on a 2-core
    machine: the main process draws meanwhile), none on a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if (cores or 1) < 2 else 2


def planned(planner, recipients: Iterable, workers: int | None) -> Iterator[tuple]:
    """(recipient, pages) for each recipient, in order."""
    iterator = iter(recipients)
    first = list(islice(iterator, BATCH))
    if workers is None:
        workers = default_workers() if len(first) == BATCH else 0
    if not workers:
        for recipient in chain(first, iterator):
            yield recipient, planner.plan(recipient)
        return
    batches = chain([first], iter(lambda: list(islice(iterator, BATCH)), []))
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
