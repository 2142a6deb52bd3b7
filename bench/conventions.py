"""A writing-conventions test set: real pen-drawn digits with a convention added in stroke space.

Each generator takes one writer's digit (strokes in tablet units, y down) and
adds what people in many countries write: a slash through the zero, a long
flag (and maybe a foot) on the one, a bar across the seven's stem, a five's
top bar as a stroke of its own. The added
strokes are straight pen lines in the writer's own coordinates and scale,
seeded per digit, so the writer's own style is kept. This is deliberately not
the training code's geometry: training adds conventions to MNIST pixels; this
adds them to real strokes, so the set does not grade the augmentation against
itself. Nothing here is trained on.
"""
import math

import numpy as np

STEPS = 24  # points per added stroke: a pen reports many, and the renderer joins them either way


def _box(strokes):
    points = np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes if len(s)])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return x0, y0, x1, y1, points


def _line(start, end):
    t = np.linspace(0.0, 1.0, STEPS)[:, None]
    return (np.asarray(start) * (1 - t) + np.asarray(end) * t).tolist()


def slashed_zero(strokes, rng):
    """Ø: a straight slash from below-left to above-right through the ink box, 50-75 degrees, overshooting it."""
    x0, y0, x1, y1, _ = _box(strokes)
    w, h = x1 - x0, y1 - y0
    angle = math.radians(rng.uniform(50, 75))
    cx, cy = (x0 + x1) / 2 + rng.uniform(-0.05, 0.05) * w, (y0 + y1) / 2 + rng.uniform(-0.05, 0.05) * h
    half = h * rng.uniform(0.55, 0.7) / math.sin(angle)  # 110-140% of the box height, top to bottom
    dx, dy = half * math.cos(angle), half * math.sin(angle)
    return strokes + [_line((cx - dx, cy + dy), (cx + dx, cy - dy))]


def _one_top_and_bottom(strokes):
    _, _, _, _, points = _box(strokes)
    return points[points[:, 1].argmin()], points[points[:, 1].argmax()]


def flagged_one(strokes, rng, foot=False):
    """Continental 1: a long up-stroke flag into the top, written in the same motion; with foot, a base bar."""
    x0, y0, x1, y1, _ = _box(strokes)
    h = y1 - y0
    top, bottom = _one_top_and_bottom(strokes)
    angle = math.radians(rng.uniform(30, 60))  # from the vertical, leaning down to the left
    length = h * rng.uniform(0.3, 0.5)
    start = (top[0] - length * math.sin(angle), top[1] + length * math.cos(angle))
    flag = _line(start, top)
    first = [list(map(float, p)) for p in strokes[0]]
    if np.allclose(first[0], top):  # drawn from the top down: the flag leads into it
        out = [flag + first[1:]] + strokes[1:]
    else:
        out = [flag] + strokes
    if foot:
        half = h * rng.uniform(0.15, 0.25)
        out = out + [_line((bottom[0] - half, bottom[1]), (bottom[0] + half, bottom[1]))]
    return out


def _crossings(strokes, y):
    """x of every place the pen crossed the height y."""
    xs = []
    for stroke in strokes:
        s = np.asarray(stroke, dtype=float).reshape(-1, 2)
        for (ax, ay), (bx, by) in zip(s[:-1], s[1:]):
            if (ay - y) * (by - y) <= 0 and ay != by:
                xs.append(ax + (y - ay) / (by - ay) * (bx - ax))
    return xs


def crossed_seven(strokes, rng):
    """A 7 with a bar across its stem at about half height, slightly tilted, written left to right."""
    x0, y0, x1, y1, _ = _box(strokes)
    w, h = x1 - x0, y1 - y0
    y = y0 + h * rng.uniform(0.45, 0.6)
    xs = _crossings(strokes, y)
    cx = float(np.median(xs)) if xs else (x0 + x1) / 2
    half = max(w, 0.4 * h) * rng.uniform(0.2, 0.3)
    tilt = half * math.tan(math.radians(rng.uniform(-6, 6)))
    return strokes + [_line((cx - half, y + tilt), (cx + half, y - tilt))]


def separate_bar_five(strokes, rng):
    """A 5 whose top bar is its own stroke: a one-stroke 5 cut where its bar meets the stem, the bar lifted.

    The writer's own bar (from the start to where the pen turns down) is drawn again left to right, raised and nudged by a few per cent so it does not touch the body. None when the 5 is not a
    one-stroke 5 that starts with a bar (mostly level, at least a fifth of the digit's width).
    """
    if len(strokes) != 1:
        return None
    points = np.asarray(strokes[0], dtype=float).reshape(-1, 2)
    x0, y0, x1, y1, _ = _box(strokes)
    # The corner: where the pen, looking a few points ahead, first heads more down than sideways.
    ahead = points[np.minimum(np.arange(len(points)) + 3, len(points) - 1)] - points
    down = np.flatnonzero(ahead[:, 1] > np.abs(ahead[:, 0]))
    if not len(down) or down[0] + 1 >= len(points) - 1:
        return None
    # Looking ahead finds it a little early: the corner is the sharpest turn just there.
    heading = np.arctan2(*np.diff(points, axis=0).T[::-1])
    turns = np.abs((np.diff(heading) + np.pi) % (2 * np.pi) - np.pi)  # turns[j - 1]: the turn at point j
    window = np.arange(max(1, down[0]), min(len(points) - 1, down[0] + 4))
    corner = int(window[turns[window - 1].argmax()])
    bar, body = points[: corner + 1], points[corner:]
    dx, dy = bar[0, 0] - bar[-1, 0], abs(bar[0, 1] - bar[-1, 1])
    if corner < 1 or len(body) < 2 or dx < 0.2 * (x1 - x0) or dy > 0.5 * dx:
        return None
    lift = np.array([rng.uniform(0.0, 0.06) * (x1 - x0), -rng.uniform(0.04, 0.1) * (y1 - y0)])
    return [body.tolist(), (bar[::-1] + lift).tolist()]


# name -> (the digit it applies to, the generator)
CONVENTIONS = {
    "slashed_zero": (0, slashed_zero),
    "flagged_one": (1, flagged_one),
    "flagged_one_with_foot": (1, lambda strokes, rng: flagged_one(strokes, rng, foot=True)),
    "crossed_seven": (7, crossed_seven),
    "separate_bar_five": (5, separate_bar_five),
}


def build(records, seed=0):
    """{convention: [records with the convention added]} from real digit records; the same seed, the same set.

    A generator may answer None for a digit it cannot add its convention to; that digit is left out.
    """
    sets = {}
    for name, (digit, make) in CONVENTIONS.items():
        made = [(make(r["strokes"], np.random.default_rng([seed, index])), r.get("writer"))
                for index, r in enumerate(records) if r["label"] == digit and r["strokes"]]
        sets[name] = [{"label": digit, "strokes": strokes, "writer": writer}
                      for strokes, writer in made if strokes is not None]
    return sets
