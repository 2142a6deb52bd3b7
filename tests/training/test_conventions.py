"""The conventions test set: each generator adds what it claims, where it claims, and keeps the
writer's strokes.
"""

import math

import numpy as np
import pytest

from bench import convention_added, conventions

ZERO = [[[50 + 30 * math.sin(t), 60 - 50 * math.cos(t)] for t in np.linspace(0, 2 * math.pi, 40)]]
# drawn from the top down, as 444 of the 449 shared ones are
ONE = [[[50, 10], [52, 60], [54, 110]]]
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
    # through the centre
    assert abs(middle[0] - 50) <= 0.05 * 60 + 1 and abs(middle[1] - 60) <= 0.05 * 100 + 1


@pytest.mark.parametrize("seed", range(5))
def test_the_flag_leads_into_the_ones_top_in_the_same_stroke(seed):
    out = conventions.flagged_one(ONE, rng(seed))
    assert len(out) == 1  # written in one motion with the stem
    stroke = np.array(out[0])
    top = np.array(ONE[0][0])
    at_top = int(np.flatnonzero((stroke == top).all(axis=1))[0])
    assert at_top == convention_added.STEPS - 1 and stroke[at_top + 1 :].tolist() == ONE[0][1:]
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
    stem = convention_added.crossings(SEVEN, middle[1])
    assert len(stem) == 1 and abs(middle[0] - stem[0]) < 1e-6  # centred on the stem
    assert bar[0, 0] < stem[0] < bar[-1, 0]  # written left to right, across it
    assert abs(math.degrees(math.atan2(bar[0, 1] - bar[-1, 1], bar[-1, 0] - bar[0, 0]))) <= 6


FIVE = [
    [
        [90, 10],
        [70, 10],
        [50, 11],
        [30, 10],
        [20, 10],
        [19, 20],
        [18, 35],
        [17, 50],
        [40, 45],
        [70, 55],
        # one stroke: bar leftwards, a stem slanting left, the belly
        [85, 75],
        [70, 100],
        [40, 108],
        [15, 100],
    ]
]


def test_the_fives_bar_is_cut_where_the_pen_turns_down_and_lifted_clear():
    body, bar = conventions.separate_bar_five(FIVE, rng())
    assert body == FIVE[0][4:]  # from the corner (20, 10) on: the slanting stem stays with the body
    bar = np.array(bar)
    original = np.array(FIVE[0][:5])[::-1]
    lift = bar - original
    # raised, nudged right, same shape
    assert np.allclose(lift, lift[0]) and lift[0][1] < 0 and lift[0][0] >= 0
    assert bar[0, 0] < bar[-1, 0]  # written left to right


def test_a_five_that_does_not_start_with_a_bar_is_left_out():
    assert conventions.separate_bar_five([FIVE[0][4:]], rng()) is None  # starts going down
    # already two strokes
    assert conventions.separate_bar_five([FIVE[0][4:], FIVE[0][:5]], rng()) is None


def test_the_set_is_seeded_and_covers_every_digit_of_each_class():
    records = [
        {"label": 0, "strokes": ZERO},
        {"label": 1, "strokes": ONE},
        {"label": 7, "strokes": SEVEN},
        {"label": 1, "strokes": ONE},
        {"label": 3, "strokes": ONE},
    ]
    sets = conventions.build(records, seed=4)
    assert sets == conventions.build(records, seed=4) and sets != conventions.build(records, seed=5)
    assert {name: len(rs) for name, rs in sets.items()} == {
        "slashed_zero": 1,
        "flagged_one": 2,
        "flagged_one_with_foot": 2,
        "crossed_seven": 1,
        "separate_bar_five": 0,
        "open_top_four": 0,
        "straight_stem_nine": 0,
        "looped_two": 0,
    }
    assert all(
        r["label"] == conventions.CONVENTIONS[name][0] for name, rs in sets.items() for r in rs
    )


# The shapes most of the shared writers use: a closed 4 (stem, then diagonal into the bar), a
# one-stroke 9 (round the loop from its right side, then a curved stem), a one-stroke 2 (arc,
# diagonal, base).
FOUR = [[[70, 10], [70, 60], [70, 110]], [[70, 10], [40, 40], [10, 70], [40, 70], [90, 70]]]
NINE = [
    [
        [80, 20],
        [60, 5],
        [30, 10],
        [20, 30],
        [40, 45],
        [70, 40],
        [80, 20],
        [82, 60],
        [80, 90],
        [65, 110],
    ]
]
TWO = [[[15, 25], [40, 5], [75, 15], [80, 40], [50, 75], [20, 105], [50, 105], [90, 104]]]


@pytest.mark.parametrize("seed", range(5))
def test_the_open_four_has_an_upright_arm_clear_of_the_stem_and_keeps_the_bar(seed):
    out = conventions.open_top_four(FOUR, rng(seed))
    assert out[0] == FOUR[0]  # the stem as written
    arm_and_bar = np.array(out[1])
    corner = convention_added.STEPS - 1
    assert (
        arm_and_bar[corner].tolist() == [10, 70]
        and arm_and_bar[corner + 1 :].tolist() == FOUR[1][3:]
    )
    top = arm_and_bar[0]
    assert top[1] == 10  # as high as the writer's diagonal began
    # upright, leaning as a hand does
    assert -10 <= math.degrees(math.atan2(top[0] - 10, 70 - top[1])) <= 15
    assert 70 - top[0] >= 0.25 * 80  # open: the arm's top is well clear of the stem


def test_a_four_in_one_stroke_or_with_its_arm_on_the_stem_is_left_out():
    assert conventions.open_top_four([FOUR[1] + FOUR[0]], rng()) is None
    short_bar = [FOUR[0], [[70, 10], [69, 70], [72, 70], [80, 70]]]  # the "arm" is the stem itself
    assert conventions.open_top_four(short_bar, rng()) is None


def test_the_nines_stem_becomes_its_chord_and_the_loop_stays():
    out = conventions.straight_stem_nine(NINE, rng())
    # the loop as written, up to where the stem starts
    assert len(out) == 1 and out[0][:6] == NINE[0][:6]
    stem = np.array(out[0][6:])
    assert stem[0].tolist() == [80, 20] and stem[-1].tolist() == [65, 110]  # same top and foot
    cross = (stem[:, 0] - 80) * (110 - 20) - (stem[:, 1] - 20) * (65 - 80)
    assert np.allclose(cross, 0)  # every point on the line from top to foot: straight


def test_a_nine_drawn_from_its_foot_up_is_left_out():
    assert conventions.straight_stem_nine([NINE[0][::-1]], rng()) is None


@pytest.mark.parametrize("seed", range(5))
def test_the_twos_loop_sits_at_the_corner_outside_it_and_the_rest_is_kept(seed):
    out = conventions.looped_two(TWO, rng(seed))
    stroke = np.array(out[0])
    corner = 5  # (20, 105): the lowest-left point, where the base starts
    loop = stroke[corner : corner + convention_added.STEPS]
    assert len(out) == 1 and out[0][: corner + 1] == TWO[0][: corner + 1]
    assert out[0][corner + convention_added.STEPS :] == TWO[0][corner + 1 :]
    # a closed loop through the corner
    assert np.allclose(loop[-1], loop[0]) and np.allclose(loop[0], [20, 105])
    centre = loop.mean(axis=0)
    # up and left of the corner: above the base, beside the diagonal
    assert centre[0] < 20 and centre[1] < 105
    across = np.ptp(loop, axis=0).max()
    assert 0.14 * 100 - 0.5 <= across <= 0.24 * 100 + 0.5


def test_a_two_without_a_base_is_left_out():
    assert conventions.looped_two([TWO[0][:6]], rng()) is None  # ends at the corner
    assert conventions.looped_two([TWO[0][:4], TWO[0][3:]], rng()) is None  # two strokes
