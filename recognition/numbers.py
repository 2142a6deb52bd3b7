"""A drawing read as a number: its digits found, read and judged left to right.

`read_number(classifier, drawing)` owns the whole path for strokes or an
image, once: segment proposes the candidate digits (geometry only), each is
rendered once and all are classified in one call (grouped), segment chooses the
grouping, then each digit is judged (recognition.answer.judge) and the whole
(judge_number), the whole drawing's pixels reused where it was a candidate. One digit: the whole
is exactly that digit's answer. Several: the whole says what the number does.
"""

from dataclasses import replace

import numpy as np
from scipy import ndimage

from . import personal, preprocess, segment
from .answer import EMPTY, Leaning, NumberAnswer, judge, judge_number, one_digit
from .calibration import retempered
from .drawing import Picture, as_drawing

# An image with more separate specks than this is read as one drawing.
MAX_COMPONENTS = 40
# Specks under this share of the largest component are noise, not digits: they stay out of the
# grouping.
SPECK_SHARE = 0.02


def read_number(classifier, drawing, writing=False, examples=None):
    """A drawing (recognition.drawing: Strokes or Picture; plain strokes or a PIL image are
    checked into one) -> its NumberAnswer.

    writing: the pen is still down, drawing the last stroke: the digit that stroke belongs to is
    judged by the model's calibration for digits half drawn. examples: None, or the writer's own
    examples (recognition.personal.Example, maybe none): each digit then carries its
    personal-example numbers and leans to the close examples' labels. ValueError for plain
    strokes with coordinates that are not finite; segment.TooManyDigits for more digits than a
    number may have.
    """
    drawing = as_drawing(drawing)
    if isinstance(drawing, Picture):
        return read_image(classifier, drawing.image, examples)
    return read_strokes(classifier, drawing, writing, examples)


def read_strokes(classifier, strokes, writing=False, examples=None):
    """Strokes (recognition.drawing) -> NumberAnswer; each digit says which of the request's
    strokes it holds, and its box is in the request's units."""
    if not strokes.parts:
        return NumberAnswer(EMPTY)
    parts, kept, shrink = strokes.parts, strokes.ids, strokes.scale

    def render(indices):
        return preprocess.render_parts([parts[i] for i in indices])

    digits, apart, whole_read = grouped(classifier, segment.propose(parts), render)
    whole_pixels = whole_read.pixels if whole_read is not None else render(range(len(parts)))
    strokes_of = [tuple(kept[i] for i in d.members) for d in digits]
    boxes = [d.box / shrink if shrink != 1.0 else d.box for d in digits]
    drawn_now = kept[-1] if writing else None
    return _judged(classifier, digits, boxes, strokes_of, apart, whole_pixels, drawn_now, examples)


def read_image(classifier, image, examples=None):
    """A PIL image -> NumberAnswer: digits found by the ink's connected components, boxes in the
    image's pixels."""
    ink, factor = preprocess.working_ink(image)
    whole_pixels = None if ink is None else preprocess.normalize(ink)
    if whole_pixels is None:
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

    digits, apart, _ = grouped(classifier, segment.propose(parts, lines=False), render)
    if len(digits) == 1:
        # One digit: the whole is that digit, specks left out, as it was read.
        whole_pixels = digits[0].pixels
    boxes = [d.box for d in digits]
    return _judged(
        classifier, digits, boxes, [None] * len(digits), apart, whole_pixels, None, examples
    )


def grouped(classifier, proposal, render):
    """The one path of a drawing's candidates: each rendered once, all classified in one call,
    the grouping chosen. -> (the digits' candidates, apart, the whole drawing's candidate or
    None where the whole is not one)."""
    read = []
    for candidate in proposal.candidates:
        candidate.pixels = render(candidate.members)
        if candidate.pixels is not None:
            read.append(candidate)
    probabilities = classifier.probabilities(np.stack([c.pixels for c in read]))
    for candidate, p in zip(read, probabilities.reshape(len(read), -1)):
        candidate.probabilities = p
    digits, apart = segment.choose(proposal, read)
    whole_read = next((c for c in read if c.span == proposal.whole_span), None)
    return digits, apart, whole_read


def _judged(classifier, read, boxes, strokes_of, apart, whole_pixels, drawn_now, examples):
    """The NumberAnswer for the chosen candidates: each digit judged, then the whole.

    drawn_now: the index of the stroke the pen is still drawing (None: the pen is up); its digit
    is judged by the calibration for digits half drawn. examples: the writer's own (None: not
    asked for).
    """
    calibration = classifier.calibration
    features = [None] * len(read)
    if examples is not None:
        features = classifier.features(np.stack([c.pixels for c in read]))
    digits = tuple(
        _judged_digit(calibration, c, tuple(box), strokes, drawn_now, values, examples)
        for c, box, strokes, values in zip(read, boxes, strokes_of, features)
    )
    if len(digits) == 1:
        return NumberAnswer(one_digit(digits[0]), digits)
    whole = judge_number(digits, whole_pixels, calibration, apart)
    return NumberAnswer(whole, digits)


def _judged_digit(calibration, candidate, box, strokes, drawn_now, values, examples):
    """One digit's DigitAnswer; the probabilities are the model's calibrated ones, at the
    temperature of the calibration that judges them. values: its personal-example numbers (None:
    not asked for); where the writer's examples are close, it is judged again on its
    probabilities leaned to their labels, by the same calibration."""
    probabilities = candidate.probabilities
    if drawn_now is not None and strokes is not None and drawn_now in strokes:
        writing = calibration.while_writing()
        probabilities = retempered(probabilities, calibration.temperature, writing.temperature)
        calibration = writing
    answer = judge(probabilities, calibration, candidate.pixels, box=box, strokes=strokes)
    if values is None:
        return answer
    leaned, weighed = personal.lean(probabilities, values, examples)
    if not weighed:
        return replace(answer, feature=values)
    leaned_answer = judge(leaned, calibration, candidate.pixels, box=box, strokes=strokes)
    return replace(leaned_answer, feature=values, leaning=Leaning(answer, weighed))


def read_digit(classifier, pixels):
    """One ready 28x28 uint8 input (None for no ink) read as a single digit: its DigitAnswer.

    For measuring the classifier on inputs already rendered (benchmarks, tests); drawings go
    through read_number, which also finds the digits.
    """
    if pixels is None:
        return EMPTY
    return judge(classifier.probabilities(pixels), classifier.calibration, pixels)
