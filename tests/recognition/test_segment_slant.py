"""Numbers written slanted or climbing: ink beside ink measured row by row, digits as tall as the
tallest part.
"""

import math

import numpy as np
import pytest

from recognition import segment
from recognition.classifier import Classifier
from recognition.numbers import grouped
from tests.support.api import read_json
from tests.support.data import SHIPPED_MODEL
from tests.support.shapes import FOUR, ONE, SEVEN, TWO, ZERO, at, lean


@pytest.fixture(scope="module")
def classifier():
    return Classifier.load(SHIPPED_MODEL)


@pytest.mark.parametrize(
    "strokes,number",
    [
        (ONE + at(FOUR, 45), "14"),
        (at(TWO, 0) + at(ONE, 75) + at(SEVEN, 115), "217"),
        (ONE + at(ONE, 40) + at(ZERO, 75), "110"),
    ],
)
def test_slanted_digits_whose_boxes_overlap_are_still_cut_apart(classifier, strokes, number):
    # about 22 degrees: each digit's box reaches well over its neighbour's
    slanted = lean(strokes, 0.4)
    answer = read_json(classifier, slanted)
    assert answer["number"] == number
    # The boxes answered are the digits' own, in the request's coordinates, overlapping as drawn.
    for digit in answer["digits"]:
        own = np.concatenate([np.asarray(slanted[i]) for i in digit["strokes"]])
        assert digit["box"] == [round(float(v), 1) for v in (*own.min(axis=0), *own.max(axis=0))]
    # What made this hard: neighbouring boxes overlap, though their ink, row by row, does not.
    assert any(a["box"][2] > b["box"][0] for a, b in zip(answer["digits"], answer["digits"][1:]))


def test_ink_row_by_row_follows_the_pen_between_its_points_and_leaves_pixels_as_they_are():
    # two points: the pen passes every row between them
    line = np.array([[0.0, 0.0], [50.0, 100.0]])
    lo, hi = segment._rows([line], [[0]], 0.0, 100.0, lines=True)
    assert np.isfinite(lo).all() and (np.diff(lo[0]) > 0).all() and (hi >= lo).all()
    dots = np.array([[0.0, 0.0], [50.0, 100.0]])  # two ink pixels: nothing in between
    lo, _ = segment._rows([dots], [[0]], 0.0, 100.0, lines=False)
    assert np.isfinite(lo).sum() == 2


def uphill(strokes, degrees):
    """The strokes turned to climb to the right, as a line of writing drifts up across a pad."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [[[x * c + y * s, y * c - x * s] for x, y in stroke] for stroke in strokes]


class _AnythingIsADigit:
    """A stand-in model: every group it is shown reads as a sure digit, so only the geometry
    decides.
    """

    def probabilities(self, pixels):
        rows = np.full((len(pixels), 11), 0.001)
        rows[:, 1] = 0.99
        return rows


def test_digits_climbing_uphill_are_each_as_tall_as_a_digit_not_small():
    # Six upright strokes, each 100 tall and 25 higher than the last: the drawing is 225 tall.
    # Against that each stroke looked too short to be a digit, and pairs of them were read as one.
    parts = [np.array([[40.0 * k, -25.0 * k], [40.0 * k, 100 - 25.0 * k]]) for k in range(6)]
    digits, _, _ = grouped(
        _AnythingIsADigit(), segment.propose(parts), lambda idx: np.ones((28, 28), dtype=np.uint8)
    )
    assert [d.members for d in digits] == [[k] for k in range(6)]


def test_a_number_written_uphill_keeps_its_digits(classifier):
    strokes = uphill(SEVEN + at(ONE, 80) + at(ZERO, 120) + at(TWO, 200), 12)
    assert read_json(classifier, strokes)["number"] == "7102"
