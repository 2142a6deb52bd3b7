"""A drawing read as a number: its digits found, read and judged left to right.

`read_number(classifier, drawing)` owns the whole path for strokes or an
image: segment the drawing into digits (recognition.segment, which asks the
classifier for every candidate digit in one batch), judge each digit
(recognition.answer.judge) and the whole (judge_number). One digit: the whole
is exactly that digit's answer. Several: the whole says what the number does.
"""

from dataclasses import replace

import numpy as np
from PIL import Image
from scipy import ndimage

from . import personal, preprocess, segment
from .answer import EMPTY, Leaning, NumberAnswer, judge, judge_number, one_digit
from .calibration import retempered

# An image with more separate specks than this is read as one drawing.
MAX_COMPONENTS = 40
# Specks under this share of the largest component are noise, not digits: they stay out of the
# grouping.
SPECK_SHARE = 0.02


def read_number(classifier, drawing, writing=False, examples=None):
    """Strokes (lists of [x, y], y down) or a PIL image -> its NumberAnswer.

    writing: the pen is still down, drawing the last stroke: the digit that stroke belongs to is
    judged by the model's calibration for digits half drawn. examples: None, or the writer's own
    examples (recognition.personal.Example, maybe none): each digit then carries its
    personal-example numbers and leans to the close examples' labels. ValueError for strokes with
    coordinates that are not finite; segment.TooManyDigits for more digits than a number may have.
    """
    if isinstance(drawing, Image.Image):
        return read_image(classifier, drawing, examples)
    return read_strokes(classifier, drawing, writing, examples)


def read_strokes(classifier, strokes, writing=False, examples=None):
    """Strokes -> NumberAnswer; each digit says which of the request's strokes it holds."""
    kept = [i for i, s in enumerate(strokes) if len(s)]
    if not kept:
        return NumberAnswer(EMPTY)
    parts = [np.asarray(strokes[i], dtype=np.float64).reshape(-1, 2) for i in kept]
    everything = np.concatenate(parts)
    if not np.isfinite(everything).all():
        raise ValueError("stroke coordinates must be finite numbers")
    # Grouping measures gaps and heights: coordinates near float's limit would overflow them.
    # The drawing is grouped at a smaller scale, and its boxes given back in the request's units.
    shrink = preprocess.coordinate_scale(everything)
    if shrink != 1.0:
        parts = [p * shrink for p in parts]

    def render(indices):
        return preprocess.strokes_to_input([parts[i] for i in indices])

    reading = segment.find_digits(classifier, parts, render)
    if len(reading.groups) == 1:
        whole_pixels = reading.pixels[0]
    else:
        whole_pixels = preprocess.strokes_to_input(parts)
    strokes_of = [tuple(kept[i] for i in group) for group in reading.groups]
    if shrink != 1.0:
        reading = reading._replace(boxes=[box / shrink for box in reading.boxes])
    drawn_now = kept[-1] if writing else None
    return _judged(classifier, reading, strokes_of, whole_pixels, drawn_now, examples)


def read_image(classifier, image, examples=None):
    """A PIL image -> NumberAnswer: digits found by the ink's connected components, boxes in the
    image's pixels."""
    ink, factor = preprocess.working_ink(image)
    if ink is None or preprocess.normalize(ink) is None:
        return NumberAnswer(EMPTY)
    labels, _ = ndimage.label(ink > preprocess.INK_THRESHOLD, structure=np.ones((3, 3)))
    sizes = np.bincount(labels.ravel())[1:]
    keep = [k + 1 for k in np.flatnonzero(sizes >= SPECK_SHARE * sizes.max())]
    if len(keep) > MAX_COMPONENTS:
        # Too many pieces to be digits: the whole ink is one drawing.
        labels = (labels > 0).astype(int)
        keep = [1]
    # (x, y) in the image's pixels: the centre of the block each working pixel stands for.
    parts = [np.argwhere(labels == k)[:, ::-1] * float(factor) + (factor - 1) / 2 for k in keep]

    def render(indices):
        chosen = np.isin(labels, [keep[i] for i in indices])
        return preprocess.normalize(np.where(chosen, ink, 0.0))

    reading = segment.find_digits(classifier, parts, render, lines=False)
    if len(reading.groups) == 1:
        whole_pixels = reading.pixels[0]
    else:
        whole_pixels = preprocess.normalize(ink)
    return _judged(classifier, reading, [None] * len(reading.groups), whole_pixels, None, examples)


def _judged(classifier, reading, strokes_of, whole_pixels, drawn_now=None, examples=None):
    """The NumberAnswer for a segment.Reading: each digit judged, then the whole.

    drawn_now: the index of the stroke the pen is still drawing (None: the pen is up); its digit
    is judged by the calibration for digits half drawn. examples: the writer's own (None: not
    asked for).
    """
    calibration = classifier.calibration
    digits = tuple(
        _judged_digit(calibration, probabilities, pixels, tuple(box), strokes, drawn_now)
        for pixels, probabilities, box, strokes in zip(
            reading.pixels, reading.probs, reading.boxes, strokes_of
        )
    )
    if examples is not None:
        features = classifier.features(np.stack(reading.pixels))
        digits = tuple(
            _leaned(calibration, digit, values, examples, drawn_now)
            for digit, values in zip(digits, features)
        )
    if len(digits) == 1:
        return NumberAnswer(one_digit(digits[0]), digits)
    whole = judge_number(digits, whole_pixels, calibration, reading.apart)
    return NumberAnswer(whole, digits)


def _judged_digit(calibration, probabilities, pixels, box, strokes, drawn_now):
    """One digit's DigitAnswer; the probabilities are the model's calibrated ones, at the
    temperature of the calibration that judges them."""
    if _being_drawn(strokes, drawn_now):
        writing = calibration.while_writing()
        probabilities = retempered(probabilities, calibration.temperature, writing.temperature)
        calibration = writing
    return judge(probabilities, calibration, pixels, box=box, strokes=strokes)


def _being_drawn(strokes, drawn_now):
    return drawn_now is not None and strokes is not None and drawn_now in strokes


def _leaned(calibration, digit, values, examples, drawn_now):
    """A judged digit with its personal-example numbers, judged again on its probabilities leaned
    to the writer's close examples (by the same calibration)."""
    full = _full(digit)
    leaned, weighed = personal.lean(full, values, examples)
    if not weighed:
        return replace(digit, feature=values)
    if _being_drawn(digit.strokes, drawn_now):
        calibration = calibration.while_writing()
    answer = judge(leaned, calibration, digit.pixels, box=digit.box, strokes=digit.strokes)
    return replace(answer, feature=values, leaning=Leaning(digit, weighed))


def _full(digit):
    """A DigitAnswer's probabilities over every class again: the digits', then "not a digit"'s
    where the model has it."""
    if digit.not_a_digit_probability is None:
        return digit.probabilities
    return np.append(digit.probabilities, digit.not_a_digit_probability)


def read_digit(classifier, pixels):
    """One ready 28x28 uint8 input (None for no ink) read as a single digit: its DigitAnswer.

    For measuring the classifier on inputs already rendered (benchmarks, tests); drawings go
    through read_number, which also finds the digits.
    """
    if pixels is None:
        return EMPTY
    return judge(classifier.probabilities(pixels), classifier.calibration, pixels)
