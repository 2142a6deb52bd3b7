"""Numbers: strokes grouped into digits on constructed drawings, read by the shipped model."""

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageDraw

from recognition import preprocess, segment
from recognition.answer import DigitAnswer, Verdict, judge_number
from recognition.calibration import Calibration
from recognition.classifier import Classifier
from recognition.numbers import grouped, read_number
from tests.support.api import assert_error, read_json
from tests.support.data import SHIPPED_MODEL
from tests.support.shapes import FIVE, FOUR, ONE, SEVEN, SEVEN_BAR, SLASH, TWO, ZERO, at
from webapp import create_app
from webapp.wire import digit_json


@pytest.fixture(scope="module")
def classifier():
    return Classifier.load(SHIPPED_MODEL)


@pytest.mark.parametrize(
    "name,strokes,digit",
    [
        ("a two-stroke 4", FOUR, "4"),
        ("a 5 with its top bar as a stroke of its own", FIVE, "5"),
        ("a crossed 7", SEVEN + SEVEN_BAR, "7"),
        ("a slashed 0", ZERO + SLASH, "0"),
    ],
)
def test_one_digit_in_several_strokes_stays_one_digit(classifier, name, strokes, digit):
    answer = read_json(classifier, strokes)
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
def test_digits_side_by_side_are_read_left_to_right(classifier, strokes, number):
    answer = read_json(classifier, strokes)
    assert answer["number"] == number
    boxes = [d["box"] for d in answer["digits"]]
    assert boxes == sorted(boxes)  # left to right
    assert sorted(i for d in answer["digits"] for i in d["strokes"]) == list(range(len(strokes)))


def test_a_late_stroke_joins_the_digit_it_belongs_to(classifier):
    strokes = SEVEN + at(ONE, 90) + SEVEN_BAR  # the 7's bar written after the 1
    answer = read_json(classifier, strokes)
    assert answer["number"] == "71"
    assert [d["strokes"] for d in answer["digits"]] == [[0, 2], [1]]


def test_several_digits_top_level_fields_describe_the_whole_number(classifier):
    answer = read_json(classifier, ONE + at(SEVEN, 80))
    digits = answer["digits"]
    assert (
        answer["digit"] is None and answer["probabilities"] is None and answer["candidates"] is None
    )
    # The model's number calibration of its digits' confidences, times apart (what the product
    # of the digits' was multiplied by before numbers were calibrated).
    confidences = [d["confidence"] for d in digits]
    plain = {**classifier.calibration.to_dict(), "number": None}
    uncalibrated = Classifier(classifier.layers, {**classifier.info, "calibration": plain})
    before = read_number(uncalibrated, ONE + at(SEVEN, 80)).confidence
    apart = before / (confidences[0] * confidences[1])
    number = classifier.calibration.number
    assert answer["confidence"] == pytest.approx(number.confidence(confidences, apart))
    assert answer["verdict"] == (
        "digit" if answer["confidence"] >= number.unsure_below else "unsure"
    )
    assert len(answer["input"]) == 28
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


def test_the_number_reads_in_one_model_call(classifier, monkeypatch):
    calls = []
    original = classifier.probabilities
    monkeypatch.setattr(
        classifier, "probabilities", lambda x: calls.append(np.shape(x)) or original(x)
    )
    read_json(classifier, at(TWO, 0) + at(FOUR, 80) + at(ONE, 160) + at(SEVEN, 210))
    assert len(calls) == 1 and calls[0][0] >= 4


def test_more_than_twelve_digits_is_a_clear_400():
    client = create_app({"TESTING": True, "MODEL_PATH": str(SHIPPED_MODEL)}).test_client()
    strokes = [s for k in range(13) for s in at(ONE, 80 * k)]
    assert_error(client.post("/api/predict", json={"strokes": strokes}), 400, "too_many_digits")
    twelve = [s for k in range(12) for s in at(ONE, 80 * k)]
    assert client.post("/api/predict", json={"strokes": twelve}).get_json()["number"] == "1" * 12


def test_an_image_with_three_digits(classifier):
    image = Image.new("L", (420, 160), 255)
    draw = ImageDraw.Draw(image)
    for strokes, dx in ((SEVEN, 30), (ONE, 170), (FOUR, 300)):
        for s in at(strokes, dx, 20, 1.2):
            draw.line([tuple(p) for p in s], fill=0, width=12, joint="curve")
    answer = read_json(classifier, image)
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


def part(confidence, verdict=Verdict.DIGIT):
    """A digit of a number as judged: only what judge_number reads of it."""
    return DigitAnswer(verdict, confidence=confidence, not_a_digit_probability=0.01)


def test_a_number_is_sure_only_when_the_whole_of_it_is():
    whole = np.zeros((28, 28), dtype=np.uint8)
    # 0.9025 of being right
    assert (
        judge_number([part(0.95), part(0.95)], whole, Calibration(unsure_below=0.82)).verdict
        == "digit"
    )
    # 0.81: each sure, not both
    assert (
        judge_number([part(0.9), part(0.9)], whole, Calibration(unsure_below=0.82)).verdict
        == "unsure"
    )
    assert (
        judge_number(
            [part(0.99), part(0.5, Verdict.UNSURE)], whole, Calibration(unsure_below=0.2)
        ).verdict
        == "unsure"
    )
    rejected = judge_number(
        [part(0.99), part(None, Verdict.NOT_A_DIGIT)], whole, Calibration(unsure_below=0.82)
    )
    assert rejected.verdict == "not_a_digit" and rejected.confidence is None
    assert digit_json(rejected)["input"] == whole.tolist()


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
    digits, apart, _ = grouped(
        _OneOrOther(),
        segment.propose(parts),
        lambda idx: np.full((28, 28), len(idx), dtype=np.uint8),
    )
    assert [d.members for d in digits] == [[0], [1]]
    # Two 1s score 2 (log 0.9 + bonus); the one thing log 0.9 + bonus, less the space between its
    # parts.
    two = 2 * (math.log(0.9) + segment.DIGIT_BONUS)
    one = math.log(0.9) + segment.DIGIT_BONUS - segment.GAP_COST * (0.1 + segment.TOUCH)
    assert apart == pytest.approx(1 / (1 + math.exp(one - two)))
    _, alone, _ = grouped(
        _OneOrOther(), segment.propose(parts[:1]), lambda idx: np.full((28, 28), 1, dtype=np.uint8)
    )
    assert alone == 1.0


def test_a_number_that_may_be_one_thing_is_unsure():
    whole = np.zeros((28, 28), dtype=np.uint8)
    parts = [part(0.99)] * 2
    # an H read as "14": each part sure, the cut not
    answer = judge_number(parts, whole, Calibration(unsure_below=0.82), apart=0.6)
    assert answer.verdict == "unsure"
    assert answer.confidence == pytest.approx(0.99 * 0.99 * 0.6)
    assert judge_number(parts, whole, Calibration(unsure_below=0.82), apart=1.0).verdict == "digit"


def drawn_714(scale):
    """ "714" drawn with a pen on white, scale times the size of a 420x160 picture."""
    image = Image.new("L", (round(420 * scale), round(160 * scale)), 255)
    draw = ImageDraw.Draw(image)
    for strokes, dx in ((SEVEN, 30), (ONE, 170), (FOUR, 300)):
        for s in at(strokes, dx * scale, 20 * scale, 1.2 * scale):
            draw.line([tuple(p) for p in s], fill=0, width=round(12 * scale), joint="curve")
    return image


def test_a_large_image_is_read_as_its_smaller_self(classifier):
    """A photo-sized image is shrunk before reading: the same number, its boxes in the large
    image's pixels.
    """
    from recognition.preprocess import working_ink

    ink, factor = working_ink(drawn_714(8))  # 3360 x 1280 px: read at a quarter of that
    assert factor == 4 and ink.shape == (320, 840)
    small, large = (
        read_json(classifier, drawn_714(1)),
        read_json(classifier, drawn_714(8)),
    )
    assert large["number"] == small["number"] == "714"
    for a, b in zip(small["digits"], large["digits"]):
        np.testing.assert_allclose(np.array(b["box"]) / 8, a["box"], atol=2)


def test_a_photo_sized_jpeg_is_decoded_smaller_and_its_boxes_are_in_its_own_pixels():
    """A 4.3-megapixel JPEG decodes at a quarter of each side (cheap), and reads as its smaller
    self; the same picture as a PNG, which decodes only whole, is over the decoding limit."""
    client = create_app({"TESTING": True, "MODEL_PATH": str(SHIPPED_MODEL)}).test_client()

    def upload(image, fmt):
        buffer = io.BytesIO()
        image.save(buffer, fmt)
        buffer.seek(0)
        form = {"image": (buffer, f"714.{fmt.lower()}")}
        return client.post("/api/predict", data=form, content_type="multipart/form-data")

    small = upload(drawn_714(1), "PNG").get_json()
    large = upload(drawn_714(8), "JPEG")
    assert large.status_code == 200
    large = large.get_json()
    assert large["number"] == small["number"] == "714"
    for a, b in zip(small["digits"], large["digits"]):
        np.testing.assert_allclose(np.array(b["box"]) / 8, a["box"], atol=4)
    assert_error(upload(drawn_714(8), "PNG"), 413, "image_too_large")


def test_one_piece_is_read_as_the_grouping_would_read_it(small_model):
    """A drawing of one piece skips the grouping's scores: the reading is the one the scores would
    have chosen (its only candidate, apart 1)."""
    classifier = Classifier.load(small_model)
    parts = [np.array([[10.0, 10], [90, 10], [45, 120]])]

    def render(indices):
        return preprocess.strokes_to_input([parts[i] for i in indices])

    [read], read_apart, whole = grouped(classifier, segment.propose(parts), render)
    layout = segment.Layout(piece_boxes=segment._boxes(parts), height=110.0, digit_height=110.0)
    candidate = segment.Candidate(0, 1, None, pixels=render([0]))
    candidate.probabilities = classifier.probabilities(candidate.pixels[None])[0]
    digits, apart = segment.best_digits(parts, [[0]], layout, [candidate], 10.0, True)
    assert read.members == [0] and apart == read_apart == 1.0 and whole is read
    assert [d.span for d in digits] == [(0, 1)]
    np.testing.assert_array_equal(read.pixels, candidate.pixels)
    np.testing.assert_array_equal(read.probabilities, candidate.probabilities)
    np.testing.assert_array_equal(read.box, [10, 10, 90, 120])
