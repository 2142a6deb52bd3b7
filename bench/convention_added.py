"""Conventions that add a stroke to a real digit: the slash of a zero, the flag and foot of a
one, the bar of a seven.

Straight pen lines in the writer's own coordinates and scale (see bench.conventions).
"""

import math

import numpy as np

STEPS = 24  # points per added stroke: a pen reports many, and the renderer joins them either way


def box(strokes):
    """(x0, y0, x1, y1, all points) of the strokes' ink."""
    points = np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes if len(s)])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return x0, y0, x1, y1, points


def line(start, end):
    """A straight pen line of STEPS points."""
    t = np.linspace(0.0, 1.0, STEPS)[:, None]
    return (np.asarray(start) * (1 - t) + np.asarray(end) * t).tolist()


def slashed_zero(strokes, rng):
    """Ø: a straight slash from below-left to above-right through the ink box, 50-75 degrees,
    overshooting it.
    """
    x0, y0, x1, y1, _ = box(strokes)
    w, h = x1 - x0, y1 - y0
    angle = math.radians(rng.uniform(50, 75))
    cx, cy = (
        (x0 + x1) / 2 + rng.uniform(-0.05, 0.05) * w,
        (y0 + y1) / 2 + rng.uniform(-0.05, 0.05) * h,
    )
    half = h * rng.uniform(0.55, 0.7) / math.sin(angle)  # 110-140% of the box height, top to bottom
    dx, dy = half * math.cos(angle), half * math.sin(angle)
    return strokes + [line((cx - dx, cy + dy), (cx + dx, cy - dy))]


def _one_top_and_bottom(strokes):
    _, _, _, _, points = box(strokes)
    return points[points[:, 1].argmin()], points[points[:, 1].argmax()]


def flagged_one(strokes, rng, foot=False):
    """Continental 1: a long up-stroke flag into the top, written in the same motion; with foot,
    a base bar.
    """
    x0, y0, x1, y1, _ = box(strokes)
    h = y1 - y0
    top, bottom = _one_top_and_bottom(strokes)
    angle = math.radians(rng.uniform(30, 60))  # from the vertical, leaning down to the left
    length = h * rng.uniform(0.3, 0.5)
    start = (top[0] - length * math.sin(angle), top[1] + length * math.cos(angle))
    flag = line(start, top)
    first = [list(map(float, p)) for p in strokes[0]]
    if np.allclose(first[0], top):  # drawn from the top down: the flag leads into it
        out = [flag + first[1:]] + strokes[1:]
    else:
        out = [flag] + strokes
    if foot:
        half = h * rng.uniform(0.15, 0.25)
        out = out + [line((bottom[0] - half, bottom[1]), (bottom[0] + half, bottom[1]))]
    return out


def crossings(strokes, y):
    """x of every place the pen crossed the height y."""
    xs = []
    for stroke in strokes:
        s = np.asarray(stroke, dtype=float).reshape(-1, 2)
        for (ax, ay), (bx, by) in zip(s[:-1], s[1:]):
            if (ay - y) * (by - y) <= 0 and ay != by:
                xs.append(ax + (y - ay) / (by - ay) * (bx - ax))
    return xs


def crossed_seven(strokes, rng):
    """A 7 with a bar across its stem at about half height, slightly tilted, written left to
    right.
    """
    x0, y0, x1, y1, _ = box(strokes)
    w, h = x1 - x0, y1 - y0
    y = y0 + h * rng.uniform(0.45, 0.6)
    xs = crossings(strokes, y)
    cx = float(np.median(xs)) if xs else (x0 + x1) / 2
    half = max(w, 0.4 * h) * rng.uniform(0.2, 0.3)
    tilt = half * math.tan(math.radians(rng.uniform(-6, 6)))
    return strokes + [line((cx - half, y + tilt), (cx + half, y - tilt))]
