"""What an operator sees of each request: an id that a proxy's survives, one JSON log line with no
body and no address unless asked, Prometheus metrics only where enabled, and behind a proxy the
client's own address for the rate limit.
"""

import json
import logging
import os
import re

import pytest

from tests.support.api import SEVEN
from webapp import create_app
from webapp.observe import REQUEST_LOG, new_request_id

SHA = "ab" * 32


def make_app(small_model, tmp_path, **config):
    return create_app(
        {
            "TESTING": True,
            "MODEL_PATH": str(small_model),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'corrections.db'}",
            **config,
        }
    )


class Lines(logging.Handler):
    """The request log's lines, as JSON objects."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture()
def request_log():
    """What the request log writes during a test (on its own handler: the server's may have
    stopped the logger's lines from reaching pytest's)."""
    log = logging.getLogger(REQUEST_LOG)
    handler, level = Lines(), log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield handler.lines
    log.removeHandler(handler)
    log.setLevel(level)


def test_a_proxys_request_id_is_kept_and_a_missing_one_is_made(client):
    sent = client.get("/api/health", headers={"X-Request-Id": "0123456789abcdef0123456789abcdef"})
    assert sent.headers["X-Request-Id"] == "0123456789abcdef0123456789abcdef"
    made = client.get("/api/health")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    # Not an id (spaces, a header injection attempt, too long): replaced, not echoed.
    for bad in ("two words", "a\u00e9b", "x" * 129):
        answer = client.get("/api/health", headers={"X-Request-Id": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-Id"])


def test_forked_workers_make_ids_of_their_own():
    """The server's workers are forks of one process: each must draw other ids than its
    siblings' and its parent's."""
    new_request_id()  # the parent's generator in use before the fork, as the server's is
    reading, writing = os.pipe()
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            os.write(writing, (new_request_id() + "\n").encode())
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        ids = pipe.read().split()
    ids.append(new_request_id())
    assert len(ids) == 4 and len(set(ids)) == 4


def test_every_request_is_one_json_line_without_its_body_or_address(client, request_log):
    client.post("/api/predict", json={"strokes": SEVEN}, headers={"X-Request-Id": "req-1"})
    client.post("/api/predict", data="{not json", content_type="application/json")
    client.get("/no/such/page")
    predict, broken, missing = request_log
    assert set(predict) == {"time", "request_id", "method", "path", "status", "duration_ms"}
    assert (predict["request_id"], predict["method"], predict["path"], predict["status"]) == (
        "req-1",
        "POST",
        "/api/predict",
        200,
    )
    assert predict["duration_ms"] > 0 and predict["time"].endswith("+00:00")
    assert (broken["status"], missing["status"]) == (400, 404)
    assert "strokes" not in json.dumps(request_log) and "127.0.0.1" not in json.dumps(request_log)


def test_the_address_is_logged_only_when_asked(small_model, tmp_path, request_log):
    make_app(small_model, tmp_path, LOG_ADDRESSES=1).test_client().get("/api/health")
    make_app(small_model, tmp_path, REQUEST_LOG=0).test_client().get("/api/health")
    [line] = request_log
    assert line["address"] == "127.0.0.1"


def test_no_metrics_unless_enabled(client):
    assert client.get("/metrics").status_code == 404


def metric(text, name, **labels):
    """One sample's value from Prometheus' text format (0 where it is absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{{{re.escape(wanted)}}} (\S+)$" if labels else rf"^{name} (\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


def test_metrics_count_requests_latency_verdicts_and_corrections(small_model, tmp_path):
    client = make_app(small_model, tmp_path, METRICS=1).test_client()
    for _ in range(3):
        client.get("/api/health")
    answer = client.post("/api/predict", json={"strokes": SEVEN}).get_json()
    client.post("/api/predict", json={"strokes": []})
    client.post("/api/predict", json={"strokes": "no"})
    correction = {"strokes": SEVEN, "label": 7, "predicted": 1, "model": SHA, "key": "metric-1"}
    client.post("/api/corrections", json=correction)
    client.post("/api/corrections", json=correction)  # the same key: not written twice
    client.get("/api/units/99999")
    client.get("/api/no-such-1")
    client.get("/api/no-such-2")
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    health = {"endpoint": "/api/health", "method": "GET", "status": "200"}
    assert metric(text, "digits_requests_total", **health) == 3
    predict = {"endpoint": "/api/predict", "method": "POST"}
    assert metric(text, "digits_requests_total", **predict, status="200") == 2
    assert metric(text, "digits_requests_total", **predict, status="400") == 1
    # Counted by route, not by path: paths the app does not have are one line, not one each.
    unit = {"endpoint": "/api/units/<int:index>", "method": "GET", "status": "404"}
    assert metric(text, "digits_requests_total", **unit) == 1
    nowhere = {"endpoint": "(no route)", "method": "GET", "status": "404"}
    assert metric(text, "digits_requests_total", **nowhere) == 2
    assert metric(text, "digits_request_seconds_count", endpoint="/api/predict") == 3
    assert metric(text, "digits_verdicts_total", verdict=answer["verdict"]) >= 1
    assert metric(text, "digits_verdicts_total", verdict="empty") == 1
    assert metric(text, "digits_corrections_written_total") == 1


def test_two_apps_in_one_process_keep_their_own_metrics(small_model, tmp_path):
    first = make_app(small_model, tmp_path, METRICS=1).test_client()
    second = make_app(small_model, tmp_path, METRICS=1).test_client()
    first.get("/api/health")
    text = second.get("/metrics").get_data(as_text=True)
    health = {"endpoint": "/api/health", "method": "GET", "status": "200"}
    assert metric(text, "digits_requests_total", **health) == 0


@pytest.mark.parametrize("proxies, second_status", [(1, 201), (0, 429)])
def test_behind_a_proxy_the_rate_limit_counts_the_forwarded_address(
    small_model, tmp_path, proxies, second_status
):
    """With PROXIES=1 (nginx in front) two clients are two addresses; without it their
    X-Forwarded-For is not believed: it is the one connection's address, and the second is over
    the limit."""
    app = make_app(small_model, tmp_path, PROXIES=proxies, CORRECTIONS_RATE="1 per minute")
    client = app.test_client()
    statuses = []
    for index, address in enumerate(("203.0.113.7", "203.0.113.8")):
        body = {
            "strokes": SEVEN,
            "label": 7,
            "predicted": 1,
            "model": SHA,
            "key": f"key-{index}0000",
        }
        answer = client.post("/api/corrections", json=body, headers={"X-Forwarded-For": address})
        statuses.append(answer.status_code)
    assert statuses == [201, second_status]
