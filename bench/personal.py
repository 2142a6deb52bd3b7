"""Teach it your handwriting: how many misreads a writer's own corrections take away, and at what
cost.

Run as `python -m bench.personal`. For each writer of a stroke file (records with "writer",
"label" and "strokes"), that writer's digits in a random order (--orders orders, seeds 0, 1, ...):
each finished digit is sent to /api/predict as the page sends it, through the app in-process (the
path the server takes: validation, reading, the examples' lean, the JSON), with the writer's
personal examples so far. A misread (any answer but the right digit: another digit, "not a
digit", or more than one digit) is corrected as a person would: the digit's feature, from the
answer, is kept with the right label, the oldest dropped beyond the limit (a drawing read as
several digits is counted, but the page offers no correction that makes it one digit). The same
digits read with no examples give the misreads without; an answer harmed is one right without
examples and wrong with them. A writer's first misread of a digit stays a misread whatever
learns from their corrections: their count is the floor. Then the time of one predict carrying
100 personal examples against one carrying none, interleaved in the same run.

Records listed as not showing their label (the shared file's list) are left out. Run it on the
held-out pen writers, 250 digits each:
`python -m bench.personal --strokes strokes/pendigits.json.gz --writers 'pendigits/tes*'`.
"""

import fnmatch
import time
from pathlib import Path

import numpy as np

from bench import runner
from harness.strokes import canvas_payload, load_strokes, readable, unreadable_list
from recognition import personal
from webapp import create_app


def parse_args(argv=None):
    p = runner.parser("personal", __doc__)
    p.add_argument("--writers", default="*", help="only writers whose id matches this pattern")
    p.add_argument("--orders", type=int, default=3, help="random orders of each writer's digits")
    p.add_argument("--timed", type=int, default=300, help="predicts timed of each kind")
    p.add_argument(
        "--unreadable", default=None, help="JSON list of records that do not show their label"
    )
    args = p.parse_args(argv)
    if args.orders < 1 or args.timed < 1:
        p.error("--orders and --timed must be at least 1")
    return args


def writers_of(args):
    """{writer: [(label, body)]} of the records that show their label, as the page sends them."""
    records = load_strokes(args.strokes)
    records = readable(records, unreadable_list(args.strokes, args.unreadable))
    by_writer = {}
    for record in records:
        writer = record.get("writer")
        if writer is None or not fnmatch.fnmatchcase(writer, args.writers):
            continue
        body = canvas_payload(record["strokes"])
        by_writer.setdefault(writer, []).append((record["label"], body))
    if not by_writer:
        raise ValueError(f"{args.strokes}: no records of writers matching {args.writers!r}")
    return by_writer


def right(answer, label):
    """Whether an answer reads the drawing as its label: one digit, and that one."""
    return len(answer["digits"]) == 1 and answer["digit"] == label


def measure(args):
    app = create_app({"MODEL_PATH": args.model})
    client = app.test_client()
    model = client.get("/api/model").get_json()["weights"]["sha256"]

    def predict(body, examples):
        personal_part = {"personal": {"model": model, "examples": examples}}
        response = client.post("/api/predict", json={**body, **personal_part})
        if response.status_code != 200:
            raise RuntimeError(f"/api/predict answered {response.status_code}: {response.text}")
        return response.get_json()

    writers = writers_of(args)
    totals = {
        "answers": 0,
        "misreads_without": 0,
        "misreads_with": 0,
        "harmed": 0,
        "first_misreads": 0,
    }
    for digits in writers.values():
        without = [right(predict(body, []), label) for label, body in digits]
        for order in range(args.orders):
            examples = []
            misread_labels = set()
            for k in np.random.default_rng(order).permutation(len(digits)):
                label, body = digits[k]
                answer = predict(body, examples)
                is_right = right(answer, label)
                totals["answers"] += 1
                totals["misreads_without"] += not without[k]
                totals["misreads_with"] += not is_right
                totals["harmed"] += without[k] and not is_right
                # A writer's first misread of a digit: no correction of theirs came before it.
                if not without[k]:
                    totals["first_misreads"] += label not in misread_labels
                    misread_labels.add(label)
                if not is_right and len(answer["digits"]) == 1:
                    kept = {"label": label, "feature": answer["digits"][0]["feature"]}
                    examples = (examples + [kept])[-personal.LIMIT :]
    return {
        "strokes": Path(args.strokes).name,
        "writers": len(writers),
        "orders": args.orders,
        **totals,
        **timing(predict, writers, model, args.timed),
    }


def timing(predict, writers, model, count):
    """p50 and p90 of one predict carrying 100 personal examples and of one carrying none,
    interleaved, on the writers' digits in turn."""
    rng = np.random.default_rng(0)
    pool = [body for digits in writers.values() for _, body in digits]
    examples = [
        {"label": int(rng.integers(10)), "feature": personal.encode(random_feature(rng))}
        for _ in range(personal.LIMIT)
    ]
    times = {0: [], personal.LIMIT: []}
    for i in range(count):
        body = pool[i % len(pool)]
        for carried in (examples[:0], examples):
            start = time.perf_counter()
            predict(body, carried)
            times[len(carried)].append(time.perf_counter() - start)
    none, hundred = (np.array(times[n]) * 1000 for n in (0, personal.LIMIT))
    return {
        "p50_ms_none": float(np.median(none)),
        "p50_ms_100": float(np.median(hundred)),
        "p90_ms_none": float(np.percentile(none, 90)),
        "p90_ms_100": float(np.percentile(hundred, 90)),
    }


def random_feature(rng):
    values = rng.integers(-127, 128, personal.SIZE).astype(np.int8)
    values[0] = values[0] or 1
    return values


def table(r):
    answers = r["answers"]
    without, with_ = r["misreads_without"], r["misreads_with"]
    ratio = with_ / without if without else float("nan")
    return "\n".join(
        [
            f"{r['strokes']}: {r['writers']} writers, each writer's digits in {r['orders']} "
            f"random orders, {answers:,} answers",
            "",
            "| | figure | target |",
            "|---|---|---|",
            f"| misreads without personal examples | {without} ({100 * without / answers:.2f}%) "
            "| |",
            f"| misreads with them | {with_} ({100 * with_ / answers:.2f}%) | |",
            f"| with / without | {ratio:.2f} | <= 0.60 |",
            f"| best any learning from corrections could do: a writer's first misread of each "
            f"digit stays | {r['first_misreads']} ({r['first_misreads'] / without:.2f} of "
            "without) | |",
            f"| answers harmed (right without, wrong with) | {r['harmed']} "
            f"({100 * r['harmed'] / answers:.3f}%) | <= 0.1% |",
            f"| predict p50 with 100 examples / none | {r['p50_ms_100']:.2f} ms / "
            f"{r['p50_ms_none']:.2f} ms = {r['p50_ms_100'] / r['p50_ms_none']:.2f}x | <= 1.5x |",
            f"| predict p90 with 100 examples / none | {r['p90_ms_100']:.2f} ms / "
            f"{r['p90_ms_none']:.2f} ms | |",
        ]
    )


def section(args):
    return f"personal {Path(args.strokes).name} {args.writers}"


def main(argv=None):
    runner.run("personal", argv, parse_args, measure, table, section=section)


if __name__ == "__main__":
    main()
