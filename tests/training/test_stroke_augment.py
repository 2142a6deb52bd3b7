"""Stroke-space variants of real pen digits: within the bounds they record, the writer's own
shapes, rendered as ink.
"""

import math

import numpy as np
import pytest

from recognition import preprocess
from training import stroke_augment, stroke_files
from training.stroke_augment import BOUNDS


def measured(out):
    """(rotation degrees, slant, aspect) of a variant of [horizontal bar, vertical bar], read off
    its strokes.
    """
    across, down = (np.asarray(s) for s in out)
    dx, dy = across[-1] - across[0]
    rotation = math.atan2(dy, dx)
    aspect = math.hypot(dx, dy) / 10.0
    turn_back = np.array(
        [[math.cos(-rotation), -math.sin(-rotation)], [math.sin(-rotation), math.cos(-rotation)]]
    )
    vx, vy = turn_back @ (down[-1] - down[0])
    return math.degrees(rotation), -vx / vy, aspect


def test_rotation_slant_and_aspect_are_what_was_drawn_and_within_the_bounds():
    # Two straight strokes, each resampled along itself (its end points kept), so the affine shows
    # in them.
    cross = [[[0.0, 5.0], [10.0, 5.0]], [[5.0, 0.0], [5.0, 10.0]]]
    still = {**BOUNDS, "stroke_shift": 0.0}
    rng = np.random.default_rng(0)
    seen = []
    for _ in range(300):
        out, drawn = stroke_augment.augment(cross, rng, still)
        rotation, slant, aspect = measured(out)
        assert rotation == pytest.approx(drawn["rotate_degrees"], abs=1e-6)
        assert slant == pytest.approx(drawn["slant"], abs=1e-6)
        assert aspect == pytest.approx(drawn["aspect"], rel=1e-6)
        assert abs(rotation) <= BOUNDS["rotate_degrees"]
        assert abs(slant) <= BOUNDS["slant"]
        assert 1 / (1 + BOUNDS["aspect"]) <= aspect <= 1 + BOUNDS["aspect"]
        seen.append((rotation, slant, aspect))
    seen = np.array(seen)
    # The bounds are used, not just respected: each change spans most of its range.
    assert (
        np.ptp(seen[:, 0]) > 1.6 * BOUNDS["rotate_degrees"]
        and np.ptp(seen[:, 1]) > 1.6 * BOUNDS["slant"]
    )


def test_strokes_move_apart_within_their_bound_and_a_pen_path_is_resampled_along_itself():
    rng = np.random.default_rng(1)
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    for _ in range(100):
        _, drawn = stroke_augment.augment([square, [[5.0, 2.0], [5.0, 8.0]]], rng)
        assert drawn["stroke_shift"] <= BOUNDS["stroke_shift"] + 1e-12
        low, high = BOUNDS["step"]
        assert low <= drawn["step"] <= high
    points = np.array(square)
    again = stroke_augment.resample(points, 0.7, BOUNDS["speed"], rng)
    assert np.allclose(again[0], points[0]) and np.allclose(again[-1], points[-1])
    # Every resampled point lies on the square's outline, and they are close: about 40 / 0.7 of
    # them.
    on_outline = np.minimum.reduce(
        [
            np.abs(again[:, 0]),
            np.abs(again[:, 0] - 10),
            np.abs(again[:, 1]),
            np.abs(again[:, 1] - 10),
        ]
    )
    assert on_outline.max() < 1e-9 and 45 <= len(again) <= 70


@pytest.fixture(scope="module")
def real_records():
    records = stroke_files.read(stroke_files.DEFAULT_FILES[0])
    picked = np.random.default_rng(0).choice(len(records), 60, replace=False)
    return [records[i] for i in picked]


def test_every_variant_of_a_real_digit_still_renders_as_its_ink(real_records):
    rng = np.random.default_rng(2)
    for record in real_records:
        plain = preprocess.strokes_to_input(record["strokes"])
        for _ in range(4):
            variant = preprocess.strokes_to_input(stroke_augment.augment(record["strokes"], rng)[0])
            assert variant is not None and variant.dtype == np.uint8
            # Ink of the pen's width, about as much of it as the digit as written has.
            assert 0.6 < (variant > 128).sum() / (plain > 128).sum() < 1.6


def test_the_bank_holds_each_digit_as_written_then_its_variants_seeded(real_records):
    records = real_records[:10]
    images, labels = stroke_augment.render_bank(records, 3, seed=5)
    assert images.shape == (30, 28, 28) and labels.tolist() == [
        r["label"] for r in records for _ in range(3)
    ]
    for i, record in enumerate(records):
        assert np.array_equal(images[3 * i], preprocess.strokes_to_input(record["strokes"]))
        assert not np.array_equal(images[3 * i + 1], images[3 * i])
    again, _ = stroke_augment.render_bank(records, 3, seed=5)
    other, _ = stroke_augment.render_bank(records, 3, seed=6)
    assert np.array_equal(again, images) and not np.array_equal(other, images)
