"""Two models on the same records, and the promotion rule: a new model replaces the shipped one
only if it is no worse, beyond noise, on any set.

The sets: MNIST test; the shared pen digits that show their label; the held-out pen writers
(never trained on); the writing conventions; the shared letters (right: not answered as a sure
digit). Each record is answered by both models as the app answers it, so the two answers to a
record are a pair. Noise is judged on the pairs that disagree (McNemar's exact test): of the b
records only the old model gets right and the c only the new one gets right, if the models were
equally good each would fall either way like a fair coin; the new model is worse beyond noise on
a set when b is larger than c and so many or more would come up in fewer than 5 of 100 such
tosses (one-sided binomial p < 0.05). A real difference of a few records on 10,000 is noise by
this rule; a loss of 0.2 points on MNIST test (b - c = 20 with a few dozen discordant pairs) is
not.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from bench import conventions
from harness.strokes import (
    DEFAULT_LETTERS,
    DEFAULT_STROKES,
    PEN_HELD_OUT,
    load_strokes,
    pen_held_out,
    unreadable_indices,
    unreadable_list,
)
from recognition import preprocess
from recognition.answer import NAMES_A_DIGIT, Verdict
from recognition.classifier import Classifier
from recognition.numbers import read_digit, read_number
from training import mnist

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Sets:
    """What both models answer: MNIST test images and labels, and lists of stroke records."""

    mnist: tuple
    strokes: list
    pen: list
    conventions: list
    letters: list


def standard_sets(
    data_dir=None, strokes=DEFAULT_STROKES, pen=PEN_HELD_OUT, letters=DEFAULT_LETTERS
):
    """The sets the promotion rule names, from their usual files."""
    records = load_strokes(strokes)
    unreadable = unreadable_indices(records, unreadable_list(strokes))
    readable = [r for i, r in enumerate(records) if i not in unreadable]
    made = [r for rs in conventions.build(records).values() for r in rs]
    return Sets(
        mnist=mnist.load_split("test", data_dir),
        strokes=readable,
        pen=pen_held_out(pen),
        conventions=made,
        letters=load_strokes(letters),
    )


def digits_right(classifier, records):
    """Which pen digit records are read as their digit, each rendered whole (as bench.accuracy)."""
    answers = [read_digit(classifier, preprocess.strokes_to_input(r["strokes"])) for r in records]
    return np.array(
        [a.verdict in NAMES_A_DIGIT and a.digit == r["label"] for a, r in zip(answers, records)],
        dtype=bool,
    )


def answered_right(classifier, sets):
    """{set: bool array}: which records the model answers right, as the app answers them."""
    images, labels = sets.mnist
    right = {"MNIST test": classifier.classes_answered(images) == labels}
    right["pen digits (readable)"] = digits_right(classifier, sets.strokes)
    right["held-out writers"] = digits_right(classifier, sets.pen)
    answers = [read_number(classifier, r["strokes"]) for r in sets.conventions]
    right["conventions"] = np.array(
        [
            a.verdict in NAMES_A_DIGIT and a.digit == r["label"]
            for a, r in zip(answers, sets.conventions)
        ]
    )
    answers = [read_number(classifier, r["strokes"]) for r in sets.letters]
    right["letters (not a sure digit)"] = np.array([a.verdict != Verdict.DIGIT for a in answers])
    return right


def paired(old, new):
    """The pair figures of one set: accuracies, b (only old right), c (only new right), the
    chance of b or more if both were equally good, and whether new is worse beyond noise."""
    old, new = np.asarray(old, bool), np.asarray(new, bool)
    only_old, only_new = int((old & ~new).sum()), int((new & ~old).sum())
    p = 1.0
    if only_old > only_new:
        p = binomtest(only_old, only_old + only_new, 0.5, alternative="greater").pvalue
    return {
        "count": int(len(old)),
        "old": float(old.mean()) if len(old) else None,
        "new": float(new.mean()) if len(new) else None,
        "only_old_right": only_old,
        "only_new_right": only_new,
        "p_worse": float(p),
        "worse": bool(p < SIGNIFICANCE),
    }


def compare(old_model, new_model, sets):
    """{"sets": {name: pair figures}, "promote": no set worse beyond noise}."""
    old = answered_right(Classifier.load(old_model), sets)
    new = answered_right(Classifier.load(new_model), sets)
    figures = {name: paired(old[name], new[name]) for name in old}
    return {"sets": figures, "promote": not any(f["worse"] for f in figures.values())}


def table(result):
    lines = [
        "| set | records | old | new | only old right | only new right | p (new worse) | "
        "worse beyond noise |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, f in result["sets"].items():
        lines.append(
            f"| {name} | {f['count']} | {100 * f['old']:.2f}% | {100 * f['new']:.2f}% | "
            f"{f['only_old_right']} | {f['only_new_right']} | {f['p_worse']:.3g} | "
            f"{'yes' if f['worse'] else 'no'} |"
        )
    verdict = "promote: no set is worse beyond noise" if result["promote"] else "keep the old one"
    return "\n".join(lines) + f"\n\n{verdict}\n"
