"""The benches' own arithmetic: readable records, drawings by kind, and the seeds' summary and
choice.
"""

import json

import numpy as np
import pytest

from bench import drawings, seeds
from harness.strokes import readable, unreadable_indices
from recognition import preprocess
from recognition.answer import DigitAnswer, NumberAnswer, Verdict
from training import negatives, torch_checkpoint


def test_unreadable_records_are_left_out_and_each_entry_must_match_its_record(tmp_path):
    records = [{"label": d % 10, "strokes": [[[0, 0], [0, 1]]]} for d in range(6)]
    listed = tmp_path / "unreadable.json"
    listed.write_text(json.dumps([{"index": 1, "label": 1}, {"index": 4, "label": 4}]))
    assert unreadable_indices(records, listed) == {1, 4}
    assert [r["label"] for r in readable(records, listed)] == [0, 2, 3, 5]
    # another file's list: its label does not match
    listed.write_text(json.dumps([{"index": 2, "label": 7}]))
    with pytest.raises(ValueError, match="does not match record 2"):
        readable(records, listed)


def test_drawings_of_every_kind_are_seeded_and_some_kinds_were_never_trained_on():
    sets = drawings.build(3, seed=11)
    assert set(sets) == set(drawings.kinds())
    assert {k for k, (held_out, _) in drawings.kinds().items() if held_out} == set(
        negatives.HELD_OUT_SHAPES
    ) | {"held_out_word"}
    assert not set(negatives.HELD_OUT_SHAPES) & set(negatives.SHAPES)
    assert not set(negatives.HELD_OUT_WORDS) & set(negatives.WORDS)
    again, other = drawings.build(3, seed=11), drawings.build(3, seed=12)
    assert again == sets and other != sets
    for kind, made in sets.items():
        assert all(preprocess.strokes_to_input(strokes) is not None for strokes in made), kind


def test_drawings_count_sure_digits_and_rejections_per_kind(monkeypatch):
    said = iter([Verdict.DIGIT, Verdict.NOT_A_DIGIT, Verdict.UNSURE, Verdict.NOT_A_DIGIT])

    def read_number(classifier, strokes):
        return NumberAnswer(DigitAnswer(next(said)))

    monkeypatch.setattr(drawings, "read_number", read_number)
    rates = drawings.sure_digit_rates(None, {"triangle": [[]] * 4})
    assert rates == {"triangle": {"sure_digit": 0.25, "not_a_digit": 0.5, "held_out": False}}


def test_a_target_is_met_when_the_mean_meets_it_and_every_seed_lies_near_the_mean():
    per_seed = {
        2: {"mnist_test_accuracy": 0.9952, "letters_digit_rate": 0.030, "selection_score": 0.9901},
        3: {"mnist_test_accuracy": 0.9956, "letters_digit_rate": 0.045, "selection_score": 0.9907},
        4: {"mnist_test_accuracy": 0.9950, "letters_digit_rate": 0.015, "selection_score": 0.9899},
    }
    summary = seeds.summarise(per_seed)
    mnist = summary["mnist_test_accuracy"]
    assert mnist["mean"] == pytest.approx(np.mean([0.9952, 0.9956, 0.9950]))
    assert (mnist["min"], mnist["max"], mnist["met"]) == (0.9950, 0.9956, True)
    # The mean of 3.0% meets "at most 4%", but seed 3 lies 1.5 points off it: not met.
    assert (
        summary["letters_digit_rate"]["mean"] == pytest.approx(0.03)
        and summary["letters_digit_rate"]["met"] is False
    )
    assert seeds.chosen(per_seed) == 3  # by the validation score, never by the shared strokes
    assert "| MNIST test | 99.52% | 99.56% | 99.50% |" in seeds.table(
        {
            "per_seed": {s: {**v, "best_epoch": 90} for s, v in per_seed.items()},
            "summary": summary,
            "chosen": 3,
        }
    )


def test_the_profile_records_each_render_and_model_call_where_it_runs_and_puts_both_back(
    small_model,
):
    from bench.profile import Recorded
    from recognition import preprocess
    from recognition.classifier import Classifier
    from tests.support.shapes import ONE, SEVEN, at

    classifier = Classifier.load(small_model)
    render = preprocess.strokes_to_input
    recorded = Recorded(classifier)
    answers = recorded.read([SEVEN, SEVEN + at(ONE, 100)])
    # One piece: one render and one model call; two far apart: each piece (the pair is too far
    # apart to be one digit), read in one model call, and the whole drawing for the number.
    assert len(answers[1].digits) == 2
    assert len(recorded.rendered) == 1 + 2 + 1 and len(recorded.classified) == 2
    assert recorded.seconds["rendering"] > 0 and recorded.seconds["model"] > 0
    assert preprocess.strokes_to_input is render and "probabilities" not in vars(classifier)


def test_the_inference_check_finds_the_served_path_equal_to_the_module(small_model, mnist_test):
    from bench.inference import compare
    from recognition.classifier import Classifier

    model, info = torch_checkpoint.load(small_model)
    model.eval()
    found = compare(Classifier.from_model(model, info), model, mnist_test[0][:50])
    assert found["count"] == 50
    assert found["one_changed"] == found["batch_changed"] == 0
    assert found["one_max_diff"] < 1e-5 and found["batch_max_diff"] < 1e-5
