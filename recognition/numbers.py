"""A drawing's answer as a number: its digits left to right, each answered as a single digit is.

One digit: the answer is exactly the single-digit answer, plus "number" and
"digits". Several: the top-level fields describe the whole number (see
whole_number) and "digits" holds each digit's own answer.
"""

import numpy as np
from scipy import ndimage

from . import preprocess, segment

MAX_COMPONENTS = 40  # an image with more separate specks than this is read as one drawing


def read_strokes(predictor, strokes):
    """Strokes (lists of [x, y], y down) -> the answer, with "number" and "digits"."""
    kept = [i for i, s in enumerate(strokes) if len(s)]
    if not kept:
        return _with_digits(predictor.answer(None), [])
    parts = [np.asarray(strokes[i], dtype=np.float64).reshape(-1, 2) for i in kept]
    if not np.isfinite(np.concatenate(parts)).all():
        raise ValueError("stroke coordinates must be finite numbers")
    reading = segment.read(
        predictor, parts, lambda idx: preprocess.strokes_to_input([parts[i] for i in idx])
    )
    whole = reading.pixels[0] if len(reading.groups) == 1 else preprocess.strokes_to_input(parts)
    return _assemble(predictor, reading, [[kept[i] for i in g] for g in reading.groups], whole)


def read_image(predictor, image):
    """A PIL image -> the answer, digits found by the ink's connected components, boxes in image
    pixels.
    """
    ink, factor = preprocess.working_ink(image)
    if ink is None or preprocess.normalize(ink) is None:
        return _with_digits(predictor.answer(None), [])
    labels, _ = ndimage.label(ink > preprocess.INK_THRESHOLD, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    # Specks (under 2% of the largest component) are noise, not digits: they stay out of the
    # grouping.
    keep = [k + 1 for k in np.flatnonzero(sizes >= 0.02 * sizes.max())]
    if len(keep) > MAX_COMPONENTS:  # too many pieces to be digits: the whole ink is one drawing
        labels, keep = (labels > 0).astype(int), [1]
    # (x, y) in the image's pixels: the centre of the block each working pixel stands for.
    parts = [np.argwhere(labels == k)[:, ::-1] * float(factor) + (factor - 1) / 2 for k in keep]

    def render(idx):
        return preprocess.normalize(np.where(np.isin(labels, [keep[i] for i in idx]), ink, 0.0))

    reading = segment.read(predictor, parts, render, lines=False)
    whole = reading.pixels[0] if len(reading.groups) == 1 else preprocess.normalize(ink)
    return _assemble(predictor, reading, None, whole)


def _assemble(predictor, reading, groups, whole):
    """The answer from a segment.Reading; groups: each digit's stroke indices in the request
    (None for images).
    """
    digits = []
    for k, (p, prob, box) in enumerate(zip(reading.pixels, reading.probs, reading.boxes)):
        answer = predictor.answer(p, prob)
        digits.append(
            {
                **answer,
                "box": [round(float(v), 1) for v in box],
                "strokes": None if groups is None else groups[k],
            }
        )
    if len(digits) == 1:  # exactly the single-digit answer, which the digit's own entry already is
        return _with_digits(
            {k: v for k, v in digits[0].items() if k not in ("box", "strokes")}, digits
        )
    return _with_digits(
        whole_number(digits, whole, predictor.calibration.unsure_below, reading.apart), digits
    )


def whole_number(digits, whole, unsure_below, apart=1.0):
    """The top-level fields for several digits: the number's verdict and confidence, no single
    digit.

    confidence: the product of the parts' and of apart (segment.Reading.apart: the chance that
    the drawing is these digits, not one thing), so the chance that every digit is right and
    there are that many; verdict: "not_a_digit" if any part is no digit, else "digit" when that
    confidence reaches the model's "not sure" threshold (a number is answered as sure only as a
    single digit is), else "unsure"; digit, candidates and probabilities: null; input: the whole
    drawing as one 28x28, as a single digit would have it.
    """
    verdicts = [d["verdict"] for d in digits]
    confidence = (
        None
        if "not_a_digit" in verdicts
        else float(np.prod([d["confidence"] for d in digits]) * apart)
    )
    verdict = (
        "not_a_digit"
        if confidence is None
        else "digit"
        if "unsure" not in verdicts and confidence >= unsure_below
        else "unsure"
    )
    rejects = [d["not_a_digit_probability"] for d in digits]
    return {
        "verdict": verdict,
        "digit": None,
        "confidence": confidence,
        "candidates": None,
        "probabilities": None,
        "not_a_digit_probability": None if None in rejects else float(max(rejects)),
        "empty": False,
        "input": whole.tolist(),
    }


def _with_digits(answer, digits):
    parts = [
        {
            k: d[k]
            for k in (
                "digit",
                "confidence",
                "probabilities",
                "verdict",
                "candidates",
                "not_a_digit_probability",
                "box",
                "strokes",
                "input",
            )
        }
        for d in digits
    ]
    number = (
        None
        if not digits or any(d["digit"] is None for d in digits)
        else "".join(str(d["digit"]) for d in digits)
    )
    return {**answer, "number": number, "digits": parts}
