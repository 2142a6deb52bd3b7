"""Verdicts through the API: empty, digit, unsure and not a digit, with the fields each one
promises.
"""

import numpy as np
import pytest
import torch

from recognition.answer import judge
from recognition.calibration import Calibration
from tests.support.api import SEVEN
from training import torch_checkpoint
from training.model import MLP, ModelConfig
from webapp import create_app


def eleven_class_model(tmp_path, reject_bias, reject_above=0.5):
    """A small 11-class model whose last bias pushes class 10 ("not a digit") up or down."""
    torch.manual_seed(0)
    net = MLP(ModelConfig(hidden=(16,), classes=11)).eval()
    with torch.no_grad():
        net.net[-1].bias[10] = reject_bias
    path = tmp_path / f"eleven{reject_bias}.safetensors"
    torch_checkpoint.save(
        net,
        path,
        calibration={
            "temperature": 1.0,
            "unsure_below": 0.05,
            "fitted_on": "a test",
            "reject_above": reject_above,
        },
    )
    return create_app({"TESTING": True, "MODEL_PATH": str(path)}).test_client()


def test_not_a_digit_names_no_digit_but_keeps_the_ten_digit_probabilities(tmp_path):
    body = (
        eleven_class_model(tmp_path, 30.0).post("/api/predict", json={"strokes": SEVEN}).get_json()
    )
    assert body["verdict"] == "not_a_digit" and body["empty"] is False
    assert body["digit"] is None and body["confidence"] is None and body["candidates"] is None
    assert (
        len(body["probabilities"]) == 10
        and body["not_a_digit_probability"] > 0.99
        and len(body["input"]) == 28
    )
    # Eleven shares of one whole: the digits keep what "not a digit" leaves.
    assert sum(body["probabilities"]) + body["not_a_digit_probability"] == pytest.approx(1)


def test_an_eleven_class_model_below_its_threshold_names_the_digit(tmp_path):
    body = (
        eleven_class_model(tmp_path, -30.0).post("/api/predict", json={"strokes": SEVEN}).get_json()
    )
    assert body["verdict"] == "digit" and body["not_a_digit_probability"] < 1e-6
    assert body["digit"] == body["probabilities"].index(max(body["probabilities"]))
    assert body["confidence"] == max(body["probabilities"])
    assert sum(body["probabilities"]) + body["not_a_digit_probability"] == pytest.approx(1)


def eleven(seven, not_a_digit):
    """Calibrated probabilities of 11 classes: a 7, "not a digit", the rest spread evenly."""
    rest = (1 - seven - not_a_digit) / 9
    return np.array([rest] * 7 + [seven] + [rest] * 2 + [not_a_digit])


def test_confidence_counts_the_chance_of_no_digit():
    """A drawing the model gives 40% "not a digit" (below a 50% threshold) is at most 60% sure of
    any digit."""
    answer = judge(eleven(0.55, 0.40), Calibration(unsure_below=0.5, reject_above=0.5))
    assert answer.verdict == "digit" and answer.digit == 7
    assert answer.confidence == pytest.approx(0.55) and answer.not_a_digit_probability == 0.40


def test_not_a_digit_when_the_threshold_is_reached_or_no_digit_is_likelier():
    """'Not a digit' at 40% is a 7 where the 7 is likelier and the threshold is 50%; not a digit
    at a 30% threshold, and not a digit where it is likelier than every digit, threshold or no."""
    assert judge(eleven(0.55, 0.40), Calibration(reject_above=0.5)).verdict == "unsure"
    assert judge(eleven(0.55, 0.40), Calibration(reject_above=0.3)).verdict == "not_a_digit"
    for limit in (0.5, None):
        likeliest = judge(eleven(0.30, 0.40), Calibration(reject_above=limit))
        assert likeliest.verdict == "not_a_digit" and likeliest.digit is None


def test_a_ten_class_model_never_says_not_a_digit(client):
    body = client.post(
        "/api/predict", json={"strokes": [[[0, 100], [0, 0], [50, 60], [100, 0], [100, 100]]]}
    )
    assert (
        body.get_json()["verdict"] in ("digit", "unsure")
        and body.get_json()["not_a_digit_probability"] is None
    )


def test_blank_is_empty(client):
    body = client.post("/api/predict", json={"strokes": []}).get_json()
    assert (
        body["verdict"] == "empty"
        and body["digit"] is None
        and body["not_a_digit_probability"] is None
    )


def test_the_shipped_model_answers_a_digit_and_blank(stroke_records):
    from tests.support.data import SHIPPED_MODEL

    client = create_app({"TESTING": True, "MODEL_PATH": str(SHIPPED_MODEL)}).test_client()

    def ask(strokes):
        return client.post("/api/predict", json={"strokes": strokes}).get_json()

    seven = next(r for r in stroke_records if r["label"] == 7)
    assert ask(seven["strokes"])["verdict"] == "digit" and ask(seven["strokes"])["digit"] == 7
    assert ask([])["verdict"] == "empty"
