"""Requests and answers the API tests share: a drawn seven, a seven as an image, the answer's
shape, and the reference answer: the core called directly, written as the API writes it.
"""

from PIL import Image, ImageDraw

from recognition.numbers import read_number
from webapp.wire import number_json

SEVEN = [[[10, 10], [90, 10], [45, 120]]]


def seven_image():
    img = Image.new("L", (300, 300), 255)
    ImageDraw.Draw(img).line([(40, 40), (260, 40), (120, 280)], fill=0, width=24)
    return img


def check_answer(body, unsure_below=None):
    """The answer's shape for a drawing with ink; with unsure_below, also that the verdict
    follows it.
    """
    assert set(body) == {
        "verdict",
        "digit",
        "confidence",
        "candidates",
        "probabilities",
        "not_a_digit_probability",
        "input",
        "empty",
        "number",
        "digits",
    }
    # One digit: "digits" holds it once more, with where it is; "number" is it as a string.
    assert len(body["digits"]) == 1 and body["number"] == str(body["digit"])
    only = body["digits"][0]
    assert {k: only[k] for k in ("digit", "confidence", "probabilities", "verdict", "input")} == {
        k: body[k] for k in ("digit", "confidence", "probabilities", "verdict", "input")
    }
    assert (
        len(only["box"]) == 4
        and only["box"][0] <= only["box"][2]
        and only["box"][1] <= only["box"][3]
    )
    assert (
        body["empty"] is False
        and 0 <= body["digit"] <= 9
        and body["verdict"] in ("digit", "unsure")
    )
    assert len(body["probabilities"]) == 10
    assert abs(sum(body["probabilities"]) + (body["not_a_digit_probability"] or 0) - 1) < 1e-6
    assert body["confidence"] == max(body["probabilities"])
    assert body["probabilities"].index(body["confidence"]) == body["digit"]
    if body["verdict"] == "unsure":
        ranked = sorted(range(10), key=lambda d: -body["probabilities"][d])
        assert body["candidates"] == ranked[:2]
    else:
        assert body["candidates"] is None
    if unsure_below is not None:
        assert (body["verdict"] == "digit") == (body["confidence"] >= unsure_below)
    assert len(body["input"]) == 28 and all(len(r) == 28 for r in body["input"])
    assert all(isinstance(v, int) and 0 <= v <= 255 for r in body["input"] for v in r)


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


def read_json(classifier, drawing, writing=False):
    """What /api/predict must answer for this drawing: the core's reading, as JSON."""
    return number_json(read_number(classifier, drawing, writing))
