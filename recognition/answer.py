"""The recognition core's answer as types: what a digit is judged to be, and what a number is.

The classifier gives calibrated probabilities; `judge` turns them into a
DigitAnswer with the model's calibration; `judge_number` puts a number's
digits together. They are data: the API's JSON is written from them in one
place, webapp.wire.
"""

import enum
from dataclasses import dataclass, replace

import numpy as np

from .calibration import Calibration, sure
from .preprocess import FIELD

# The model's input: one 28x28 field of 0..255 ink, as MNIST's digits are.
INPUT_SHAPE = (FIELD, FIELD)
INPUT_SIZE = FIELD * FIELD
DIGITS = 10
# An 11-class model's eleventh output: "this drawing is no digit".
NOT_A_DIGIT_CLASS = 10
# That class as a label where people give one (a correction, a writer's example) and the API and
# stroke files write it.
NOT_A_DIGIT_LABEL = "not_a_digit"


class Verdict(enum.StrEnum):
    """What the answer says of a drawing; the value is the API's string."""

    DIGIT = "digit"  # a digit, and sure of it
    UNSURE = "unsure"  # a digit, but not sure which: the answer names the likeliest two
    NOT_A_DIGIT = "not_a_digit"  # no digit at all (11-class models only)
    EMPTY = "empty"  # no ink


# The verdicts that name a digit: an unsure answer still says which digit is likeliest.
NAMES_A_DIGIT = (Verdict.DIGIT, Verdict.UNSURE)


@dataclass(frozen=True)
class DigitAnswer:
    """One drawing (or one digit of a number) as judged.

    probabilities: the ten digits' calibrated probabilities, not renormalised (P(a 4) counts the
    chance that it is no digit at all); not_a_digit_probability: the eleventh class's, None for a
    10-class model. pixels: the 28x28 uint8 input the model read, None for no ink. box and strokes
    say where a digit of a number lies: its [x0, y0, x1, y1] in the request's units and the indices
    of the request's strokes it holds (None for images). feature: the digit's personal-example
    numbers, where the request asked for them (recognition.personal), and leaning: how the
    writer's examples moved the answer (None: none was close).
    """

    verdict: Verdict
    digit: int | None = None
    confidence: float | None = None
    candidates: tuple[int, int] | None = None
    probabilities: np.ndarray | None = None
    not_a_digit_probability: float | None = None
    pixels: np.ndarray | None = None
    box: tuple[float, float, float, float] | None = None
    strokes: tuple[int, ...] | None = None
    feature: np.ndarray | None = None
    leaning: "Leaning | None" = None


EMPTY = DigitAnswer(Verdict.EMPTY)


@dataclass(frozen=True)
class Leaning:
    """How a writer's own examples moved a digit's answer: the answer without them, and the
    examples that weighed in (recognition.personal.Weighed, closest first)."""

    without: DigitAnswer
    weighed: tuple

    def decided(self, answer):
        """Whether the examples changed what the answer says (its verdict or its digit)."""
        return (answer.verdict, answer.digit) != (self.without.verdict, self.without.digit)


@dataclass(frozen=True)
class NumberAnswer:
    """A drawing read as a number: its digits left to right, and what the whole says.

    whole: for one digit, exactly that digit's answer; for several, the number's verdict and
    confidence with no single digit (see judge_number); for no ink, EMPTY.
    """

    whole: DigitAnswer
    digits: tuple[DigitAnswer, ...] = ()

    @property
    def verdict(self):
        return self.whole.verdict

    @property
    def digit(self):
        return self.whole.digit

    @property
    def confidence(self):
        return self.whole.confidence

    @property
    def number(self):
        """The digits as a string, left to right; None for no ink or where a part is no digit."""
        if not self.digits or any(d.digit is None for d in self.digits):
            return None
        return "".join(str(d.digit) for d in self.digits)


def digit_share(probabilities):
    """(the ten digit probabilities, the "not a digit" probability or None) per row.

    The digits' are not renormalised: P(it is a 4) counts the chance that it is no digit at all, so
    a letter the model half rejects is never shown as a sure 4.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.shape[-1] == DIGITS:
        return probabilities, None
    return probabilities[..., :DIGITS], probabilities[..., NOT_A_DIGIT_CLASS]


def rejected(digits, not_a_digit, calibration):
    """Where a drawing (one, or rows) is answered "not a digit": its "not a digit" probability
    reaches the model's threshold, or exceeds every digit's (no digit is the likeliest reading, so
    it is never shown as one).
    """
    if not_a_digit is None:
        return np.asarray(False)
    not_a_digit = np.asarray(not_a_digit)
    likeliest = not_a_digit > np.asarray(digits).max(axis=-1)
    limit = calibration.reject_above
    return likeliest if limit is None else likeliest | (not_a_digit >= limit)


def answered_classes(probabilities, calibration):
    """Probabilities (N, classes) -> the class each is answered with: a digit, or NOT_A_DIGIT_CLASS.

    For counting accuracy in bulk (training reports, benchmarks): "not a digit" is never a label
    0..9, so it counts as wrong. Confidence plays no part: an unsure answer still names its digit.
    """
    digits, not_a_digit = digit_share(probabilities)
    answered = rejected(digits, not_a_digit, calibration)
    return np.where(answered, NOT_A_DIGIT_CLASS, digits.argmax(axis=1))


def judge(probabilities, calibration: Calibration, pixels=None, box=None, strokes=None):
    """One input's calibrated probabilities (classes,) -> its DigitAnswer.

    Verdict: "not_a_digit" where the eleventh class reaches the model's threshold or is likelier
    than every digit, else "digit" when the likeliest digit's probability reaches the "not sure"
    threshold, else "unsure" with the likeliest two as candidates. Confidence is calibrated: of
    answers this sure, about that share are right.
    """
    digits, not_a_digit = digit_share(probabilities)
    ranked = np.argsort(-digits, kind="stable")
    likeliest = int(ranked[0])
    confidence = float(digits[likeliest])
    common = {
        "probabilities": digits,
        "not_a_digit_probability": None if not_a_digit is None else float(not_a_digit),
        "pixels": pixels,
        "box": box,
        "strokes": strokes,
    }
    if rejected(digits, not_a_digit, calibration):
        return DigitAnswer(Verdict.NOT_A_DIGIT, **common)
    if sure(confidence, calibration.unsure_below):
        return DigitAnswer(Verdict.DIGIT, likeliest, confidence, **common)
    candidates = (likeliest, int(ranked[1]))
    return DigitAnswer(Verdict.UNSURE, likeliest, confidence, candidates, **common)


def judge_number(digits, whole_pixels, calibration: Calibration, apart=1.0):
    """What several digits say as one number: the whole's DigitAnswer, with no single digit.

    confidence: the chance that every digit is right and there are that many: the model's number
    calibration (calibration.number) of the least sure digit's confidence and their product,
    lowered where apart (the chance, by the grouping's scores, that the drawing is these digits
    rather than one thing) is as low as a drawing's that is no digit; without one, the product of
    the parts' confidences and apart. Verdict: "not_a_digit"
    if any part is no digit; else "digit" when that confidence reaches the number's "not sure"
    threshold and no part is unsure; else "unsure". pixels: the whole drawing as one 28x28, as a
    single digit would have it.
    """
    verdicts = [d.verdict for d in digits]
    rejects = [d.not_a_digit_probability for d in digits]
    not_a_digit = None if None in rejects else float(max(rejects))
    if Verdict.NOT_A_DIGIT in verdicts:
        return DigitAnswer(
            Verdict.NOT_A_DIGIT, not_a_digit_probability=not_a_digit, pixels=whole_pixels
        )
    confidences = [d.confidence for d in digits]
    if calibration.number is None:
        confidence, threshold = float(np.prod(confidences) * apart), calibration.unsure_below
    else:
        confidence = calibration.number.confidence(confidences, apart)
        threshold = calibration.number.unsure_below
    answered_sure = Verdict.UNSURE not in verdicts and sure(confidence, threshold)
    return DigitAnswer(
        Verdict.DIGIT if answered_sure else Verdict.UNSURE,
        confidence=confidence,
        not_a_digit_probability=not_a_digit,
        pixels=whole_pixels,
    )


def one_digit(answer: DigitAnswer):
    """A single digit's answer as the whole drawing's: the same answer without where it lies."""
    return replace(answer, box=None, strokes=None)
