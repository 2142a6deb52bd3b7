"""The production server's metrics and log: /metrics adds up every worker's figures
(prometheus-client's multi-process mode) and leaves no files behind; each request is one JSON
line on the server's output."""

import http.client
import json
import os
import re
import socket
import threading

from harness.raw_http import read_response
from harness.server import start_server, stop_server
from tests.support.data import SHIPPED_MODEL
from tests.webapp.test_observe import metric

REQUESTS = 60


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response, body


def test_metrics_add_up_every_worker_and_the_log_is_one_line_per_request(tmp_path):
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        "DIGITS_METRICS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "DIGITS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
    }
    # A file left by an earlier start: its figures must not be added to this one's.
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over")
    proc, base = start_server(model=SHIPPED_MODEL, workers=2, env=env)
    port = int(base.rsplit(":", 1)[1])
    try:
        # Concurrent connections, so that both workers answer some.
        def ask(count):
            for _ in range(count):
                get(port, "/api/health", {"X-Request-Id": "from-the-proxy"})

        threads = [threading.Thread(target=ask, args=(REQUESTS // 6,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pids = {f.name.rsplit("_", 1)[-1] for f in metrics_dir.glob("counter_*.db")}
        health = {"endpoint": "/api/health", "method": "GET", "status": "200"}
        # Whichever worker answers the scrape, it reports both workers' requests (start_server
        # made some health requests of its own while waiting for the server).
        counts = set()
        for _ in range(6):
            response, text = get(port, "/metrics")
            assert response.status == 200
            counts.add(metric(text, "digits_requests_total", **health))
        assert len(counts) == 1 and counts.pop() >= REQUESTS
        assert len(pids - {"1.db"}) >= 2, "both workers wrote their own figures"
    finally:
        stop_server(proc)
    assert not (metrics_dir / "counter_1.db").exists()


def stop_and_read_log(proc):
    """Stop the server (its workers finish and write their last lines), then its JSON log lines."""
    proc.terminate()
    proc.wait(timeout=20)
    proc.log.seek(0)
    lines = [json.loads(line) for line in proc.log if line.startswith("{")]
    proc.log.close()
    return lines


def test_the_server_writes_one_json_line_per_request(tmp_path):
    env = {**os.environ, "DIGITS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    proc, base = start_server(model=SHIPPED_MODEL, workers=1, env=env)
    port = int(base.rsplit(":", 1)[1])
    try:
        get(port, "/api/model", {"X-Request-Id": "trace-me-42"})
        get(port, "/api/missing")
    finally:
        lines = stop_and_read_log(proc)
    model, missing = [line for line in lines if line["path"] != "/api/health"]
    assert (model["request_id"], model["status"], missing["status"]) == ("trace-me-42", 200, 404)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT.*", line["time"]) for line in lines)


def test_answers_the_server_writes_itself_are_logged_and_counted(tmp_path):
    """A request gunicorn cannot parse, and a body that stops coming, never reach the app: they
    still get an X-Request-Id, their own log line and a count, as the app's answers do."""
    env = {
        **os.environ,
        "DIGITS_METRICS": "1",
        "DIGITS_READ_TIMEOUT": "1",
        "DIGITS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    proc, base = start_server(model=SHIPPED_MODEL, workers=1, env=env)
    port = int(base.rsplit(":", 1)[1])
    answers = []
    try:
        for raw in (
            b"NOT A REQUEST LINE\r\n\r\n",
            b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
            b"POST /api/predict HTTP/1.1\r\nHost: x\r\nX-Request-Id: from-nginx-7\r\n"
            b"Content-Length: 50\r\n\r\n{",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
                sock.sendall(raw)
                answers.append(read_response(sock))
        _, text = get(port, "/metrics")
    finally:
        lines = stop_and_read_log(proc)
    served = [line for line in lines if line["path"] not in ("/api/health", "/metrics")]
    assert [line["status"] for line in served] == [400, 431, 408]
    ids = [headers["x-request-id"] for _, headers, _ in answers]
    assert [line["request_id"] for line in served] == ids
    # Made where none was sent; the proxy's kept where it sent one.
    assert all(re.fullmatch(r"[0-9a-f]{32}", found) for found in ids[:2])
    assert ids[2] == "from-nginx-7"
    unparsed, too_large, too_slow = served
    assert unparsed["method"] is None and unparsed["duration_ms"] is None
    assert (too_slow["method"], too_slow["path"]) == ("POST", "/api/predict")
    assert too_slow["duration_ms"] >= 1000
    for status, method in (("400", ""), ("431", ""), ("408", "POST")):
        labels = {"endpoint": "(server)", "method": method, "status": status}
        assert metric(text, "digits_requests_total", **labels) == 1
