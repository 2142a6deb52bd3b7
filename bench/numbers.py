"""Numbers built from real pen-drawn digits, read in-process and through the running server.

Run as `python -m bench.numbers`. For each length from 2 to 6, numbers are put
together from the shared real digits (seeded): every digit of one number comes
from one writer, in writing order (the strokes of the first digit, then the
second's, ...), each scaled to a common height with +-10% jitter, its baseline
moved by up to 8% of that height, and the gap between neighbouring digit boxes
drawn from -5% (slightly overlapping) to 60% of the height. A writer without
enough digits lends none to longer numbers. --slant S leans the same numbers
over as slanted handwriting does (x moves S per unit of height going up; 0.2 is
about 11 degrees); --uphill D writes them climbing D degrees to the right.
Only the records that show their label are used (the shared list of
unreadable records leaves out "30", "%", a dash and the like). Reported: the
share of numbers whose digit count is right, and of those read exactly, by
length; the same numbers through /api/predict on the production server must
give the same figure; and a 4-digit number's time as a multiple of a single
digit's in the same run.
"""

import json
import time
import urllib.request

import numpy as np

from bench import record, runner
from harness.server import start_server, stop_server
from harness.strokes import (
    DEFAULT_UNREADABLE,
    load_strokes,
    readable,
    unreadable_list,
)
from recognition.classifier import Classifier, limit_threads
from recognition.numbers import read_number
from training.composed import build
from webapp.wire import number_json


def parse_args(argv=None):
    p = runner.parser("numbers", __doc__)
    p.add_argument(
        "--unreadable",
        default=None,
        help="the records of --strokes that do not show their label, left out (JSON list of "
        "indices; "
        f"default: {DEFAULT_UNREADABLE.name} for the shared file, else none)",
    )
    p.add_argument("--per-length", type=int, default=200, help="numbers of each length")
    p.add_argument("--seed", type=int, default=0, help="seed of the numbers built")
    p.add_argument(
        "--slant",
        type=float,
        default=0.0,
        help="lean the numbers right by this much (x per height)",
    )
    p.add_argument(
        "--uphill", type=float, default=0.0, help="write the numbers climbing this many degrees"
    )
    p.add_argument("--no-server", action="store_true", help="in-process only")
    return p.parse_args(argv)


def score(answers, sets):
    """Count and number accuracy per length and over all, from answers in the same order as sets."""
    result = {}
    remaining = iter(answers)
    counted_right = 0
    read_right = 0
    for length, made in sets.items():
        counted = 0
        read = 0
        for label, _ in made:
            answer = next(remaining)
            counted += len(answer["digits"]) == length
            read += answer["number"] == label
        result[length] = {
            "count_accuracy": counted / len(made),
            "number_accuracy": read / len(made),
            "count": len(made),
        }
        counted_right += counted
        read_right += read
    total = sum(len(m) for m in sets.values())
    return {
        # JSON's keys are strings: the figures read the same printed, as JSON and in the record.
        "by_length": {str(length): figures for length, figures in result.items()},
        "count_accuracy": counted_right / total,
        "number_accuracy": read_right / total,
    }


def through_server(base, sets):
    answers = []
    for made in sets.values():
        for _, strokes in made:
            body = json.dumps({"strokes": strokes}).encode()
            request = urllib.request.Request(
                base + "/api/predict", body, {"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append(json.load(response))
    return answers


def measure(args):
    # as each server worker runs (MATH_THREADS): the timing is the served one
    limit_threads(1)
    every = load_strokes(args.strokes)
    records = readable(every, unreadable_list(args.strokes, args.unreadable))
    classifier = Classifier.load(args.model)
    sets = build(records, args.per_length, args.seed, args.slant, args.uphill)
    answers = [
        number_json(read_number(classifier, strokes))
        for made in sets.values()
        for _, strokes in made
    ]
    result = {
        "model": record.shown_path(args.model),
        "slant": args.slant,
        "uphill": args.uphill,
        "records": len(records),
        "records_left_out": len(every) - len(records),
        **score(answers, sets),
    }
    four = [strokes for _, strokes in sets.get(4, [])]
    times = []
    for strokes in four * 3:
        t0 = time.perf_counter()
        number_json(read_number(classifier, strokes))
        times.append((time.perf_counter() - t0) * 1e3)
    # after a warm-up pass
    result["four_digit_ms_p50"] = float(np.median(times[len(four) :])) if four else None
    one = []
    for r in records[:300]:  # for scale, in the same run: machines differ 2-3x from day to day
        t0 = time.perf_counter()
        number_json(read_number(classifier, r["strokes"]))
        one.append((time.perf_counter() - t0) * 1e3)
    result["single_digit_ms_p50"] = float(np.median(one))
    result["four_digit_ratio"] = (
        result["four_digit_ms_p50"] / result["single_digit_ms_p50"] if four else None
    )
    single = [number_json(read_number(classifier, r["strokes"])) for r in records]
    result["single_digit_accuracy"] = float(
        np.mean([a["number"] == str(r["label"]) for a, r in zip(single, records)])
    )
    result["single_digit_split"] = float(np.mean([len(a["digits"]) > 1 for a in single]))
    if not args.no_server:
        proc, base = start_server(model=args.model, workers=1)
        try:
            served = score(through_server(base, sets), sets)
        finally:
            stop_server(proc)
        result["server_number_accuracy"], result["server_count_accuracy"] = (
            served["number_accuracy"],
            served["count_accuracy"],
        )
    return result


def table(r):
    lines = [
        f"model: {r['model']}"
        + (f", numbers leaning {r['slant']} (x per height)" if r["slant"] else "")
        + (f", climbing {r['uphill']} degrees" if r["uphill"] else ""),
        f"numbers built from the {r['records']} shared digits that show their label "
        f"({r['records_left_out']} records that do not are left out)",
        "",
        "| digits | numbers | digit count right | whole number right |",
        "|---:|---:|---:|---:|",
    ]
    for length, v in r["by_length"].items():
        count, number = 100 * v["count_accuracy"], 100 * v["number_accuracy"]
        lines.append(f"| {length} | {v['count']} | {count:.1f}% | {number:.1f}% |")
    lines.append(
        f"| 2-6 | {sum(v['count'] for v in r['by_length'].values())} | "
        f"{100 * r['count_accuracy']:.1f}% | "
        f"{100 * r['number_accuracy']:.1f}% |"
    )
    if "server_number_accuracy" in r:
        lines += [
            "",
            "through /api/predict on the production server: count "
            f"{100 * r['server_count_accuracy']:.1f}%, "
            f"whole number {100 * r['server_number_accuracy']:.1f}% (in-process: "
            f"{100 * r['count_accuracy']:.1f}%, {100 * r['number_accuracy']:.1f}%)",
        ]
    lines += [
        "",
        f"single shared digits read as that one digit: {100 * r['single_digit_accuracy']:.2f}% "
        f"(split into more than one: {100 * r['single_digit_split']:.2f}%)",
        f"a 4-digit number, in-process, median: {r['four_digit_ms_p50'] or 0:.2f} ms (one "
        "model call); "
        f"a single digit in the same run: {r['single_digit_ms_p50']:.2f} ms; "
        f"the number takes {r['four_digit_ratio'] or 0:.1f}x the single digit",
    ]
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("numbers", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
