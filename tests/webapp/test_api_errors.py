"""Every API error has the one JSON shape, with the right status and code word; never HTML, never
a 500.
"""

import io

import pytest
from PIL import Image

from harness.images import data_url, png_bytes
from tests.support.api import SEVEN, assert_error, seven_image
from webapp import create_app


@pytest.mark.parametrize(
    "body,code",
    [
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
        (b"{}", "missing_input"),
        (b'{"strokes": [], "image": "data:image/png;base64,AAAA"}', "missing_input"),
        (b'{"image": "http://example.com/x.png"}', "invalid_image"),
        (b'{"image": "data:image/png;base64,!!!!"}', "invalid_image"),
        (b'{"image": "data:image/png;base64,aGVsbG8gd29ybGQ="}', "invalid_image"),
        (b'{"image": 42}', "invalid_image"),
    ],
)
@pytest.mark.parametrize("endpoint", ["/api/predict", "/api/explain"])
def test_bad_json_input_is_400(client, endpoint, body, code):
    response = client.post(endpoint, data=body, content_type="application/json")
    assert_error(response, 400, code)


def test_too_many_strokes_and_points(app, client):
    many = [[[i, i]] for i in range(app.config["MAX_STROKES"] + 1)]
    assert_error(client.post("/api/predict", json={"strokes": many}), 400, "too_many_strokes")
    long = [[[i, i] for i in range(app.config["MAX_POINTS"] + 1)]]
    assert_error(client.post("/api/predict", json={"strokes": long}), 400, "too_many_points")


def test_body_over_the_limit_is_413(app, client):
    big = b'{"strokes": [[' + b",".join([b"[1,2]"] * 300000) + b"]]}"
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    assert_error(
        client.post("/api/predict", data=big, content_type="application/json"), 413, "too_large"
    )


def test_decompression_bomb_is_413_without_decoding(small_model):
    app = create_app(
        {"TESTING": True, "MODEL_PATH": str(small_model), "MAX_IMAGE_PIXELS": 1000 * 1000}
    )
    client = app.test_client()
    blob = png_bytes(Image.new("1", (5000, 5000), 1))  # a few KB that decode to 25 megapixels
    assert len(blob) < 50000
    assert_error(
        client.post("/api/predict", json={"image": data_url(blob)}), 413, "image_too_large"
    )


def test_truncated_image_is_400(client):
    buf = io.BytesIO()
    seven_image().save(buf, "PNG")
    blob = buf.getvalue()[:200]
    assert_error(
        client.post(
            "/api/predict",
            data={"image": (io.BytesIO(blob), "x.png")},
            content_type="multipart/form-data",
        ),
        400,
        "invalid_image",
    )


def test_multipart_without_image_field_is_400(client):
    assert_error(
        client.post(
            "/api/predict",
            data={"file": (io.BytesIO(b"x"), "x.png")},
            content_type="multipart/form-data",
        ),
        400,
        "missing_input",
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_unsupported_content_type_is_415(client, content_type):
    assert_error(
        client.post("/api/predict", data=b"strokes", content_type=content_type),
        415,
        "unsupported_media_type",
    )


def test_no_content_type_is_415(client):
    assert_error(
        client.post("/api/predict", data=b'{"strokes": []}'), 415, "unsupported_media_type"
    )


def test_unknown_api_path_is_json_404(client):
    assert_error(client.get("/api/nothing"), 404, "not_found")
    assert_error(client.get("/api"), 404, "not_found")


def test_a_doubled_slash_is_a_404_not_a_redirect_to_the_clients_host(client):
    response = client.get("/api//health", headers={"Host": "elsewhere.example"})
    assert_error(response, 404, "not_found")
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/predict"),
        ("put", "/api/predict"),
        ("post", "/api/health"),
        ("delete", "/api/model"),
    ],
)
def test_wrong_method_is_json_405(client, method, path):
    response = getattr(client, method)(path)
    assert_error(response, 405, "method_not_allowed")
    # Allow says which methods the endpoint takes (HEAD and OPTIONS come with GET).
    assert set(response.headers["Allow"].split(", ")) & {"GET", "POST"}


def test_an_unexpected_failure_is_json_500_not_html(app, client, monkeypatch):
    def boom(classifier, drawing):
        raise RuntimeError("bug")

    monkeypatch.setattr("webapp.api.read_number", boom)
    assert_error(client.post("/api/predict", json={"strokes": SEVEN}), 500, "internal_error")
