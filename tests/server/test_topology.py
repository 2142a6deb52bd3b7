"""The deployed topology, run: two instances behind nginx (deploy/nginx/digits.conf, over TLS)
sharing one PostgreSQL. Through nginx a predict answers what the instance answers itself, under
the id nginx logs; the app's 413 and error shape come through; the page is compressed; /metrics
stays inside; nginx limits corrections per address for every instance at once; a
killed instance costs no request; with every instance down the answer is still the API's JSON.
"""

import http.client
import json
import os
import shutil
import ssl
import time

import pytest

from harness import topology as topology_harness
from harness.api_shape import keeps_api_shape
from harness.postgres import find_bin
from tests.support.api import SEVEN
from tests.support.data import SHIPPED_MODEL

SHA = "ab" * 32


def missing_tools():
    """Skip (or, where DIGITS_REQUIRE_NGINX is set, as .ci/run does, fail) without nginx,
    openssl or PostgreSQL."""
    missing = [tool for tool in ("nginx", "openssl") if shutil.which(tool) is None]
    if find_bin() is None:
        missing.append("postgresql")
    if missing:
        reason = f"not installed: {', '.join(missing)} (apt-get install nginx postgresql)"
        if os.environ.get("DIGITS_REQUIRE_NGINX"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def deployed():
    missing_tools()
    environment = {
        "DIGITS_MODEL_PATH": str(SHIPPED_MODEL),
        "DIGITS_CORRECTIONS_RATE": "1000 per minute",
    }
    running = topology_harness.Topology(2, extra_environment=environment).start()
    yield running
    running.remove()


def call(port, method, path, body=None, headers=None, tls=True):
    """(status, headers, body bytes) of one request on a new connection."""
    if tls:
        context = ssl._create_unverified_context()  # the harness's self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=20, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    answer = (response.status, dict(response.getheaders()), response.read())
    conn.close()
    return answer


def test_a_predict_through_nginx_is_the_instances_own_answer_under_nginxs_id(deployed):
    status, headers, body = call(deployed.https_port, "POST", "/api/predict", {"strokes": SEVEN})
    assert status == 200
    instance = deployed.instances[0]
    _, _, direct = call(instance.port, "POST", "/api/predict", {"strokes": SEVEN}, tls=False)
    assert json.loads(body) == json.loads(direct)
    request_id = headers["X-Request-Id"]
    time.sleep(0.3)  # nginx writes its line after the answer
    logged = [json.loads(line) for line in deployed.access_log.read_text().splitlines()]
    [entry] = [e for e in logged if e["request_id"] == request_id]
    assert (entry["uri"], entry["status"]) == ("/api/predict", 200)
    # The instance that answered logged the same id.
    port = int(entry["upstream"].split(":")[-1])
    app_log = (deployed.folder / "log" / f"app-{port}.log").read_text()
    assert f'"request_id": "{request_id}"' in app_log


def test_plain_http_is_sent_to_https(deployed):
    status, headers, _ = call(deployed.http_port, "GET", "/api/health", tls=False)
    assert status == 301 and headers["Location"].startswith("https://")


def test_the_apps_own_413_and_error_shape_come_through(deployed):
    big = json.dumps({"strokes": [[[1, 2]] * 200000]})
    assert 1024 * 1024 < len(big) < 2 * 1024 * 1024
    json_type = {"Content-Type": "application/json"}
    status, headers, body = call(deployed.https_port, "POST", "/api/predict", big, json_type)
    assert status == 413 and keeps_api_shape(status, headers["Content-Type"], body)
    status, headers, body = call(deployed.https_port, "GET", "/api/nowhere")
    assert status == 404 and keeps_api_shape(status, headers["Content-Type"], body)


def test_the_page_is_compressed(deployed):
    status, headers, body = call(
        deployed.https_port, "GET", "/static/style.css", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers.get("Content-Encoding") == "gzip"


def test_metrics_answer_on_the_instance_but_not_through_nginx(deployed):
    assert call(deployed.https_port, "GET", "/metrics")[0] == 404
    status, _, body = call(deployed.instances[0].port, "GET", "/metrics", tls=False)
    assert status == 200 and b"digits_requests_total" in body


def test_corrections_reach_postgres_limited_per_address_by_nginx_for_every_instance(deployed):
    """nginx counts each address's corrections once for all instances (30 a minute, 10 at once):
    a client's own X-Forwarded-For does not make it another address."""
    before = deployed.count("SELECT count(*) FROM corrections")
    statuses, refusal = [], None
    for index in range(15):
        body = {
            "strokes": SEVEN,
            "label": 7,
            "predicted": 1,
            "model": SHA,
            "key": f"burst-{index:04}",
        }
        headers = {"X-Forwarded-For": f"198.51.100.{index}"}
        status, answer_headers, answer = call(
            deployed.https_port, "POST", "/api/corrections", body, headers
        )
        statuses.append(status)
        if status == 429:
            refusal = (answer_headers["Content-Type"], answer)
    assert statuses[:11] == [201] * 11 and 429 in statuses
    assert keeps_api_shape(429, *refusal)
    assert deployed.count("SELECT count(*) FROM corrections") == before + statuses.count(201)


def test_a_killed_instance_costs_no_request_and_none_left_is_still_json(deployed):
    first, second = deployed.instances
    first.kill()
    try:
        statuses = [
            call(deployed.https_port, "POST", "/api/predict", {"strokes": SEVEN})[0]
            for _ in range(20)
        ]
        assert statuses == [200] * 20
        second.kill()
        status, headers, body = call(
            deployed.https_port, "POST", "/api/predict", {"strokes": SEVEN}
        )
        assert status == 503 and keeps_api_shape(status, headers["Content-Type"], body)
    finally:
        for instance in (first, second):
            if instance.process.poll() is not None:
                instance.start()
        for instance in (first, second):
            instance.wait_ready()
