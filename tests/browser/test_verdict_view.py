"""How the page shows a verdict: "not a digit" plainly and greyed, and never flickering in
mid-stroke.
"""

from harness.chromium import MousePen, draw_stroke
from tests.support.page import digit_shown, settle


def answer(verdict, digit=None):
    probs = [0.05] * 10
    probs[3] = 0.55
    return {
        "verdict": verdict,
        "digit": digit,
        "confidence": None if digit is None else 0.55,
        "candidates": None,
        "probabilities": probs,
        "not_a_digit_probability": 0.9 if digit is None else 0.01,
        "input": [[0] * 28] * 28,
        "empty": False,
    }


def stroke_across(page):
    box = page.locator("#pad").bounding_box()
    return [[box["x"] + 60 + 8 * i, box["y"] + 80 + (5 * i) % 40] for i in range(40)]


def test_not_a_digit_is_said_plainly_with_grey_bars_once_the_pen_lifts(desk):
    seen_mid_stroke = []
    desk.route("**/api/predict", lambda route: route.fulfill(json=answer("not_a_digit")))

    def halfway(page):
        page.wait_for_timeout(300)  # answers for the half-drawn stroke have come back by now
        seen_mid_stroke.append(page.inner_text("#status"))

    draw_stroke(MousePen(desk), desk, stroke_across(desk), halfway=halfway)
    settle(desk)
    assert seen_mid_stroke == ["Draw a digit to start."]  # mid-stroke: not shown yet
    assert desk.inner_text("#status") == "That doesn't look like a digit (90% sure)."
    assert desk.inner_text("#prediction") == "?" and digit_shown(desk) == ""
    assert "greyed" in desk.get_attribute("#probs", "class")
    assert desk.inner_text("#announce") == "That doesn't look like a digit (90% sure)."
    # The bars say why: "no digit" is the likeliest, at 90%.
    none = desk.locator("#probs li.none")
    assert none.is_visible() and "top" in none.get_attribute("class").split()
    assert none.locator(".pct").inner_text() == "90%" and none.inner_text().startswith("no digit")


def test_a_digit_after_not_a_digit_takes_the_grey_away(desk):
    desk.route("**/api/predict", lambda route: route.fulfill(json=answer("not_a_digit")))
    draw_stroke(MousePen(desk), desk, stroke_across(desk))
    settle(desk)
    assert "greyed" in desk.get_attribute("#probs", "class")
    desk.unroute("**/api/predict")
    desk.route("**/api/predict", lambda route: route.fulfill(json=answer("digit", 3)))
    box = desk.locator("#pad").bounding_box()
    draw_stroke(
        MousePen(desk), desk, [[box["x"] + 300, box["y"] + 300], [box["x"] + 320, box["y"] + 400]]
    )
    settle(desk)
    assert digit_shown(desk) == "3" and desk.inner_text("#status").startswith("Looks like 3")
    assert "greyed" not in (desk.get_attribute("#probs", "class") or "")
    assert "not-digit" not in desk.get_attribute("#prediction", "class")
    assert desk.locator("#probs li.none").is_hidden()


def test_a_number_of_sure_digits_that_is_unsure_as_a_whole_says_so(desk):
    """Each part reads as a sure digit, the whole does not (an H read as "14"): the page says
    "maybe".
    """
    one, four = answer("digit", 1), answer("digit", 4)
    parts = [
        {**one, "confidence": 0.99, "box": [0, 0, 10, 100], "strokes": [0]},
        {**four, "confidence": 0.98, "box": [12, 0, 60, 100], "strokes": [1, 2]},
    ]
    whole = {
        **answer("unsure"),
        "confidence": 0.55,
        "not_a_digit_probability": 0.01,
        "probabilities": None,
        "number": "14",
        "digits": parts,
    }
    desk.route("**/api/predict", lambda route: route.fulfill(json=whole))
    draw_stroke(MousePen(desk), desk, stroke_across(desk))
    settle(desk)
    assert desk.inner_text("#prediction") == "14"
    assert desk.inner_text("#status") == "Maybe 14: only 55% sure of all 2 digits together."
    assert "unsure" in desk.get_attribute("#prediction", "class")
