"""Preprocessing: strokes and images become MNIST-style 28x28 digits."""

import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from recognition import preprocess as P
from tests.support.images import image_input
from training import augment

SEVEN = [[[10, 10], [90, 10], [45, 120]]]
EIGHT = [
    [[50, 10], [20, 30], [50, 60], [80, 90], [50, 120], [20, 90], [50, 60], [80, 30], [50, 10]]
]


def centre_of_mass(img):
    img = img.astype(float)
    rows, cols = np.mgrid[0:28, 0:28]
    return (img * rows).sum() / img.sum(), (img * cols).sum() / img.sum()


def ink_box(img, level=0):
    rows = np.flatnonzero((img > level).any(axis=1))
    cols = np.flatnonzero((img > level).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def moved(strokes, scale, dx, dy):
    return [[[x * scale + dx, y * scale + dy] for x, y in s] for s in strokes]


@pytest.mark.parametrize("strokes", [SEVEN, EIGHT])
@pytest.mark.parametrize(
    "scale,dx,dy", [(1, 0, 0), (3.7, 500, -20), (0.25, -3000, 4000), (12, 0.5, 0.5)]
)
def test_same_digit_anywhere_any_size_gives_the_same_input(strokes, scale, dx, dy):
    reference = P.strokes_to_input(strokes).astype(int)
    other = P.strokes_to_input(moved(strokes, scale, dx, dy)).astype(int)
    assert np.abs(reference - other).mean() < 2.0  # of 255: rounding of the pen and placement only
    assert np.abs(reference - other).max() <= 64


@pytest.mark.parametrize("strokes", [SEVEN, EIGHT, [[[0, 0], [0, 100]]], [[[0, 0], [100, 0]]]])
def test_centre_of_mass_and_box(strokes):
    img = P.strokes_to_input(strokes)
    assert img.shape == (28, 28) and img.dtype == np.uint8
    row, col = centre_of_mass(img)
    assert abs(row - P.CENTRE) <= 0.5 and abs(col - P.CENTRE) <= 0.5
    h, w = ink_box(img)
    assert max(h, w) <= P.BOX
    assert max(ink_box(img, level=128)) >= P.BOX - 3  # it fills the box, not a corner of it


def test_one_keeps_its_aspect():
    img = P.strokes_to_input([[[100, 100], [103, 300]]])  # a tall thin "1"
    h, w = ink_box(img, level=60)
    assert h >= 18 and w <= 5


def test_empty_gives_none():
    assert P.strokes_to_input([]) is None
    assert P.strokes_to_input([[], []]) is None
    assert image_input(Image.new("L", (200, 200), 255)) is None
    assert image_input(Image.new("RGBA", (50, 50), (0, 0, 0, 0))) is None


@pytest.mark.parametrize(
    "strokes",
    [
        [[[5, 5]]],  # a single dot
        [[[5, 5], [5, 5], [5, 5]]],  # a zero-size box
        [[[-1e9, -1e9], [-1e9 + 10, -1e9 + 50]]],  # huge negative coordinates
        [[[1e300, 0], [-1e300, 1e300]]],  # beyond any canvas, still finite
        [[[0, 0], [1e-9, 2e-9]]],  # vanishingly small
    ],
)
def test_degenerate_strokes_still_give_a_centred_digit(strokes):
    img = P.strokes_to_input(strokes)
    assert img is not None and img.shape == (28, 28)
    row, col = centre_of_mass(img)
    assert abs(row - P.CENTRE) <= 0.5 and abs(col - P.CENTRE) <= 0.5


def test_non_finite_coordinates_are_refused():
    with pytest.raises(ValueError, match="finite"):
        P.strokes_to_input([[[0, 0], [float("nan"), 1]]])


def test_mnist_digit_upscaled_comes_back_as_itself(mnist_test):
    images, _ = mnist_test
    errors = []
    for digit in images[:100]:
        # dark on light
        canvas = Image.fromarray(255 - digit).resize((280, 280), Image.Resampling.NEAREST)
        back = image_input(canvas).astype(int)
        errors.append(np.abs(back - digit.astype(int)).mean())
    assert np.mean(errors) < 3 and max(errors) < 16  # of 255


def test_smoothly_upscaled_mnist_digit_keeps_its_shape(mnist_test):
    images, _ = mnist_test
    for digit in images[:50]:
        canvas = Image.fromarray(255 - digit).resize((280, 280), Image.Resampling.BICUBIC)
        back = image_input(canvas).astype(int)
        # A smooth upscale blurs by half a pixel; the digit may move a pixel, its shape stays.
        best = max(
            np.corrcoef(np.roll(back, (dy, dx), axis=(0, 1)).ravel(), digit.ravel())[0, 1]
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
        )
        assert best > 0.9


@pytest.mark.parametrize(
    "make",
    [
        lambda ink: Image.fromarray(255 - ink),  # dark on light
        # light on dark
        lambda ink: Image.fromarray(ink),
        lambda ink: Image.merge(
            "LA", [Image.new("L", (ink.shape[1], ink.shape[0]), 0), Image.fromarray(ink)]
        ),
        lambda ink: Image.fromarray(np.stack([255 - ink] * 3, axis=-1)).convert("RGB"),  # colour
    ],
)
def test_image_polarities_give_the_same_input(make):
    ink = np.zeros((300, 200), dtype=np.uint8)
    ink[40:260, 90:115] = 255  # a thick "1"
    ink[40:70, 60:115] = 255
    reference = image_input(Image.fromarray(ink)).astype(int)
    got = image_input(make(ink)).astype(int)
    assert np.abs(got - reference).max() <= 2


def test_jpeg_noise_does_not_count_as_ink():
    img = Image.new("L", (280, 280), 255)
    img.paste(0, (120, 40, 150, 240))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=40)
    got = image_input(Image.open(buf))
    h, w = ink_box(got, level=40)
    assert h == P.BOX and w <= 5


def normalize_batch(images):
    """Training's normalisation of whole digits: (N, 1, 28, 28) float 0..1 re-cropped, re-scaled
    and re-centred through training.augment's normalizing_theta."""
    theta = augment.normalizing_theta(images)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def test_training_normalisation_matches_serving_geometry():
    img = P.strokes_to_input(SEVEN)
    small = np.zeros((28, 28), dtype=np.uint8)
    small[2:12, 3:9] = img[4:24:2, 8:20:2]  # a shrunken, off-centre copy in a corner
    batch = torch.tensor(small, dtype=torch.float32)[None, None] / 255
    out = (normalize_batch(batch)[0, 0].numpy() * 255).round()
    row, col = centre_of_mass(out)
    assert abs(row - P.CENTRE) <= 0.5 and abs(col - P.CENTRE) <= 0.5
    # Bilinear resampling may bleed a pixel either side; serving's box is exact.
    assert P.BOX - 1 <= max(ink_box(out, level=P.INK_THRESHOLD * 255)) <= P.BOX + 2


def test_training_normalisation_keeps_mnist_digits(mnist_test):
    images, _ = mnist_test
    batch = torch.tensor(images[:500], dtype=torch.float32)[:, None] / 255
    out = normalize_batch(batch)
    assert (out - batch).abs().mean() < 0.03  # MNIST is already normalised: little moves
    empty = normalize_batch(torch.zeros(2, 1, 28, 28))
    assert torch.equal(empty, torch.zeros(2, 1, 28, 28))


def test_opaque_image_with_a_translucent_pixel_reads_its_colours_not_its_alpha():
    ink = np.zeros((300, 200), dtype=np.uint8)
    ink[40:260, 90:115] = 255
    rgb = np.stack([255 - ink] * 3, axis=-1)  # a dark "1" on white
    rgba = np.dstack([rgb, np.full(ink.shape, 255, dtype=np.uint8)])
    rgba[0, 0, 3] = 128  # one translucent corner pixel, as some editors leave
    reference = image_input(Image.fromarray(rgb))
    got = image_input(Image.fromarray(rgba, mode="RGBA"))
    assert np.abs(got.astype(int) - reference.astype(int)).max() <= 2
    h, w = ink_box(got, level=60)
    assert h >= 18 and w <= 8  # the stroke, not a filled square


def test_translucent_ink_on_an_opaque_page_is_lighter_ink():
    rgba = np.zeros((200, 200, 4), dtype=np.uint8)
    rgba[..., :3], rgba[..., 3] = 255, 255
    rgba[20:180, 90:110] = (0, 0, 0, 128)  # half-transparent black ink over white
    got = image_input(Image.fromarray(rgba, mode="RGBA"))
    h, w = ink_box(got, level=60)
    assert h == P.BOX and w <= 5


def test_specks_too_sparse_to_show_at_28x28_are_empty_not_an_error():
    img = Image.new("L", (4000, 4000), 255)
    img.putpixel((0, 0), 0)
    img.putpixel((3999, 3999), 0)
    assert image_input(img) is None


@pytest.mark.parametrize("level", [P.INK_THRESHOLD, P.INK_THRESHOLD / 2])
def test_ink_too_faint_to_count_is_empty_not_an_error(level):
    assert P.normalize(np.full((30, 20), level, dtype=np.float32)) is None


def test_float64_ink_gives_what_float32_ink_gives():
    ink = np.zeros((120, 80))
    ink[10:110, 35:45] = 1.0
    np.testing.assert_array_equal(P.normalize(ink), P.normalize(ink.astype(np.float32)))
