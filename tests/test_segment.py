"""Numbers: strokes grouped into digits on constructed drawings, read by the shipped model."""

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw

from recognition import segment
from recognition.predictor import Predictor
from tests.support.api import assert_error
from tests.support.data import SHIPPED_MODEL
from tests.support.shapes import FIVE, FOUR, ONE, SEVEN, SEVEN_BAR, SLASH, TWO, ZERO, at
from webapp import create_app


@pytest.fixture(scope="module")
def predictor():
    return Predictor.load(SHIPPED_MODEL)


@pytest.mark.parametrize(
    "name,strokes,digit",
    [
        ("a two-stroke 4", FOUR, "4"),
        ("a 5 with its top bar as a stroke of its own", FIVE, "5"),
        ("a crossed 7", SEVEN + SEVEN_BAR, "7"),
        ("a slashed 0", ZERO + SLASH, "0"),
    ],
)
def test_one_digit_in_several_strokes_stays_one_digit(predictor, name, strokes, digit):
    answer = predictor.predict_strokes(strokes)
    assert answer["number"] == digit, name
    assert [d["strokes"] for d in answer["digits"]] == [list(range(len(strokes)))]


@pytest.mark.parametrize(
    "strokes,number",
    [
        (ONE + at(ONE, 70), "11"),
        (ONE + at(ZERO, 60) + at(ZERO, 140), "100"),
        (
            ONE + at(SEVEN, 45),
            "17",
        ),  # close neighbours: a 1 and a 7 whose bar reaches back towards it
        (at(TWO, 0) + at(FOUR, 80) + at(ONE, 160) + at(SEVEN, 210), "2417"),
    ],
)
def test_digits_side_by_side_are_read_left_to_right(predictor, strokes, number):
    answer = predictor.predict_strokes(strokes)
    assert answer["number"] == number
    boxes = [d["box"] for d in answer["digits"]]
    assert boxes == sorted(boxes)  # left to right
    assert sorted(i for d in answer["digits"] for i in d["strokes"]) == list(range(len(strokes)))


def test_a_late_stroke_joins_the_digit_it_belongs_to(predictor):
    strokes = SEVEN + at(ONE, 90) + SEVEN_BAR  # the 7's bar written after the 1
    answer = predictor.predict_strokes(strokes)
    assert answer["number"] == "71"
    assert [d["strokes"] for d in answer["digits"]] == [[0, 2], [1]]


def test_several_digits_top_level_fields_describe_the_whole_number(predictor):
    answer = predictor.predict_strokes(ONE + at(SEVEN, 80))
    digits = answer["digits"]
    assert (
        answer["digit"] is None and answer["probabilities"] is None and answer["candidates"] is None
    )
    assert answer["confidence"] == pytest.approx(digits[0]["confidence"] * digits[1]["confidence"])
    assert answer["verdict"] in ("digit", "unsure") and len(answer["input"]) == 28
    for d in digits:
        assert set(d) == {
            "digit",
            "confidence",
            "probabilities",
            "verdict",
            "candidates",
            "not_a_digit_probability",
            "box",
            "strokes",
            "input",
        }
        assert d["probabilities"].index(max(d["probabilities"])) == d["digit"]


def test_the_number_reads_in_one_model_call(predictor, monkeypatch):
    calls = []
    original = predictor.probabilities
    monkeypatch.setattr(
        predictor, "probabilities", lambda x: calls.append(np.shape(x)) or original(x)
    )
    predictor.predict_strokes(at(TWO, 0) + at(FOUR, 80) + at(ONE, 160) + at(SEVEN, 210))
    assert len(calls) == 1 and calls[0][0] >= 4


def test_more_than_twelve_digits_is_a_clear_400():
    client = create_app({"TESTING": True, "MODEL_PATH": str(SHIPPED_MODEL)}).test_client()
    strokes = [s for k in range(13) for s in at(ONE, 80 * k)]
    assert_error(client.post("/api/predict", json={"strokes": strokes}), 400, "too_many_digits")
    twelve = [s for k in range(12) for s in at(ONE, 80 * k)]
    assert client.post("/api/predict", json={"strokes": twelve}).get_json()["number"] == "1" * 12


def test_an_image_with_three_digits(predictor):
    image = Image.new("L", (420, 160), 255)
    draw = ImageDraw.Draw(image)
    for strokes, dx in ((SEVEN, 30), (ONE, 170), (FOUR, 300)):
        for s in at(strokes, dx, 20, 1.2):
            draw.line([tuple(p) for p in s], fill=0, width=12, joint="curve")
    answer = predictor.predict_image(image)
    assert answer["number"] == "714"
    assert [d["strokes"] for d in answer["digits"]] == [None] * 3
    assert (
        answer["digits"][0]["box"][2]
        < answer["digits"][1]["box"][0]
        < answer["digits"][2]["box"][0]
    )


def test_grouping_prefers_the_most_probable_whole_reading():
    """Two units that read well apart and badly together are cut; the reverse are kept together."""
    apart = {(0, 1): -0.01, (1, 2): -0.01, (0, 2): -3.0}
    together = {(0, 1): -2.0, (1, 2): -2.5, (0, 2): -0.05}
    no_overlap = {(1, 2): 0.0}
    assert segment.best_grouping(apart, no_overlap, 2, 100)[0] == [(0, 1), (1, 2)]
    assert segment.best_grouping(together, no_overlap, 2, 100)[0] == [(0, 2)]
    # Ink reaching well over the neighbour's makes the cut cost more than the better reading gains.
    assert segment.best_grouping(apart, {(1, 2): 60.0}, 2, 100)[0] == [(0, 2)]


def test_a_number_is_sure_only_when_the_whole_of_it_is():
    from recognition.numbers import whole_number

    whole = np.zeros((28, 28), dtype=np.uint8)

    def part(confidence, verdict="digit"):
        return {"verdict": verdict, "confidence": confidence, "not_a_digit_probability": 0.01}

    # 0.9025 of being right
    assert whole_number([part(0.95), part(0.95)], whole, 0.82)["verdict"] == "digit"
    # 0.81: each sure, not both
    assert whole_number([part(0.9), part(0.9)], whole, 0.82)["verdict"] == "unsure"
    assert whole_number([part(0.99), part(0.5, "unsure")], whole, 0.2)["verdict"] == "unsure"
    rejected = whole_number([part(0.99), part(None, "not_a_digit")], whole, 0.82)
    assert rejected["verdict"] == "not_a_digit" and rejected["confidence"] is None


class _OneOrOther:
    """A stand-in model: each stroke alone reads as a sure 1, the strokes together as something
    that is no digit.
    """

    def probabilities(self, pixels):
        rows = []
        for p in pixels:
            row = np.full(11, 0.01)
            row[1 if p[0, 0] == 1 else 10] = 0.9
            rows.append(row)
        return np.array(rows)


def test_the_reading_says_how_far_it_beats_the_drawing_read_as_one_thing():
    parts = [np.array([[0.0, 0.0], [0.0, 100.0]]), np.array([[10.0, 0.0], [10.0, 100.0]])]
    reading = segment.read(
        _OneOrOther(), parts, lambda idx: np.full((28, 28), len(idx), dtype=np.uint8)
    )
    assert reading.groups == [[0], [1]]
    # Two 1s score 2 (log 0.9 + bonus); the one thing log 0.9 + bonus, less the space between its
    # parts.
    two = 2 * (math.log(0.9) + segment.DIGIT_BONUS)
    one = math.log(0.9) + segment.DIGIT_BONUS - segment.GAP_COST * (0.1 + segment.TOUCH)
    assert reading.apart == pytest.approx(1 / (1 + math.exp(one - two)))
    alone = segment.read(_OneOrOther(), parts[:1], lambda idx: np.full((28, 28), 1, dtype=np.uint8))
    assert alone.apart == 1.0


def test_a_number_that_may_be_one_thing_is_unsure():
    from recognition.numbers import whole_number

    whole = np.zeros((28, 28), dtype=np.uint8)
    parts = [{"verdict": "digit", "confidence": 0.99, "not_a_digit_probability": 0.01}] * 2
    # an H read as "14": each part sure, the cut not
    answer = whole_number(parts, whole, 0.82, apart=0.6)
    assert answer["verdict"] == "unsure" and answer["confidence"] == pytest.approx(
        0.99 * 0.99 * 0.6
    )
    assert whole_number(parts, whole, 0.82, apart=1.0)["verdict"] == "digit"


def test_a_large_image_is_read_as_its_smaller_self(predictor):
    """A photo-sized image is shrunk before reading: the same number, its boxes in the large
    image's pixels.
    """

    def drawn(scale):
        image = Image.new("L", (round(420 * scale), round(160 * scale)), 255)
        draw = ImageDraw.Draw(image)
        for strokes, dx in ((SEVEN, 30), (ONE, 170), (FOUR, 300)):
            for s in at(strokes, dx * scale, 20 * scale, 1.2 * scale):
                draw.line([tuple(p) for p in s], fill=0, width=round(12 * scale), joint="curve")
        return image

    from recognition.preprocess import working_ink

    ink, factor = working_ink(drawn(8))  # 3360 x 1280 px: read at a quarter of that
    assert factor == 4 and ink.shape == (320, 840)
    small, large = predictor.predict_image(drawn(1)), predictor.predict_image(drawn(8))
    assert large["number"] == small["number"] == "714"
    for a, b in zip(small["digits"], large["digits"]):
        np.testing.assert_allclose(np.array(b["box"]) / 8, a["box"], atol=2)
