"""Writing conventions added to real pen digits in stroke space: one pen line where the convention
puts it, sampled like the writer's pen, and only on digits that do not already show one.
"""

import math

import numpy as np
import pytest

from recognition import preprocess
from training import stroke_augment, stroke_conventions

# Tablet units, y down, points 4 apart as a digitiser samples them.
ZERO = [[[50 + 30 * math.sin(t), 60 - 50 * math.cos(t)] for t in np.linspace(0, 2 * math.pi, 40)]]
ONE = [[[50.0, float(y)] for y in range(10, 111, 4)]]
SEVEN = [
    [[20.0, 10.0], [50.0, 10.0], [80.0, 10.0]] + [[80 - 1.2 * d, 10.0 + 4 * d] for d in range(26)]
]


def angle_from_vertical(line):
    (x0, y0), (x1, y1) = line[0], line[-1]
    return math.degrees(math.atan2(abs(x1 - x0), abs(y1 - y0)))


def test_a_zero_gets_a_slash_through_its_middle_at_40_to_80_degrees():
    rng = np.random.default_rng(0)
    for _ in range(200):
        out = stroke_conventions.add(ZERO, 0, rng)
        assert len(out) == 2 and np.array_equal(out[0], np.asarray(ZERO[0]))
        slash = out[1]
        assert 40 - 1 <= 90 - angle_from_vertical(slash) <= 80 + 1
        middle = (slash[0] + slash[-1]) / 2  # the zero's centre, give or take a hand's
        assert abs(middle[0] - 50) < 0.2 * 60 and abs(middle[1] - 60) < 0.2 * 100
        # Longer than the zero is high, at most about a third longer again.
        length = math.dist(slash[0], slash[-1])
        assert 0.9 * 100 <= length <= 1.4 * 100 / math.sin(math.radians(40))


def test_a_one_gets_a_flag_down_left_from_its_top_drawn_first():
    rng = np.random.default_rng(1)
    for _ in range(200):
        out = stroke_conventions.add(ONE, 1, rng)
        flag = out[0]
        assert np.allclose(flag[-1], [50, 10])  # it ends where the stem starts
        assert flag[0][0] < 50 and flag[0][1] > 10  # from down-left
        assert 25 - 1 <= angle_from_vertical(flag) <= 60 + 1
        assert 0.25 * 100 - 1 <= math.dist(flag[0], flag[-1]) <= 0.55 * 100 + 1
        assert np.array_equal(out[1], np.asarray(ONE[0]))
        if stroke_conventions.FOOT_SHARE == 0:
            assert len(out) == 2  # the flag and the stem, no foot


def test_a_foot_where_one_is_drawn_lies_under_the_stem(monkeypatch):
    monkeypatch.setattr(stroke_conventions, "FOOT_SHARE", 1.0)
    rng = np.random.default_rng(2)
    for _ in range(100):
        foot = stroke_conventions.add(ONE, 1, rng)[2]
        assert np.allclose([foot[0][1], foot[-1][1]], 110)
        assert foot[0][0] < 50 < foot[-1][0]


def test_a_seven_gets_a_short_bar_across_its_stem_below_the_middle():
    rng = np.random.default_rng(2)
    for _ in range(200):
        out = stroke_conventions.add(SEVEN, 7, rng)
        bar = out[1]
        assert len(out) == 2
        y = (bar[0][1] + bar[-1][1]) / 2
        assert 10 + 0.4 * 100 - 1 <= y <= 10 + 0.65 * 100 + 1
        assert 90 - angle_from_vertical(bar) <= 12 + 1  # nearly level
        stem_x = 80 - 1.2 * (y - 10) / 4
        assert bar[0][0] < stem_x < bar[-1][0]


def test_the_added_line_is_sampled_as_densely_as_the_writers_pen():
    out = stroke_conventions.add(ONE, 1, np.random.default_rng(3))
    gaps = np.hypot(*np.diff(out[0], axis=0).T)
    assert gaps.max() < 4 * 1.5 and len(out[0]) >= 4


@pytest.mark.parametrize(
    "strokes, digit",
    [
        (ZERO + [[[30, 100], [70, 20]]], 0),  # slashed already
        (SEVEN + [[[50, 60], [80, 60]]], 7),  # crossed already
        ([[[15, 40], [50, 10], [50, 110]]], 1),  # has its flag
        (ONE, 5),  # no convention for a five
        ([[[10, 50], [90, 50]]], 1),  # no height
    ],
)
def test_a_digit_that_shows_a_convention_already_or_has_none_gets_nothing(strokes, digit):
    assert stroke_conventions.add(strokes, digit, np.random.default_rng(0)) is None


def test_with_a_convention_the_digit_still_renders_as_ink_of_the_pens_width():
    rng = np.random.default_rng(4)
    for strokes, digit in ((ZERO, 0), (ONE, 1), (SEVEN, 7)):
        plain = preprocess.strokes_to_input(strokes)
        added = preprocess.strokes_to_input(stroke_conventions.add(strokes, digit, rng))
        assert added is not None and (added > 128).sum() > (plain > 128).sum() * 0.8
        assert not np.array_equal(added, plain)


def test_the_bank_by_default_draws_what_it_drew_before_conventions_came():
    records = [{"label": 1, "strokes": ONE}, {"label": 0, "strokes": ZERO}]
    without, _ = stroke_augment.render_bank(records, 4, seed=7)
    rng = np.random.default_rng(7)
    for i, record in enumerate(records):
        for k in range(1, 4):
            expected = preprocess.strokes_to_input(
                stroke_augment.augment(record["strokes"], rng)[0]
            )
            assert np.array_equal(without[4 * i + k], expected)
    with_them, _ = stroke_augment.render_bank(records * 20, 4, seed=7, conventions=True)
    assert not np.array_equal(with_them[:8], without)
