"""The production server with clients that send slowly or not at all: they hold no thread, and
what they never finish is timed out (webapp/worker.py)."""

import json
import os
import socket
import time

import pytest

from harness.raw_http import read_response
from harness.server import start_server, stop_server

SEVEN = json.dumps({"strokes": [[[10, 10], [90, 10], [45, 120]]]}).encode()
READ_TIMEOUT = 2
HEAD = (
    b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n"
)


@pytest.fixture(scope="module")
def server(small_model):
    # One worker with two threads: two slow clients were enough to stop it before.
    proc, base = start_server(
        model=small_model,
        workers=1,
        env={**os.environ, "DIGITS_THREADS": "2", "DIGITS_READ_TIMEOUT": str(READ_TIMEOUT)},
    )
    yield int(base.rsplit(":", 1)[1])
    stop_server(proc)


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def predict(port):
    with connect(port) as sock:
        sock.sendall(HEAD % len(SEVEN) + SEVEN)
        return read_response(sock)


def test_predicts_are_answered_while_slow_clients_hold_more_connections_than_threads(server):
    held = [connect(server) for _ in range(12)]
    try:
        for i, sock in enumerate(held):
            if i % 3 == 0:
                sock.sendall(HEAD[:20])  # half a request line
            elif i % 3 == 1:
                sock.sendall(HEAD % 1000 + b"{")  # whole headers, one byte of the body
            # and a third connect and send nothing
        for _ in range(5):
            status, _, body = predict(server)
            assert status.endswith("200 OK")
            assert "verdict" in json.loads(body)
    finally:
        for sock in held:
            sock.close()


def test_a_body_that_stalls_is_answered_408_json_and_the_connection_closed(server):
    with connect(server) as sock:
        sock.sendall(HEAD % 1000 + b'{"strokes": ')
        started = time.monotonic()
        status, headers, body = read_response(sock)
        waited = time.monotonic() - started
        assert status.endswith("408 Request Timeout")
        assert headers["content-type"] == "application/json"
        assert headers["x-content-type-options"] == "nosniff"
        assert json.loads(body)["error"]["code"] == "request_timeout"
        assert waited >= READ_TIMEOUT - 0.5
        assert sock.recv(1) == b""  # closed by the server
    assert predict(server)[0].endswith("200 OK")


def test_headers_that_never_end_are_cut_off(server):
    with connect(server) as sock:
        sock.sendall(b"POST /api/predict HTTP/1.1\r\nHost: loc")
        started = time.monotonic()
        assert sock.recv(1) == b""
        assert READ_TIMEOUT - 0.5 <= time.monotonic() - started < 9
    assert predict(server)[0].endswith("200 OK")


def test_a_body_sent_in_pieces_within_the_time_is_read_whole(server):
    with connect(server) as sock:
        sock.sendall(HEAD % len(SEVEN))
        for start in range(0, len(SEVEN), 16):
            sock.sendall(SEVEN[start : start + 16])
            time.sleep(0.02)
        status, _, body = read_response(sock)
        assert status.endswith("200 OK")
        assert "verdict" in json.loads(body)
