"""SIGHUP to the production server: it serves the model now at its path (as `flask model promote`
leaves it) with no request refused meanwhile; a model that does not load is reported and the old
one serves on."""

import http.client
import json
import os
import shutil
import signal
import threading
import time

from harness.server import start_server, stop_server
from harness.topology import children
from recognition import checkpoint
from tests.support.api import SEVEN
from tests.support.data import SHIPPED_MODEL


def copy_model(source, target):
    for suffix in (".safetensors", ".json"):
        shutil.copy2(source.with_suffix(suffix), target.with_suffix(suffix))


def served_sha(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/model")
    body = json.loads(conn.getresponse().read())
    conn.close()
    return body["weights"]["sha256"]


def keep_asking(port, stop, outcomes):
    """Predicts one after another, each on a new connection, until stop: their statuses."""
    data = json.dumps({"strokes": SEVEN})
    while not stop.is_set():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/api/predict", data, {"Content-Type": "application/json"})
            outcomes.append(conn.getresponse().status)
            conn.close()
        except (OSError, http.client.HTTPException) as exc:  # refused, reset or cut short
            outcomes.append(repr(exc))


def test_sighup_serves_the_new_model_and_refuses_nothing(tmp_path, small_model):
    served = tmp_path / "served.safetensors"
    copy_model(SHIPPED_MODEL, served)
    env = {**os.environ, "DIGITS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    proc, base = start_server(model=served, workers=2, env=env)
    port = int(base.rsplit(":", 1)[1])
    stop, outcomes = threading.Event(), []
    asker = threading.Thread(target=keep_asking, args=(port, stop, outcomes))
    try:
        old = served_sha(port)
        asker.start()
        time.sleep(0.5)
        copy_model(small_model, served)  # a promote: another model at the same path
        new = checkpoint.read_sidecar(served)["weights"]["sha256"]
        old_workers = set(children(proc.pid))
        os.kill(proc.pid, signal.SIGHUP)
        # New workers serve beside the old ones until those have finished what they hold: either
        # may answer meanwhile. Once the old ones are gone, every answer is the new model's.
        deadline = time.time() + 30
        while (still_serving := old_workers & set(children(proc.pid))) and time.time() < deadline:
            time.sleep(0.2)
        assert not still_serving
        assert {served_sha(port) for _ in range(6)} == {new} != {old}
        # A model that does not load: the server says so and keeps serving the one it has.
        served.with_suffix(".safetensors").write_bytes(b"not a model")
        os.kill(proc.pid, signal.SIGHUP)
        time.sleep(3)
        assert proc.poll() is None and served_sha(port) == new
    finally:
        stop.set()
        asker.join()
        stop_server(proc)
    assert len(outcomes) > 10
    assert set(outcomes) == {200}, [o for o in outcomes if o != 200][:5]
