"""Digits drawn as pen strokes: Hershey single-line digits in a hand's jitter, rendered as drawn input is.

MNIST's digits were scanned from paper; what the app reads are pen lines of one width with round ends,
and the "not a digit" negatives are drawn that way too. A share of each epoch is digits drawn the same
way, so that the look of a pen line says nothing about whether it is a digit. The fonts and jitter are
the negatives' (training.negatives); nothing here comes from ../shared/strokes.
"""
import numpy as np

from recognition import preprocess
from training.negatives import FONTS, Glyphs, jitter


def generate(count, seed):
    """count digits, classes in turn: (uint8 (count, 28, 28), labels (count,) int64)."""
    rng, glyphs = np.random.default_rng(seed), Glyphs()
    images = np.zeros((count, preprocess.FIELD, preprocess.FIELD), dtype=np.uint8)
    labels = np.arange(count) % 10
    for i, digit in enumerate(labels):
        pixels = None
        while pixels is None:
            font = FONTS[rng.integers(len(FONTS))]
            pixels = preprocess.strokes_to_input(jitter(glyphs.strokes(str(digit), font), rng, hand=True))
        images[i] = pixels
    return images, labels.astype(np.int64)


def settings(count):
    """What the sidecar records about the pen-drawn digits."""
    return {"count": count, "fonts": list(dict.fromkeys(FONTS)), "jitter": "hand (as the negatives' letters)"}
