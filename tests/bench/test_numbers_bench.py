"""bench.numbers: numbers built as documented (one writer, writing order, heights, baselines,
gaps) and scored.
"""

import gzip
import json

import numpy as np

from bench import numbers
from recognition.classifier import Classifier
from tests.support.api import read_json
from training import composed

DIGITS = {
    0: [[[0, 0], [40, 0], [40, 80], [0, 80], [0, 0]]],
    1: [[[10, 0], [10, 60]]],
    7: [[[0, 0], [50, 0], [20, 120]], [[5, 60], [40, 60]]],
}


def records():
    return [
        {
            "writer": w,
            "label": d,
            "strokes": [[[x * (1 + 0.1 * k), y] for x, y in s] for s in strokes],
        }
        for k, w in enumerate(("a", "b", "c"))
        for d, strokes in DIGITS.items()
    ]


def test_numbers_are_built_as_documented():
    recs = records()
    sets = composed.build(recs, per_length=20, seed=3)
    assert sets == composed.build(recs, per_length=20, seed=3) and sets != composed.build(
        recs, per_length=20, seed=4
    )
    assert set(sets) == {2, 3}  # each writer has three digits: no longer numbers
    for length, made in sets.items():
        assert len(made) == 20
        for label, strokes in made:
            # a writer's digits, none twice
            assert len(label) == length and len(set(label)) == length
            parts, k = [], 0
            for digit in label:
                n = len(DIGITS[int(digit)])
                parts.append(np.concatenate([np.asarray(s) for s in strokes[k : k + n]]))
                k += n
            assert k == len(strokes)  # every stroke belongs to one digit, in writing order
            for p in parts:
                assert 0.9 * composed.HEIGHT - 0.2 <= np.ptp(p[:, 1]) <= 1.1 * composed.HEIGHT + 0.2
                # the baseline moved by 8% at most
                assert abs(p[:, 1].min()) <= 0.08 * composed.HEIGHT + 0.1
            for left, right in zip(parts, parts[1:]):
                gap = right[:, 0].min() - left[:, 0].max()
                assert -0.05 * composed.HEIGHT - 0.2 <= gap <= 0.6 * composed.HEIGHT + 0.2


def test_the_bench_scores_what_the_predictor_reads(tmp_path, small_model):
    path = tmp_path / "digits.json.gz"
    path.write_bytes(gzip.compress(json.dumps(records()).encode()))
    result = numbers.main(
        [
            "--model",
            str(small_model),
            "--strokes",
            str(path),
            "--per-length",
            "5",
            "--no-server",
            "--json",
            "--no-record",
        ]
    )
    classifier = Classifier.load(small_model)
    sets = composed.build(records(), 5, 0)
    answers = [read_json(classifier, s) for made in sets.values() for _, s in made]
    labels = [label for made in sets.values() for label, _ in made]
    assert result["number_accuracy"] == np.mean(
        [a["number"] == label for a, label in zip(answers, labels)]
    )
    assert result["count_accuracy"] == np.mean(
        [len(a["digits"]) == len(label) for a, label in zip(answers, labels)]
    )
    assert result["four_digit_ms_p50"] is None or result["four_digit_ms_p50"] > 0


def test_slanted_numbers_are_the_same_numbers_leaning_right():
    recs = records()
    upright, slanted = (
        composed.build(recs, 10, seed=3),
        composed.build(recs, 10, seed=3, slant=0.25),
    )
    for (label, straight), (same, leaning) in zip(upright[2], slanted[2]):
        assert label == same and len(straight) == len(leaning)
        a, b = (
            np.concatenate([np.asarray(s) for s in straight]),
            np.concatenate([np.asarray(s) for s in leaning]),
        )
        np.testing.assert_array_equal(a[:, 1], b[:, 1])  # heights stay
        # x moves right by 0.25 per unit of height above the baseline: tops lean right.
        np.testing.assert_allclose(b[:, 0] - a[:, 0], 0.25 * (composed.HEIGHT - a[:, 1]), atol=0.06)


def test_numbers_written_uphill_are_the_same_numbers_turned():
    recs = records()
    level, climbing = composed.build(recs, 10, seed=3), composed.build(recs, 10, seed=3, uphill=10)
    turn = np.radians(10)
    for (label, flat), (same, up) in zip(level[2], climbing[2]):
        assert label == same
        a, b = (
            np.concatenate([np.asarray(s) for s in flat]),
            np.concatenate([np.asarray(s) for s in up]),
        )
        expected = np.stack(
            [
                a[:, 0] * np.cos(turn) + a[:, 1] * np.sin(turn),
                a[:, 1] * np.cos(turn) - a[:, 0] * np.sin(turn),
            ],
            axis=1,
        )
        # turned about the origin: further right, higher up
        np.testing.assert_allclose(b, expected, atol=0.06)
