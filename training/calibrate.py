"""Fit a model's calibration on held-out drawings rendered as drawn input is: python -m
training.calibrate.

The held-out digits are MNIST's validation split (never trained on), distorted
and re-normalised as in training, so they are about as hard as real drawing
(fitted on clean MNIST digits, the temperature leaves the model overconfident
on pens), and the held-out writers' real pen digits; with held-out drawings
that are no digit. Run on a trained model, it fits what train.py fitted.
"""

import argparse
import sys

import numpy as np
import torch

from recognition import checkpoint
from recognition.answer import digit_share
from recognition.calibration import (
    CONFIDENCE_LEVEL,
    Calibration,
    confident_threshold,
    error_bound,
    expected_calibration_error,
    fit_temperature,
    softmax,
)
from recognition.classifier import DEFAULT_MODEL, Classifier
from training import augment, data, mnist, negatives, report, stroke_augment, stroke_files

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


def held_out_set(
    val_x, val_y, pen, seed, val_seed, held_out_writers, with_negatives=True, **distort_options
):
    """(digits uint8, labels, negatives uint8 or None, description): what the calibration is
    fitted on.

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
    return digits, labels, drawn, description


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
        kept = reject < reject_above
        negative_digits, negatives_reject = digit_share(softmax(negative_logits, temperature))
        missed = negatives_reject < reject_above
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
    return p.parse_args(argv)


def _held_out_pen(files, pattern):
    """The held-out writers' digits of these stroke files, rendered as the app renders them, or
    None.
    """
    records = []
    for path in files:
        records += stroke_files.split(stroke_files.read(path), pattern)[1]
    return stroke_augment.render_plain(records) if records else None


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
        pen = _held_out_pen(files, pattern)
        images, labels = mnist.load_split("train", args.data_dir)
    except (checkpoint.CheckpointError, mnist.MnistError, stroke_files.StrokeFileError) as exc:
        sys.exit(f"training.calibrate: {exc}")
    val_size, val_seed = training.get("val_size", 5000), training.get("val_seed", 1)
    seed = training.get("seed", 0) if args.seed is None else args.seed
    _, _, val_x, val_y = data.split(images, labels, val_size, val_seed)
    rejects = classifier.info.get("architecture", {}).get("classes") == 11
    digits, digit_labels, drawn, description = held_out_set(
        val_x, val_y, pen, seed, val_seed, pattern, rejects
    )
    calibration, figures, before, after = calibrate(
        classifier, digits, digit_labels, description, negatives=drawn
    )
    checkpoint.update_sidecar(args.model, calibration={**calibration.to_dict(), "figures": figures})
    folder = checkpoint.report_path(args.model)
    report.reliability(folder / "reliability.png", before, after, digit_labels)
    print(
        f"temperature {calibration.temperature:.3f}, unsure below {calibration.unsure_below:.3f}; "
        f"ECE {100 * figures['ece_before']:.2f}% -> {100 * figures['ece_after']:.2f}%; "
        f"{100 * figures['confident_share']:.1f}% answered sure, wrong "
        f"{100 * figures['confident_error']:.2f}% "
        f"of those (at most {100 * figures['confident_error_bound']:.2f}% with "
        f"{100 * CONFIDENCE_LEVEL:.0f}% "
        f"confidence); wrote {checkpoint.sidecar_path(args.model)} and {folder / 'reliability.png'}"
    )
    return calibration, figures


if __name__ == "__main__":
    main()
