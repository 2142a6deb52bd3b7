"""A writing-conventions test set: real pen-drawn digits with a convention added in stroke space.

Each generator takes one writer's digit (strokes in tablet units, y down) and adds what people in
many countries write: a slash through the zero, a long flag (and maybe a foot) on the one, a bar
across the seven's stem, a five's top bar as a stroke of its own, a four with an open top, a nine
with a straight stem, a two with a loop at its foot. Added strokes are pen lines in the writer's
own coordinates and scale (bench.convention_added); reshaping changes one part of the writer's
own strokes and keeps the rest (bench.convention_reshaped). Seeded per digit, so the writer's
style is kept. This is deliberately not the training code's geometry: training adds conventions
to MNIST pixels; this adds them to real strokes, so the set does not grade the augmentation
against itself. Nothing here is trained on.
"""

import numpy as np

from bench.convention_added import crossed_seven, flagged_one, slashed_zero
from bench.convention_reshaped import (
    looped_two,
    open_top_four,
    separate_bar_five,
    straight_stem_nine,
)

# name -> (the digit it applies to, the generator)
CONVENTIONS = {
    "slashed_zero": (0, slashed_zero),
    "flagged_one": (1, flagged_one),
    "flagged_one_with_foot": (1, lambda strokes, rng: flagged_one(strokes, rng, foot=True)),
    "crossed_seven": (7, crossed_seven),
    "separate_bar_five": (5, separate_bar_five),
    "open_top_four": (4, open_top_four),
    "straight_stem_nine": (9, straight_stem_nine),
    "looped_two": (2, looped_two),
}


def build(records, seed=0):
    """{convention: [records with the convention added]} from real digit records; the same seed,
    the same set.

    A generator may answer None for a digit it cannot add its convention to; that digit is left
    out.
    """
    sets = {}
    for name, (digit, make) in CONVENTIONS.items():
        made = [
            (make(r["strokes"], np.random.default_rng([seed, index])), r.get("writer"))
            for index, r in enumerate(records)
            if r["label"] == digit and r["strokes"]
        ]
        sets[name] = [
            {"label": digit, "strokes": strokes, "writer": writer}
            for strokes, writer in made
            if strokes is not None
        ]
    return sets
