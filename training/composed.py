"""Numbers put together from real pen-drawn digits, as a writer would write them.

For each length from 2 to 6, numbers are composed from digit records (seeded):
every digit of one number comes from one writer, in writing order (the strokes
of the first digit, then the second's, ...), each scaled to a common height
with +-10% jitter, its baseline moved by up to 8% of that height, and the gap
between neighbouring digit boxes drawn from -5% (slightly overlapping) to 60%
of the height. A writer without enough digits lends none to longer numbers.
The number's confidence is calibrated on such numbers (training.calibrate), and
bench.numbers and bench.live measure on them.
"""

import math

import numpy as np

LENGTHS = range(2, 7)
HEIGHT = 100.0


def compose(records, rng):
    """One number's strokes from these digit records, left to right, as described above."""
    out, x = [], 0.0
    for r in records:
        points = np.concatenate([np.asarray(s, dtype=float).reshape(-1, 2) for s in r["strokes"]])
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        scale = HEIGHT * rng.uniform(0.9, 1.1) / max(y1 - y0, 1e-9)
        dy = rng.uniform(-0.08, 0.08) * HEIGHT
        for s in r["strokes"]:
            out.append(
                ((np.asarray(s, dtype=float) - [x0, y0]) * scale + [x, dy]).round(1).tolist()
            )
        x += (x1 - x0) * scale + rng.uniform(-0.05, 0.6) * HEIGHT
    return out


def lean(strokes, slant, uphill=0.0):
    """The strokes leaning right by slant (x per unit of height going up, y down), as slanted
    writing does, then turned to climb uphill degrees to the right (the digits turn with the
    line, as a hand's do).
    """
    if not slant and not uphill:
        return strokes
    c, s = math.cos(math.radians(uphill)), math.sin(math.radians(uphill))
    out = []
    for stroke in strokes:
        p = np.asarray(stroke, dtype=float)
        p = p + np.outer(HEIGHT - p[:, 1], [slant, 0])
        out.append(
            np.stack([p[:, 0] * c + p[:, 1] * s, p[:, 1] * c - p[:, 0] * s], axis=1)
            .round(1)
            .tolist()
        )
    return out


def build(records, per_length, seed, slant=0.0, uphill=0.0):
    """[(label string, strokes)] per length: seeded, one writer per number; the same numbers
    however they lean.
    """
    by_writer = {}
    for r in records:
        by_writer.setdefault(r.get("writer") or "?", []).append(r)
    writers = sorted(by_writer)
    rng = np.random.default_rng(seed)
    sets = {}
    for length in LENGTHS:
        usable = [w for w in writers if len(by_writer[w]) >= length]
        if not usable:
            continue
        made = []
        for _ in range(per_length):
            digits = by_writer[usable[rng.integers(len(usable))]]
            picked = [digits[i] for i in rng.choice(len(digits), length, replace=False)]
            made.append(
                (
                    "".join(str(r["label"]) for r in picked),
                    lean(compose(picked, rng), slant, uphill),
                )
            )
        sets[length] = made
    return sets
