"""The JSON API's answers: exactly the core's, and on the shipped model the independent
reference's.
"""

import io
import json

import numpy as np
import pytest
from PIL import Image

from harness.images import png_data_url
from recognition import preprocess
from recognition.checkpoint import CheckpointError
from recognition.classifier import Classifier
from tests.support.api import SEVEN, check_answer, read_json, seven_image
from tests.support.data import SHIPPED_MODEL
from tests.support.images import image_input
from tests.support.reference import ReferenceMLP
from webapp import create_app


def test_answer_is_exactly_the_predictors_answer(client, small_model, stroke_records):
    """The API adds nothing and loses nothing: its JSON is what the core returns, number for
    number.
    """
    classifier = Classifier.load(small_model)
    for record in [{"strokes": SEVEN}] + stroke_records[:20]:
        response = client.post(
            "/api/predict", json={"strokes": record["strokes"], "width": 400, "height": 400}
        )
        assert response.status_code == 200
        body = response.get_json()
        check_answer(body, classifier.calibration.unsure_below)
        assert body == read_json(classifier, record["strokes"])


def test_shipped_model_through_the_api_matches_the_reference(stroke_records):
    """On the shipped architecture, the served answer matches float64 numpy from the raw weights."""
    client = create_app({"TESTING": True, "MODEL_PATH": str(SHIPPED_MODEL)}).test_client()
    reference = ReferenceMLP(SHIPPED_MODEL)
    right = 0
    for record in stroke_records[:100]:
        body = client.post("/api/predict", json={"strokes": record["strokes"]}).get_json()
        expected = reference.digit_probabilities(preprocess.strokes_to_input(record["strokes"]))[0]
        np.testing.assert_allclose(body["probabilities"], expected, atol=2e-3)
        top2 = np.sort(expected)[-2:]
        if top2[1] - top2[0] > 4e-3 and body["verdict"] != "not_a_digit":
            assert body["digit"] == int(np.argmax(expected))
        right += body["digit"] == record["label"]
    assert right >= 95  # the real model on real digits, not a stand-in


def test_image_data_url_and_upload_give_the_same_answer(client, small_model):
    img = seven_image()
    by_url = client.post("/api/predict", json={"image": png_data_url(img)}).get_json()
    buf = io.BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    by_upload = client.post(
        "/api/predict", data={"image": (buf, "seven.png")}, content_type="multipart/form-data"
    ).get_json()
    check_answer(by_url)
    assert by_url == by_upload
    assert by_url["input"] == image_input(img).tolist()
    assert by_url == read_json(Classifier.load(small_model), img)


@pytest.mark.parametrize("payload", [{"strokes": []}, {"strokes": [[], []]}, {"image": None}])
def test_blank_input_is_empty_not_a_guess(client, payload):
    if "image" in payload:
        payload = {"image": png_data_url(Image.new("RGB", (64, 64), "white"))}
    body = client.post("/api/predict", json=payload).get_json()
    assert body["verdict"] == "empty" and body["empty"] is True and body["digit"] is None
    assert (
        body["confidence"] is None and body["candidates"] is None and body["probabilities"] is None
    )
    assert body["input"] == [[0] * 28] * 28


def test_health_ready_and_model(client, small_model):
    ready = client.get("/api/ready")
    assert ready.status_code == 200
    assert ready.get_json() == {
        "status": "ready",
        "model": "small",
        "self_test": "sound answers (the sidecar records no self-test)",
    }
    health = client.get("/api/health")
    assert health.status_code == 200 and health.get_json() == {"status": "ok", "model": "small"}
    info = client.get("/api/model").get_json()
    assert info == json.loads(small_model.with_suffix(".json").read_text())


def test_security_headers_on_every_response(client):
    for response in (
        client.get("/"),
        client.get("/api/health"),
        client.get("/api/nothing"),
        client.get("/static/js/main.js"),
    ):
        csp = response.headers["Content-Security-Policy"]
        assert (
            "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_page_has_the_stable_ids_and_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    for element_id in ("pad", "prediction", "clear", "undo", "probs", "model-input"):
        assert f'id="{element_id}"' in html
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
    assert '<script type="module" src="/static/js/main.js">' in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


def test_model_path_from_config_is_used(tmp_path, small_model):
    with pytest.raises(CheckpointError):
        create_app({"MODEL_PATH": str(tmp_path / "missing.safetensors")})
    assert (
        create_app({"MODEL_PATH": str(small_model)}).extensions["classifier"].info["name"]
        == "small"
    )
