"""A drawing as the core reads it, checked once: pen strokes as float arrays, or an image.

The API's validation builds one from a request (webapp.validation); benchmarks and tests may pass
plain lists of strokes or a PIL image, which `as_drawing` checks the same way. Nothing downstream
checks a drawing again or asks what kind it is but `recognition.numbers.read_number`, once.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from . import preprocess


@dataclass(frozen=True)
class Strokes:
    """A drawing's non-empty strokes: (n, 2) float64 arrays, finite and within
    preprocess.COORD_LIMIT; ids: each one's index among the strokes sent; scale: the factor the
    sent coordinates were multiplied by to bring them within that limit (1.0 almost always)."""

    parts: tuple
    ids: tuple
    scale: float = 1.0

    kind = "strokes"

    @classmethod
    def from_lists(cls, strokes, checked=False):
        """Strokes as lists of [x, y] points (any units, y down) -> Strokes. checked: the caller
        has checked every coordinate is a finite number (the API's validation, which names the
        one that is not); else ValueError if one is not."""
        ids = tuple(i for i, stroke in enumerate(strokes) if len(stroke))
        parts = [np.asarray(strokes[i], dtype=np.float64).reshape(-1, 2) for i in ids]
        if not parts:
            return cls((), ())
        everything = np.concatenate(parts)
        if not checked and not np.isfinite(everything).all():
            raise ValueError("stroke coordinates must be finite numbers")
        # Grouping measures gaps and heights: coordinates near float's limit would overflow them.
        scale = preprocess.coordinate_scale(everything)
        if scale != 1.0:
            parts = [part * scale for part in parts]
        return cls(tuple(parts), ids, scale)


@dataclass(frozen=True)
class Picture:
    """An image, decoded and within the app's limits."""

    image: Image.Image

    kind = "image"


def as_drawing(value):
    """Strokes or Picture as they are; plain lists of strokes or a PIL image checked into one."""
    if isinstance(value, (Strokes, Picture)):
        return value
    if isinstance(value, Image.Image):
        return Picture(value)
    return Strokes.from_lists(value)
