"""A writer's own examples through the API: the round trip (a correction's feature sent back makes
the drawing read as its label), their bound, byte-identical answers without them, and bad
personal data answered 400 in the one error shape."""

import base64
import json

import numpy as np
import pytest

from recognition import personal
from recognition.numbers import read_number
from tests.support.api import read_json
from tests.support.data import SHIPPED_MODEL
from tests.support.page import pick
from webapp import create_app

SEVEN = [[[40, 40], [240, 40], [110, 290]]]


@pytest.fixture(scope="module")
def shipped_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("personal")
    return create_app(
        {
            "TESTING": True,
            "MODEL_PATH": str(SHIPPED_MODEL),
            "DATABASE_URL": f"sqlite:///{folder / 'corrections.db'}",
        }
    )


@pytest.fixture()
def client(shipped_app):
    """The shipped model's app: its 11 classes and the features of a trained network."""
    return shipped_app.test_client()


@pytest.fixture()
def classifier(shipped_app):
    return shipped_app.extensions["classifier"]


@pytest.fixture()
def sha(client):
    return client.get("/api/model").get_json()["weights"]["sha256"]


def ask(client, body, url="/api/predict"):
    response = client.post(url, json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def with_examples(sha, examples):
    return {"personal": {"model": sha, "examples": examples}}


def test_a_correction_sent_back_reads_the_drawing_as_its_label(client, sha):
    first = ask(client, {"strokes": SEVEN, **with_examples(sha, [])})
    assert first["digit"] == 7 and first["personal"] is None
    example = {"label": 1, "feature": first["digits"][0]["feature"]}
    leaned = ask(client, {"strokes": SEVEN, **with_examples(sha, [example])})
    assert leaned["digit"] == 1
    assert leaned["personal"]["decided"] is True
    assert leaned["personal"]["without"]["digit"] == 7
    assert leaned["personal"]["examples"] == [{"index": 0, "label": 1, "similarity": 1.0}]
    # The probabilities shown are the ones answered.
    assert np.argmax(leaned["probabilities"]) == 1
    assert leaned["confidence"] == max(leaned["probabilities"])
    # Explain answers alike, and names the example that weighed in.
    explained = ask(client, {"strokes": SEVEN, **with_examples(sha, [example])}, "/api/explain")
    assert explained["digit"] == 1 and explained["target"] == 1
    assert explained["personal"]["examples"][0]["index"] == 0


def test_not_a_digit_is_a_correction_too(client, sha):
    feature = ask(client, {"strokes": SEVEN, **with_examples(sha, [])})["feature"]
    example = {"label": "not_a_digit", "feature": feature}
    leaned = ask(client, {"strokes": SEVEN, **with_examples(sha, [example])})
    assert leaned["verdict"] == "not_a_digit" and leaned["personal"]["decided"] is True
    assert leaned["personal"]["examples"][0]["label"] == "not_a_digit"


def test_far_examples_leave_the_answer_untouched(client, sha, stroke_records):
    zero = pick(stroke_records, 0)["strokes"]
    feature = ask(client, {"strokes": SEVEN, **with_examples(sha, [])})["feature"]
    plain = ask(client, {"strokes": zero})
    leaned = ask(
        client, {"strokes": zero, **with_examples(sha, [{"label": 1, "feature": feature}])}
    )
    assert leaned["personal"] is None
    for key in plain:
        assert leaned[key] == plain[key] or key == "digits"


def test_without_personal_the_answer_is_as_before_byte_for_byte(client, sha, classifier):
    body = {"strokes": SEVEN}
    raw = client.post("/api/predict", json=body).get_data()
    reference = read_json(classifier, SEVEN)
    assert json.loads(raw) == json.loads(json.dumps(reference))
    assert b"feature" not in raw and b"personal" not in raw
    # Asked with no examples: the same answer, plus each digit's feature.
    asked = ask(client, {**body, **with_examples(sha, [])})
    plain = json.loads(raw)
    assert {k: v for k, v in asked.items() if k not in ("feature", "personal", "digits")} == {
        k: v for k, v in plain.items() if k != "digits"
    }


def test_a_number_leans_digit_by_digit(client, sha):
    number = [[[40, 40], [240, 40], [110, 290]], [[400, 40], [600, 40], [470, 290]]]
    first = ask(client, {"strokes": number, **with_examples(sha, [])})
    assert first["number"] == "77"
    example = {"label": 1, "feature": first["digits"][1]["feature"]}
    leaned = ask(client, {"strokes": number, **with_examples(sha, [example])})
    assert leaned["number"][1] == "1"
    assert leaned["digits"][1]["personal"]["decided"] is True


def test_the_bound_is_a_hundred(client, sha):
    feature = ask(client, {"strokes": SEVEN, **with_examples(sha, [])})["feature"]
    hundred = [{"label": 1, "feature": feature}] * personal.LIMIT
    assert ask(client, {"strokes": SEVEN, **with_examples(sha, hundred)})["digit"] == 1
    response = client.post(
        "/api/predict", json={"strokes": SEVEN, **with_examples(sha, hundred + hundred[:1])}
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_personal"


def zero_bytes(count):
    return base64.b64encode(bytes(count)).decode()


def good_feature(client, sha):
    return ask(client, {"strokes": SEVEN, **with_examples(sha, [])})["feature"]


BAD = {
    "not an object": lambda sha, f: [],
    "no examples": lambda sha, f: {"model": sha},
    "examples not a list": lambda sha, f: {"model": sha, "examples": {"label": 1}},
    "an example not an object": lambda sha, f: {"model": sha, "examples": [f]},
    "too short": lambda sha, f: {
        "model": sha,
        "examples": [{"label": 1, "feature": base64.b64encode(b"\x01" * 63).decode()}],
    },
    "too long": lambda sha, f: {
        "model": sha,
        "examples": [{"label": 1, "feature": base64.b64encode(b"\x01" * 65).decode()}],
    },
    "all zero": lambda sha, f: {
        "model": sha,
        "examples": [{"label": 1, "feature": zero_bytes(personal.SIZE)}],
    },
    "not base64": lambda sha, f: {"model": sha, "examples": [{"label": 1, "feature": "%%%"}]},
    "numbers with NaN": lambda sha, f: {
        "model": sha,
        "examples": [{"label": 1, "feature": [float("nan")] * personal.SIZE}],
    },
    "label 10": lambda sha, f: {"model": sha, "examples": [{"label": 10, "feature": f}]},
    "label true": lambda sha, f: {"model": sha, "examples": [{"label": True, "feature": f}]},
    "label a word": lambda sha, f: {"model": sha, "examples": [{"label": "one", "feature": f}]},
    "no label": lambda sha, f: {"model": sha, "examples": [{"feature": f}]},
}


@pytest.mark.parametrize("case", BAD)
def test_bad_personal_data_is_a_400_in_the_one_error_shape(client, sha, case):
    feature = good_feature(client, sha)
    body = json.dumps({"strokes": SEVEN, "personal": BAD[case](sha, feature)})
    response = client.post("/api/predict", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_personal" and set(error) == {"code", "message"}


@pytest.mark.parametrize("model", ["0" * 64, "not a sha", None])
def test_another_models_examples_are_refused(client, sha, model):
    feature = good_feature(client, sha)
    body = {"strokes": SEVEN, "personal": {"model": model, "examples": []}}
    body["personal"]["examples"] = [{"label": 1, "feature": feature}]
    response = client.post("/api/predict", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "personal_other_model"


def test_a_ten_class_model_takes_no_not_a_digit_example(app):
    """A model with no "not a digit" class has nothing to lean to."""
    small = app.test_client()
    sha = small.get("/api/model").get_json()["weights"]["sha256"]
    feature = ask(small, {"strokes": SEVEN, **with_examples(sha, [])})["feature"]
    for label, status in (("not_a_digit", 400), (3, 200)):
        examples = [{"label": label, "feature": feature}]
        response = small.post(
            "/api/predict", json={"strokes": SEVEN, **with_examples(sha, examples)}
        )
        assert response.status_code == status


def test_features_are_the_same_wherever_they_are_made(classifier):
    """The projection is fixed: an example kept in a browser means the same to every server."""
    again = personal.projection(classifier.projection.shape[0])
    assert np.array_equal(again, classifier.projection)
    pixels = read_number(classifier, SEVEN).digits[0].pixels
    values = classifier.features(pixels)
    assert values.dtype == np.int8 and values.shape == (personal.SIZE,)
    assert np.array_equal(personal.decode(personal.encode(values)), values)
    assert 126 <= np.linalg.norm(values.astype(float)) <= 128  # a unit vector times 127
