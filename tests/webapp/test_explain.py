"""/api/explain and /api/units: activations, saliency and templates match a float64 reference
computed apart.
"""

import base64

import numpy as np
import pytest
from safetensors.numpy import load_file

from recognition import preprocess
from tests.support.api import SEVEN, assert_error


def decode(layer, dtype=np.uint8):
    return np.frombuffer(base64.b64decode(layer["values"]), dtype=dtype) * layer["scale"]


class Reference:
    """Hidden activations and the gradient of one class score, in float64 straight from the
    weights file.
    """

    def __init__(self, path, eps=1e-5):
        state = {k: v.astype(np.float64) for k, v in load_file(str(path)).items()}
        self.layers = []
        linear = sorted(
            {int(k.split(".")[1]) for k in state if k.endswith(".weight") and state[k].ndim == 2}
        )
        for n, i in enumerate(linear):
            w, b = (
                state[f"net.{i}.weight"],
                state.get(f"net.{i}.bias", np.zeros(len(state[f"net.{i}.weight"]))),
            )
            if n < len(linear) - 1:  # fold this layer's batch norm into it
                g = state[f"net.{i + 1}.weight"] / np.sqrt(state[f"net.{i + 1}.running_var"] + eps)
                w, b = (
                    w * g[:, None],
                    (b - state[f"net.{i + 1}.running_mean"]) * g + state[f"net.{i + 1}.bias"],
                )
            self.layers.append((w, b))
        self.mean, self.std = float(state["mean"]), float(state["std"])

    def hidden(self, pixels):
        x = (np.asarray(pixels, dtype=np.float64).reshape(-1) / 255 - self.mean) / self.std
        out = []
        for w, b in self.layers[:-1]:
            x = np.maximum(w @ x + b, 0)
            out.append(x)
        return out

    def score(self, pixels, target):
        return (self.layers[-1][0] @ self.hidden(pixels)[-1] + self.layers[-1][1])[target]


@pytest.fixture()
def seven_pixels():
    return preprocess.strokes_to_input(SEVEN)


def test_explain_answers_what_predict_answers_plus_the_layers(client, small_model, seven_pixels):
    explained = client.post("/api/explain", json={"strokes": SEVEN}).get_json()
    predicted = client.post("/api/predict", json={"strokes": SEVEN}).get_json()
    assert {
        k: v
        for k, v in explained.items()
        if k not in ("layers", "saliency", "top_units", "target", "number", "digits", "explained")
    } == {k: v for k, v in predicted.items() if k not in ("input", "number", "digits")}
    assert explained["number"] == predicted["number"] and explained["explained"] == 0
    assert [{k: v for k, v in d.items() if k != "probabilities"} for d in explained["digits"]] == [
        {k: v for k, v in d.items() if k not in ("input", "probabilities")}
        for d in predicted["digits"]
    ]
    layers = explained["layers"]
    assert [layer["name"] for layer in layers] == ["input", "hidden 1", "hidden 2"]
    assert (decode(layers[0]) * 255).round().astype(int).reshape(28, 28).tolist() == predicted[
        "input"
    ]
    # 32 and 16 units, as grids
    assert [layer["shape"] for layer in layers] == [[28, 28], [4, 8], [4, 4]]
    for layer, expected in zip(layers[1:], Reference(small_model).hidden(seven_pixels)):
        assert len(decode(layer)) == layer["size"] == len(expected)
        # Bytes scaled to the layer's largest value: within half a step.
        np.testing.assert_allclose(
            decode(layer), expected, atol=layer["scale"] * 0.5 + 1e-5 * expected.max()
        )


def test_saliency_is_gradient_times_input_of_the_answered_digit(client, small_model, seven_pixels):
    body = client.post("/api/explain", json={"strokes": SEVEN}).get_json()
    assert body["target"] == body["digit"] and body["saliency"]["method"] == "gradient x input"
    saliency = decode(body["saliency"], np.int8).reshape(28, 28)
    reference, target = Reference(small_model), body["target"]
    assert (saliency[seven_pixels == 0] == 0).all()  # no ink, no share
    # Finite differences on the inked pixels that matter most: the score moves by their gradient.
    base = reference.score(seven_pixels, target)
    for r, c in np.argwhere(np.abs(saliency) >= 0.5 * np.abs(saliency).max())[:8]:
        nudged = seven_pixels.astype(np.float64)
        nudged[r, c] -= 1  # one step of 255: small enough to stay in the same ReLU pattern here
        gradient = (base - reference.score(nudged, target)) * 255  # per unit of 0..1 ink
        expected = gradient * seven_pixels[r, c] / 255
        assert saliency[r, c] == pytest.approx(expected, rel=0.05, abs=body["saliency"]["scale"])


def test_top_units_are_the_largest_shares_of_the_score(client, small_model, seven_pixels):
    body = client.post("/api/explain", json={"strokes": SEVEN}).get_json()
    for number in (1, 2):
        named = [u for u in body["top_units"] if u["layer"] == number]
        shares = np.abs([u["share"] for u in named])
        assert len(named) == 5 and (np.diff(shares) <= 1e-4).all()  # largest first
        values = Reference(small_model).hidden(seven_pixels)[number - 1]
        assert all(values[u["unit"]] > 0 for u in named if u["share"])  # a silent unit has no share


def test_a_unit_template_is_its_first_layer_weights(client, small_model):
    body = client.get("/api/units/3").get_json()
    reference = Reference(small_model)
    template = decode({"values": body["template"], "scale": body["scale"]}, np.int8)
    # The template acts on 0..1 ink, so it carries the input normalisation (1 / std).
    np.testing.assert_allclose(
        template, reference.layers[0][0][3] / reference.std, atol=body["scale"] * 0.5 + 1e-3
    )
    assert body["shape"] == [28, 28] and body["unit"] == 3 and body["layer"] == 1


def test_no_such_unit_and_no_ink(client):
    assert_error(client.get("/api/units/32"), 404, "no_such_unit")
    body = client.post("/api/explain", json={"strokes": []}).get_json()
    assert body["verdict"] == "empty" and body["layers"] == [] and body["saliency"] is None
    assert body["digits"] == [] and body["number"] is None and body["explained"] is None


def test_one_digit_of_a_number_is_explained_on_request(client):
    two = [[[10, 10], [90, 10], [45, 120]], [[300, 10], [300, 120]]]  # a 7 and, well apart, a 1
    predicted = client.post("/api/predict", json={"strokes": two}).get_json()
    assert len(predicted["digits"]) == 2
    for k in (0, 1, None):
        body = client.post("/api/explain", json={"strokes": two, "digit": k}).get_json()
        layer = np.frombuffer(base64.b64decode(body["layers"][0]["values"]), dtype=np.uint8)
        assert layer.reshape(28, 28).tolist() == predicted["digits"][1 if k is None else k]["input"]
        assert (
            body["explained"] == (1 if k is None else k) and body["number"] == predicted["number"]
        )
        assert body["digit"] == predicted["digits"][body["explained"]]["digit"]
    assert_error(
        client.post("/api/explain", json={"strokes": two, "digit": 2}), 400, "no_such_digit"
    )
    assert_error(
        client.post("/api/explain", json={"strokes": two, "digit": -1}), 400, "invalid_input"
    )


def test_explain_reads_the_drawing_once_and_explains_the_digit_it_read(app, client, monkeypatch):
    """One model call for the reading and one pass of the explainer: never a second reading."""
    classifier = app.extensions["classifier"]
    explainer = app.extensions["explainer"]
    reads, passes = [], []
    logits, activations = classifier.logits, explainer.activations
    monkeypatch.setattr(classifier, "logits", lambda x: reads.append(len(x)) or logits(x))
    monkeypatch.setattr(explainer, "activations", lambda x: passes.append(1) or activations(x))
    two = [[[10, 10], [90, 10], [45, 120]], [[300, 10], [300, 120]]]  # a 7 and, well apart, a 1
    body = client.post("/api/explain", json={"strokes": two, "digit": 0}).get_json()
    assert len(reads) == 1 and len(passes) == 1
    predicted = client.post("/api/predict", json={"strokes": two}).get_json()
    # The explained digit's fields are the reading's own, to the last digit.
    first = predicted["digits"][0]
    for key in ("verdict", "digit", "confidence", "candidates", "probabilities"):
        assert body[key] == first[key], key
