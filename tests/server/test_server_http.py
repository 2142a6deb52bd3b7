"""The production server (gunicorn) at the edges of HTTP: bodies too large, chunked bodies, and
connections that stay usable after a refusal."""

import json
import socket

import pytest

from harness.raw_http import read_response
from harness.server import start_server, stop_server

SEVEN = json.dumps({"strokes": [[[10, 10], [90, 10], [45, 120]]]}).encode()


@pytest.fixture(scope="module")
def server(small_model):
    proc, base = start_server(model=small_model, workers=1)
    yield int(base.rsplit(":", 1)[1])
    stop_server(proc)


def post(sock, body, headers=b""):
    sock.sendall(
        b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + headers
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )
    return read_response(sock)


def test_a_body_too_large_is_413_json_and_the_connection_stays_usable(server):
    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        big = b'{"strokes": [' + b"[[1, 2], [3, 4]], " * 150_000 + b"[]]}"
        status, headers, body = post(sock, big)
        assert status.endswith("413 REQUEST ENTITY TOO LARGE")
        assert headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["code"] == "too_large"
        status, _, body = post(sock, SEVEN)
        assert status.endswith("200 OK") and "verdict" in json.loads(body)


def test_a_chunked_body_too_large_is_413_not_a_cut_off_400(server):
    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        sock.sendall(
            b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        piece = b'{"strokes": [' + b"[[1, 2], [3, 4]], " * 70_000 + b"[]]}"
        for start in range(0, len(piece), 65536):
            chunk = piece[start : start + 65536]
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
        status, _, body = read_response(sock)
        assert status.endswith("413 REQUEST ENTITY TOO LARGE"), (status, body[:200])
        assert json.loads(body)["error"]["code"] == "too_large"
        status, _, body = post(sock, SEVEN)
        assert status.endswith("200 OK")


def test_a_small_chunked_body_is_read_whole(server):
    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        sock.sendall(
            b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(SEVEN)
            + SEVEN
            + b"\r\n0\r\n\r\n"
        )
        status, _, body = read_response(sock)
        assert status.endswith("200 OK") and "verdict" in json.loads(body)


def raw_answer(port, request):
    """The one response gunicorn gives to these raw bytes, before it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        return read_response(sock)


@pytest.mark.parametrize(
    "request_bytes,status,code",
    [
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
            431,
            "headers_too_large",
        ),
        (b"NOT A REQUEST LINE\r\n\r\n", 400, "bad_request"),
    ],
)
def test_the_servers_own_errors_are_json_with_the_security_headers(
    server, request_bytes, status, code
):
    """Requests gunicorn refuses before they reach the app answer in the API's one error shape,
    with the headers every app response carries, not gunicorn's HTML page."""
    status_line, headers, body = raw_answer(server, request_bytes)
    assert status_line.startswith(f"HTTP/1.1 {status} ")
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"].startswith("default-src 'self'")
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]
