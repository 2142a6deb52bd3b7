"""A probe of malformed and hostile requests against the production server.

Run as `python -m bench.probe`. Starts `python -m webapp` as the README does and sends each
case of CASES on its own keep-alive connection, raw (harness.raw_http): bodies nested deep,
numbers past float's range, drawings at float's extremes, bodies and images too large, chunked
bodies, wrong methods, paths and content types, request lines and headers past gunicorn's
limits. Counted: 5xx answers (the target: none), answers that are not JSON in the one error
shape, and dropped connections: the server closing without saying `Connection: close`, or the
connection unusable for a normal predict afterwards.
"""

import json

from PIL import Image

from bench import runner
from harness.api_shape import keeps_api_shape
from harness.images import data_url, png_bytes
from harness.raw_http import connect, read_response, request_bytes
from harness.server import start_server, stop_server

SEVEN = json.dumps({"strokes": [[[10, 10], [90, 10], [45, 120]]]}).encode()


def png(width, height):
    """A blank white PNG of this size."""
    return png_bytes(Image.new("L", (width, height), 255))


def chunked(body):
    """A request whose body comes in chunks of 64 KB, with no length up front."""
    head = (
        b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    return head + b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"


def post(body, content_type="application/json", path="/api/predict"):
    return request_bytes("POST", path, body, content_type)


def strokes(points):
    """A predict request for these strokes."""
    return post(json.dumps({"strokes": points}).encode())


def multipart(name, value, filename=None):
    boundary = b"probe-boundary"
    disposition = b'form-data; name="' + name.encode() + b'"'
    if filename:
        disposition += b'; filename="' + filename.encode() + b'"'
    body = (
        b"--"
        + boundary
        + b"\r\nContent-Disposition: "
        + disposition
        + b"\r\n\r\n"
        + value
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )
    return post(body, "multipart/form-data; boundary=probe-boundary")


TOO_MANY_POINTS = [[[i, i] for i in range(20_001)]]
CASES = {
    "JSON nested 5,000 deep": post(b'{"strokes": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "a 310-digit coordinate": post(b'{"strokes": [[[1' + b"0" * 310 + b", 2], [3, 4]]]}"),
    "a 400-digit width": post(b'{"strokes": [[[1, 2], [3, 4]]], "width": 1' + b"0" * 400 + b"}"),
    "a drawing spanning 1e-308": strokes([[[0, 0], [1e-308, 1e-308]]]),
    "coordinates of +-1e308": strokes([[[-1e308, -1e308], [1e308, 1e308]]]),
    "NaN coordinates": post(b'{"strokes": [[[NaN, 0], [1, 1]]]}'),
    "an infinite width": post(b'{"strokes": [[[0, 0], [1, 1]]], "width": Infinity}'),
    "a body that is not JSON": post(b"this is not json"),
    "a body that is not UTF-8": post(b'{"strokes": "\xff\xfe"}'),
    "a JSON array body": post(b"[1, 2, 3]"),
    "strokes as a string": post(b'{"strokes": "a seven"}'),
    "201 strokes": strokes([[[i, i], [i + 1, i]] for i in range(201)]),
    "20,001 points": strokes(TOO_MANY_POINTS),
    "a point of three numbers": strokes([[[1, 2, 3]]]),
    "true and false as coordinates": post(b'{"strokes": [[[true, false]]]}'),
    "an empty JSON body": post(b""),
    "text/plain": post(SEVEN, "text/plain"),
    "no content type": post(SEVEN, None),
    "multipart without an image": multipart("other", b"x"),
    "a 600 KB multipart text field": multipart("image", b"x" * 600_000),
    "an image that is not base64": post(
        json.dumps({"image": "data:image/png;base64,@@@"}).encode()
    ),
    "a truncated PNG": post(json.dumps({"image": data_url(png(50, 50)[:40])}).encode()),
    "a 1 x 16,777,216 PNG": multipart("image", png(1, 16_777_216), "long.png"),
    "a 4096 x 4096 PNG": multipart("image", png(4096, 4096), "big.png"),
    "a 1.2 MB body": post(b'{"strokes": [' + b"[[1, 2], [3, 4]], " * 70_000 + b"[]]}"),
    "a 1.2 MB chunked body": chunked(b'{"strokes": [' + b"[[1, 2], [3, 4]], " * 70_000 + b"[]]}"),
    "GET /api/predict": request_bytes("GET", "/api/predict", content_type=None),
    "/api//health": request_bytes("GET", "/api//health", content_type=None),
    "a path that does not exist": request_bytes("GET", "/api/nothing", content_type=None),
    "explain digit -1": post(b'{"strokes": [[[0, 0], [1, 1]]], "digit": -1}', path="/api/explain"),
    "explain digit 99": post(b'{"strokes": [[[0, 0], [1, 1]]], "digit": 99}', path="/api/explain"),
    "a request line of 5,000 characters": b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "a header of 9,000 characters": b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: "
    + b"b" * 9000
    + b"\r\n\r\n",
}


def parse_args(argv=None):
    p = runner.parser("probe", __doc__, strokes=False)
    return p.parse_args(argv)


def probe(port, raw):
    """(status, well shaped, dropped) for one case on its own connection."""
    with connect(port) as sock:
        sock.sendall(raw)
        try:
            status_line, headers, body = read_response(sock)
        except (ConnectionError, OSError):
            return None, False, True
        status = int(status_line.split()[1])
        shaped = keeps_api_shape(status, headers.get("content-type"), body)
        if headers.get("connection", "").lower() == "close":
            return status, shaped, False
        try:
            sock.sendall(request_bytes("POST", "/api/predict", SEVEN))
            again, _, _ = read_response(sock)
        except (ConnectionError, OSError):
            return status, shaped, True
        return status, shaped, not again.endswith("200 OK")


def measure(args):
    proc, base = start_server(model=args.model, workers=1)
    port = int(base.rsplit(":", 1)[1])
    rows = []
    try:
        for name, raw in CASES.items():
            status, shaped, dropped = probe(port, raw)
            rows.append({"case": name, "status": status, "json": shaped, "dropped": dropped})
    finally:
        stop_server(proc)
    return {
        "cases": len(rows),
        "server_errors": sum(1 for r in rows if r["status"] is None or r["status"] >= 500),
        "not_json": sum(1 for r in rows if not r["json"]),
        "dropped": sum(1 for r in rows if r["dropped"]),
        "rows": rows,
    }


def table(r):
    lines = ["| case | status | JSON, one error shape | connection |", "|---|---|---|---|"]
    for row in r["rows"]:
        kept = "dropped" if row["dropped"] else "kept or closed cleanly"
        shaped = "yes" if row["json"] else "no"
        lines.append(f"| {row['case']} | {row['status']} | {shaped} | {kept} |")
    lines.append("")
    lines.append(
        f"{r['cases']} cases: {r['server_errors']} answered 5xx or not at all, "
        f"{r['not_json']} not JSON in the one error shape, {r['dropped']} connections dropped"
    )
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("probe", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
