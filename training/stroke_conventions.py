"""Writing conventions added to real pen digits in stroke space: one more pen line, drawn in the
writer's own units and point spacing.

MNIST's digits get their slashed zeros, continental ones and crossed sevens in pixels
(training.conventions), drawn with MNIST's pen. A real writer's plain zero, one or seven gets the
same convention here as a stroke of its own, sampled as densely as the writer's pen was, so that
it goes through the stroke-space variation and the app's renderer with the rest of the digit. The
geometry (angles, lengths, where a line sits, how it bows) is training.conventions' own
functions, so the two teach one thing. The bench's conventions set (bench.conventions) is its own
code and shares none of this.
"""

import math

import numpy as np

from training import conventions

# digit -> share of the bank's variants of that class's plain digits given the convention (as
# training.conventions.RATES for MNIST's digits)
RATES = {0: 0.2, 1: 0.25, 7: 0.1}
# A one at least this wide for its height already has a flag or a foot: it gets no second one.
WIDE_ONE = 0.3
# Share of the flagged ones that get a foot too. MNIST's ones get one half the time; on real pen
# ones, half the time made a square's sides read as ones (squares answered "111" or "12" as a sure
# number: 4.0-5.7% over three seeds, 2.3-5.0% with no feet; BENCHMARKS.md).
FOOT_SHARE = 0.0


def _spacing(strokes):
    """The writer's median distance between neighbouring points (a stroke's pen speed)."""
    gaps = np.concatenate([np.hypot(*np.diff(s, axis=0).T) for s in strokes if len(s) > 1] or [[]])
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if len(gaps) else 0.0


def _line(ends, spacing, rng, bend):
    """The line between the two ends as points about spacing apart, bowed as a hand bows it."""
    length = math.dist(*ends)
    count = max(2, int(length / spacing) + 1) if spacing > 0 else 8
    return conventions.bowed(*ends, count, rng, bend)


def slash(strokes, rng, box, spacing):
    """A zero's slash, drawn after the zero, downwards or upwards."""
    lower, upper = conventions.slash_ends(box, rng)
    ends = [upper, lower]
    if rng.random() < 0.5:
        ends.reverse()
    return strokes + [_line(ends, spacing, rng, conventions.BEND["slash"])]


def _x_at(strokes, y, height):
    """The ink's x near height y (the stem's), from the points within a tenth of the height."""
    points = np.concatenate(strokes)
    near = np.abs(points[:, 1] - y) <= 0.1 * height
    chosen = points[near] if near.any() else points[[np.argmin(np.abs(points[:, 1] - y))]]
    return float(chosen[:, 0].mean())


def flag(strokes, rng, box, spacing):
    """A continental one: a flag down-left from the stem's top, drawn before the stem; a foot
    under it in FOOT_SHARE of them."""
    _, y0, _, y1 = box
    h = y1 - y0
    top_x, bottom_x = _x_at(strokes, y0, h), _x_at(strokes, y1, h)
    flag_ends = conventions.flag_ends(box, top_x, bottom_x, rng)
    flagged = [_line(flag_ends, spacing, rng, conventions.BEND["flag"])] + strokes
    if rng.random() < FOOT_SHARE:
        foot_ends = conventions.foot_ends(box, bottom_x, rng)
        flagged.append(_line(foot_ends, spacing, rng, conventions.BEND["foot"]))
    return flagged


def bar(strokes, rng, box, spacing):
    """A crossed seven: a short bar across the stem at 40-65% of the height."""
    _, y0, _, y1 = box
    h = y1 - y0
    y = y0 + h * rng.uniform(0.4, 0.65)
    bar_ends = conventions.bar_ends(box, y, _x_at(strokes, y, h), rng)
    return strokes + [_line(bar_ends, spacing, rng, conventions.BEND["bar"])]


ADD = {0: slash, 1: flag, 7: bar}


def add(strokes, digit, rng):
    """The digit's strokes (arrays (n, 2), y down) with its class's convention added, or None where
    it has none or the digit already shows one (a zero or seven of several strokes, a wide one).
    """
    if digit not in ADD:
        return None
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    points = np.concatenate(strokes)
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    if y1 - y0 <= 0:
        return None
    if digit in (0, 7) and len(strokes) > 1:
        return None
    if digit == 1 and (x1 - x0) > WIDE_ONE * (y1 - y0):
        return None
    spacing = _spacing(strokes) or (y1 - y0) / 20
    return ADD[digit](strokes, rng, (x0, y0, x1, y1), spacing)


def describe():
    """What the sidecar records about the conventions added to real pen digits."""
    return {
        "kinds": {
            "0": "slashed zero",
            "1": f"continental one: flag, foot in {FOOT_SHARE} of them",
            "7": "crossed seven",
        },
        "rates": {str(k): v for k, v in RATES.items()},
        "space": "strokes, in the writer's units and point spacing",
        "skipped": (
            f"zeros and sevens of several strokes, ones wider than {WIDE_ONE} of their height"
        ),
    }
