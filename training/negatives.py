"""Drawings that are not digits, made as strokes and rendered as drawn input is: the "not a
digit" class.

Letters from the single-stroke Hershey fonts (only letters nobody reads as a
digit: never O, o, l, I, S, Z, B, g, q and the like), scribbles, shapes
(stars, hearts, arrows, smileys, spirals, crosses, ticks, triangles, squares,
houses) and digits crossed out; each with hand-like jitter, then through
recognition.preprocess.strokes_to_input like any drawing. Scribbles come in the kinds visitors
make: random walks, zigzags and hatching (spirals are a shape, crossing-out its own kind). Some
kinds are held out of training (HELD_OUT_SCRIBBLES, HELD_OUT_SHAPES, HELD_OUT_WORDS) so that the
bench can say what the negatives teach beyond themselves. The hand that draws
them (fonts, jitter, rendering) is training.hand's.
"""

import math

import numpy as np

from training import hand

LETTERS = "AEFHKMNPRVWXYdefhkmnprvwx"  # none looks like a digit, in any hand
# Letters that look like no digit in print only: a cursive L is a looped 2, a cursive T a 7 with a
# flourish. A lowercase t stays out in every hand: it is a cross, like a 4 written "Lt".
PRINT_LETTERS = "LT"
PRINT_FONTS = ("futural", "rowmans")
# Short words, as visitors write their name or a greeting: read whole, a word is no digit. Each
# holds a letter no hand makes digit-like, so that no reading of it is a number.
WORDS = (
    "hi",
    "hey",
    "yes",
    "no",
    "ok",
    "cat",
    "dog",
    "sun",
    "hello",
    "wow",
    "max",
    "fun",
    "art",
    "pen",
    "amy",
    "web",
    "map",
    "key",
    "tom",
    "ben",
)
# Words and names never trained on: the bench reports them as a kind of their own.
HELD_OUT_WORDS = ("yay", "hat", "Fred", "Nina", "wave", "Kim")
# Letters most: they are what people draw at demos. Overlaid digits ("overlaid") are left out: too
# many land on one that reads as a digit, and the model learnt to reject real 4s, 5s and 8s.
KINDS = ("letter",) * 7 + ("word",) + ("scribble",) + ("shape",) * 2 + ("crossed_out",)
# Scribbles of the other kinds visitors make, held out of training like the shapes below: trained
# on as two more kinds (18,000 negatives an epoch, three seeds), they cost MNIST's test digits
# 0.2 points (99.35% over seeds 2, 3, 4 against 99.56%), under the 99.5% target (BENCHMARKS.md,
# issue 41). The bench reports them.
HELD_OUT_SCRIBBLES = ("zigzag", "hatching")
# A triangle and a square are what visitors draw first, after a smiley; a circle is a 0 and stays
# out. A house was held out until 2026-12-06: the model answered it with a sure digit about half the
# time, and visitors draw houses.
SHAPES = (
    "star",
    "heart",
    "arrow",
    "smiley",
    "spiral",
    "cross",
    "tick",
    "triangle",
    "square",
    "house",
)
# Shapes never trained on: the bench reports them beside the others, to show what the negatives
# teach beyond themselves. Each is something visitors draw.
HELD_OUT_SHAPES = ("sun", "flower", "person")


def scribble(rng):
    """One to three strokes of smooth random wandering, many turns."""
    strokes = []
    for _ in range(rng.integers(1, 4)):
        # long and turning often: a gentle short wander reads as a 2 or a 3
        n = rng.integers(80, 200)
        heading = np.cumsum(rng.normal(0, 0.9, n)) + rng.uniform(0, 2 * np.pi)
        step = rng.uniform(0.5, 1.5)
        strokes.append(
            np.cumsum(np.stack([np.cos(heading), np.sin(heading)], axis=1) * step, axis=0).tolist()
        )
    return strokes


def zigzag(rng):
    """A line back and forth, five to twelve legs, at any angle; in one stroke."""
    legs = int(rng.integers(5, 13))  # fewer legs are a Z, a 2, an N or a W
    xs = np.linspace(-1, 1, legs + 1) + rng.normal(0, 0.04, legs + 1)
    ys = np.where(np.arange(legs + 1) % 2, 1.0, -1.0) * rng.uniform(0.2, 0.7)
    ys = ys + rng.normal(0, 0.08, legs + 1)
    return [_turned(np.stack([xs, ys], axis=1), rng.uniform(0, np.pi)).tolist()]


def hatching(rng):
    """Parallel lines shading an area, a stroke each or back and forth in one; crossed by a second
    layer a third of the time."""
    angle = rng.uniform(0, np.pi)
    strokes = _hatch(rng, angle)
    if rng.random() < 1 / 3:
        strokes += _hatch(rng, angle + rng.uniform(0.35, 0.65) * np.pi)
    return strokes


def _hatch(rng, angle):
    """One layer of hatching: 3 to 8 lines across a unit area, at this angle."""
    count = int(rng.integers(3, 9))
    offsets = np.linspace(-0.8, 0.8, count) + rng.normal(0, 0.03, count)
    half = rng.uniform(0.6, 1.0, count)
    lines = [np.array([[-h, o], [h, o]]) for h, o in zip(half, offsets)]
    lines = [_turned(line, angle) for line in lines]
    if rng.random() < 0.5:
        return [line.tolist() for line in lines]
    # back and forth without lifting the pen
    path = [line if k % 2 == 0 else line[::-1] for k, line in enumerate(lines)]
    return [np.concatenate(path).tolist()]


def _turned(points, angle):
    c, s = math.cos(angle), math.sin(angle)
    return np.asarray(points) @ np.array([[c, s], [-s, c]])


def _polyline(t, x, y):
    return np.stack([x(t), y(t)], axis=1).tolist()


def _ring(u, radius, x=0.0, y=0.0):
    """A circle of radius around (x, y), drawn through the angles u."""
    return _polyline(u, lambda u: x + radius * np.cos(u), lambda u: y + radius * np.sin(u))


def shape(kind, rng):
    """One shape as strokes, in unit-ish coordinates (y down)."""
    t = np.linspace(0, 1, 80)
    if kind == "star":
        k = rng.choice([5, 7])  # drawn in one line: a 6-point one would be a hexagon, an 0
        angles = (
            -np.pi / 2 + 2 * np.pi * (2 if k == 5 else rng.choice([2, 3])) * np.arange(k + 1) / k
        )
        return [np.stack([np.cos(angles), np.sin(angles)], axis=1).tolist()]
    if kind == "heart":
        u = 2 * np.pi * t
        return [
            _polyline(
                u,
                lambda u: 16 * np.sin(u) ** 3,
                lambda u: -(13 * np.cos(u) - 5 * np.cos(2 * u) - 2 * np.cos(3 * u) - np.cos(4 * u)),
            )
        ]
    if kind == "arrow":
        a = rng.uniform(0, 2 * np.pi)
        d = np.array([math.cos(a), math.sin(a)])
        tip, n = d, np.array([-d[1], d[0]])
        return [
            [(-d).tolist(), tip.tolist()],
            [(tip - 0.4 * d + 0.3 * n).tolist(), tip.tolist(), (tip - 0.4 * d - 0.3 * n).tolist()],
        ]
    if kind == "smiley":
        u = 2 * np.pi * t
        face = _ring(u, 1.0)
        eyes = [[[-0.35, -0.3], [-0.33, -0.28]], [[0.35, -0.3], [0.37, -0.28]]]
        mouth = _polyline(
            np.linspace(0.15, 0.85, 30) * np.pi,
            lambda v: 0.55 * np.cos(v),
            lambda v: 0.2 + 0.4 * np.sin(v),
        )
        return [face] + eyes + [mouth]
    if kind == "spiral":
        u = np.linspace(0, 2 * np.pi * rng.uniform(2.5, 4), 200)
        return [_polyline(u, lambda u: u * np.cos(u), lambda u: u * np.sin(u))]
    if kind == "cross":
        return [[[-1, -1], [1, 1]], [[1, -1], [-1, 1]]]
    if kind == "tick":
        return [[[-1, 0], [-0.4, 0.7], [1, -1]]]
    if kind == "triangle":
        return _closed(rng, [[0, -1], [0.9, 0.6], [-0.9, 0.6]], rng.uniform(0.6, 1.4))
    if kind == "square":
        return _closed(rng, [[-1, -1], [1, -1], [1, 1], [-1, 1]], rng.uniform(0.8, 1.25))
    if kind == "house":  # a square with a roof, in one line, and a door half the time
        outline = [[[-1, 1], [-1, -0.2], [0, -1.1], [1, -0.2], [1, 1], [-1, 1]]]
        door = [[[-0.25, 1], [-0.25, 0.4], [0.25, 0.4], [0.25, 1]]]
        return outline + (door if rng.random() < 0.5 else [])
    if kind == "sun":  # a ring and its rays
        u = 2 * np.pi * t
        ring = _ring(u, 0.5)
        rays = [
            [[0.65 * math.cos(a), 0.65 * math.sin(a)], [math.cos(a), math.sin(a)]]
            for a in np.linspace(0, 2 * np.pi, int(rng.integers(6, 10)), endpoint=False)
        ]
        return [ring] + rays
    if kind == "flower":  # petals around a small ring, a stem half the time
        u = 2 * np.pi * t
        middle = np.array([0.0, -0.35])
        centre = _ring(u, 0.2, *middle)
        petals = []
        count = int(rng.integers(5, 8))
        for a in np.linspace(0, 2 * np.pi, count, endpoint=False) + rng.uniform(0, np.pi):
            along = np.array([math.cos(a), math.sin(a)])
            across = np.array([-along[1], along[0]])
            # A loop from the ring's edge out and back: 0.4 long, 0.24 wide.
            out = 0.2 * (1 - np.cos(u))[:, None] * along
            side = 0.12 * np.sin(u)[:, None] * across
            petals.append((middle + 0.2 * along + out + side).tolist())
        stem = [[[0, 0.25], [0.05, 0.7], [0, 1.1]]]
        return [centre] + petals + (stem if rng.random() < 0.5 else [])
    if kind == "person":  # a stick figure: a ring for a head, a body, arms, legs
        u = 2 * np.pi * t
        head = _ring(u, 0.22, y=-0.78)
        body = [[0, -0.56], [0, 0.3]]
        arms = [[-0.5, -0.25], [0.5, -0.25]]
        legs = [[-0.4, 1], [0, 0.3], [0.4, 1]]
        return [head, body, arms, legs]
    raise ValueError(kind)


def _closed(rng, corners, aspect):
    """A closed polygon widened by aspect: in one line from a corner drawn at random, or a stroke
    per side.
    """
    corners = np.asarray(corners, dtype=float) * [aspect, 1.0]
    start = int(rng.integers(len(corners)))
    ring = np.roll(corners, -start, axis=0)
    ring = np.concatenate([ring, ring[:1]])
    if rng.random() < 0.7:
        return [ring.tolist()]
    return [ring[i : i + 2].tolist() for i in range(len(corners))]


def letter(rng, font):
    """One letter no one reads as a digit in this font's hand."""
    choices = LETTERS + PRINT_LETTERS if font in PRINT_FONTS else LETTERS
    return choices[rng.integers(len(choices))]


def make(kind, rng, glyphs):
    """One negative drawing of this kind (a kind of KINDS, a shape's own name, or "held_out_word"),
    as strokes."""
    font = hand.FONTS[rng.integers(len(hand.FONTS))]
    if kind == "letter":
        return hand.handwritten(letter(rng, font), rng, glyphs, font)
    if kind == "word":
        return hand.handwritten(WORDS[rng.integers(len(WORDS))], rng, glyphs, font)
    if kind == "held_out_word":
        return hand.handwritten(
            HELD_OUT_WORDS[rng.integers(len(HELD_OUT_WORDS))], rng, glyphs, font
        )
    if kind == "scribble":
        return scribble(rng)
    if kind == "zigzag":
        return hand.jitter(zigzag(rng), rng)
    if kind == "hatching":
        return hand.jitter(hatching(rng), rng)
    if kind == "shape":
        kind = SHAPES[rng.integers(len(SHAPES))]
    if kind in SHAPES + HELD_OUT_SHAPES:
        return hand.jitter(shape(kind, rng), rng)
    # Never a 1 (crossed out it reads as a t or a +). Two are drawn and the first kept: the random
    # stream the shipped model was trained on, which train.py reproduces bit for bit; drawing one
    # would change every negative after it, and so the model.
    first = rng.choice([0, 2, 3, 4, 5, 6, 7, 8, 9], 2, replace=False)[0]
    digit = hand.place(glyphs.strokes(str(first), font), 0, 0)
    if kind == "crossed_out":  # a zig-zag or several lines across the whole digit
        n = rng.integers(3, 7)
        ys = np.linspace(-0.45, 0.45, n) + rng.normal(0, 0.03, n)
        xs = np.where(np.arange(n) % 2, 0.5, -0.5) + rng.normal(0, 0.05, n)
        return hand.jitter(digit + [np.stack([xs, ys], axis=1).tolist()], rng, wobble=0.01)
    raise ValueError(kind)


def generate(count, seed):
    """count negatives as uint8 (count, 28, 28), kinds in equal shares, rendered as drawn input
    is.
    """
    rng, glyphs = np.random.default_rng(seed), hand.Glyphs()
    return hand.render_each(count, lambda i: make(KINDS[i % len(KINDS)], rng, glyphs))


def describe(count):
    """What the sidecar records about the negatives."""
    shares = {k: KINDS.count(k) / len(KINDS) for k in dict.fromkeys(KINDS)}
    return {
        "count": count,
        "kinds": shares,
        "letters": LETTERS,
        "print_letters": PRINT_LETTERS,
        "words": list(WORDS),
        "fonts": list(dict.fromkeys(hand.FONTS)),
        "shapes": list(SHAPES),
        "held_out": {
            "shapes": list(HELD_OUT_SHAPES),
            "scribbles": list(HELD_OUT_SCRIBBLES),
            "words": list(HELD_OUT_WORDS),
        },
    }
