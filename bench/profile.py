"""Where one /api/predict request's time goes, stage by stage, in-process and through the server.

Run as `python -m bench.profile`. Replays shared single-digit records as the
page sends them (fitted into a 500 px canvas) and times each stage of a
request on its own, one math thread as each server worker runs: parsing the
JSON body, validating the strokes, the rendering and the model calls that
reading the drawing makes (replayed from a recorded pass), the rest of reading
it (segmentation and judging), writing the answer's JSON, and the whole request
through Flask's test client, with /api/health beside it. Then the same records
over one keep-alive connection to the production server (`python -m webapp`,
one worker), predict and health alternated: what the server and HTTP add.

Each figure is the best of --repeats passes over the records, the passes of all
stages interleaved so that a machine whose speed drifts moves them alike.
"""

import http.client
import json
import statistics
import time

from bench import record, runner
from harness.server import start_server, stop_server
from harness.strokes import canvas_payload, load_strokes
from recognition import preprocess
from recognition.numbers import read_number
from webapp import create_app
from webapp.validation import check_strokes
from webapp.wire import number_json


def parse_args(argv=None):
    p = runner.parser("profile", __doc__)
    p.add_argument("--records", type=int, default=400, help="records replayed (default: 400)")
    p.add_argument("--repeats", type=int, default=7, help="passes per stage (default: 7)")
    p.add_argument(
        "--server-requests",
        type=int,
        default=2000,
        help="requests of each kind sent to the server (default: 2000)",
    )
    return p.parse_args(argv)


class Recorded:
    """Reading drawings with its rendering and model calls recorded and timed where they run:
    between other work, the weights and the renderer's data are no longer in the CPU's caches, so
    a call costs more there than the same call repeated in a loop."""

    def __init__(self, classifier):
        self.classifier = classifier
        self.rendered, self.classified = [], []
        self.seconds = {"rendering": 0.0, "model": 0.0}

    def timed(self, name, call, arguments):
        """call, with each argument kept in arguments and its time added to seconds[name]."""

        def timed_call(argument):
            start = time.perf_counter()
            found = call(argument)
            self.seconds[name] += time.perf_counter() - start
            arguments.append(argument)
            return found

        return timed_call

    def read(self, strokes):
        """The NumberAnswers of these drawings, each call recorded and timed."""
        classifier = self.classifier
        render, probabilities = preprocess.render_parts, classifier.probabilities
        preprocess.render_parts = self.timed("rendering", render, self.rendered)
        classifier.probabilities = self.timed("model", probabilities, self.classified)
        try:
            return [read_number(classifier, s) for s in strokes]
        finally:
            preprocess.render_parts = render
            del classifier.probabilities


def best_of(stages, repeats, count):
    """{name: best per-request ms} over repeats interleaved passes of each stage's function."""
    best = {name: float("inf") for name in stages}
    for _ in range(repeats):
        for name, stage in stages.items():
            start = time.perf_counter()
            stage()
            best[name] = min(best[name], (time.perf_counter() - start) / count * 1e3)
    return best


def in_process(app, payloads, repeats):
    """Each stage's per-request ms, through the app built as the server builds it."""
    classifier = app.extensions["classifier"]
    bodies = [json.loads(p) for p in payloads]
    strokes = [b["strokes"] for b in bodies]
    recorded = Recorded(classifier)
    answers = recorded.read(strokes)
    rendered, classified = recorded.rendered, recorded.classified
    fields = [number_json(a) for a in answers]
    client = app.test_client()
    passes = []

    def read_timed():
        # One pass of reading every drawing, with its rendering and model time where they ran.
        pass_ = Recorded(classifier)
        pass_.read(strokes)
        passes.append(pass_.seconds)

    stages = {
        "JSON body": lambda: [json.loads(p) for p in payloads],
        "validation": lambda: [check_strokes(s, app.config) for s in strokes],
        "reading the drawing": read_timed,
        "rendering alone": lambda: [preprocess.render_parts(d) for d in rendered],
        "model alone": lambda: [classifier.probabilities(p) for p in classified],
        "answer to JSON fields": lambda: [number_json(a) for a in answers],
        "JSON fields to bytes": lambda: [app.json.dumps(f) for f in fields],
        "whole request (test client)": lambda: [
            client.post("/api/predict", data=p, content_type="application/json") for p in payloads
        ],
        "health (test client)": lambda: [client.get("/api/health") for _ in payloads],
    }
    best = best_of(stages, repeats, len(payloads))
    # The reading pass that was quickest overall, split as it ran.
    quickest = min(passes, key=lambda seconds: sum(seconds.values()))
    for name, seconds in quickest.items():
        best[f"{name} in context"] = seconds / len(payloads) * 1e3
    return {
        "ms": best,
        "renders_per_request": len(rendered) / len(payloads),
        "model_calls_per_request": len(classified) / len(payloads),
        "response_bytes": len(
            client.post("/api/predict", data=payloads[0], content_type="application/json").data
        ),
        "request_bytes": statistics.mean(len(p) for p in payloads),
    }


def through_server(model, payloads, count):
    """p50 ms of predict and of health over one keep-alive connection, the two alternated."""
    proc, base = start_server(model=model, workers=1)
    port = int(base.rsplit(":", 1)[1])
    times = {"predict": [], "health": []}
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Content-Type": "application/json"}
        for i in range(count):
            for kind in times:
                start = time.perf_counter()
                if kind == "predict":
                    connection.request("POST", "/api/predict", payloads[i % len(payloads)], headers)
                else:
                    connection.request("GET", "/api/health")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{kind} answered {response.status}")
                times[kind].append((time.perf_counter() - start) * 1e3)
        connection.close()
    finally:
        stop_server(proc)
    return {kind: statistics.median(values) for kind, values in times.items()}


def measure(args):
    records = load_strokes(args.strokes)[: args.records]
    payloads = [
        json.dumps(canvas_payload(r["strokes"]), separators=(",", ":")).encode() for r in records
    ]
    # One math thread, as each server worker runs (the settings' default).
    app = create_app({"MODEL_PATH": args.model})
    result = in_process(app, payloads, args.repeats)
    result["server_p50_ms"] = through_server(args.model, payloads, args.server_requests)
    result["records"] = len(records)
    result["model"] = record.shown_path(args.model)
    return result


def table(r):
    ms = r["ms"]
    reading = ms["reading the drawing"]
    # Rendering and the model are timed where they run; the rest of reading is segmentation and
    # judging.
    rest = reading - ms["rendering in context"] - ms["model in context"]
    parts = ms["JSON body"] + ms["validation"] + reading
    parts += ms["answer to JSON fields"] + ms["JSON fields to bytes"]
    request = ms["whole request (test client)"]
    server = r["server_p50_ms"]
    rows = [
        ("JSON body (`json.loads`)", ms["JSON body"]),
        ("validation (`check_strokes`)", ms["validation"]),
        (
            f"rendering ({r['renders_per_request']:.2f} drawings a request)",
            ms["rendering in context"],
        ),
        ("... the same calls repeated in a loop (caches warm)", ms["rendering alone"]),
        (
            f"model ({r['model_calls_per_request']:.2f} calls a request)",
            ms["model in context"],
        ),
        ("... the same calls repeated in a loop (weights in cache)", ms["model alone"]),
        ("segmentation and judging (the rest of `read_number`)", rest),
        ("the answer's fields (`to_json`)", ms["answer to JSON fields"]),
        ("the fields to bytes (the app's JSON provider)", ms["JSON fields to bytes"]),
        ("Flask (the test client's request less the parts above)", request - parts),
        ("**the whole request in-process**", request),
        ("`/api/health` in-process, for comparison", ms["health (test client)"]),
        ("server and HTTP (server p50 less the in-process request)", server["predict"] - request),
        ("**server p50, one keep-alive connection**", server["predict"]),
        ("`/api/health` server p50, same connection, alternated", server["health"]),
    ]
    lines = [
        f"{r['records']} shared records, one math thread; request {r['request_bytes']:.0f} bytes, "
        f"answer {r['response_bytes']} bytes",
        "",
        "| part | ms a request |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value:.3f} |" for name, value in rows]
    ratio = server["predict"] / server["health"]
    lines += ["", f"Predict's server p50 is {ratio:.1f}x health's on the same connection."]
    return "\n".join(lines)


def main(argv=None):
    runner.run("profile", argv, parse_args, measure, table)


if __name__ == "__main__":
    main()
