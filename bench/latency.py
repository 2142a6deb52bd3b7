"""Latency and throughput of /api/predict on the production server, replaying real strokes.

Run as `python -m bench.latency`. Starts `python -m webapp`, checks that
accuracy through the API equals the in-process pipeline, drives it with wrk
(N keep-alive connections) at 1, 4 and 16 clients, and the bare health
endpoint at each of them (the same run's yardstick: issue 23's targets are
predict's requests/s at 16 clients >= 50% of health's, and its p50 at 1 client
<= 2x health's), measures the first page load's
weight and, in headless Chromium, how soon the first prediction shows after
the first stroke ends.
"""

import http.client
import json
import statistics

from bench import record, runner, wrk
from bench.page import first_prediction_ms, page_weight
from harness.server import start_server, stop_server
from harness.strokes import canvas_payload, load_strokes
from recognition.classifier import Classifier
from recognition.numbers import read_number
from webapp.wire import number_json


def parse_args(argv=None):
    p = runner.parser("latency", __doc__)
    p.add_argument(
        "--clients",
        type=int,
        nargs="+",
        default=[1, 4, 16],
        help="concurrent clients (default: 1 4 16)",
    )
    p.add_argument(
        "--duration", type=int, default=10, help="seconds per client count (default: 10)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="server workers (default: the server's, one per core)",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="skip the Chromium time-to-first-prediction check"
    )
    return p.parse_args(argv)


def api_accuracy(port, records):
    """Every record's strokes, as bench/accuracy.py feeds them, once through the API; returns
    (accuracy, errors).
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    right, errors = 0, 0
    for record_ in records:
        body = json.dumps({"strokes": record_["strokes"]})
        conn.request(
            "POST", "/api/predict", body=body, headers={"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            errors += 1
        elif answer["digit"] == record_["label"]:
            right += 1
    conn.close()
    return right / len(records), errors


def run_wrk(port, payloads, clients, duration):
    """One wrk run (POST predict with these bodies, or GET health with none): its figures."""
    requests = [("POST", "/api/predict", body, False) for body in payloads]
    return wrk.run(f"http://127.0.0.1:{port}/api/predict", requests, clients, duration)


def measure(args):
    records = load_strokes(args.strokes)
    payloads = [json.dumps(canvas_payload(r["strokes"]), separators=(",", ":")) for r in records]
    classifier = Classifier.load(args.model)
    direct = sum(
        number_json(read_number(classifier, r["strokes"]))["digit"] == r["label"] for r in records
    ) / len(records)
    proc, base = start_server(model=args.model, workers=args.workers)
    port = int(base.rsplit(":", 1)[1])
    try:
        accuracy, accuracy_errors = api_accuracy(port, records)
        # The bare health endpoint on the same server, same run: a yardstick that moves with the
        # machine. Predict and health alternate at each client count, so that a machine whose
        # speed drifts (2x within minutes has been seen) moves the two alike.
        runs, health = [], []
        for clients in args.clients:
            runs.append(run_wrk(port, payloads, clients, args.duration))
            health.append(run_wrk(port, [], clients, args.duration))
        weight = page_weight(port)
        first = None if args.no_browser else first_prediction_ms(base, records)
    finally:
        stop_server(proc)
    return {
        "model": record.shown_path(args.model),
        "strokes_count": len(records),
        "api_strokes_accuracy": accuracy,
        "direct_strokes_accuracy": direct,
        "accuracy_errors": accuracy_errors,
        "runs": runs,
        "health": health,
        "page_bytes": weight,
        "first_load_bytes": sum(
            v for k, v in weight.items() if (k.startswith("/static") or k == "/") and "(" not in k
        ),
        "offline_bytes": sum(v for k, v in weight.items() if "service worker" in k),
        "first_prediction_ms": first,
    }


def row(run, who):
    """One wrk run as a table row."""
    return (
        f"| {who} | {run['rps']:.0f} | {run['p50_us'] / 1e3:.2f} | {run['p95_us'] / 1e3:.2f} | "
        f"{run['p99_us'] / 1e3:.2f} | {run['max_us'] / 1e3:.1f} | {run['errors']} |"
    )


def table(r):
    lines = [
        f"model: {r['model']}",
        f"accuracy through the API on {r['strokes_count']} real digits: "
        f"{100 * r['api_strokes_accuracy']:.2f}% "
        f"(in-process pipeline: {100 * r['direct_strokes_accuracy']:.2f}%; errors: "
        f"{r['accuracy_errors']})",
        "",
        "| clients | requests/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run, health in zip(r["runs"], r["health"]):
        lines += [row(run, run["clients"]), row(health, f"{health['clients']}, GET /api/health")]
    lines.append("")
    for run, health in zip(r["runs"], r["health"]):
        clients = f"{run['clients']} client{'s' if run['clients'] > 1 else ''}"
        lines.append(
            f"at {clients}, predict against the bare health endpoint on the same server: "
            f"p50 {run['p50_us'] / health['p50_us']:.2f}x, "
            f"p99 {run['p99_us'] / health['p99_us']:.2f}x, "
            f"throughput {100 * run['rps'] / health['rps']:.0f}%  "
        )
    lines += [
        "",
        f"first page load: {r['first_load_bytes'] / 1024:.1f} KB (HTML + JS + CSS, uncompressed): "
        + ", ".join(f"{k} {v} B" for k, v in r["page_bytes"].items() if "service worker" not in k),
        "",
        f"then, in the background, the service worker caches {r['offline_bytes'] / 1024:.1f} "
        "KB more for "
        "offline use (the explain and kiosk modules, the demo digits, the model page)",
    ]
    if r["first_prediction_ms"]:
        t = r["first_prediction_ms"]
        lines.append(
            "first prediction on screen after the first stroke ends: median "
            f"{statistics.median(t):.0f} ms, "
            f"max {max(t):.0f} ms over {len(t)} fresh page loads (headless Chromium)"
        )
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("latency", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
