"""Work drawn in other processes while training goes on: spawned, and ended with their parent.

The training set's banks (negatives, pen digits, real pen digits' variants) take about half a
minute of one core each in a default run; they are drawn beside the main process while it
redraws MNIST's digits. Anything that fails here is drawn in the main process instead.
"""

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


def _exit_with(parent, every=0.5):
    """In a second process: end it once its parent is gone, rather than hold its memory forever."""

    def watch():
        while os.getppid() == parent:  # an orphan is handed to another parent
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def second_process(workers=1):
    """A pool of spawned processes (a forked one can hang on torch) that end when this one does."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with,
        initargs=(os.getpid(),),
    )


def start(jobs):
    """(pool, futures) drawing each (function, args) job in other processes, or None if none
    starts.
    """
    pool = None
    try:
        pool = second_process(len(jobs))
        return pool, [pool.submit(function, *args) for function, args in jobs]
    except (OSError, NotImplementedError, ImportError, RuntimeError):
        if pool:
            pool.shutdown(wait=False)
        return None


def finish(pool, futures):
    """The jobs' results, or None if the pool broke (killed, say): they are then drawn here."""
    try:
        return [future.result() for future in futures]
    except (BrokenProcessPool, OSError):
        return None
    finally:
        pool.shutdown()
