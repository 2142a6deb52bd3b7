"""Forked workers answer their first requests, two at once, without torch's thread-pool race."""

import os
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
