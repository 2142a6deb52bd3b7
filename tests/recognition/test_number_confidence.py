"""A number's confidence: calibrated on composed numbers (calibration.number), ranked by what
separates right from wrong (the least sure digit), with its own "sure" threshold."""

import json

import numpy as np
import pytest

from recognition.answer import DigitAnswer, Verdict, judge_number
from recognition.calibration import Calibration, NumberCalibration, number_features
from training.calibrate import logistic_fit

# Leans on the least sure digit alone: a number is as sure as its weakest digit, a bit less.
WEAKEST = {"weights": [1.0, 0.0], "bias": -0.5, "unsure_below": 0.9, "fitted_on": "a test"}


def part(confidence, verdict=Verdict.DIGIT):
    return DigitAnswer(verdict, 1, confidence)


def test_the_number_calibration_goes_to_the_sidecar_and_back_and_refuses_what_it_cannot_use():
    made = Calibration.from_dict({"number": {**WEAKEST, "figures": {"count": 3}}})
    assert made.number == NumberCalibration((1.0, 0.0), -0.5, 0.9, "a test")
    assert Calibration.from_dict(json.loads(json.dumps(made.to_dict()))) == made
    for bad in (
        {**WEAKEST, "weights": [1.0, 2.0, 3.0]},
        {**WEAKEST, "weights": [1.0, float("nan")]},
        {**WEAKEST, "unsure_below": 1.5},
        {**WEAKEST, "slope": 3},
        {**WEAKEST, "apart_from": 0},
        {**WEAKEST, "apart_from": 1.2},
        {**WEAKEST, "apart_from": "0.7"},
        "sure",
    ):
        with pytest.raises(ValueError):
            Calibration.from_dict({"number": bad})


def test_a_calibrated_number_is_as_sure_as_its_fit_of_the_least_sure_digit_times_apart():
    calibration = Calibration.from_dict({"unsure_below": 0.5, "number": WEAKEST})
    sure = judge_number([part(0.999), part(0.998)], None, calibration)
    expected = 1 / (1 + np.exp(-(np.log(0.998 / 0.002) - 0.5)))
    assert sure.verdict == "digit" and sure.confidence == pytest.approx(expected)
    # Each digit sure enough alone (0.5), yet the number is not: its weakest digit is at 0.8.
    weak = judge_number([part(0.999), part(0.8)], None, calibration)
    assert weak.verdict == "unsure" and weak.confidence < 0.9
    # Sure digits, but the grouping doubts they are two (an H read as 11): not sure either.
    grouped = judge_number([part(0.999), part(0.998)], None, calibration, apart=0.8)
    assert grouped.confidence == pytest.approx(expected * 0.8) and grouped.verdict == "unsure"
    # Without a number calibration: the product of the digits and apart, as before.
    plain = judge_number([part(0.9), part(0.8)], None, Calibration(unsure_below=0.5), apart=0.9)
    assert plain.confidence == pytest.approx(0.9 * 0.8 * 0.9) and plain.verdict == "digit"


def test_apart_lowers_a_number_only_under_where_drawings_that_are_no_digit_end():
    calibration = Calibration.from_dict({"number": {**WEAKEST, "apart_from": 0.8}})
    digits = [part(0.999), part(0.998)]
    alone = judge_number(digits, None, calibration).confidence
    # A close grouping of real digits (0.85): the digits decide, as sure as if well apart.
    close = judge_number(digits, None, calibration, apart=0.85)
    assert close.confidence == pytest.approx(alone) and close.verdict == "digit"
    # As low as an H read as 11 (0.6): lowered by 0.6 / 0.8, and not sure.
    letter_like = judge_number(digits, None, calibration, apart=0.6)
    assert letter_like.confidence == pytest.approx(alone * 0.75) and letter_like.verdict == "unsure"
    # A sidecar from before apart_from: apart multiplies as it is.
    assert Calibration.from_dict({"number": WEAKEST}).number.apart_from == 1.0


def test_an_unsure_part_or_a_threshold_of_one_is_never_a_sure_number():
    never = Calibration.from_dict({"number": {**WEAKEST, "unsure_below": 1.0}})
    assert judge_number([part(1.0), part(1.0)], None, never).verdict == "unsure"
    calibration = Calibration.from_dict({"number": {**WEAKEST, "unsure_below": 0.0}})
    unsure_part = [part(0.999), part(0.999, Verdict.UNSURE)]
    assert judge_number(unsure_part, None, calibration).verdict == "unsure"


def test_features_are_finite_for_digits_read_at_exactly_one():
    features = number_features([1.0, 1.0, 0.25])
    assert np.isfinite(features).all()
    assert features[0] == pytest.approx(np.log(0.25 / 0.75)) and features[1] == features[0]
    assert len(features) == 2


def test_the_logistic_fit_finds_the_slope_that_made_the_data():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 2, size=(20000, 3))
    p = 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.5 * x[:, 2] + 0.3)))
    right = rng.random(len(p)) < p
    weights, bias = logistic_fit(x, right, l2=0.0)
    assert weights == pytest.approx((1.5, 0.0, -0.5), abs=0.08) and bias == pytest.approx(
        0.3, abs=0.08
    )
