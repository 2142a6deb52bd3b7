"""Digits drawn as pen strokes: Hershey single-line digits in a hand's jitter, rendered as drawn
input is.

MNIST's digits were scanned from paper; what the app reads are pen lines of one width with round
ends, and the "not a digit" negatives are drawn that way too. A share of each epoch is digits
drawn the same way, so that the look of a pen line says nothing about whether it is a digit. The
fonts and jitter are training.hand's, as the negatives'; nothing here comes from
../shared/strokes.
"""

import numpy as np

from training.hand import FONTS, Glyphs, handwritten, render_each


def generate(count, seed):
    """count digits, classes in turn: (uint8 (count, 28, 28), labels (count,) int64)."""
    rng, glyphs = np.random.default_rng(seed), Glyphs()
    labels = np.arange(count, dtype=np.int64) % 10

    def draw(i):
        return handwritten(str(labels[i]), rng, glyphs)

    return render_each(count, draw), labels


def describe(count):
    """What the sidecar records about the pen-drawn digits."""
    return {
        "count": count,
        "fonts": list(dict.fromkeys(FONTS)),
        "jitter": "hand (as the negatives' letters)",
    }
