"""Honest at every moment: what the page shows while a drawing is drawn, through the server.

Run as `python -m bench.live`. Real pen digits (the shared dev set's readable records, and the
held-out writers of the shipped pen file, never trained on), numbers composed from either set's
digits (training.composed) and drawings that are no digit (bench.drawings' kinds) are replayed as
the page sends them: fitted into a 500 px canvas, asked about every few points while the pen is
down with "writing": true, after each pen lift and at the end without it (training.replay), each
ask a POST /api/predict to the production server (python -m webapp).

Each answer is counted by its moment: "writing" (the pen down), "between" (a pen lift before the
last stroke) and "end" (the finished drawing). Shown sure: the verdict "digit"; sure and wrong:
shown sure of another number than the drawing's label (for a drawing that is no digit, shown sure
at all). Finished drawings: right, right when sure, and the confidence's calibration error (ECE;
for numbers, the number's confidence). --in-process reads the same asks without a server (for a
quick look).
"""

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from bench import drawings, runner
from harness.server import start_server, stop_server
from harness.strokes import (
    DEFAULT_LETTERS,
    canvas_payload,
    load_strokes,
    pen_held_out,
    readable,
    unreadable_list,
)
from recognition.classifier import Classifier
from recognition.numbers import read_number
from training import composed, replay
from training.fitting import right_ece
from webapp.wire import number_json

MOMENTS = ("writing", "between", "end")
CANVAS = 500


def parse_args(argv=None):
    p = runner.parser("live", __doc__)
    p.add_argument("--pen", default=None, help="stroke file whose held-out writers are replayed")
    p.add_argument(
        "--letters", default=str(DEFAULT_LETTERS), help="stroke file of letters: no digit either"
    )
    p.add_argument("--limit", type=int, default=None, help="at most this many drawings a set")
    p.add_argument(
        "--only", nargs="*", default=None, help="the sets whose names start so (default: all)"
    )
    # 1,000 numbers a set: at 500, two seeds of composition differed by 1.8 points in right when
    # sure, and a perfectly calibrated confidence would show an ECE of about 2%.
    p.add_argument("--numbers", type=int, default=200, help="composed numbers of each length")
    p.add_argument(
        "--per-kind", type=int, default=100, help="drawings of each kind that is no digit"
    )
    p.add_argument("--every", type=int, default=replay.EVERY, help="points between asks, pen down")
    p.add_argument("--clients", type=int, default=4, help="requests in flight at once")
    p.add_argument("--in-process", action="store_true", help="read in this process, no server")
    p.add_argument(
        "--url",
        default=None,
        help="a server already running (e.g. another version, to compare); --model is then only "
        "what the record says it serves",
    )
    return p.parse_args(argv)


def asks(strokes, every):
    """(moment name, request body) of each ask of one drawing, in order."""
    fitted = canvas_payload(strokes, CANVAS)["strokes"]
    for moment in replay.moments(fitted, every):
        name = "end" if moment.last else "writing" if moment.writing else "between"
        body = {"strokes": moment.strokes, "width": CANVAS, "height": CANVAS}
        if moment.writing:
            body["writing"] = True
        yield name, body


def sets_of(args):
    """{set name: [(label string, or None for no digit; strokes)]}."""
    shared = load_strokes(args.strokes)
    shared = readable(shared, unreadable_list(args.strokes, None))
    held = pen_held_out(args.pen) if args.pen else pen_held_out()
    made = {
        "shared": [(str(r["label"]), r["strokes"]) for r in shared],
        "held_out": [(str(r["label"]), r["strokes"]) for r in held],
        "numbers (shared)": numbers_of(shared, args.numbers),
        "numbers (held out)": numbers_of(held, args.numbers),
    }
    made["no digit: letters (shared)"] = [(None, r["strokes"]) for r in load_strokes(args.letters)]
    for kind, drawn in drawings.build(args.per_kind).items():
        made[f"no digit: {kind}"] = [(None, strokes) for strokes in drawn]
    if args.only is not None:
        made = {name: pairs for name, pairs in made.items() if name.startswith(tuple(args.only))}
    if args.limit:
        made = {name: pairs[: args.limit] for name, pairs in made.items()}
    return made


def numbers_of(records, per_length):
    """[(label, strokes)]: numbers of 2-6 digits composed from these records (seed 0; the number
    calibration is fitted on the held-out writers' with a seed of its own)."""
    return [pair for made in composed.build(records, per_length, 0).values() for pair in made]


def reader(args):
    """(read(body) -> answer, close()): the production server's /api/predict, or in-process."""
    if args.in_process:
        classifier = Classifier.load(args.model)

        def local(body):
            return number_json(read_number(classifier, body["strokes"], body.get("writing", False)))

        return local, lambda: None
    if args.url:
        proc, base = None, args.url.rstrip("/")
    else:
        proc, base = start_server(model=args.model, workers=2)

    def served(body):
        request = urllib.request.Request(
            base + "/api/predict", json.dumps(body).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    return served, lambda: proc and stop_server(proc)


def tally(label, moment_answers):
    """This drawing's counts: per moment, answers, shown sure, sure and wrong, not a digit."""
    counts = {m: np.zeros(4, dtype=int) for m in MOMENTS}
    for moment, answer in moment_answers:
        sure = answer["verdict"] == "digit"
        wrong = sure and answer["number"] != label
        counts[moment] += (1, sure, wrong, answer["verdict"] == "not_a_digit")
    return counts


def measure(args):
    made = sets_of(args)
    read, close = reader(args)
    result = {"sets": {}}
    try:
        with ThreadPoolExecutor(args.clients) as pool:
            for name, pairs in made.items():
                result["sets"][name] = figures(pool, read, pairs, args.every)
    finally:
        close()
    return result


def figures(pool, read, pairs, every):
    """One set's figures: per moment, and the share of drawings shown sure and wrong on the way."""
    totals = {m: np.zeros(4, dtype=int) for m in MOMENTS}
    wrong_on_the_way, ends = 0, []
    for label, strokes in pairs:
        moments, bodies = zip(*asks(strokes, every))
        answers = list(pool.map(read, bodies))
        counts = tally(label, zip(moments, answers))
        for m in MOMENTS:
            totals[m] += counts[m]
        wrong_on_the_way += bool(counts["writing"][2] + counts["between"][2])
        ends.append((label, answers[-1]))
    out = {"drawings": len(pairs), "wrong_on_the_way": wrong_on_the_way / len(pairs)}
    for m in MOMENTS:
        asked, sure, wrong, rejected = (int(v) for v in totals[m])
        out[m] = {
            "answers": asked,
            "sure": sure / max(asked, 1),
            "sure_wrong": wrong / max(asked, 1),
            "not_a_digit": rejected / max(asked, 1),
        }
    labelled = [(label, a) for label, a in ends if label is not None]
    if labelled:
        right = np.array([a["number"] == label for label, a in labelled])
        sure = np.array([a["verdict"] == "digit" for _, a in labelled])
        confidence = np.array([a["confidence"] or 0.0 for _, a in labelled])
        out["end"]["accuracy"] = float(right.mean())
        out["end"]["right_when_sure"] = float(right[sure].mean()) if sure.any() else None
        out["end"]["ece"] = right_ece(confidence, right)
    return out


def pct(value):
    return "-" if value is None else f"{100 * value:.1f}%"


def table(r):
    lines = [
        "| set | drawings | pen down: sure | pen down: sure and wrong | between strokes: sure and "
        "wrong | end: sure | end: sure and wrong | end: right | right when sure | ECE | end: not "
        "a digit | drawings shown sure and wrong on the way |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in r["sets"].items():
        w, b, e = f["writing"], f["between"], f["end"]
        lines.append(
            f"| {name} | {f['drawings']} | {pct(w['sure'])} | {pct(w['sure_wrong'])} "
            f"| {pct(b['sure_wrong']) if b['answers'] else '-'} | {pct(e['sure'])} "
            f"| {pct(e['sure_wrong'])} | {pct(e.get('accuracy'))} "
            f"| {pct(e.get('right_when_sure'))} | {pct(e.get('ece'))} | {pct(e['not_a_digit'])} "
            f"| {pct(f['wrong_on_the_way'])} |"
        )
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("live", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
