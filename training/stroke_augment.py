"""Real pen digits, varied in stroke space as another sitting of the same writer would vary them.

Each copy of a digit is the writer's own strokes, turned a little, slanted,
made wider or narrower, its strokes nudged apart, and resampled the way a
digitiser at another speed would sample the same pen path (smoothed or
polygonal, points close or far apart, faster and slower along a stroke).
Nothing changes the writer's shapes: no elastic warp, no new strokes. The copy
is then rendered through recognition.preprocess exactly as drawn input is, with
the app's pen width.
"""

import math

import numpy as np

from recognition import preprocess
from training import stroke_conventions

# The largest change each copy may get; the sidecar records these, and a test holds augment() to
# them.
BOUNDS = {
    "rotate_degrees": 10.0,  # turned either way by at most this
    "slant": 0.3,  # x moves by up to this per unit of height, leaning either way
    "aspect": 0.2,  # width over height changes by a factor within 1/(1 + aspect) .. 1 + aspect
    # each stroke of a several-stroke digit moves by up to this share of its size
    "stroke_shift": 0.03,
    "step": (0.015, 0.1),  # resampling step along the pen's path, as a share of the digit's size
    # along a stroke the step changes by up to this factor, as a pen speeds up and slows
    "speed": 0.5,
    "smoothed_share": 0.5,  # share of copies resampled along a smooth curve through the points
}
SMOOTH_POINTS = 8  # points per segment of the smooth curve, before resampling


def _catmull_rom(points, per_segment=SMOOTH_POINTS):
    """A smooth curve through the points (uniform Catmull-Rom), or the points if there are too
    few.
    """
    if len(points) < 3:
        return points
    padded = np.concatenate([points[:1], points, points[-1:]])
    p0, p1, p2, p3 = padded[:-3], padded[1:-2], padded[2:-1], padded[3:]
    t = np.linspace(0, 1, per_segment, endpoint=False)[None, :, None]
    curve = 0.5 * (
        2 * p1[:, None]
        + (p2 - p0)[:, None] * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3)[:, None] * t**2
        + (3 * p1 - p0 - 3 * p2 + p3)[:, None] * t**3
    )
    return np.concatenate([curve.reshape(-1, 2), points[-1:]])


def resample(points, step, speed, rng):
    """Points along the pen's path, step apart on average, the step swelling and shrinking by
    speed.
    """
    lengths = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    total = along[-1]
    if total <= step:
        return points[[0, -1]] if total > 0 else points[:1]
    count = int(total / step) + 1
    # A speed that changes smoothly along the stroke: one slow wave, its phase and depth drawn per
    # stroke.
    phase = rng.uniform(0, 2 * math.pi)
    depth = rng.uniform(0, math.log1p(speed))
    steps = np.exp(depth * np.sin(np.linspace(0, 2 * math.pi, count) + phase))
    at = np.concatenate([[0.0], np.cumsum(steps)])
    at = at / at[-1] * total
    x = np.interp(at, along, points[:, 0])
    y = np.interp(at, along, points[:, 1])
    return np.stack([x, y], axis=1)


def affine(strokes, rotate_degrees, slant, aspect):
    """The strokes (arrays, y down) turned, slanted (top to the right for slant > 0) and widened
    by aspect.
    """
    points = np.concatenate(strokes)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    angle = math.radians(rotate_degrees)
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    # y grows downwards: a point above the centre (smaller y) moves right when slant > 0.
    shape = np.array([[aspect, -slant], [0.0, 1.0]])
    matrix = turn @ shape
    return [(s - centre) @ matrix.T + centre for s in strokes]


def augment(strokes, rng, bounds=BOUNDS):
    """(new strokes, what was drawn): one stroke-space copy of a digit, within bounds."""
    strokes = [np.asarray(s, dtype=np.float64).reshape(-1, 2) for s in strokes if len(s)]
    points = np.concatenate(strokes)
    size = max(float(np.ptp(points, axis=0).max()), 1e-9)
    drawn = {
        "rotate_degrees": rng.uniform(-1, 1) * bounds["rotate_degrees"],
        "slant": rng.uniform(-1, 1) * bounds["slant"],
        "aspect": math.exp(rng.uniform(-1, 1) * math.log1p(bounds["aspect"])),
        "smoothed": bool(rng.random() < bounds["smoothed_share"]),
        "step": rng.uniform(*bounds["step"]),
    }
    shifts = rng.uniform(-1, 1, (len(strokes), 2)) * bounds["stroke_shift"] * size
    if len(strokes) == 1:
        shifts[:] = 0.0  # one stroke: moving it moves the digit, which normalising undoes anyway
    drawn["stroke_shift"] = float(np.abs(shifts).max()) / size
    moved = []
    for stroke, shift in zip(strokes, shifts):
        path = _catmull_rom(stroke) if drawn["smoothed"] else stroke
        moved.append(resample(path, drawn["step"] * size, bounds["speed"], rng) + shift)
    return affine(moved, drawn["rotate_degrees"], drawn["slant"], drawn["aspect"]), drawn


def variant(record, rng, conventions):
    """One stroke-space variant of a record: its class's writing convention added first at the
    class's rate (training.stroke_conventions), where conventions is true.
    """
    strokes, label = record["strokes"], record["label"]
    if conventions and rng.random() < stroke_conventions.RATES.get(label, 0.0):
        strokes = stroke_conventions.add(strokes, label, rng) or strokes
    return augment(strokes, rng)[0]


def render_bank(records, copies, seed, conventions=False):
    """(uint8 (len(records) * copies, 28, 28), labels int64): each record drawn as-is, then
    copies - 1 variants (some with a writing convention added, where conventions is true).

    A copy that renders empty (it cannot, for a record that has ink, but a bank must be whole) is
    the record as it was written.
    """
    rng = np.random.default_rng(seed)
    images = np.zeros((len(records) * copies, preprocess.FIELD, preprocess.FIELD), dtype=np.uint8)
    labels = np.zeros(len(records) * copies, dtype=np.int64)
    for i, record in enumerate(records):
        plain = preprocess.strokes_to_input(record["strokes"])
        for k in range(copies):
            pixels = (
                None if k == 0 else preprocess.strokes_to_input(variant(record, rng, conventions))
            )
            images[i * copies + k] = plain if pixels is None else pixels
            labels[i * copies + k] = record["label"]
    return images, labels


def render_plain(records):
    """(uint8 (N, 28, 28), labels int64): the records rendered as the app renders them,
    unchanged.
    """
    images = np.stack([preprocess.strokes_to_input(r["strokes"]) for r in records])
    return images, np.array([r["label"] for r in records], dtype=np.int64)


def describe(copies):
    """What the sidecar records about the stroke-space variation."""
    return {
        **BOUNDS,
        "step": list(BOUNDS["step"]),
        "copies": copies,
        "renderer": "recognition.preprocess",
    }
