"""Training's conventions, negatives, pen digits and redrawn digits: each adds what it claims, as
drawn input is.
"""

import numpy as np
import pytest
import torch

from recognition import preprocess as P
from training import conventions, hand, negatives, pen_digits, redraw

DIGIT_LIKE = set("OoQDlIiJjSsZzBbGgqT7t")


def centred_and_fitted(image):
    img = image.astype(float)
    rows, cols = np.mgrid[0:28, 0:28]
    com = (img * rows).sum() / img.sum(), (img * cols).sum() / img.sum()
    ink = image > P.INK_THRESHOLD * 255
    side = max(np.ptp(np.flatnonzero(ink.any(axis=1))), np.ptp(np.flatnonzero(ink.any(axis=0)))) + 1
    return abs(com[0] - P.CENTRE) <= 0.5 and abs(com[1] - P.CENTRE) <= 0.5 and side <= P.BOX


@pytest.fixture(scope="module")
def digits(mnist_test):
    images, labels = mnist_test
    return {d: images[labels == d][:40] for d in (0, 1, 7)}


def share_gaining(digits, digit, seed, gains):
    """Share of digits for which gains(original, with convention) holds; each result placed as
    drawn input is.
    """
    rng, results = np.random.default_rng(seed), []
    for original in digits[digit]:
        out = conventions.add(original, digit, rng)
        assert centred_and_fitted(out)
        results.append(gains(original, out))
    return np.mean(results)


def test_the_slash_crosses_the_zeros_hole(digits):
    def ink_in_the_ring(zero, out):
        return (out[10:18, 10:18] > 60).sum() >= (zero[10:18, 10:18] > 60).sum() + 4

    assert share_gaining(digits, 0, 0, ink_in_the_ring) > 0.95


def test_the_flag_adds_ink_left_of_the_ones_top(digits):
    def ink_left_of_the_top(one, out):
        ink = out > 60
        top = np.flatnonzero(ink.any(axis=1))[0]
        left = slice(0, max(np.flatnonzero(ink[top])[-1] - 2, 0))
        return ink[top : top + 8, left].sum() > (one > 60)[top : top + 8, left].sum()

    assert share_gaining(digits, 1, 1, ink_left_of_the_top) > 0.9


def test_the_bar_adds_ink_across_the_sevens_middle(digits):
    def ink_across_the_middle(seven, out):  # (some MNIST sevens are crossed already)
        return (out[11:21] > 60).sum() >= (seven[11:21] > 60).sum() + 3

    assert share_gaining(digits, 7, 2, ink_across_the_middle) > 0.85


def test_only_the_classes_with_a_convention_get_variants():
    images = np.zeros((6, 28, 28), dtype=np.uint8)
    images[:, 4:24, 12:16] = 255
    images[:, 4:8, 6:22] = 255
    labels = np.array([0, 1, 2, 7, 8, 1])
    alternatives, has = conventions.variants(images, labels, seed=3)
    assert has.tolist() == [True, True, False, True, False, True]
    assert (alternatives[~has] == images[~has]).all() and not (
        alternatives[has] == images[has]
    ).all()
    again, _ = conventions.variants(images, labels, seed=3)
    assert (again == alternatives).all()


def test_negatives_are_drawn_as_input_is_and_never_digit_like_letters():
    assert not DIGIT_LIKE & set(negatives.LETTERS)
    # L and T in print only: a cursive L is a looped 2 and a cursive T a 7 with a flourish.
    assert set(negatives.PRINT_LETTERS) == {"L", "T"} and not DIGIT_LIKE - {"T"} & set(
        negatives.PRINT_LETTERS
    )
    rng = np.random.default_rng(0)
    cursive = {negatives.letter(rng, "cursive") for _ in range(500)} | {
        negatives.letter(rng, "scripts") for _ in range(500)
    }
    printed = {negatives.letter(rng, "futural") for _ in range(500)}
    assert not cursive & set(negatives.PRINT_LETTERS) and set(negatives.PRINT_LETTERS) <= printed
    made = negatives.generate(40, seed=5)
    assert made.shape == (40, 28, 28) and made.dtype == np.uint8
    assert all(centred_and_fitted(m) for m in made)
    assert (made == negatives.generate(40, seed=5)).all() and not (
        made == negatives.generate(40, seed=6)
    ).all()
    shares = negatives.describe(40)["kinds"]
    assert set(shares) == {"letter", "word", "scribble", "shape", "crossed_out"}
    assert sum(shares.values()) == pytest.approx(1)


def test_fewer_negatives_are_the_first_of_more():
    """train.py ranks epochs on the first held-out negatives, as many as half the held-out digits,
    and the calibration takes NEGATIVES_PER_DIGIT of them per digit from the same stream: the
    ranking's drawings are the same at any share, so the share moves the calibration, never the
    epoch kept.
    """
    fewer, more = negatives.generate(12, seed=1003), negatives.generate(30, seed=1003)
    assert (fewer == more[:12]).all()


@pytest.mark.parametrize(
    "kind",
    sorted(
        set(negatives.KINDS + negatives.HELD_OUT_SCRIBBLES)
        | set(negatives.SHAPES + negatives.HELD_OUT_SHAPES)
        | {"held_out_word"}
    ),
)
def test_every_kind_of_negative_makes_strokes(kind):
    glyphs = hand.Glyphs()
    rng = np.random.default_rng(0)
    for _ in range(5):
        strokes = negatives.make(kind, rng, glyphs)
        assert strokes and all(len(s) >= 2 for s in strokes)
        assert P.strokes_to_input(strokes) is not None


def test_pen_digits_are_every_class_drawn_as_input_is():
    images, labels = pen_digits.generate(30, seed=4)
    assert images.shape == (30, 28, 28) and images.dtype == np.uint8
    assert labels.tolist() == [i % 10 for i in range(30)]
    assert all(centred_and_fitted(m) for m in images)
    again, _ = pen_digits.generate(30, seed=4)
    assert (again == images).all() and not (pen_digits.generate(30, seed=5)[0] == images).all()


def test_strokes_are_cut_into_the_points_linspace_gives_bit_for_bit():
    rng = np.random.default_rng(0)
    for trial in range(300):
        s = rng.normal(0, [1e-3, 1.0, 50.0][trial % 3], (int(rng.integers(2, 7)), 2))
        # upright, level and zero-length segments: linspace takes another path for those
        if trial % 2:
            s[1:, trial % 4 // 2] = s[0, trial % 4 // 2]
            s[-1] = s[-2]
        expected = np.concatenate(
            [np.linspace(p, q, 6, endpoint=False) for p, q in zip(s[:-1], s[1:])]
        )
        assert np.array_equal(hand.subdivide(s, 6), expected)


def test_thinning_leaves_a_one_pixel_centre_line_that_still_connects():
    mask = torch.zeros(2, 20, 30, dtype=torch.bool)
    mask[0, 8:13, 3:27] = True  # a bar 5 px thick
    mask[1, 3:17, 3:27] = True
    mask[1, 7:13, 9:21] = False  # a ring
    line = redraw.thin(mask)
    assert (line <= mask).all()
    bar_rows = line[0].any(dim=1).nonzero().flatten()
    assert len(bar_rows) == 1 and 8 <= int(bar_rows[0]) <= 12  # one row, inside the bar
    assert int(line[0].sum()) >= 24 - 6  # end to end, give or take the caps
    # The ring stays a ring: one closed line around the hole, one pixel wide.
    from scipy import ndimage

    assert ndimage.label(line[1].numpy(), structure=np.ones((3, 3)))[1] == 1
    assert ndimage.label(~line[1].numpy())[1] == 2  # outside and the hole
    assert not (line[1][:-1, :-1] & line[1][1:, :-1] & line[1][:-1, 1:] & line[1][1:, 1:]).any()


def test_redrawn_digits_keep_their_shape_in_the_pens_width(mnist_test):
    images, labels = mnist_test
    picked = images[:40]
    out, has = redraw.redraw(picked)
    assert has.all() and out.dtype == np.uint8 and all(centred_and_fitted(m) for m in out)
    # The same digit: the redrawn ink lies over the original's.
    overlap = [((a > 64) & (b > 64)).sum() / (b > 64).sum() for a, b in zip(picked, out)]
    assert np.median(overlap) > 0.7

    # One width: a pen's line has no faint, thin strokes beside bold ones, so its ink is more
    # uniform.
    def spread(m):
        core = m[m > 32].astype(float)
        return core.std() / core.mean()

    assert np.median([spread(b) for b in out]) < np.median([spread(a) for a in picked])


def test_zigzags_have_five_legs_or_more_and_hatching_three_lines_or_more():
    """A zigzag of four legs or fewer is a Z, a 2, an N or a W; fewer than three lines do not
    shade an area."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        (path,) = negatives.zigzag(rng)
        assert len(path) >= 6
        layers = negatives.hatching(rng)
        points = sum(len(s) for s in layers)
        assert points >= 6 and all(len(s) >= 2 for s in layers)
