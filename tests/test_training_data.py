"""Training's conventions, negatives, pen digits and redrawn digits: each adds what it claims, as drawn input is."""
import numpy as np
import torch
import pytest

from recognition import preprocess as P
from training import conventions, negatives, pen_digits, redraw, trainset as trainset_module
from training.trainset import NOT_A_DIGIT, TrainSet

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
    """Share of digits for which gains(original, with convention) holds; each result placed as drawn input is."""
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
        return ink[top:top + 8, left].sum() > (one > 60)[top:top + 8, left].sum()
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
    assert (alternatives[~has] == images[~has]).all() and not (alternatives[has] == images[has]).all()
    again, _ = conventions.variants(images, labels, seed=3)
    assert (again == alternatives).all()


def test_negatives_are_drawn_as_input_is_and_never_digit_like_letters():
    assert not DIGIT_LIKE & set(negatives.LETTERS)
    made = negatives.generate(40, seed=5)
    assert made.shape == (40, 28, 28) and made.dtype == np.uint8
    assert all(centred_and_fitted(m) for m in made)
    assert (made == negatives.generate(40, seed=5)).all() and not (made == negatives.generate(40, seed=6)).all()
    shares = negatives.settings(40)["kinds"]
    assert set(shares) == {"letter", "scribble", "shape", "crossed_out"} and sum(shares.values()) == 1


@pytest.mark.parametrize("kind", sorted(set(negatives.KINDS)))
def test_every_kind_of_negative_makes_strokes(kind):
    glyphs = negatives.Glyphs()
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
        if trial % 2:  # upright, level and zero-length segments: linspace takes another path for those
            s[1:, trial % 4 // 2] = s[0, trial % 4 // 2]
            s[-1] = s[-2]
        expected = np.concatenate([np.linspace(p, q, 6, endpoint=False) for p, q in zip(s[:-1], s[1:])])
        assert np.array_equal(negatives._subdivide(s, 6), expected)


def test_banks_drawn_in_a_second_process_are_the_ones_drawn_here(monkeypatch):
    x, y = torch.zeros(20, 1, 28, 28), torch.arange(20) % 10
    x[:, 0, 6:22, 12:16] = 1.0
    here = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    monkeypatch.setattr(trainset_module, "SIDE_BY_SIDE_FROM", 10)
    spawned = []
    real = trainset_module.ProcessPoolExecutor

    def counted(*args, **kwargs):
        spawned.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(trainset_module, "ProcessPoolExecutor", counted)
    beside = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    assert spawned and torch.equal(here.bank, beside.bank)
    assert torch.equal(here.pen[0], beside.pen[0]) and torch.equal(here.pen[1], beside.pen[1])
    assert torch.equal(here.redrawn, beside.redrawn) and torch.equal(here.alternatives, beside.alternatives)


@pytest.mark.parametrize("failure", ["cannot start", "killed"])
def test_banks_are_drawn_here_when_the_second_process_fails(monkeypatch, failure):
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def __init__(self, *args, **kwargs):
            if failure == "cannot start":
                raise OSError("no process semaphores here")

        def submit(self, *args):
            class Job:
                def result(self):
                    raise BrokenProcessPool("the process was killed")
            return Job()

        def shutdown(self, wait=True):
            pass
    x, y = torch.zeros(20, 1, 28, 28), torch.arange(20) % 10
    x[:, 0, 6:22, 12:16] = 1.0
    here = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    monkeypatch.setattr(trainset_module, "SIDE_BY_SIDE_FROM", 10)
    monkeypatch.setattr(trainset_module, "ProcessPoolExecutor", Broken)
    again = TrainSet(x, y, seed=3, redraw_rate=0.5, negative_count=8, pen_count=6)
    assert torch.equal(here.bank, again.bank) and torch.equal(here.pen[0], again.pen[0])


def test_a_pen_digits_slot_takes_the_label_of_the_digit_drawn_into_it():
    x, y = torch.zeros(20, 1, 28, 28), torch.arange(20) % 10
    trainset = TrainSet(x, y, seed=0, with_conventions=False, negative_count=5, pen_count=10)
    assert len(trainset) == 35 and trainset.classes == NOT_A_DIGIT + 1
    images, labels = trainset.batch(torch.arange(35), torch.Generator().manual_seed(0))
    pen_images, pen_labels = images[25:], labels[25:]
    bank_images, bank_labels = trainset.pen
    for image, label in zip(pen_images, pen_labels):
        drawn = (bank_images == image).flatten(1).all(dim=1)  # the bank entry this slot was filled with
        assert drawn.any() and set(bank_labels[drawn].tolist()) == {int(label)}
    assert (labels[20:25] == NOT_A_DIGIT).all() and (labels[:20] == y).all()
    assert trainset.settings()["pen_digits"]["count"] == 10


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
    # One width: a pen's line has no faint, thin strokes beside bold ones, so its ink is more uniform.
    def spread(m):
        core = m[m > 32].astype(float)
        return core.std() / core.mean()
    assert np.median([spread(b) for b in out]) < np.median([spread(a) for a in picked])


def test_redrawn_digits_swap_in_at_their_rate():
    rng = np.random.default_rng(0)
    x = torch.zeros(400, 1, 28, 28)
    x[:, 0, 6:22, 12:16] = torch.from_numpy(rng.uniform(0.5, 1, (400, 16, 4)).astype(np.float32))
    y = torch.full((400,), 3)
    trainset = TrainSet(x, y, seed=0, with_conventions=False, redraw_rate=0.5)
    images, _ = trainset.batch(torch.arange(400), torch.Generator().manual_seed(0))
    swapped = (images != x).flatten(1).any(dim=1).float().mean()
    assert 0.4 < swapped < 0.6
    assert trainset.settings()["redrawn"]["rate"] == 0.5
    assert TrainSet(x, y, seed=0, with_conventions=False).settings()["redrawn"] is None


def test_a_digit_shows_as_scanned_with_its_convention_or_redrawn(mnist_test):
    images, labels = mnist_test
    keep = np.isin(labels, [0, 1, 7])
    x = torch.tensor(images[keep][:60] / 255.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(labels[keep][:60], dtype=torch.long)
    trainset = TrainSet(x, y, seed=0, redraw_rate=0.5)
    sources = torch.stack([x, trainset.alternatives, trainset.redrawn])  # (3, N, 1, 28, 28)
    seen = torch.zeros(3, dtype=torch.bool)
    for seed in range(3):
        out, _ = trainset.batch(torch.arange(60), torch.Generator().manual_seed(seed))
        which = (sources == out).flatten(2).all(dim=2)  # (3, N): which source each output is
        assert which.any(dim=0).all()
        seen |= which.any(dim=1)
    assert seen.all()  # each kind is shown
