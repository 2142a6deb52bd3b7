"""Fit a model's calibration on held-out drawings rendered as drawn input is: python -m
training.calibrate.

The held-out digits are MNIST's validation split (never trained on), distorted
and re-normalised as in training, so they are about as hard as real drawing
(fitted on clean MNIST digits, the temperature leaves the model overconfident
on pens), and the held-out writers' real pen digits; with held-out drawings
that are no digit. Run on a trained model, it fits what train.py fitted.
"""

import argparse
import itertools
import sys
from typing import NamedTuple

import numpy as np
import torch

from recognition import checkpoint
from recognition.answer import INPUT_SHAPE, digit_share, rejected
from recognition.calibration import (
    Calibration,
    NumberCalibration,
    apart_share,
    logistic,
    number_features,
    softmax,
)
from recognition.classifier import DEFAULT_MODEL, Classifier
from recognition.numbers import read_number
from training import (
    augment,
    composed,
    data,
    hand,
    mnist,
    negatives,
    replay,
    report,
    stroke_augment,
    stroke_files,
)
from training.fitting import (
    CONFIDENCE_LEVEL,
    confident_threshold,
    error_bound,
    expected_calibration_error,
    fit_temperature,
    right_ece,
)

# answers shown as sure are wrong at most this often on the held-out digits
MAX_CONFIDENT_ERROR = 0.01
# Held-out digits answered "not a digit" at most this often; real ones run about twice as high
# (target 1%).
MAX_DIGITS_REJECTED = 0.002


def held_out_digits(val_x, seed, **distort_options):
    """Validation digits (N, 1, 28, 28) on 0..1 -> uint8 (N, 28, 28), every one distorted as in
    training.
    """
    distorted = augment.Distorter(
        torch.Generator().manual_seed(seed), **{**distort_options, "clean": 0.0}
    )(val_x)
    return (distorted[:, 0].numpy() * 255).round().astype(np.uint8)


# Held-out negatives per held-out digit in the calibration. The "sure" rule counts a negative
# answered with a digit as a wrong answer, so this share is how often the app expects a drawing that
# is no digit: twice as often as a digit, as at a demo or in a museum, where visitors try letters,
# names and shapes on it. At 1 (until 2026-12-06) about one real letter in 19 came out as a sure
# digit; at 2, one in 25, for a "Maybe" on about one real digit in 50 instead of one in 70 (an
# unsure answer still names its digit; BENCHMARKS.md, issue 21).
NEGATIVES_PER_DIGIT = 2.0
# Epochs are ranked on the first of them, as many as half the held-out digits: a share of the
# digits, not of NEGATIVES_PER_DIGIT, so that the epoch kept does not depend on the calibration's
# share (negatives.generate draws in order, so they are the same drawings at any share).
RANKING_SHARE = 0.5


def held_out_negatives(count, seed):
    """Negatives never trained on (their own seeds), for the "not a digit" threshold."""
    return negatives.generate(count, 1000 + seed)


class HeldOut(NamedTuple):
    """What the calibration is fitted on: digits (uint8) with their labels, drawings that are no
    digit (uint8, or None for a 10-class model), and a description for the sidecar."""

    digits: np.ndarray
    labels: np.ndarray
    negatives: np.ndarray | None
    description: str


def held_out_set(
    val_x, val_y, pen, seed, val_seed, held_out_writers, with_negatives=True, **distort_options
):
    """The HeldOut set the calibration is fitted on.

    MNIST's validation digits, every one distorted as in training (seed: the training seed); the
    held-out writers' pen digits as the app renders them (pen: (images, labels) or None); and
    NEGATIVES_PER_DIGIT held-out negatives for each of those digits. train.py and `python -m
    training.calibrate` both use it.
    """
    digits, labels = held_out_digits(val_x, seed, **distort_options), val_y.numpy()
    description = (
        f"the MNIST validation split ({len(labels)}, val-seed {val_seed}), "
        f"distorted as in training (seed {seed})"
    )
    if pen is not None:
        digits, labels = np.concatenate([digits, pen[0]]), np.concatenate([labels, pen[1]])
        description += f", {len(pen[1])} pen digits by the held-out writers ({held_out_writers})"
    drawn = None
    if with_negatives:
        drawn = held_out_negatives(round(len(labels) * NEGATIVES_PER_DIGIT), seed)
        description += f", and {len(drawn)} held-out drawings that are no digit"
    return HeldOut(digits, labels, drawn, description)


def calibrate(
    classifier, images, labels, description, max_error=MAX_CONFIDENT_ERROR, negatives=None
):
    """(Calibration, figures, digit probabilities before, after) fitted on these held-out digits
    (and negatives).
    """
    logits = classifier.logits(images)
    fit_logits, fit_labels = logits, labels
    if negatives is not None:  # an 11-class model: the negatives take part in the fit, as class 10
        negative_logits = classifier.logits(negatives)
        fit_logits = np.concatenate([logits, negative_logits])
        fit_labels = np.concatenate([labels, np.full(len(negatives), 10)])
    temperature = fit_temperature(fit_logits, fit_labels)
    before = digit_share(softmax(logits))[0]
    after, reject = digit_share(softmax(logits, temperature))
    confidence, right = after.max(axis=1), after.argmax(axis=1) == labels
    reject_above, kept, figures = None, np.ones(len(labels), dtype=bool), {}
    answered_confidence, answered_right = confidence, right
    if reject is not None:
        reject_above = float(np.quantile(reject, 1 - MAX_DIGITS_REJECTED))
        # Answered with a digit, as the app answers (recognition.answer.rejected).
        rule = Calibration(temperature, reject_above=reject_above)
        kept = ~rejected(after, reject, rule)
        negative_digits, negatives_reject = digit_share(softmax(negative_logits, temperature))
        missed = ~rejected(negative_digits, negatives_reject, rule)
        figures = {
            "digits_rejected": float(1 - kept.mean()),
            "negatives_rejected": float(1 - missed.mean()),
            "negatives": int(len(negatives)),
        }
        # A drawing that is no digit, answered with a digit, is a wrong answer like any other: the
        # "sure" threshold keeps those rare too, among everything held out that gets a digit for an
        # answer.
        answered_confidence = np.concatenate(
            [confidence[kept], negative_digits[missed].max(axis=1)]
        )
        answered_right = np.concatenate([right[kept], np.zeros(int(missed.sum()), dtype=bool)])
    threshold = confident_threshold(
        answered_confidence, answered_right, max_error, CONFIDENCE_LEVEL
    )
    answered_sure = answered_confidence >= threshold
    sure = kept & (confidence >= threshold)
    figures = {
        "count": int(len(labels)),
        "accuracy": float(right.mean()),
        "ece_before": expected_calibration_error(before, labels),
        "ece_after": expected_calibration_error(after, labels),
        "confident_share": float(sure.mean()),
        "confident_error": float((~right[sure]).mean()) if sure.any() else 0.0,
        # Of everything held out that was answered sure (negatives too), the error's upper
        # bound.
        "confident_error_bound": float(
            error_bound(
                (~answered_right[answered_sure]).sum(), answered_sure.sum(), CONFIDENCE_LEVEL
            )
        ),
        **figures,
    }
    return Calibration(temperature, threshold, description, reject_above), figures, before, after


def pen_down_inputs(classifier, drawings, every=replay.EVERY, limit=None):
    """(uint8 (N, 28, 28), which drawing each came from): the digit the pen is still drawing, at
    every moment the page asks while the pen is down (training.replay), as the server reads it;
    drawings are read until there are limit inputs (None: all of them)."""
    pixels, source = [], []
    for index, strokes in enumerate(drawings):
        if limit is not None and len(pixels) >= limit:
            break
        for moment in replay.moments(strokes, every):
            if not moment.writing:
                continue
            drawn_now = len(moment.strokes) - 1
            for digit in read_number(classifier, moment.strokes).digits:
                if digit.pixels is not None and drawn_now in (digit.strokes or ()):
                    pixels.append(digit.pixels)
                    source.append(index)
    if not pixels:
        return np.zeros((0, *INPUT_SHAPE), dtype=np.uint8), np.zeros(0, dtype=int)
    return np.stack(pixels), np.asarray(source)


# Fewer moments with the pen down than this (a small trial run) fit no calibration while writing.
MIN_MOMENTS = 50


def negative_drawings(seed):
    """Drawings that are no digit, as strokes, one after another without end (kinds in equal
    shares, as negatives.generate draws them), from this seed: held out of training, whose
    negatives come from the run's own seed."""
    rng, glyphs = np.random.default_rng(seed), hand.Glyphs()
    for i in itertools.count():
        yield negatives.make(negatives.KINDS[i % len(negatives.KINDS)], rng, glyphs)


def calibrate_writing(classifier, records, writers, seed, with_negatives=True):
    """(Calibration, figures) for answers given while the pen is down, fitted as calibrate() fits
    the finished digits': on the held-out writers' digits half drawn at the page's moments,
    labelled with the digit each becomes (so "sure" means the finished digit is that digit), and
    drawings that are no digit, half drawn too: NEGATIVES_PER_DIGIT such answers per answer
    while a digit is drawn, as the finished digits' calibration has them per finished digit."""
    pixels, source = pen_down_inputs(classifier, [r["strokes"] for r in records])
    labels = np.asarray([records[i]["label"] for i in source])
    if len(labels) < MIN_MOMENTS:
        return None, {"count": int(len(labels))}
    description = (
        f"{len(labels)} moments while the pen was down (every {replay.EVERY} points) of "
        f"{len(records)} pen digits by the held-out writers ({writers}), labelled with the digit "
        "each became"
    )
    drawn = None
    if with_negatives:
        count = round(len(labels) * NEGATIVES_PER_DIGIT)
        drawn, source = pen_down_inputs(classifier, negative_drawings(2000 + seed), limit=count)
        description += (
            f", and {len(drawn)} such moments of {source[-1] + 1} held-out drawings that are no "
            "digit"
        )
    calibration, figures, _, _ = calibrate(classifier, pixels, labels, description, negatives=drawn)
    return calibration, figures


# Numbers a number's confidence is fitted on, of each length (2 to 6 digits).
NUMBERS_PER_LENGTH = 300
# Numbers shown sure are wrong at most this often (at the 95% bound, on the held-out writers).
# Half the 2% that the target allows: other writers' numbers are wrong more often than these.
MAX_NUMBER_ERROR = 0.01
# apart_from: the apart that this share of the held-out drawings that are no digit, split by the
# grouping into several digits, stay at or under.
APART_QUANTILE = 0.99
# Fewer such drawings than this fit no apart_from: apart then multiplies as it is.
MIN_SPLIT_NEGATIVES = 20
# Fewer numbers than this (a small trial run) fit no number calibration.
MIN_NUMBERS = 50
# A trial run (train.py --dry-run) holds out this many pen digits and composes this many numbers
# of each length: the calibrations while writing and of numbers take seconds, not minutes.
DRY_RUN_HELD_OUT = 50
DRY_RUN_NUMBERS = 20


def logistic_fit(features, right, l2=1e-3, steps=50):
    """(weights, bias) of the logistic regression of right on features: Newton's method, with a
    small L2 penalty on the weights so that separable numbers still give a finite fit."""
    x = np.hstack([features, np.ones((len(features), 1))])
    y = np.asarray(right, dtype=np.float64)
    theta = np.zeros(x.shape[1])
    penalty = np.diag([l2] * features.shape[1] + [0.0]) * len(y)
    for _ in range(steps):
        p = logistic(x @ theta)
        gradient = x.T @ (p - y) + penalty @ theta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty + 1e-9 * np.eye(len(theta))
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-10:
            break
    return tuple(float(w) for w in theta[:-1]), float(theta[-1])


def fit_apart_from(negative_aparts):
    """NumberCalibration.apart_from from the apart of drawings that are no digit read as several
    digits: where APART_QUANTILE of those the grouping weighed (apart under 1) end; 1 (apart as
    it is) when too few were."""
    split = np.asarray(negative_aparts, dtype=np.float64)
    split = split[split < 1]
    if len(split) < MIN_SPLIT_NEGATIVES:
        return 1.0
    return float(np.quantile(split, APART_QUANTILE))


def calibrate_numbers(classifier, records, writers, seed, per_length=NUMBERS_PER_LENGTH):
    """(NumberCalibration, figures): how sure a number of several digits is, fitted on numbers
    composed from the held-out writers' digits (training.composed, seed of their own) and read as
    the server reads them: the digits' part a logistic fit, times what apart leaves of it
    (apart_share), and the threshold over which those numbers are wrong at most MAX_NUMBER_ERROR
    of the time. Those read as one digit, or with a part that is no digit, have no number
    confidence and take no part. Beside them, NEGATIVES_PER_DIGIT held-out drawings that are no
    digit per number are read: apart_from is where those split into several digits end
    (APART_QUANTILE of their apart), so that apart lowers only what looks like them (an H read as
    11), not the many right numbers whose grouping was close. They are not counted in the
    threshold (counted, they made numbers sure only a third of the time; BENCHMARKS.md, issue
    41), but they give a figure: how many of them would be a sure number."""
    # Read with the number's confidence as it was before numbers were calibrated: the product of
    # the digits' and apart, from which apart is taken.
    plain = {**classifier.calibration.to_dict(), "number": None}
    classifier = Classifier(classifier.layers, {**classifier.info, "calibration": plain})
    numbers = [
        pair for made in composed.build(records, per_length, 3000 + seed).values() for pair in made
    ]
    drawn = itertools.islice(
        negative_drawings(4000 + seed), round(len(numbers) * NEGATIVES_PER_DIGIT)
    )
    features, aparts, right, before, negative = [], [], [], [], []
    for label, strokes in itertools.chain(numbers, ((None, strokes) for strokes in drawn)):
        number = read_number(classifier, strokes)
        if len(number.digits) < 2 or number.verdict == "not_a_digit":
            continue
        confidences = [d.confidence for d in number.digits]
        features.append(number_features(confidences))
        aparts.append(number.confidence / float(np.prod(confidences)))
        right.append(number.number == label)
        before.append(number.confidence)
        negative.append(label is None)
    if sum(not n for n in negative) < MIN_NUMBERS:
        return None, {"count": len(right)}
    features, right, negative = np.array(features), np.array(right), np.array(negative)
    aparts, digits = np.array(aparts), ~negative
    weights, bias = logistic_fit(features[digits], right[digits])
    apart_from = fit_apart_from(aparts[negative])
    after = logistic(features @ np.asarray(weights) + bias) * apart_share(aparts, apart_from)
    threshold = confident_threshold(
        after[digits], right[digits], MAX_NUMBER_ERROR, CONFIDENCE_LEVEL
    )
    sure = after >= threshold
    description = (
        f"{digits.sum()} numbers of 2-6 digits composed from the pen digits of the held-out "
        f"writers ({writers}), read as several digits"
    )
    figures = {
        "count": int(digits.sum()),
        "negatives": int(negative.sum()),
        "accuracy": float(right[digits].mean()),
        "ece_before": right_ece(np.array(before)[digits], right[digits]),
        "ece_after": right_ece(after[digits], right[digits]),
        "confident_share": float(sure[digits].mean()),
        "right_when_sure": float(right[sure & digits].mean()) if (sure & digits).any() else None,
        # of the drawings that are no digit read as several digits
        "negatives_sure": float(sure[negative].mean()) if negative.any() else 0.0,
    }
    return NumberCalibration(weights, bias, threshold, description, apart_from), figures


def numbers_per_length(dry_run):
    """How many numbers of each length the number calibration composes: fewer in a trial run."""
    return DRY_RUN_NUMBERS if dry_run else NUMBERS_PER_LENGTH


def live_and_number_calibrations(classifier, records, writers, seed, negatives, dry_run):
    """The sidecar's calibration sections "writing" and "number" (each with its figures) for a
    classifier already calibrated on finished digits, from the held-out writers' records; a
    section that too few records could fit is left out. train.py and main() both write them."""
    sections = {}
    writing, writing_figures = calibrate_writing(classifier, records, writers, seed, negatives)
    if writing is not None:
        sections["writing"] = {**writing.to_dict(), "figures": writing_figures}
    number, number_figures = calibrate_numbers(
        classifier, records, writers, seed, numbers_per_length(dry_run)
    )
    if number is not None:
        sections["number"] = {**number.to_dict(), "figures": number_figures}
    return sections


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m training.calibrate",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--model", default=str(DEFAULT_MODEL), help="model whose sidecar gets the calibration"
    )
    mnist.add_data_dir_option(p)
    p.add_argument(
        "--strokes",
        nargs="*",
        default=None,
        metavar="FILE",
        help="stroke files whose held-out writers take part (default: the files the sidecar names, "
        "from strokes/)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the distortions and negatives (default: the model's training seed)",
    )
    p.add_argument(
        "--numbers-only",
        action="store_true",
        help="fit the number calibration alone: the finished and writing calibrations stay as "
        "the sidecar has them, and so does every single digit's answer",
    )
    return p.parse_args(argv)


def refit_numbers(model, classifier, records, pattern, seed, dry_run):
    """The sidecar's "number" section fitted again, every other calibration kept as it is."""
    if not records:
        sys.exit("training.calibrate: no held-out writers' records to compose numbers from")
    number, figures = calibrate_numbers(
        classifier, records, pattern, seed, numbers_per_length(dry_run)
    )
    if number is None:
        sys.exit(f"training.calibrate: too few numbers to fit on ({figures['count']})")
    written = {**classifier.info["calibration"], "number": {**number.to_dict(), "figures": figures}}
    checkpoint.update_sidecar(model, calibration=written)
    print(
        f"number: sure from {number.unsure_below:.3f}, apart from {number.apart_from:.3f}; "
        f"{100 * figures['confident_share']:.1f}% of {figures['count']} numbers sure, right "
        f"{100 * figures['right_when_sure']:.1f}% of those; wrote {checkpoint.sidecar_path(model)}"
    )
    return Calibration.from_dict(written), figures


def _held_out_records(files, pattern):
    """The held-out writers' digits of these stroke files."""
    records = []
    for path in files:
        records += stroke_files.split(stroke_files.read(path), pattern)[1]
    return records


def main(argv=None):
    args = parse_args(argv)
    try:
        classifier = Classifier.load(args.model)
        training = classifier.info.get("training") or {}
        named = [f["file"] for f in (classifier.info.get("data") or {}).get("strokes") or []]
        files = (
            args.strokes
            if args.strokes is not None
            else [stroke_files.ROOT / "strokes" / n for n in named]
        )
        pattern = training.get("held_out_writers", stroke_files.HELD_OUT_WRITERS)
        records = _held_out_records(files, pattern)
        if training.get("dry_run"):
            records = records[:DRY_RUN_HELD_OUT]
        # The number calibration alone needs neither MNIST nor the pen digits rendered.
        if not args.numbers_only:
            pen = stroke_augment.render_plain(records) if records else None
            images, labels = mnist.load_split("train", args.data_dir)
    except (checkpoint.CheckpointError, mnist.MnistError, stroke_files.StrokeFileError) as exc:
        sys.exit(f"training.calibrate: {exc}")
    val_size, val_seed = training.get("val_size", 5000), training.get("val_seed", 1)
    seed = training.get("seed", 0) if args.seed is None else args.seed
    dry_run = bool(training.get("dry_run"))
    if args.numbers_only:
        return refit_numbers(args.model, classifier, records, pattern, seed, dry_run)
    _, _, val_x, val_y = data.split(images, labels, val_size, val_seed)
    rejects = classifier.info.get("architecture", {}).get("classes") == 11
    held_out = held_out_set(val_x, val_y, pen, seed, val_seed, pattern, rejects)
    calibration, figures, before, after = calibrate(
        classifier,
        held_out.digits,
        held_out.labels,
        held_out.description,
        negatives=held_out.negatives,
    )
    written = {**calibration.to_dict(), "figures": figures}
    if records:
        # Half-drawn digits are grouped as the server groups them: by the new calibration.
        served = Classifier(classifier.layers, {**classifier.info, "calibration": written})
        written.update(
            live_and_number_calibrations(served, records, pattern, seed, rejects, dry_run)
        )
    checkpoint.update_sidecar(args.model, calibration=written)
    folder = checkpoint.report_path(args.model)
    report.reliability(folder / "reliability.png", before, after, held_out.labels)
    print(
        f"temperature {calibration.temperature:.3f}, unsure below {calibration.unsure_below:.3f}; "
        f"ECE {100 * figures['ece_before']:.2f}% -> {100 * figures['ece_after']:.2f}%; "
        f"{100 * figures['confident_share']:.1f}% answered sure, wrong "
        f"{100 * figures['confident_error']:.2f}% "
        f"of those (at most {100 * figures['confident_error_bound']:.2f}% with "
        f"{100 * CONFIDENCE_LEVEL:.0f}% "
        f"confidence); wrote {checkpoint.sidecar_path(args.model)} and {folder / 'reliability.png'}"
    )
    return Calibration.from_dict(written), figures


if __name__ == "__main__":
    main()
