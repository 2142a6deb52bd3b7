"""Digits drawn as a few pen lines, for tests of the grouping: shapes, placed and leaning as
asked.
"""

import math

import numpy as np


def at(strokes, dx, dy=0.0, scale=1.0):
    """The strokes moved by (dx, dy) after scaling."""
    return [[[x * scale + dx, y * scale + dy] for x, y in s] for s in strokes]


ONE = [[[30, 0], [28, 100]]]
SEVEN = [[[0, 0], [60, 0], [20, 100]]]
SEVEN_BAR = [[[15, 50], [50, 50]]]
ZERO = [[[30 + 28 * math.sin(t), 50 - 48 * math.cos(t)] for t in np.linspace(0, 2 * math.pi, 40)]]
SLASH = [[[5, 95], [55, 5]]]
FOUR = [[[40, 0], [0, 65], [60, 65]], [[45, 20], [45, 100]]]
# bar drawn last
FIVE = [[[5, 0], [5, 45], [35, 40], [55, 60], [50, 90], [25, 100], [0, 90]], [[5, 0], [55, 0]]]
TWO = [[[0, 20], [30, 0], [60, 20], [50, 50], [0, 100], [60, 100]]]


def lean(strokes, slant):
    """The strokes leaning right as slanted handwriting does: x moves slant per unit of height
    going up.
    """
    return [[[x + slant * (100 - y), y] for x, y in s] for s in strokes]
