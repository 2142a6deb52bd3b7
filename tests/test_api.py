"""The JSON API: answers equal calling the model directly; every error has the one shape."""
import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

import torch

from webapp import preprocess
from webapp.model import Classifier, load

SEVEN = [[[10, 10], [90, 10], [45, 120]]]


def assert_error(response, status, code=None):
    """The one error shape: {"error": {"code": str, "message": str}}, JSON, never HTML."""
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def png_data_url(image):
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def seven_image():
    img = Image.new("L", (300, 300), 255)
    from PIL import ImageDraw
    ImageDraw.Draw(img).line([(40, 40), (260, 40), (120, 280)], fill=0, width=24)
    return img


def check_answer(body):
    assert set(body) == {"digit", "confidence", "probabilities", "input", "empty"}
    assert body["empty"] is False and 0 <= body["digit"] <= 9
    assert len(body["probabilities"]) == 10 and abs(sum(body["probabilities"]) - 1) < 1e-6
    assert body["confidence"] == max(body["probabilities"])
    assert body["probabilities"].index(body["confidence"]) == body["digit"]
    assert len(body["input"]) == 28 and all(len(r) == 28 for r in body["input"])
    assert all(isinstance(v, int) and 0 <= v <= 255 for r in body["input"] for v in r)


def test_strokes_answer_equals_the_model_called_directly(client, small_model):
    response = client.post("/api/predict", json={"strokes": SEVEN, "width": 400, "height": 400})
    assert response.status_code == 200
    body = response.get_json()
    check_answer(body)
    pixels = preprocess.strokes_to_input(SEVEN)
    # The reference is the network itself, not the app's inference path.
    net, _ = load(small_model)
    with torch.no_grad():
        expected = torch.softmax(net(torch.tensor(pixels, dtype=torch.float32)[None] / 255).double(), 1)[0].numpy()
    assert body["input"] == pixels.tolist()
    # The network runs with float16 weights in the app: within 2e-3 of float32.
    np.testing.assert_allclose(body["probabilities"], expected, atol=2e-3)
    assert body["digit"] == int(np.argmax(body["probabilities"]))
    assert body["probabilities"] == Classifier(small_model).probabilities(pixels).tolist()


def test_real_stroke_answers_equal_the_model(client, small_model, stroke_records):
    clf = Classifier(small_model)
    for record in stroke_records[:20]:
        body = client.post("/api/predict", json={"strokes": record["strokes"]}).get_json()
        expected = clf.probabilities(preprocess.strokes_to_input(record["strokes"]))
        np.testing.assert_allclose(body["probabilities"], expected, rtol=1e-9)


def test_image_data_url_and_upload_give_the_same_answer(client, small_model):
    img = seven_image()
    by_url = client.post("/api/predict", json={"image": png_data_url(img)}).get_json()
    buf = io.BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    by_upload = client.post("/api/predict", data={"image": (buf, "seven.png")},
                            content_type="multipart/form-data").get_json()
    check_answer(by_url)
    assert by_url == by_upload
    expected = Classifier(small_model).probabilities(preprocess.image_to_input(img))
    np.testing.assert_allclose(by_url["probabilities"], expected, rtol=1e-9)


@pytest.mark.parametrize("payload", [{"strokes": []}, {"strokes": [[], []]},
                                     {"image": None}])
def test_blank_input_is_empty_not_a_guess(client, payload):
    if "image" in payload:
        payload = {"image": png_data_url(Image.new("RGB", (64, 64), "white"))}
    body = client.post("/api/predict", json=payload).get_json()
    assert body["empty"] is True and body["digit"] is None and body["confidence"] is None
    assert body["input"] == [[0] * 28] * 28


def test_health_and_model(client, small_model):
    health = client.get("/api/health")
    assert health.status_code == 200 and health.get_json() == {"status": "ok", "model": "small"}
    info = client.get("/api/model").get_json()
    assert info == json.loads(small_model.with_suffix(".json").read_text())


@pytest.mark.parametrize("body,code", [
    (b"{not json", "invalid_json"),
    (b"[1, 2]", "invalid_input"),
    (b'{"strokes": 5}', "invalid_strokes"),
    (b'{"strokes": [5]}', "invalid_strokes"),
    (b'{"strokes": [[[1, 2, 3]]]}', "invalid_strokes"),
    (b'{"strokes": [[["a", 2]]]}', "invalid_strokes"),
    (b'{"strokes": [[[true, 2]]]}', "invalid_strokes"),
    (b'{"strokes": [[[NaN, 2]]]}', "invalid_strokes"),
    (b'{"strokes": [[[Infinity, 2]]]}', "invalid_strokes"),
    (b'{"strokes": [[[1e999, 2]]]}', "invalid_strokes"),
    (b'{"strokes": [], "width": -3}', "invalid_input"),
    (b'{"strokes": [], "height": "tall"}', "invalid_input"),
    (b'{}', "missing_input"),
    (b'{"strokes": [], "image": "data:image/png;base64,AAAA"}', "missing_input"),
    (b'{"image": "http://example.com/x.png"}', "invalid_image"),
    (b'{"image": "data:image/png;base64,!!!!"}', "invalid_image"),
    (b'{"image": "data:image/png;base64,aGVsbG8gd29ybGQ="}', "invalid_image"),
    (b'{"image": 42}', "invalid_image"),
])
def test_bad_json_input_is_400(client, body, code):
    response = client.post("/api/predict", data=body, content_type="application/json")
    assert_error(response, 400, code)


def test_too_many_strokes_and_points(app, client):
    many = [[[i, i]] for i in range(app.config["MAX_STROKES"] + 1)]
    assert_error(client.post("/api/predict", json={"strokes": many}), 400, "too_many_strokes")
    long = [[[i, i] for i in range(app.config["MAX_POINTS"] + 1)]]
    assert_error(client.post("/api/predict", json={"strokes": long}), 400, "too_many_points")


def test_body_over_the_limit_is_413(app, client):
    big = b'{"strokes": [[' + b",".join([b"[1,2]"] * 300000) + b"]]}"
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert_error(client.post("/api/predict", data=big, content_type="application/json"), 413, "too_large")


def test_decompression_bomb_is_413_without_decoding(small_model):
    from webapp import create_app
    client = create_app({"TESTING": True, "MODEL_PATH": str(small_model), "MAX_IMAGE_PIXELS": 1000 * 1000}).test_client()
    buf = io.BytesIO()
    Image.new("1", (5000, 5000), 1).save(buf, "PNG")  # a few KB that decode to 25 megapixels
    assert len(buf.getvalue()) < 50000
    data_url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    assert_error(client.post("/api/predict", json={"image": data_url}), 413, "image_too_large")


def test_truncated_image_is_400(client):
    buf = io.BytesIO()
    seven_image().save(buf, "PNG")
    blob = buf.getvalue()[:200]
    assert_error(client.post("/api/predict", data={"image": (io.BytesIO(blob), "x.png")},
                             content_type="multipart/form-data"), 400, "invalid_image")


def test_multipart_without_image_field_is_400(client):
    assert_error(client.post("/api/predict", data={"file": (io.BytesIO(b"x"), "x.png")},
                             content_type="multipart/form-data"), 400, "missing_input")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_unsupported_content_type_is_415(client, content_type):
    assert_error(client.post("/api/predict", data=b"strokes", content_type=content_type), 415,
                 "unsupported_media_type")


def test_no_content_type_is_415(client):
    assert_error(client.post("/api/predict", data=b'{"strokes": []}'), 415, "unsupported_media_type")


def test_unknown_api_path_is_json_404(client):
    assert_error(client.get("/api/nothing"), 404, "not_found")
    assert_error(client.get("/api"), 404, "not_found")


@pytest.mark.parametrize("method,path", [("get", "/api/predict"), ("put", "/api/predict"), ("post", "/api/health"),
                                         ("delete", "/api/model")])
def test_wrong_method_is_json_405(client, method, path):
    assert_error(getattr(client, method)(path), 405, "method_not_allowed")


def test_an_unexpected_failure_is_json_500_not_html(app, client, monkeypatch):
    def boom(self, strokes):
        raise RuntimeError("bug")
    monkeypatch.setattr("webapp.predictor.Predictor.predict_strokes", boom)
    assert_error(client.post("/api/predict", json={"strokes": SEVEN}), 500, "internal_error")


def test_security_headers_on_every_response(client):
    for response in (client.get("/"), client.get("/api/health"), client.get("/api/nothing"),
                     client.get("/static/app.js")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_page_has_the_stable_ids_and_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    for element_id in ("pad", "prediction", "clear", "undo", "probs", "model-input"):
        assert f'id="{element_id}"' in html
    assert "<script>" not in html and "onclick" not in html and "style=" not in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


def test_model_path_from_config_is_used(tmp_path, small_model):
    from webapp import create_app
    from webapp.model import CheckpointError
    with pytest.raises(CheckpointError):
        create_app({"MODEL_PATH": str(tmp_path / "missing.safetensors")})
    assert create_app({"MODEL_PATH": str(small_model)}).extensions["predictor"].info["name"] == "small"
