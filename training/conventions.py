"""Writing conventions MNIST barely has, added to MNIST digits of the right class at the pixel
level.

The slashed zero, the continental one (a long flag, with or without a foot)
and the crossed seven. Each is drawn onto the digit upsampled 4x, with a pen
of MNIST's stroke width, as a slightly curved line (a hand is no ruler), then
the result is re-normalised by recognition.preprocess exactly as drawn input
is. Angles, lengths, curvature and positions vary per digit. Training swaps a
digit for its convention variant at a modest rate (see RATES).
"""

import math

import numpy as np
from PIL import Image, ImageDraw

from recognition import preprocess

SCALE = 4  # drawing resolution over the 28x28 digit
MARGIN = 14  # pixels (at 28x28) of room around the digit
PEN = 2.2  # MNIST's stroke width in pixels at 28x28
# digit -> share of that class's training digits shown with a convention, per batch (0.25 / 0.3 /
# 0.2, with flags as flat as a 7's bar, read MNIST sevens as ones: 99.31% on MNIST test)
RATES = {0: 0.2, 1: 0.25, 7: 0.1}


def _ink_box(ink):
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.3), np.flatnonzero(ink.max(axis=0) > 0.3)
    return cols[0], rows[0], cols[-1], rows[-1]


# How far each added line bows sideways, as a share of its length.
BEND = {"slash": 0.06, "flag": 0.1, "foot": 0.05, "bar": 0.08}


def bowed(start, end, count, rng, bend):
    """count points (count, 2) from start to end, bowed sideways by up to bend of its length (a
    hand is no ruler).
    """
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    length = math.hypot(*(end - start))
    sag = rng.uniform(-bend, bend) * length
    normal = np.array([-(end - start)[1], (end - start)[0]]) / (length or 1.0)
    t = np.linspace(0, 1, count)[:, None]
    return start + (end - start) * t + normal * (np.sin(np.pi * t) * sag)


# The conventions' geometry, in any units with y down, for a digit's box (x0, y0, x1, y1): the two
# ends of the line each adds. training.stroke_conventions draws the same lines in real strokes.


def slash_ends(box, rng):
    """Ø: through the middle, 40-80 degrees, mostly rising to the right, overshooting the box or
    not: (lower end, upper end).
    """
    x0, y0, x1, y1 = box
    angle = math.radians(rng.uniform(40, 80)) * (1 if rng.random() < 0.85 else -1)
    cx, cy = (
        (x0 + x1) / 2 + rng.normal(0, 0.04) * (x1 - x0),
        (y0 + y1) / 2 + rng.normal(0, 0.04) * (y1 - y0),
    )
    half = (y1 - y0) * rng.uniform(0.45, 0.65) / abs(math.sin(angle))
    dx, dy = half * math.cos(angle), half * math.sin(angle)
    return (cx - dx, cy + dy), (cx + dx, cy - dy)


def flag_ends(box, top_x, bottom_x, rng):
    """A continental 1's flag, down-left from the top of the stem (top_x at y0, bottom_x at y1):
    (its free end, the stem's top).
    """
    _, y0, _, y1 = box
    h = y1 - y0
    lean = math.atan2(top_x - bottom_x, h)  # > 0: a "/" one, leaning right
    # An up-stroke: 25-60 degrees from the vertical, and open at least 15 degrees from the stem.
    # Flatter, on a right-leaning stem, it is the bar of a 7, and the model learnt to read MNIST
    # sevens as ones.
    angle = max(math.radians(rng.uniform(25, 60)), lean + math.radians(15))
    length = h * rng.uniform(0.25, 0.55)
    return (top_x - length * math.sin(angle), y0 + length * math.cos(angle)), (top_x, y0)


def foot_ends(box, bottom_x, rng):
    """A continental 1's foot, under the stem's bottom (bottom_x at y1): (left end, right end)."""
    _, y0, _, y1 = box
    half = (y1 - y0) * rng.uniform(0.12, 0.3)
    return (bottom_x - half, y1), (bottom_x + half * rng.uniform(0.7, 1.3), y1)


def bar_ends(box, y, cx, rng):
    """A crossed 7's bar across the stem at (cx, y), tilted up to 12 degrees: (left, right)."""
    x0, y0, x1, y1 = box
    half = max(x1 - x0, 0.4 * (y1 - y0)) * rng.uniform(0.15, 0.33)
    tilt = half * math.tan(math.radians(rng.uniform(-12, 12)))
    return (cx - half, y + tilt), (cx + half * rng.uniform(0.8, 1.2), y - tilt)


def _curve(draw, ends, rng, bend):
    """A pen line of MNIST's width between the two ends, bowed sideways by up to bend of its
    length.
    """
    points = [tuple(p) for p in bowed(*ends, 16, rng, bend)]
    width = max(1, round(PEN * SCALE * rng.uniform(0.85, 1.2)))
    draw.line(points, fill=255, width=width)
    r = width / 2
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)


def slash(draw, box, rng):
    """A slashed zero."""
    _curve(draw, slash_ends(box, rng), rng, BEND["slash"])


def _centre_x(ink, row):
    """Canvas x of the ink's middle in a 28x28 row."""
    return _canvas(np.flatnonzero(ink[row] > 0.3).mean() + 0.5)


def flag(draw, box, rng, ink, rows):
    """Continental 1: a flag down-left from the top of the stem; a foot under it half the time."""
    top_x, bottom_x = _centre_x(ink, rows[0]), _centre_x(ink, rows[1])
    _curve(draw, flag_ends(box, top_x, bottom_x, rng), rng, BEND["flag"])
    if rng.random() < 0.5:
        _curve(draw, foot_ends(box, bottom_x, rng), rng, BEND["foot"])


def bar(draw, box, rng, ink, rows):
    """A crossed 7: a short bar across the stem at 40-65% of the height."""
    x0, _, x1, _ = box
    row = rows[0] + round((rows[1] - rows[0]) * rng.uniform(0.4, 0.65))
    cols = np.flatnonzero(ink[row] > 0.3)
    cx = _canvas(cols.mean() + 0.5) if len(cols) else (x0 + x1) / 2
    _curve(draw, bar_ends(box, _canvas(row + 0.5), cx, rng), rng, BEND["bar"])


def _canvas(v):
    """A 28x28 pixel coordinate on the drawing canvas (4x, with room around the digit)."""
    return (v + MARGIN) * SCALE


def add(image, digit, rng):
    """One MNIST digit (uint8 28x28) with its class's convention added, re-normalised: uint8
    28x28.
    """
    big = Image.fromarray(image).resize(
        (preprocess.FIELD * SCALE, preprocess.FIELD * SCALE), Image.Resampling.BICUBIC
    )
    # Room for strokes that overshoot.
    side = (preprocess.FIELD + 2 * MARGIN) * SCALE
    canvas = Image.new("L", (side, side), 0)
    canvas.paste(big, (MARGIN * SCALE, MARGIN * SCALE))
    ink = np.asarray(image, dtype=np.float32) / 255.0
    c0, r0, c1, r1 = _ink_box(ink)
    box = (_canvas(c0), _canvas(r0), _canvas(c1 + 1), _canvas(r1 + 1))
    draw = ImageDraw.Draw(canvas)
    if digit == 0:
        slash(draw, box, rng)
    elif digit == 1:
        flag(draw, box, rng, ink, (r0, r1))
    elif digit == 7:
        bar(draw, box, rng, ink, (r0, r1))
    else:
        raise ValueError(f"no convention for {digit}")
    return preprocess.normalize(np.asarray(canvas, dtype=np.float32) / 255.0)


def variants(images, labels, seed):
    """(alternatives uint8 (N, 28, 28), has (N,) bool): a convention variant for every digit
    whose class has one.
    """
    rng = np.random.default_rng(seed)
    alternatives, has = np.array(images, copy=True), np.zeros(len(labels), dtype=bool)
    for i in np.flatnonzero(np.isin(labels, list(RATES))):
        made = add(images[i], int(labels[i]), rng)
        if made is not None:
            alternatives[i], has[i] = made, True
    return alternatives, has


def describe():
    """What the sidecar records about the conventions."""
    return {
        "kinds": {
            "0": "slashed zero",
            "1": "continental one: flag, foot half the time",
            "7": "crossed seven",
        },
        "rates": {str(k): v for k, v in RATES.items()},
        "pen": PEN,
        "renormalised": True,
    }
