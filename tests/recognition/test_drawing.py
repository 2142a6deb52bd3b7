"""A drawing checked once: plain strokes become float arrays with their ids and scale, an image a
Picture, and the reading of either is the same as of what was sent."""

import numpy as np
import pytest
from PIL import Image

from recognition.drawing import Picture, Strokes, as_drawing


def test_strokes_keep_their_ids_and_leave_empty_ones_out():
    drawing = Strokes.from_lists([[], [[0, 0], [1, 2]], [], [[3, 4]]])
    assert drawing.ids == (1, 3) and drawing.scale == 1.0
    assert [p.tolist() for p in drawing.parts] == [[[0, 0], [1, 2]], [[3, 4]]]
    assert all(p.dtype == np.float64 and p.shape[1] == 2 for p in drawing.parts)
    assert Strokes.from_lists([[], []]).parts == ()


def test_coordinates_near_floats_limit_are_scaled_once():
    drawing = Strokes.from_lists([[[-1e308, 0], [1e308, 1]]])
    assert drawing.scale < 1 and np.isfinite(drawing.parts[0]).all()
    assert np.abs(drawing.parts[0]).max() <= 1e12


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_plain_strokes_that_are_not_finite_are_refused(bad):
    with pytest.raises(ValueError, match="finite"):
        Strokes.from_lists([[[0, 0], [bad, 1]]])


def test_as_drawing_takes_either_kind_once():
    image = Image.new("L", (10, 10))
    assert as_drawing(image) == Picture(image) and as_drawing(image).kind == "image"
    strokes = Strokes.from_lists([[[0, 0]]])
    assert as_drawing(strokes) is strokes and strokes.kind == "strokes"
