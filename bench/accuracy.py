"""Accuracy of a model on the MNIST test set and on real pen-drawn strokes, plus single-input
latency.

Run as `python -m bench.accuracy`. In-process, not through the server. Each
real digit record is rendered whole by recognition.preprocess and judged as one
digit (recognition.numbers.read_digit: the classifier and the judge, with no
segmentation), so a record the number path would split still counts as one
answer; bench.numbers measures the number path, and bench.latency the same
records through the server. Measured: MNIST test; the shared UNIPEN digits, all
and those that show their label; the held-out writers of the shipped pen digits
(never trained on); the writing conventions; the shared letters and generated
drawings of each kind that is no digit (these through read_number, the whole
answer path, numbers included, as the API answers them); calibration on the
ten digit probabilities; and one input's preprocessing and model time.
"""

import json
import sys
import time

import numpy as np

from bench import compare, conventions, drawings, record, runner
from bench.scores import auroc
from harness.strokes import (
    DEFAULT_UNREADABLE,
    load_strokes,
    pen_held_out,
    unreadable_indices,
    unreadable_list,
)
from recognition import checkpoint, preprocess
from recognition.answer import NAMES_A_DIGIT, NOT_A_DIGIT_CLASS, Verdict, digit_share
from recognition.calibration import softmax
from recognition.classifier import Classifier, limit_threads
from recognition.numbers import read_digit, read_number
from training import mnist
from training.fitting import expected_calibration_error


def parse_args(argv=None):
    p = runner.parser("accuracy", __doc__)
    p.add_argument(
        "--conventions-seed",
        type=int,
        default=0,
        help="seed of the conventions set built from --strokes",
    )
    p.add_argument(
        "--unreadable",
        default=None,
        help="the records of --strokes that do not show their label (JSON list of their indices; "
        f"default: {DEFAULT_UNREADABLE.name} for the shared file, else none)",
    )
    runner.add_set_options(p)
    p.add_argument(
        "--timing-runs", type=int, default=2000, help="single-input runs timed for latency"
    )
    p.add_argument(
        "--compare",
        nargs=2,
        metavar=("OLD", "NEW"),
        help="instead: answer every set with both models and apply the promotion rule (a paired "
        "test on the same records, bench.compare); exits 1 if NEW is worse beyond noise",
    )
    return p.parse_args(argv)


def class_report(labels, predicted):
    """Per-class accuracy and the most confused (true, predicted) pairs."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    per_class = [
        float((predicted[labels == c] == c).mean()) if (labels == c).any() else None
        for c in range(10)
    ]
    pairs = {}
    for t, p in zip(labels, predicted):
        if t != p:
            pairs[(int(t), int(p))] = pairs.get((int(t), int(p)), 0) + 1
    confused = sorted(pairs.items(), key=lambda kv: -kv[1])[:5]
    return per_class, [{"true": t, "predicted": p, "count": n} for (t, p), n in confused]


def time_single(classifier, strokes, runs):
    """Median milliseconds of (preprocessing, model) for one input at a time, after warm-up."""
    prep, infer = [], []
    for i in range(runs + 50):
        s = strokes[i % len(strokes)]
        t0 = time.perf_counter()
        pixels = preprocess.strokes_to_input(s)
        t1 = time.perf_counter()
        classifier.probabilities(pixels)
        t2 = time.perf_counter()
        if i >= 50:
            prep.append(t1 - t0)
            infer.append(t2 - t1)
    return (
        float(np.median(prep) * 1e3),
        float(np.median(infer) * 1e3),
        float(np.median(np.add(prep, infer)) * 1e3),
    )


def read_right(classifier, records):
    """Share of records answered with their digit (verdict "digit" or "unsure"); None for no
    records.
    """
    if not records:
        return None
    answers = [read_number(classifier, r["strokes"]) for r in records]
    return float(
        np.mean(
            [a.verdict in NAMES_A_DIGIT and a.digit == r["label"] for a, r in zip(answers, records)]
        )
    )


def verdict_shares(answers):
    """Share of answers with each verdict."""
    verdicts = [a.verdict for a in answers]
    return {v.value: verdicts.count(v) / len(verdicts) for v in Verdict}


def measure(args):
    limit_threads(1)  # as in each server worker
    # First: a bad stroke file fails before the slow steps.
    records, letters = load_strokes(args.strokes), load_strokes(args.letters)
    unreadable = unreadable_indices(records, unreadable_list(args.strokes, args.unreadable))
    pen = pen_held_out(args.pen)
    classifier = Classifier.load(args.model)
    images, labels = mnist.load_split("test", args.data_dir)
    # As the app answers: "not a digit" is never a label, so it counts as wrong.
    mnist_pred = classifier.classes_answered(images)
    pixels = [preprocess.strokes_to_input(r["strokes"]) for r in records]
    answers = [read_digit(classifier, p) for p in pixels]
    letter_answers = [read_number(classifier, r["strokes"]) for r in letters]
    stroke_labels = np.array([r["label"] for r in records])
    # Only a digit or "unsure" names a digit: "not a digit" and "empty" count as wrong.
    stroke_pred = [a.digit if a.verdict in NAMES_A_DIGIT else NOT_A_DIGIT_CLASS for a in answers]
    right = np.equal(stroke_pred, stroke_labels)
    shows_label = np.array([i not in unreadable for i in range(len(records))])
    pen_answers = [read_digit(classifier, preprocess.strokes_to_input(r["strokes"])) for r in pen]
    pen_right = [
        a.verdict in NAMES_A_DIGIT and a.digit == r["label"] for a, r in zip(pen_answers, pen)
    ]
    kinds = drawings.sure_digit_rates(classifier, drawings.build(args.per_kind))
    inked = [i for i, p in enumerate(pixels) if p is not None]
    logits = classifier.logits(np.stack([pixels[i] for i in inked]))
    strokes_per_class, strokes_confused = class_report(stroke_labels, stroke_pred)
    mnist_per_class, mnist_confused = class_report(labels, mnist_pred)
    prep_ms, infer_ms, total_ms = time_single(
        classifier, [r["strokes"] for r in records], args.timing_runs
    )
    shares, letter_shares = verdict_shares(answers), verdict_shares(letter_answers)
    per_convention = {
        name: read_right(classifier, rs)
        for name, rs in conventions.build(records, args.conventions_seed).items()
    }
    return {
        "model": record.shown_path(args.model),
        "mnist_test_accuracy": float((mnist_pred == labels).mean()),
        "mnist_test_count": int(len(labels)),
        "strokes_accuracy": float(np.mean(right)),
        "strokes_count": len(records),
        "strokes_readable_accuracy": float(np.mean(right[shows_label])),
        "strokes_readable_count": int(shows_label.sum()),
        "strokes_file": record.shown_path(args.strokes),
        "pen_heldout_accuracy": float(np.mean(pen_right)),
        "pen_heldout_count": len(pen),
        "pen_heldout_writers": len({r.get("writer") for r in pen}),
        "pen_file": record.shown_path(args.pen),
        "conventions": per_convention,
        "conventions_accuracy": min(
            (v for v in per_convention.values() if v is not None), default=None
        ),
        # Of the ten digit probabilities, as shown.
        "strokes_ece": expected_calibration_error(
            digit_share(softmax(logits, classifier.calibration.temperature))[0],
            stroke_labels[inked],
        ),
        "strokes_ece_uncalibrated": expected_calibration_error(
            digit_share(softmax(logits))[0], stroke_labels[inked]
        ),
        "strokes_unsure_rate": shares["unsure"],
        "digits_rejected_rate": shares["not_a_digit"],
        "letters_count": len(letters),
        "letters_file": record.shown_path(args.letters),
        "letters_digit_rate": letter_shares["digit"],
        "letters_unsure_rate": letter_shares["unsure"],
        "letters_rejected_rate": letter_shares["not_a_digit"],
        # How well the confidence shown tells digits from letters (1: always, 0.5: a coin toss).
        "digits_vs_letters_auroc": auroc(
            [a.confidence or 0 for a in answers], [a.confidence or 0 for a in letter_answers]
        ),
        "drawings_per_kind": args.per_kind,
        "drawings_by_kind": kinds,
        # The worst kind training holds, and the worst it never saw.
        "drawings_sure_digit_max": max(
            v["sure_digit"] for v in kinds.values() if not v["held_out"]
        ),
        "drawings_held_out_sure_digit_max": max(
            (v["sure_digit"] for v in kinds.values() if v["held_out"]), default=None
        ),
        "infer_ms_p50": infer_ms,
        "preprocess_ms_p50": prep_ms,
        "total_ms_p50": total_ms,
        "mnist_per_class": mnist_per_class,
        "strokes_per_class": strokes_per_class,
        "mnist_confused": mnist_confused,
        "strokes_confused": strokes_confused,
    }


def table(r):
    """The human-readable report."""

    def pct(v):
        return "  -  " if v is None else f"{100 * v:5.1f}"

    readable_name = f"  readable ({r['strokes_readable_count']})"
    held_out_name = f"pen held out ({r['pen_heldout_count']})"
    lines = [
        f"model: {r['model']}",
        f"{'':24}{'accuracy':>9}   per class 0..9",
        f"{'MNIST test':24}{100 * r['mnist_test_accuracy']:8.2f}%   "
        + " ".join(pct(v) for v in r["mnist_per_class"]),
        f"{'strokes (' + str(r['strokes_count']) + ')':24}{100 * r['strokes_accuracy']:8.2f}%   "
        + " ".join(pct(v) for v in r["strokes_per_class"]),
        f"{readable_name:24}{100 * r['strokes_readable_accuracy']:8.2f}%",
        f"{held_out_name:24}{100 * r['pen_heldout_accuracy']:8.2f}%   "
        f"{r['pen_heldout_writers']} writers never trained on ({r['pen_file']})",
        "most confused (true->said: count): MNIST "
        + ", ".join(f"{c['true']}->{c['predicted']}: {c['count']}" for c in r["mnist_confused"])
        + "; strokes "
        + ", ".join(f"{c['true']}->{c['predicted']}: {c['count']}" for c in r["strokes_confused"]),
        "conventions (the shared digits, convention added): "
        + ", ".join(
            f"{name} " + ("no digits" if v is None else f"{100 * v:.1f}%")
            for name, v in r["conventions"].items()
        ),
        f"strokes: ECE {100 * r['strokes_ece']:.2f}% (uncalibrated "
        f"{100 * r['strokes_ece_uncalibrated']:.2f}%), "
        f"answered unsure {100 * r['strokes_unsure_rate']:.1f}%, answered not a digit "
        f"{100 * r['digits_rejected_rate']:.1f}%",
        f"letters ({r['letters_count']}): answered as a sure digit "
        f"{100 * r['letters_digit_rate']:.1f}%, unsure "
        f"{100 * r['letters_unsure_rate']:.1f}%, not a digit "
        f"{100 * r['letters_rejected_rate']:.1f}%; "
        f"AUROC digits against letters by confidence {r['digits_vs_letters_auroc']:.3f}",
        f"drawings that are no digit ({r['drawings_per_kind']} of each kind), answered as a "
        "sure digit: "
        + ", ".join(
            f"{kind}{' (never trained on)' if v['held_out'] else ''} {100 * v['sure_digit']:.1f}%"
            for kind, v in r["drawings_by_kind"].items()
        ),
        f"one input, median: preprocessing {r['preprocess_ms_p50']:.3f} ms + model "
        f"{r['infer_ms_p50']:.3f} ms"
        f" = {r['total_ms_p50']:.3f} ms",
    ]
    return "\n".join(lines)


def compare_models(args):
    """--compare OLD NEW: the pair figures of every set, and whether NEW may replace OLD."""
    try:
        sets = compare.standard_sets(args.data_dir, args.strokes, args.pen, args.letters)
        result = compare.compare(*args.compare, sets)
    except runner.USER_ERRORS as exc:
        sys.exit(f"bench.accuracy: {exc}")
    print(json.dumps(result) if args.json else compare.table(result))
    return result


def main(argv=None):
    if parse_args(argv).compare:
        result = compare_models(parse_args(argv))
        if not result["promote"]:
            sys.exit(1)
        return result
    args, result = runner.run(
        "accuracy", argv, parse_args, measure, table, body=lambda text: f"```\n{text}\n```"
    )
    if not args.no_record:
        # Beside the model's report, for the model page: measured here, never per request.
        report = checkpoint.report_path(args.model)
        report.mkdir(exist_ok=True)
        (report / "bench.json").write_text(
            json.dumps({**result, "date": record.today()}, indent=1) + "\n"
        )
    return result


if __name__ == "__main__":
    main()
