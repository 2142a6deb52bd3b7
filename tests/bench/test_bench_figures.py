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
        negatives.HELD_OUT_SHAPES + negatives.HELD_OUT_SCRIBBLES
    ) | {"held_out_word"}
    assert not set(negatives.HELD_OUT_SCRIBBLES) & set(negatives.KINDS)
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


def test_a_target_is_met_when_the_mean_meets_it_whatever_the_spread():
    per_seed = {
        2: {"mnist_test_accuracy": 0.9952, "letters_digit_rate": 0.030, "selection_score": 0.9901},
        3: {"mnist_test_accuracy": 0.9956, "letters_digit_rate": 0.045, "selection_score": 0.9907},
        4: {"mnist_test_accuracy": 0.9950, "letters_digit_rate": 0.015, "selection_score": 0.9899},
    }
    summary = seeds.summarise(per_seed)
    mnist = summary["mnist_test_accuracy"]
    assert mnist["mean"] == pytest.approx(np.mean([0.9952, 0.9956, 0.9950]))
    assert (mnist["min"], mnist["max"], mnist["met"]) == (0.9950, 0.9956, True)
    # The mean of 3.0% meets "at most 4%": met, though seed 3 lies 1.5 points off it (the spread
    # is reported, it is no condition).
    letters = summary["letters_digit_rate"]
    assert letters["mean"] == pytest.approx(0.03) and letters["met"] is True
    assert (letters["min"], letters["max"]) == (0.015, 0.045)
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


def test_the_seeds_take_the_worse_set_of_each_pair_from_the_live_bench():
    def made(writing_sure, writing_wrong, end_sure, end_wrong=0.0, right_when_sure=None, ece=0.0):
        return {
            "writing": {"sure": writing_sure, "sure_wrong": writing_wrong},
            "end": {
                "sure": end_sure,
                "sure_wrong": end_wrong,
                "right_when_sure": right_when_sure,
                "ece": ece,
            },
        }

    sets = {
        "shared": made(0.1, 0.002, 0.98, 0.004),
        "held_out": made(0.3, 0.008, 0.97, 0.005),
        "numbers (shared)": made(0, 0, 0.80, right_when_sure=0.985, ece=0.02),
        "numbers (held out)": made(0, 0, 0.75, right_when_sure=0.99, ece=0.025),
        "no digit: letters (shared)": made(0, 0, 0.05),
    }
    for kind, (held_out, _) in drawings.kinds().items():
        sets[f"no digit: {kind}"] = made(0, 0, 0.06 if held_out else 0.01)
    sets["no digit: square"] = made(0, 0, 0.02)
    figures = seeds.live_figures({"sets": sets})
    assert figures["live_writing_sure_wrong"] == 0.008
    assert figures["live_writing_sure"] == pytest.approx(0.2)
    assert figures["live_end_sure_wrong"] == 0.005
    assert figures["live_numbers_right_when_sure"] == 0.985
    assert (figures["live_numbers_sure"], figures["live_numbers_ece"]) == (0.75, 0.025)
    # the shared letters are a figure of their own, not a kind
    assert figures["live_letters_sure"] == 0.05
    assert figures["live_kinds_sure_max"] == 0.02
    assert figures["live_held_out_kinds_sure_max"] == 0.06
