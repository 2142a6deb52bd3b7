"""HTTP/1.1 by hand over a socket: for requests no client library would send, and for seeing
whether the server keeps the connection usable afterwards."""

import socket


def read_response(sock):
    """(status line, headers with lower-case names, body) of one response off the socket.

    ConnectionError if the server closes the connection before a whole response.
    """
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection mid-body")
        body += chunk
    return lines[0], headers, body[:length]


def request_bytes(method, path, body=b"", content_type="application/json", extra=b""):
    """A whole request with a Content-Length (no body, no length for GET)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n".encode()
    if content_type:
        head += f"Content-Type: {content_type}\r\n".encode()
    head += extra
    if method != "GET" or body:
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"\r\n" + body


def connect(port, timeout=20):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)
