"""A hand drawing with a pen: Hershey glyphs as strokes, a hand's jitter, and rendering as drawn
input is.

The toolkit that the negatives (training.negatives), the typeface pen digits
(training.pen_digits) and the bench's drawings (bench.drawings) draw with.
"""

import math

import numpy as np
from HersheyFonts import HersheyFonts

from recognition import preprocess

# Single-line hands, as a pen draws: print (twice as often) and cursive. The doubled-line and serif
# fonts drew letters bolder than any pen, and the model learnt "bold" rather than "letter".
FONTS = ("futural", "rowmans", "futural", "rowmans", "scripts", "cursive")


class Glyphs:
    """Hershey glyphs as stroke lists (y down), loaded once per font."""

    def __init__(self):
        self.fonts = {}
        for name in dict.fromkeys(FONTS):
            font = HersheyFonts()
            font.load_default_font(name)
            self.fonts[name] = font

    def strokes(self, text, font):
        return [
            [list(map(float, p)) for p in s]
            for s in self.fonts[font].strokes_for_text(text)
            if len(s) > 1
        ]


def subdivide(s, n):
    """Each segment's n points from its start: np.linspace(p, q, n, endpoint=False) for every
    segment at once.
    """
    start, delta = s[:-1, None], (s[1:] - s[:-1])[:, None]
    step, k = delta / n, np.arange(n, dtype=float)[None, :, None]
    # As linspace does it, bit for bit: it divides first where a step is zero (numpy gh-5437).
    flat = (step == 0).any(axis=2, keepdims=True)
    return (np.where(flat, (k / n) * delta, k * step) + start).reshape(-1, 2)


def jitter(strokes, rng, wobble=0.03, hand=False):
    """A hand, not a plotter: a random affine (rotation, shear, aspect) and a smooth wobble along
    each stroke.

    hand (letters): the slant, width and warp of handwriting, and strokes that do not quite meet.
    """
    points = np.concatenate([np.asarray(s) for s in strokes])
    centre, size = points.mean(axis=0), max(np.ptp(points, axis=0).max(), 1e-6)
    a = math.radians(rng.uniform(-12, 12) if hand else rng.uniform(-15, 15))
    sh = rng.uniform(-0.5, 0.3) if hand else rng.uniform(-0.3, 0.3)
    sx, sy = np.exp(
        [rng.uniform(-0.55, 0.15), rng.uniform(-0.15, 0.15)] if hand else rng.uniform(-0.2, 0.2, 2)
    )
    m = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) @ np.array(
        [[sx, sh], [0, sy]]
    )
    # One smooth warp of the whole plane (two waves per axis, about a letter long): loops sag, lines
    # bow.
    waves = (
        [
            (
                rng.normal(0, 2 * np.pi / size, 2),
                rng.uniform(0, 2 * np.pi),
                rng.uniform(0, 0.05 * size),
            )
            for _ in range(4)
        ]
        if hand
        else []
    )
    out = []
    for s in strokes:
        s = np.asarray(s, dtype=float)
        dense = np.concatenate([subdivide(s, 6), s[-1:]])
        t = np.linspace(0, 1, len(dense))[:, None]
        phase, freq = rng.uniform(0, 2 * np.pi, 2), rng.uniform(1, 3, 2)
        wob = np.sin(2 * np.pi * freq * t + phase) * wobble * size
        if hand:
            for axis, (k, phi, amp) in enumerate(waves):
                wob[:, axis % 2] += amp * np.sin((dense - centre) @ k + phi)
            wob = wob + rng.normal(0, 0.025 * size, 2)  # each stroke lands a little off
        out.append(((dense - centre) @ m.T + wob).tolist())
    return out


def place(strokes, dx, dy, scale=1.0):
    """The strokes centred on (dx, dy), their longer side scaled to scale."""
    points = np.concatenate([np.asarray(s) for s in strokes])
    centre, size = points.mean(axis=0), max(np.ptp(points, axis=0).max(), 1e-6)
    return [(((np.asarray(s) - centre) / size) * scale + [dx, dy]).tolist() for s in strokes]


def handwritten(text, rng, glyphs, font=None):
    """Text (a letter or a word) in a hand's jitter, in this font or one drawn at random."""
    font = FONTS[rng.integers(len(FONTS))] if font is None else font
    return jitter(glyphs.strokes(text, font), rng, hand=True)


def render_each(count, draw):
    """uint8 (count, 28, 28): draw(i) -> strokes rendered as drawn input is, drawn again until it
    shows ink.
    """
    images = np.zeros((count, preprocess.FIELD, preprocess.FIELD), dtype=np.uint8)
    for i in range(count):
        pixels = None
        while pixels is None:
            pixels = preprocess.strokes_to_input(draw(i))
        images[i] = pixels
    return images
