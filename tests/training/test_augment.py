"""Augmentation: distorted training digits stay placed the way drawn input is."""

import numpy as np
import pytest
import torch

from recognition import preprocess as P
from training import augment


@pytest.fixture(scope="module")
def digits(mnist_test):
    """200 real MNIST digits on the 0..1 scale, (N, 1, 28, 28)."""
    images = mnist_test[0][:200]
    return torch.tensor(images, dtype=torch.float32).div(255).unsqueeze(1)


def distorter(seed, **settings):
    return augment.Distorter(torch.Generator().manual_seed(seed), bank_size=64, **settings)


def test_distorted_digits_are_cropped_fitted_and_centred_like_drawn_input(digits):
    out = distorter(0, clean=0.0)(digits)[:, 0].numpy()
    rows, cols = np.mgrid[0:28, 0:28]
    sides = []
    for image in out:
        mass = image.sum()
        com = (image * rows).sum() / mass, (image * cols).sum() / mass
        # Sub-pixel placement (no whole-pixel rounding), so about as close as MNIST's 0.5 px.
        assert abs(com[0] - P.CENTRE) < 0.75 and abs(com[1] - P.CENTRE) < 0.75
        ink = image > P.INK_THRESHOLD
        sides.append(
            max(np.ptp(np.flatnonzero(ink.any(axis=1))), np.ptp(np.flatnonzero(ink.any(axis=0))))
            + 1
        )
    sides = np.array(sides)
    # The box is fitted before the elastic field is resampled onto it, so a stroke end
    # can poke out by a pixel or two; nearly all digits fill the 20 px box as drawn input does.
    assert np.mean((sides >= P.BOX - 2) & (sides <= P.BOX + 1)) >= 0.9
    assert sides.max() <= P.BOX + 6


def test_distortion_changes_digits_and_keeps_the_ink_scale(digits):
    out = distorter(0, clean=0.0)(digits)
    assert (out - digits).abs().mean() > 0.02
    assert out.min() >= 0 and out.max() <= 1
    # Mean ink stays within a third of the original: thickness changes, strokes do not vanish.
    ratio = out.sum(dim=(1, 2, 3)) / digits.sum(dim=(1, 2, 3))
    assert ratio.min() > 0.33 and ratio.max() < 3


def test_clean_share_is_left_exactly_as_it_was(digits):
    out = distorter(0, clean=0.5)(digits)
    same = (out == digits).flatten(1).all(dim=1)
    assert 0.35 < same.float().mean() < 0.65


def test_same_seed_same_distortion(digits):
    assert torch.equal(distorter(3)(digits), distorter(3)(digits))
    assert not torch.equal(distorter(3)(digits), distorter(4)(digits))


def test_fast_helpers_match_the_torch_functions_they_replace(digits):
    signed = digits - 0.5  # erosion pools the negated image: negative values must pool right too
    assert torch.equal(
        augment._max3x3(signed), torch.nn.functional.max_pool2d(signed, 3, stride=1, padding=1)
    )
    theta = augment.normalizing_theta(digits)
    reference = torch.nn.functional.affine_grid(theta, list(digits.shape), align_corners=False)
    assert torch.allclose(
        augment._scale_shift_grid(theta, augment._identity_grid(28)), reference, atol=1e-6
    )


def test_images_marked_as_drawn_with_the_app_pen_are_left_as_they_are(digits):
    keep = torch.zeros(len(digits), dtype=torch.bool)
    keep[::3] = True  # real pen digits: varied in stroke space already, in the app's pen width
    out = distorter(4, clean=0.0)(digits, keep=keep)
    assert torch.equal(out[keep], digits[keep])
    assert not (out[~keep] == digits[~keep]).flatten(1).all(dim=1).any()
