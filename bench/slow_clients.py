"""Slow and idle clients against the production server: do normal requests still flow?

Run as `python -m bench.slow_clients`. Starts `python -m webapp` as the README does (its default
workers and threads), measures a normal /api/predict's latency alone, then opens --sockets
connections that hold the server: a third send a request's headers one byte a second, a third
send whole headers and then the body one byte a second, a third connect and send nothing; one
the server closes for being too slow connects again at once. For --seconds, while they stay
open, normal predicts go one after another on fresh connections: reported are their p50 against
the p50 alone (the same run), and how many failed or took over 10 s.
"""

import http.client
import json
import socket
import statistics
import threading
import time

from bench import runner
from harness.server import start_server, stop_server
from harness.strokes import canvas_payload, load_strokes

KINDS = ("headers", "body", "idle")  # what a slow socket sends: see trickle
HEADERS = (
    b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n"
)


def parse_args(argv=None):
    p = runner.parser("slow_clients", __doc__)
    p.add_argument("--sockets", type=int, default=64, help="slow or idle connections held open")
    p.add_argument("--seconds", type=float, default=60, help="how long they stay open")
    p.add_argument("--workers", type=int, default=0, help="server workers (0: its default)")
    return p.parse_args(argv)


def trickle(port, kind, stop, closed):
    """One slow client: headers a byte a second, a body a byte a second, or nothing at all.

    When the server closes the connection for being too slow (its READ_TIMEOUT), it connects
    again at once, as an attacker would, and counts the cut-off in closed.
    """
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            stop.wait(0.1)
            continue
        with sock:
            try:
                hold(sock, kind, stop)
            except OSError:
                pass
        if not stop.is_set():
            closed.append(kind)


def hold(sock, kind, stop):
    """Send kind's bytes a second at a time until stop, or until the server closes sock."""
    sock.setblocking(False)
    if kind == "body":
        sock.sendall(HEADERS)
    sent = 0
    while not stop.is_set():
        if kind == "headers" and sent < len(HEADERS):
            sock.sendall(HEADERS[sent : sent + 1])
            sent += 1
        elif kind == "body":
            sock.sendall(b" ")
        if stop.wait(1.0):
            return
        try:
            if sock.recv(65536) == b"":
                return  # closed by the server
        except BlockingIOError:
            pass  # still open, nothing said


def one_predict(port, body):
    """Seconds for one predict on a fresh connection, or None if it failed."""
    start = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/api/predict", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
    except OSError:
        return None
    if response.status != 200:
        return None
    return time.perf_counter() - start


def measure(args):
    records = load_strokes(args.strokes)[:200]
    bodies = [json.dumps(canvas_payload(r["strokes"])) for r in records]
    proc, base = start_server(model=args.model, workers=args.workers or None)
    port = int(base.rsplit(":", 1)[1])
    try:
        alone = [one_predict(port, bodies[k % len(bodies)]) for k in range(200)]
        alone_ok = [t for t in alone if t is not None]
        stop = threading.Event()
        closed = []
        holders = [
            threading.Thread(
                target=trickle, args=(port, KINDS[k % len(KINDS)], stop, closed), daemon=True
            )
            for k in range(args.sockets)
        ]
        for holder in holders:
            holder.start()
        time.sleep(2)  # every slow socket connected and holding
        during, failed = [], 0
        deadline = time.time() + args.seconds
        k = 0
        while time.time() < deadline:
            took = one_predict(port, bodies[k % len(bodies)])
            k += 1
            if took is None:
                failed += 1
            else:
                during.append(took)
        stop.set()
    finally:
        stop_server(proc)
    p50_alone = statistics.median(alone_ok) * 1000
    p50_during = statistics.median(during) * 1000 if during else None
    return {
        "sockets": args.sockets,
        "seconds": args.seconds,
        "p50_alone_ms": p50_alone,
        "p50_during_ms": p50_during,
        "ratio": None if p50_during is None else p50_during / p50_alone,
        "requests_during": len(during) + failed,
        "failed_during": failed,
        "failed_alone": len(alone) - len(alone_ok),
        "closed_by_server": {kind: closed.count(kind) for kind in KINDS},
    }


def table(r):
    during = "none answered" if r["p50_during_ms"] is None else f"{r['p50_during_ms']:.2f} ms"
    ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
    return "\n".join(
        [
            f"{r['sockets']} slow or idle sockets held open for {r['seconds']:.0f} s",
            f"normal predict p50 alone: {r['p50_alone_ms']:.2f} ms; while they are open: "
            f"{during} ({ratio})",
            f"predicts while they are open: {r['requests_during']}, "
            f"failed or over 10 s: {r['failed_during']}",
            "slow sockets the server closed for being too slow (each connected again at once, "
            "so all were held throughout): "
            + ", ".join(f"{kind} {n}" for kind, n in r["closed_by_server"].items()),
        ]
    )


def main(argv=None):
    _, result = runner.run("slow_clients", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
