"""The "how it sees" answer: how long /api/explain takes in-process, and how big its answer is.

Run as `python -m bench.explain`. Each real stroke record goes through the app's
own /api/explain (Flask's test client: validation, preprocessing, the explainer,
JSON) one at a time; the median and the largest answer are what the targets name.
"""

import time

import numpy as np

from bench import record, runner
from harness.strokes import canvas_payload, load_strokes


def parse_args(argv=None):
    p = runner.parser("explain", __doc__)
    p.add_argument("--count", type=int, default=500, help="records timed, one request each")
    return p.parse_args(argv)


def measure(args):
    from webapp import create_app

    client = create_app({"TESTING": True, "MODEL_PATH": args.model}).test_client()
    records = load_strokes(args.strokes)[: args.count]
    payloads = [canvas_payload(r["strokes"]) for r in records]
    for body in payloads[:20]:  # warm-up
        client.post("/api/explain", json=body)
    explain_ms, predict_ms, sizes = [], [], []
    for body in payloads:
        t0 = time.perf_counter()
        response = client.post("/api/explain", json=body)
        t1 = time.perf_counter()
        client.post("/api/predict", json=body)
        t2 = time.perf_counter()
        if response.status_code != 200:
            raise ValueError(
                f"/api/explain answered {response.status_code}: {response.data[:200]!r}"
            )
        explain_ms.append((t1 - t0) * 1e3)
        predict_ms.append((t2 - t1) * 1e3)
        sizes.append(len(response.data))
    return {
        "model": record.shown_path(args.model),
        "count": len(payloads),
        "explain_ms_p50": float(np.median(explain_ms)),
        "explain_ms_p90": float(np.percentile(explain_ms, 90)),
        "predict_ms_p50": float(np.median(predict_ms)),
        "answer_bytes_p50": int(np.median(sizes)),
        "answer_bytes_max": int(max(sizes)),
    }


def table(r):
    return "\n".join(
        [
            f"model: {r['model']}, {r['count']} real pen-drawn digits, one request at a time, "
            "in-process",
            "",
            "| measure | value | target |",
            "|---|---:|---|",
            f"| /api/explain, median | {r['explain_ms_p50']:.2f} ms | <= 10 ms |",
            f"| /api/explain, 90th percentile | {r['explain_ms_p90']:.2f} ms | |",
            f"| /api/predict, median (same inputs, for scale) | {r['predict_ms_p50']:.2f} ms | |",
            f"| answer size, median | {r['answer_bytes_p50']:,} bytes | |",
            f"| answer size, largest | {r['answer_bytes_max']:,} bytes | <= 8 KB (8,192 bytes) |",
        ]
    )


def main(argv=None):
    _, result = runner.run("explain", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
