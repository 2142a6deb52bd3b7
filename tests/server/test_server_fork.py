"""Forked workers: they answer their first requests, two at once, without torch's thread-pool
race; they keep sharing the master's objects; and a reload lets the old app go."""

import os
import subprocess
import sys
import threading

import pytest

from tests.support.api import SEVEN
from webapp import __main__ as server
from webapp import create_app

FORKS = 300


def first_requests_two_at_once(app):
    """In a fresh worker: two requests on two threads, started at the same moment; both 200?"""
    start = threading.Barrier(2)
    answers = []

    def ask():
        client = app.test_client()
        start.wait()
        answers.append(client.post("/api/predict", json={"strokes": SEVEN}).status_code)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers == [200, 200]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="gunicorn's workers are forked")
def test_forked_workers_answer_concurrent_first_requests(small_model):
    """As gunicorn does: the app is built (torch used) in the parent, then each forked worker runs
    the post_fork hook and serves two requests at the same moment. Without the hook, about one
    worker in 50 answered a 500 ("Invalid thread pool!")."""
    app = create_app({"TESTING": True, "MODEL_PATH": str(small_model)})
    app.test_client().post("/api/predict", json={"strokes": SEVEN})
    post_fork = server.worker_setup(app)
    failed = 0
    for _ in range(FORKS):
        pid = os.fork()
        if pid == 0:
            ok = False
            try:
                post_fork(None, None)
                ok = first_requests_two_at_once(app)
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        failed += status != 0
    assert failed == 0, f"{failed} of {FORKS} forked workers failed a first request"


# Run in a process of its own: freezing moves objects out of the collector's reach for good.
SHARED_AFTER_FORK = """
import gc, os, sys
from harness.topology import private_kib
from webapp import __main__ as server
from webapp import create_app

app = create_app({"TESTING": True, "MODEL_PATH": sys.argv[1], "DATABASE_URL": "sqlite://"})
if sys.argv[2] == "frozen":
    server.freeze_objects(None, None)
read, write = os.pipe()
if os.fork() == 0:
    before = private_kib(os.getpid())
    gc.collect()
    os.write(write, str(private_kib(os.getpid()) - before).encode())
    os._exit(0)
os.close(write)
print(os.read(read, 100).decode())
"""


def last_word_printed(script, *arguments):
    """Run script in a Python process of its own; the last word it printed."""
    ran = subprocess.run(
        [sys.executable, "-c", script, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return ran.stdout.split()[-1]


def private_growth_of_a_workers_collection(model, mode):
    """KiB of memory a forked worker came to hold alone by running a full garbage collection."""
    return int(last_word_printed(SHARED_AFTER_FORK, model, mode))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="gunicorn's workers are forked")
def test_a_workers_full_collection_leaves_the_masters_objects_shared(small_model):
    """gunicorn's pre_fork hook freezes the master's objects: a worker's collection then writes
    to none of them, so their pages stay one copy for master and worker. Unfrozen, the same
    collection copies every page that holds one (the soak saw about 22 MB each, at once)."""
    frozen = private_growth_of_a_workers_collection(small_model, "frozen")
    unfrozen = private_growth_of_a_workers_collection(small_model, "unfrozen")
    # What the collection and the measuring themselves allocate is about 1.5 MB either way.
    assert unfrozen > 10 * 1024
    assert frozen < unfrozen / 8


RELOADED = """
import gc, sys, weakref
from webapp import __main__ as server
from webapp import create_app

config = {"TESTING": True, "MODEL_PATH": sys.argv[1], "DATABASE_URL": "sqlite://"}
app = create_app(config)
old_model = weakref.ref(app.extensions["classifier"])
master = server.Server({"pre_fork": server.freeze_objects}, app, rebuild=lambda: create_app(config))
del app
server.freeze_objects(None, None)  # the workers' fork
master.reload()  # SIGHUP
server.freeze_objects(None, None)  # the new workers' fork
print("kept" if old_model() is not None else "freed")
"""


def test_a_reload_lets_the_old_model_go(small_model):
    """SIGHUP builds a new app in the master; the old one, frozen at the last fork, must still be
    freed, or every model promotion would keep another model in memory."""
    assert last_word_printed(RELOADED, small_model) == "freed"
