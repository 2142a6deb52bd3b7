"""What an operator sees of each request: its id, one JSON log line, and Prometheus metrics.

Every response carries `X-Request-Id`: the one nginx (or another proxy) sent, when it looks like
an id, else one made here; the log line and nginx's own access log then name the same request.
The log line holds the time, method, path, status and duration, never the body, and the client's
address only where LOG_ADDRESSES asks for it.

Metrics (METRICS=1) count requests by endpoint and status, their latency, the verdicts answered
and the corrections written. Under gunicorn each worker is a process of its own: with
PROMETHEUS_MULTIPROC_DIR set (webapp.__main__ sets it), every worker writes its figures to files
there and /metrics, answered by any one worker, adds them all up.
"""

import json
import logging
import os
import random
import re
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, request

REQUEST_LOG = "webapp.requests"
# What a proxy may send as the request's id: nginx's $request_id is 32 hex digits.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Seconds: a predict takes a few milliseconds, an image or a long number up to about 0.1 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

bp = Blueprint("metrics", __name__)


class Metrics:
    """The app's Prometheus metrics, in a registry of its own (two apps in one process, as in the
    tests, do not collide)."""

    def __init__(self):
        # Imported here, not at the top: prometheus_client picks its one-process or multi-process
        # storage when it is first imported, so the server sets PROMETHEUS_MULTIPROC_DIR first.
        import prometheus_client
        import prometheus_client.multiprocess

        self.client = prometheus_client
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR))
        self.registry = prometheus_client.CollectorRegistry()
        self.requests = prometheus_client.Counter(
            "digits_requests",
            "Requests answered, by endpoint (the route, not the path) and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.latency = prometheus_client.Histogram(
            "digits_request_seconds",
            "Time from the request reaching the app to its answer, by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.verdicts = prometheus_client.Counter(
            "digits_verdicts",
            "Answers of predict and explain, by verdict (digit, unsure, not_a_digit, empty)",
            ["verdict"],
            registry=self.registry,
        )
        self.corrections = prometheus_client.Counter(
            "digits_corrections_written",
            "Corrections kept in the store (a key sent again is not counted twice)",
            registry=self.registry,
        )

    def exposition(self):
        """The metrics as Prometheus reads them: every worker's, added up, in multi-process mode."""
        registry = self.registry
        if self.multiprocess:
            registry = self.client.CollectorRegistry()
            self.client.multiprocess.MultiProcessCollector(registry)
        return self.client.generate_latest(registry)


def configure(app):
    """Request ids and the log line for every request; metrics at /metrics where METRICS is on."""
    app.extensions["metrics"] = Metrics() if app.config["METRICS"] else None
    log = logging.getLogger(REQUEST_LOG)
    if app.config["METRICS"]:
        app.register_blueprint(bp)

    @app.before_request
    def start():
        g.started = time.perf_counter()
        sent = request.headers.get("X-Request-Id", "")
        g.request_id = sent if REQUEST_ID.fullmatch(sent) else new_request_id()

    @app.after_request
    def finish(response):
        request_id = g.request_id
        seconds = time.perf_counter() - g.started
        response.headers["X-Request-Id"] = request_id
        endpoint = request.url_rule.rule if request.url_rule else "(no route)"
        metrics = app.extensions["metrics"]
        if metrics is not None:
            status = str(response.status_code)
            metrics.requests.labels(endpoint, request.method, status).inc()
            metrics.latency.labels(endpoint).observe(seconds)
        if app.config["REQUEST_LOG"] and log.isEnabledFor(logging.INFO):
            log.info(json.dumps(log_line(request_id, response.status_code, seconds, app.config)))
        return response


def new_request_id():
    """32 hex digits, unique in practice across processes and machines.

    From the random module, not uuid4: uuid4 reads the kernel's random source, a system call that
    lets go of the interpreter lock, and under load the request then waits for a turn of another
    thread (about a tenth of a busy worker's samples sat there). random reseeds itself in every
    forked worker, so no two workers repeat each other's ids. Ids are labels, not secrets.
    """
    return f"{random.getrandbits(128):032x}"


def log_line(request_id, status, seconds, config):
    """One request as the log's JSON object."""
    return line(
        request_id, request.method, request.path, status, seconds, request.remote_addr, config
    )


def line(request_id, method, path, status, seconds, address, config):
    """The log's JSON object for one request: no body, and the address only with LOG_ADDRESSES.
    method, path and seconds are None for a request the server refused before it was read."""
    found = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id,
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": None if seconds is None else round(1000 * seconds, 2),
    }
    if config["LOG_ADDRESSES"]:
        found["address"] = address
    return found


def server_answered(app, status, method=None, path=None, seconds=None, address=None, sent=""):
    """A request the server answered itself, never reaching the app (a request line or header
    it cannot parse, a body that came too slowly): logged and counted as the app's own answers
    are, under the endpoint "(server)". Returns its request id (sent: the proxy's X-Request-Id,
    kept where it is one), for the answer's X-Request-Id."""
    request_id = sent if REQUEST_ID.fullmatch(sent or "") else new_request_id()
    metrics = app.extensions["metrics"]
    if metrics is not None:
        metrics.requests.labels("(server)", method or "", str(status)).inc()
    log = logging.getLogger(REQUEST_LOG)
    if app.config["REQUEST_LOG"] and log.isEnabledFor(logging.INFO):
        found = line(request_id, method, path, status, seconds, address, app.config)
        log.info(json.dumps(found))
    return request_id


def count_verdict(verdict):
    """One answer's verdict, where metrics are on."""
    metrics = current_app.extensions["metrics"]
    if metrics is not None:
        metrics.verdicts.labels(str(verdict)).inc()


def count_correction():
    """A correction kept, where metrics are on."""
    metrics = current_app.extensions["metrics"]
    if metrics is not None:
        metrics.corrections.inc()


@bp.get("/metrics")
def metrics_page():
    """Prometheus' text format. Outside /api: it is for the operator's scraper, not for clients
    (deploy/nginx/digits.conf refuses it from outside)."""
    metrics = current_app.extensions["metrics"]
    return Response(metrics.exposition(), content_type=metrics.client.CONTENT_TYPE_LATEST)
