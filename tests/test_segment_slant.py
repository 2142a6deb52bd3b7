"""Numbers in slanted handwriting: the grouping measures ink beside ink row by row, not box by box."""
import numpy as np
import pytest

from recognition import segment
from recognition.predictor import Predictor
from tests.support.data import SHIPPED_MODEL
from tests.support.shapes import FOUR, ONE, SEVEN, TWO, ZERO, at, lean


@pytest.fixture(scope="module")
def predictor():
    return Predictor.load(SHIPPED_MODEL)


@pytest.mark.parametrize("strokes,number", [
    (ONE + at(FOUR, 45), "14"),
    (at(TWO, 0) + at(ONE, 75) + at(SEVEN, 115), "217"),
    (ONE + at(ONE, 40) + at(ZERO, 75), "110"),
])
def test_slanted_digits_whose_boxes_overlap_are_still_cut_apart(predictor, strokes, number):
    slanted = lean(strokes, 0.4)  # about 22 degrees: each digit's box reaches well over its neighbour's
    answer = predictor.predict_strokes(slanted)
    assert answer["number"] == number
    # The boxes answered are the digits' own, in the request's coordinates, overlapping as drawn.
    for digit in answer["digits"]:
        own = np.concatenate([np.asarray(slanted[i]) for i in digit["strokes"]])
        assert digit["box"] == [round(float(v), 1) for v in (*own.min(axis=0), *own.max(axis=0))]
    # What made this hard: neighbouring boxes overlap, though their ink, row by row, does not.
    assert any(a["box"][2] > b["box"][0] for a, b in zip(answer["digits"], answer["digits"][1:]))


def test_ink_row_by_row_follows_the_pen_between_its_points_and_leaves_pixels_as_they_are():
    line = np.array([[0.0, 0.0], [50.0, 100.0]])  # two points: the pen passes every row between them
    lo, hi = segment._rows([line], [[0]], 0.0, 100.0, lines=True)
    assert np.isfinite(lo).all() and (np.diff(lo[0]) > 0).all() and (hi >= lo).all()
    dots = np.array([[0.0, 0.0], [50.0, 100.0]])  # two ink pixels: nothing in between
    lo, _ = segment._rows([dots], [[0]], 0.0, 100.0, lines=False)
    assert np.isfinite(lo).sum() == 2
