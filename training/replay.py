"""A drawing as the page asks about it while it is drawn: the moments a reading is asked for.

The page asks while the pen moves (at most every 80 ms, a few points apart at a hand's speed),
once more when the pen lifts, and the last answer is the finished drawing's. Replayed from a
record's points, in drawing order: calibration for digits half drawn (training.calibrate) and
the live benchmark (bench.live) read the same moments.
"""

from typing import NamedTuple

# Points drawn between two asks while the pen is down: a hand's speed at the page's 80 ms throttle.
EVERY = 4


class Moment(NamedTuple):
    """One ask: the strokes so far; writing (the pen is down, the last stroke unfinished); last
    (the finished drawing)."""

    strokes: list
    writing: bool
    last: bool


def moments(strokes, every=EVERY):
    """Every ask of one drawing, in order: each `every` points of a stroke while the pen is down,
    then the whole stroke once it lifts."""
    done = []
    drawn = [s for s in strokes if len(s)]
    for k, stroke in enumerate(drawn):
        for end in range(every, len(stroke), every):
            yield Moment(done + [stroke[:end]], True, False)
        done = done + [stroke]
        yield Moment(done, False, k == len(drawn) - 1)
