"""Conventions that reshape a real digit's own strokes: a 5's bar lifted off, an open 4, a
straight 9, a looped 2.

Everything not reshaped stays as the writer drew it (see bench.conventions).
"""

import math

import numpy as np

from bench.convention_added import STEPS, box, line


def separate_bar_five(strokes, rng):
    """A 5 whose top bar is its own stroke: a one-stroke 5 cut where its bar meets the stem, the
    bar lifted.

    The writer's own bar (from the start to where the pen turns down) is drawn again left to
    right, raised and nudged by a few per cent so it does not touch the body. None when the 5 is
    not a one-stroke 5 that starts with a bar (mostly level, at least a fifth of the digit's
    width).
    """
    if len(strokes) != 1:
        return None
    points = np.asarray(strokes[0], dtype=float).reshape(-1, 2)
    x0, y0, x1, y1, _ = box(strokes)
    # The corner: where the pen, looking a few points ahead, first heads more down than sideways.
    ahead = points[np.minimum(np.arange(len(points)) + 3, len(points) - 1)] - points
    down = np.flatnonzero(ahead[:, 1] > np.abs(ahead[:, 0]))
    if not len(down) or down[0] + 1 >= len(points) - 1:
        return None
    # Looking ahead finds it a little early: the corner is the sharpest turn just there.
    heading = np.arctan2(*np.diff(points, axis=0).T[::-1])
    # turns[j - 1]: the turn at point j
    turns = np.abs((np.diff(heading) + np.pi) % (2 * np.pi) - np.pi)
    window = np.arange(max(1, down[0]), min(len(points) - 1, down[0] + 4))
    corner = int(window[turns[window - 1].argmax()])
    bar, body = points[: corner + 1], points[corner:]
    dx, dy = bar[0, 0] - bar[-1, 0], abs(bar[0, 1] - bar[-1, 1])
    if corner < 1 or len(body) < 2 or dx < 0.2 * (x1 - x0) or dy > 0.5 * dx:
        return None
    lift = np.array([rng.uniform(0.0, 0.06) * (x1 - x0), -rng.uniform(0.04, 0.1) * (y1 - y0)])
    return [body.tolist(), (bar[::-1] + lift).tolist()]


def open_top_four(strokes, rng):
    """A 4 with an open top: the stroke that holds the bar starts with an upright arm instead of
    a diagonal.

    The arm runs from the height the writer's own diagonal began down to the bar's left end,
    leaning as a hand does (-10 to 15 degrees), so its top stays well clear of the stem. None
    unless the 4 has a stem of its own and a stroke that turns at its leftmost point into a bar.
    """
    if len(strokes) != 2:
        return None
    parts = [np.asarray(s, dtype=float).reshape(-1, 2) for s in strokes]
    bar_index = int(np.argmax([np.ptp(p[:, 0]) for p in parts]))
    bar_stroke, stem = parts[bar_index], parts[1 - bar_index]
    corner = int(bar_stroke[:, 0].argmin())
    x0, y0, x1, y1, _ = box(strokes)
    w, h = x1 - x0, y1 - y0
    bar = bar_stroke[corner:]
    if corner == 0 or bar[-1, 0] - bar[0, 0] < 0.4 * w or bar_stroke[0, 1] > bar[0, 1] - 0.25 * h:
        return None
    top_y = bar_stroke[0, 1]
    lean = math.tan(math.radians(rng.uniform(-10, 15)))
    top = (bar[0, 0] + (bar[0, 1] - top_y) * lean, top_y)
    stem_x = float(np.interp(top_y, *stem[np.argsort(stem[:, 1])].T[::-1]))
    if stem_x - top[0] < 0.25 * (bar[-1, 0] - bar[0, 0]):
        return None  # the arm would close the top on the stem: not an open four
    arm = line(top, bar[0])
    out = [s for s in strokes]
    out[bar_index] = arm + bar[1:].tolist()
    return out


def _tail_start(points, tolerance):
    """Index where the last descent of a stroke begins: walking back from its end, where the pen
    stops rising.
    """
    j, highest = len(points) - 1, points[-1, 1]
    for i in range(len(points) - 2, -1, -1):
        if points[i, 1] > highest + tolerance:
            break
        if points[i, 1] < highest:
            highest, j = points[i, 1], i
    return j


def straight_stem_nine(strokes, rng):
    """A 9 whose stem is a straight line: the writer's stem (its last descent) replaced by its
    chord.

    The stem keeps the writer's length and slant, only its curve goes. None unless the stem
    starts in the upper half, right of the middle, ends at the foot, runs more down than across
    and spans at least 40% of the height.
    """
    x0, y0, x1, y1, _ = box(strokes)
    h = y1 - y0
    last = np.asarray(strokes[-1], dtype=float).reshape(-1, 2)
    start = _tail_start(last, 0.02 * h) if len(strokes) == 1 else 0
    stem = last[start:]
    if len(stem) < 3 or stem[0, 1] > y0 + 0.5 * h or stem[-1, 1] - stem[0, 1] < 0.4 * h:
        return None
    if (
        stem[0, 0] < x0 + 0.5 * (x1 - x0)
        or stem[-1, 1] < y1 - 0.1 * h
        or np.ptp(stem[:, 0]) > np.ptp(stem[:, 1])
    ):
        # not a stem hanging from the loop's right side to the foot (a 9 drawn from its foot up)
        return None
    straight = line(stem[0], stem[-1])
    return strokes[:-1] + [last[:start].tolist() + straight]


def looped_two(strokes, rng):
    """A 2 with a small loop where its diagonal meets the base, swung the long way round as a pen
    does.

    The loop (14-24% of the height across) is a circle the pen runs round once, left of the
    diagonal and above the base, leaving the corner as it arrived. None unless the 2 is one
    stroke that turns at its lower left into a base running right.
    """
    if len(strokes) != 1:
        return None
    points = np.asarray(strokes[0], dtype=float).reshape(-1, 2)
    x0, y0, x1, y1, _ = box(strokes)
    w, h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    half = len(points) // 2
    corner = half + int(((points[half:, 1] - y0) / h - (points[half:, 0] - x0) / w).argmax())
    c = points[corner]
    before = points[:corner][np.hypot(*(points[:corner] - c).T) >= 0.05 * h]
    after = points[corner + 1 :][np.hypot(*(points[corner + 1 :] - c).T) >= 0.05 * h]
    if not len(before) or not len(after) or points[-1, 0] - c[0] < 0.3 * w:
        return None
    d_in = (c - before[-1]) / np.hypot(*(c - before[-1]))
    r = h * rng.uniform(0.07, 0.12)
    # up and left of the corner: outside it, above the base
    centre = c + r * np.array([-1.0, -1.0]) / math.sqrt(2)
    start = c - centre
    # Round the way that carries on from the diagonal (the tangent at the start closest to its
    # heading).
    sense = 1.0 if np.dot([-start[1], start[0]], d_in) >= 0 else -1.0
    phi = sense * np.linspace(0, 2 * math.pi, STEPS)
    loop = np.stack(
        [
            centre[0] + start[0] * np.cos(phi) - start[1] * np.sin(phi),
            centre[1] + start[0] * np.sin(phi) + start[1] * np.cos(phi),
        ],
        axis=1,
    )
    return [points[: corner + 1].tolist() + loop[1:].tolist() + points[corner + 1 :].tolist()]
