"""The pen's state in a request: "writing" (the pen is still down) judges the digit being drawn by
the calibration fitted on digits half drawn; everything else is read as before."""

import json

import numpy as np
import pytest

from recognition.calibration import Calibration, retempered, softmax
from recognition.classifier import DEFAULT_MODEL, Classifier
from recognition.numbers import read_number
from tests.support.api import SEVEN, assert_error, read_json
from training import replay
from webapp import create_app
from webapp.wire import number_json, placed_json

# A seven, then a one well to its right: a number of two digits, the one being drawn last.
SEVENTY_ONE = SEVEN + [[[160, 10], [162, 60], [163, 120]]]
# Never sure while writing; the finished calibration as shipped.
NEVER_SURE = {"temperature": 3.0, "unsure_below": 1.0, "fitted_on": "a test"}


def classifier_with(writing):
    """The shipped model, its calibration given a calibration while writing."""
    shipped = Classifier.load(DEFAULT_MODEL)
    calibration = {**shipped.calibration.to_dict(), "writing": writing}
    return Classifier(shipped.layers, {**shipped.info, "calibration": calibration})


def test_a_calibration_while_writing_goes_to_the_sidecar_and_back():
    made = Calibration.from_dict({"temperature": 1.5, "writing": {**NEVER_SURE, "figures": {}}})
    assert made.writing == Calibration(3.0, 1.0, "a test")
    assert Calibration.from_dict(json.loads(json.dumps(made.to_dict()))) == made
    assert made.while_writing() is made.writing and Calibration().while_writing() == Calibration()
    for bad in (
        {"writing": 3},
        {"writing": {"writing": NEVER_SURE}},
        {"writing": {"temperature": 0}},
    ):
        with pytest.raises(ValueError):
            Calibration.from_dict(bad)


def test_retempered_probabilities_are_the_softmax_at_the_new_temperature():
    logits = np.random.default_rng(0).normal(0, 6, size=(5, 11))
    moved = retempered(softmax(logits, 1.3), 1.3, 2.7)
    assert np.allclose(moved, softmax(logits, 2.7), atol=1e-12)
    same = softmax(logits, 1.3)
    assert retempered(same, 1.3, 1.3) is same


def test_only_the_digit_being_drawn_is_judged_as_half_drawn():
    classifier = classifier_with(NEVER_SURE)
    finished = read_number(classifier, SEVENTY_ONE)
    writing = read_number(classifier, SEVENTY_ONE, writing=True)
    assert finished.number == "71" and [d.verdict for d in finished.digits] == ["digit"] * 2
    seven, one = writing.digits
    assert placed_json(seven) == placed_json(finished.digits[0])
    assert one.verdict == "unsure" and one.digit == 1 and writing.verdict == "unsure"
    # Its probabilities are the ones it was judged by: the model's at the writing temperature.
    logits = classifier.logits(one.pixels)
    assert np.allclose(one.probabilities, softmax(logits, 3.0)[:10], atol=1e-9)


def test_a_model_without_a_calibration_while_writing_reads_as_before():
    classifier = classifier_with(None)
    for strokes in (SEVEN, SEVENTY_ONE):
        writing = read_number(classifier, strokes, writing=True)
        assert number_json(writing) == read_json(classifier, strokes)


@pytest.fixture()
def shipped_client(tmp_path):
    return create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    ).test_client()


@pytest.mark.parametrize("path", ["/api/predict", "/api/explain"])
def test_the_api_takes_the_pens_state_and_refuses_what_is_not_true_or_false(shipped_client, path):
    plain = shipped_client.post(path, json={"strokes": SEVEN})
    assert shipped_client.post(path, json={"strokes": SEVEN, "writing": False}).data == plain.data
    answer = shipped_client.post(path, json={"strokes": SEVEN, "writing": True})
    assert answer.status_code == 200 and answer.get_json()["digit"] == 7
    for bad in ("yes", 1, [True], {"down": True}):
        refused = shipped_client.post(path, json={"strokes": SEVEN, "writing": bad})
        assert_error(refused, 400, "invalid_input")
        assert "writing" in refused.get_json()["error"]["message"]


def test_the_contract_states_the_pens_state(shipped_client):
    document = shipped_client.get("/api/openapi.json").get_json()
    for path in ("/api/predict", "/api/explain"):
        content = document["paths"][path]["post"]["requestBody"]["content"]
        for form in content["application/json"]["schema"]["oneOf"]:
            assert form["properties"]["writing"]["type"] == ["boolean", "null"]


def test_the_page_s_moments_are_every_few_points_while_down_and_each_lift():
    strokes = [[[i, 0] for i in range(10)], [[0, i] for i in range(5)]]
    asked = list(replay.moments(strokes, every=4))
    shapes = [([len(s) for s in m.strokes], m.writing, m.last) for m in asked]
    assert shapes == [
        ([4], True, False),
        ([8], True, False),
        ([10], False, False),
        ([10, 4], True, False),
        ([10, 5], False, True),
    ]
