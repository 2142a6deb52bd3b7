"""Calibration: temperature scaling recovers a known temperature, ECE and the "not sure"
threshold are right.
"""

import json

import numpy as np
import pytest

from recognition import checkpoint
from recognition.calibration import Calibration, softmax
from recognition.classifier import Classifier
from recognition.numbers import read_digit
from tests.support.data import SHIPPED_MODEL
from training import calibrate
from training.fitting import confident_threshold, expected_calibration_error, fit_temperature


def sampled(true_logits, seed=0):
    """Labels drawn from softmax(true_logits): a classifier whose true_logits are perfectly
    calibrated.
    """
    rng = np.random.default_rng(seed)
    probs = softmax(true_logits)
    return (probs.cumsum(axis=1) > rng.random((len(probs), 1))).argmax(axis=1)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.5])
def test_a_known_temperature_is_recovered(temperature):
    true = np.random.default_rng(1).normal(0, 3, (20000, 10))
    labels = sampled(true)
    # Logits that are the calibrated ones multiplied by 1/T: dividing by T undoes it.
    assert fit_temperature(true / temperature, labels) == pytest.approx(1 / temperature, rel=0.05)


def test_ece_is_near_zero_when_calibrated_and_large_when_overconfident():
    true = np.random.default_rng(2).normal(0, 3, (20000, 10))
    labels = sampled(true, seed=3)
    assert expected_calibration_error(softmax(true), labels) < 0.015
    assert expected_calibration_error(softmax(true * 4), labels) > 0.1


def test_ece_of_a_small_known_case():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1, 0, 0])
    # Bin of 0.9: accuracy 0.5, gap 0.4; bin of 0.6: accuracy 1.0, gap 0.4; each half the digits.
    assert expected_calibration_error(probs, labels) == pytest.approx(0.4)


def test_the_threshold_keeps_confident_answers_within_the_error_counted():
    confidence = np.array([0.99, 0.98, 0.97, 0.9, 0.8, 0.7])
    right = np.array([True, True, True, False, True, False])
    assert confident_threshold(confidence, right, 0.01, level=None) == 0.97
    assert confident_threshold(confidence, right, 0.25, level=None) == 0.8  # 1 wrong in 5
    assert confident_threshold(confidence, right, 0.34, level=None) == 0.7  # 2 wrong in 6
    # Equal confidences are in or out together: 0.9 would let in the wrong one beside the right one.
    assert (
        confident_threshold(
            np.array([0.95, 0.9, 0.9]), np.array([True, True, False]), 0.1, level=None
        )
        == 0.95
    )
    # nothing may be sure
    assert confident_threshold(np.array([0.9]), np.array([False]), 0.01, level=None) == 1.0


def test_the_threshold_needs_evidence_that_confident_answers_are_right():
    # With none wrong, the 95% Clopper-Pearson bound is 1 - 0.05 ** (1 / n): within 1% from 299
    # answers.
    assert confident_threshold(np.linspace(1, 0.5, 299), np.ones(299, bool)) == 0.5
    assert confident_threshold(np.linspace(1, 0.5, 298), np.ones(298, bool)) == 1.0
    # Five wrong in 1000 (0.5%) have a bound of 1.05%: the cut falls before the last wrong answer.
    confidence, right = np.linspace(1, 0.5, 1000), np.arange(1000) % 200 != 199
    assert confident_threshold(confidence, right, 0.01, level=None) == 0.5
    assert confident_threshold(confidence, right, 0.01) > 0.5


def test_answers_called_sure_are_wrong_less_often_than_allowed_on_fresh_data():
    # A calibrated model's answers: right with probability equal to the confidence shown.
    rng = np.random.default_rng(4)
    fitted, fresh = [(c, rng.random(len(c)) < c) for c in rng.uniform(0.9, 1.0, (2, 20000))]
    threshold = confident_threshold(*fitted, 0.01)
    assert threshold > confident_threshold(*fitted, 0.01, level=None)
    assert (~fresh[1][fresh[0] >= threshold]).mean() <= 0.01


def test_a_model_without_calibration_gets_the_defaults(small_model):
    assert "calibration" not in json.loads(small_model.with_suffix(".json").read_text())
    assert Classifier.load(small_model).calibration == Calibration()


def test_the_sidecar_round_trips_the_calibration(small_model, tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(small_model.read_bytes())
    path.with_suffix(".json").write_text(small_model.with_suffix(".json").read_text())
    plain = Classifier.load(path)
    made = Calibration(temperature=0.5, unsure_below=0.8, fitted_on="a test")
    checkpoint.update_sidecar(path, calibration={**made.to_dict(), "figures": {"ece_after": 0.01}})
    calibrated = Classifier.load(path)
    assert calibrated.calibration == made
    pixels = np.random.default_rng(0).integers(0, 256, (4, 28, 28)).astype(np.uint8)
    np.testing.assert_allclose(calibrated.probabilities(pixels), softmax(plain.logits(pixels), 0.5))
    for pixel in pixels:
        answer = read_digit(calibrated, pixel)
        assert answer.verdict == ("digit" if answer.confidence >= 0.8 else "unsure")


@pytest.mark.parametrize(
    "section", [{"temperature": 0}, {"temperature": 1.0, "unsure_below": 2}, {"heat": 1}, []]
)
def test_a_broken_calibration_is_one_clear_error(small_model, tmp_path, section):
    path = tmp_path / "m.safetensors"
    path.write_bytes(small_model.read_bytes())
    path.with_suffix(".json").write_text(small_model.with_suffix(".json").read_text())
    checkpoint.update_sidecar(path, calibration=section)
    with pytest.raises(checkpoint.CheckpointError, match="calibration"):
        Classifier.load(path)


def test_the_shipped_model_is_calibrated_as_the_issue_asks():
    calibration = json.loads(SHIPPED_MODEL.with_suffix(".json").read_text())["calibration"]
    figures = calibration["figures"]
    assert calibration["temperature"] < 1  # label smoothing had made it underconfident
    assert figures["confident_error"] <= 0.01 and figures["ece_after"] < figures["ece_before"]
    assert "validation" in calibration["fitted_on"]
    # Fitted with as many held-out negatives per held-out digit as training.calibrate says.
    assert figures["negatives"] == round(figures["count"] * calibrate.NEGATIVES_PER_DIGIT)


def test_apart_from_is_where_drawings_that_are_no_digit_split_into_digits_end():
    rng = np.random.default_rng(0)
    split = rng.uniform(0.5, 0.7, 500)
    # Those the grouping never weighed (apart 1: separate pieces) say nothing of where it ends.
    found = calibrate.fit_apart_from(np.concatenate([split, np.ones(300)]))
    assert (
        found == pytest.approx(np.quantile(split, calibrate.APART_QUANTILE)) and 0.69 < found < 0.7
    )
    assert calibrate.fit_apart_from(split[: calibrate.MIN_SPLIT_NEGATIVES - 1]) == 1.0
