"""Drawings that are no digit, by kind: how often the app answers each kind with a sure digit or
number.

Each kind is drawn by training's own generators (training.negatives) from seeds
training never uses, so a kind the negatives hold measures how well they taught
it, on drawings never trained on. Zigzags and hatching
(training.negatives.HELD_OUT_SCRIBBLES), three shapes (a sun, a flower, a stick
figure: HELD_OUT_SHAPES) and some words and names (HELD_OUT_WORDS) are never
trained on at all: they show what the negatives teach beyond themselves. Each
drawing goes through the whole answer path, numbers included, as the server answers it.
"""

import numpy as np

from recognition.numbers import read_number
from training import hand, negatives

SEED = 7000  # training's negatives use the run's seed, its held-out ones 1000 + seed


def kinds():
    """{kind: (held out of training?, draw(rng, glyphs) -> strokes)}, in the order the report
    lists them.
    """
    made = {"letter": (False, lambda rng, glyphs: negatives.make("letter", rng, glyphs))}
    for text in negatives.PRINT_LETTERS:  # the letters visitors draw that read as a digit before
        made[f"letter {text}"] = (False, _print_letter(text))
    # Scribbles together, held out or not: each kind's drawings are seeded by its place here.
    for kind in ("word", "scribble") + negatives.HELD_OUT_SCRIBBLES + ("crossed_out",):
        made[kind] = (kind in negatives.HELD_OUT_SCRIBBLES, _kind(kind))
    for kind in negatives.SHAPES:
        made[kind] = (False, _kind(kind))
    made["held_out_word"] = (True, _kind("held_out_word"))
    for kind in negatives.HELD_OUT_SHAPES:
        made[kind] = (True, _kind(kind))
    return made


def _kind(kind):
    return lambda rng, glyphs: negatives.make(kind, rng, glyphs)


def _print_letter(text):
    def draw(rng, glyphs):
        font = negatives.PRINT_FONTS[rng.integers(len(negatives.PRINT_FONTS))]
        return hand.handwritten(text, rng, glyphs, font)

    return draw


def build(per_kind, seed=SEED):
    """{kind: [strokes, ...]}: per_kind drawings of each kind, the same ones for the same seed."""
    glyphs = hand.Glyphs()
    sets = {}
    for index, (kind, (_, draw)) in enumerate(kinds().items()):
        rng = np.random.default_rng([seed, index])
        sets[kind] = [draw(rng, glyphs) for _ in range(per_kind)]
    return sets


def sure_digit_rates(classifier, sets):
    """{kind: {"sure_digit": share answered with a sure digit or number, "not_a_digit": share
    rejected, "held_out": whether training never saw the kind}}.
    """
    held_out = {kind: flag for kind, (flag, _) in kinds().items()}
    rates = {}
    for kind, drawings in sets.items():
        verdicts = [read_number(classifier, strokes).verdict for strokes in drawings]
        rates[kind] = {
            "sure_digit": verdicts.count("digit") / len(verdicts),
            "not_a_digit": verdicts.count("not_a_digit") / len(verdicts),
            "held_out": held_out.get(kind, False),
        }
    return rates
