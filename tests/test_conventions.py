"""The conventions test set: each generator adds what it claims, where it claims, and keeps the writer's strokes."""
import math

import numpy as np
import pytest

from bench import conventions

ZERO = [[[50 + 30 * math.sin(t), 60 - 50 * math.cos(t)] for t in np.linspace(0, 2 * math.pi, 40)]]
ONE = [[[50, 10], [52, 60], [54, 110]]]  # drawn from the top down, as 444 of the 449 shared ones are
SEVEN = [[[10, 10], [90, 10], [60, 60], [40, 110]]]


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("seed", range(5))
def test_the_slash_crosses_the_zeros_box_from_below_left_to_above_right(seed):
    out = conventions.slashed_zero(ZERO, rng(seed))
    assert out[:1] == ZERO  # the writer's zero as it was
    slash = np.array(out[1])
    (sx, sy), (ex, ey) = slash[0], slash[-1]
    assert sx < 50 < ex and sy > 60 > ey  # starts lower left, ends upper right
    assert sy > 110 and ey < 10  # overshoots the ink box at both ends
    assert 50 <= math.degrees(math.atan2(sy - ey, ex - sx)) <= 75
    middle = (slash[0] + slash[-1]) / 2
    assert abs(middle[0] - 50) <= 0.05 * 60 + 1 and abs(middle[1] - 60) <= 0.05 * 100 + 1  # through the centre


@pytest.mark.parametrize("seed", range(5))
def test_the_flag_leads_into_the_ones_top_in_the_same_stroke(seed):
    out = conventions.flagged_one(ONE, rng(seed))
    assert len(out) == 1  # written in one motion with the stem
    stroke = np.array(out[0])
    top = np.array(ONE[0][0])
    at_top = int(np.flatnonzero((stroke == top).all(axis=1))[0])
    assert at_top == conventions.STEPS - 1 and stroke[at_top + 1:].tolist() == ONE[0][1:]
    start = stroke[0]
    length = np.hypot(*(top - start))
    assert start[0] < top[0] and start[1] > top[1]  # below and left of the top
    assert 0.3 * 100 - 1e-9 <= length <= 0.5 * 100 + 1e-9
    assert 30 <= math.degrees(math.atan2(top[0] - start[0], start[1] - top[1])) <= 60


def test_a_one_drawn_from_the_bottom_gets_the_flag_as_its_own_stroke():
    upward = [list(reversed(ONE[0]))]
    out = conventions.flagged_one(upward, rng())
    assert out[1:] == upward and out[0][-1] == [50.0, 10.0]


def test_the_foot_is_a_level_bar_centred_under_the_one():
    out = conventions.flagged_one(ONE, rng(), foot=True)
    foot = np.array(out[-1])
    assert len(out) == 2 and np.allclose(foot[:, 1], 110)
    assert foot[0, 0] < 54 < foot[-1, 0] and abs((foot[0, 0] + foot[-1, 0]) / 2 - 54) < 1e-9
    assert 0.3 * 100 - 1e-9 <= foot[-1, 0] - foot[0, 0] <= 0.5 * 100 + 1e-9


@pytest.mark.parametrize("seed", range(5))
def test_the_bar_crosses_the_sevens_stem_at_about_half_height(seed):
    out = conventions.crossed_seven(SEVEN, rng(seed))
    assert out[:1] == SEVEN
    bar = np.array(out[1])
    middle = (bar[0] + bar[-1]) / 2
    assert 10 + 0.45 * 100 <= middle[1] <= 10 + 0.6 * 100
    stem = conventions._crossings(SEVEN, middle[1])
    assert len(stem) == 1 and abs(middle[0] - stem[0]) < 1e-6  # centred on the stem
    assert bar[0, 0] < stem[0] < bar[-1, 0]  # written left to right, across it
    assert abs(math.degrees(math.atan2(bar[0, 1] - bar[-1, 1], bar[-1, 0] - bar[0, 0]))) <= 6


FIVE = [[[90, 10], [70, 10], [50, 11], [30, 10], [20, 10], [19, 20], [18, 35], [17, 50], [40, 45], [70, 55],
         [85, 75], [70, 100], [40, 108], [15, 100]]]  # one stroke: bar leftwards, a stem slanting left, the belly


def test_the_fives_bar_is_cut_where_the_pen_turns_down_and_lifted_clear():
    body, bar = conventions.separate_bar_five(FIVE, rng())
    assert body == FIVE[0][4:]  # from the corner (20, 10) on: the slanting stem stays with the body
    bar = np.array(bar)
    original = np.array(FIVE[0][:5])[::-1]
    lift = bar - original
    assert np.allclose(lift, lift[0]) and lift[0][1] < 0 and lift[0][0] >= 0  # raised, nudged right, same shape
    assert bar[0, 0] < bar[-1, 0]  # written left to right


def test_a_five_that_does_not_start_with_a_bar_is_left_out():
    assert conventions.separate_bar_five([FIVE[0][4:]], rng()) is None  # starts going down
    assert conventions.separate_bar_five([FIVE[0][4:], FIVE[0][:5]], rng()) is None  # already two strokes


def test_the_set_is_seeded_and_covers_every_digit_of_each_class():
    records = [{"label": 0, "strokes": ZERO}, {"label": 1, "strokes": ONE}, {"label": 7, "strokes": SEVEN},
               {"label": 1, "strokes": ONE}, {"label": 3, "strokes": ONE}]
    sets = conventions.build(records, seed=4)
    assert sets == conventions.build(records, seed=4) and sets != conventions.build(records, seed=5)
    assert {name: len(rs) for name, rs in sets.items()} == {"slashed_zero": 1, "flagged_one": 2,
                                                            "flagged_one_with_foot": 2, "crossed_seven": 1,
                                                            "separate_bar_five": 0}
    assert all(r["label"] == conventions.CONVENTIONS[name][0] for name, rs in sets.items() for r in rs)
