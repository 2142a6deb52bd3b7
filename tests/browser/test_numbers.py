"""Writing a number on the page: it grows digit by digit while written, with a box per digit and
a pick per digit.
"""

import numpy as np

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.api import read_json
from tests.support.page import page_strokes, settle
from tests.support.writers import writer_digits
from training.composed import compose


def test_a_number_written_with_the_mouse_is_read_while_writing(desk, stroke_records, classifier):
    records = writer_digits(stroke_records, [2, 0, 7])
    strokes = compose(records, np.random.default_rng(1))
    box = desk.locator("#pad").bounding_box()
    fitted = fit_strokes(
        strokes,
        {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]},
        margin=0.08,
    )
    counts = np.cumsum([len(r["strokes"]) for r in records])
    shown = []
    for i, stroke in enumerate(fitted):
        draw_stroke(MousePen(desk), desk, stroke)
        # a digit finished: the number on screen is what the pipeline reads so far
        if i + 1 in counts:
            settle(desk)
            expected = read_json(classifier, page_strokes(desk))
            shown.append(desk.get_attribute("#prediction", "data-number"))
            assert shown[-1] == (expected["number"] or "")
    assert shown == ["2", "20", "207"]
    # Sure or not as the pipeline is: the number's confidence is its digits' together.
    said = "Reads 207" if expected["verdict"] == "digit" else "Maybe 207"
    assert desk.inner_text("#prediction") == "207" and desk.inner_text("#status").startswith(said)
    buttons = desk.locator("#number-digits .digit-pick")
    assert buttons.count() == 3 and buttons.nth(2).get_attribute("aria-pressed") == "true"
    assert desk.locator(".digits-label").is_visible()
    # The bars and the 28x28 say whose they are.
    assert headings_say(desk) == ["Digit 3 of 3: 7", "Digit 3 of 3: 7"]
    buttons.nth(0).click()  # the first digit's bars and 28x28
    assert buttons.nth(0).get_attribute("aria-pressed") == "true"
    top = desk.locator("#probs li.top").get_attribute("data-digit")
    assert top == "2"
    assert headings_say(desk) == ["Digit 1 of 3: 2", "Digit 1 of 3: 2"]
    desk.click("#clear")
    settle(desk)
    assert headings_say(desk) == ["", ""] and not desk.locator(".digits-label").is_visible()


def headings_say(page):
    return page.locator(".which-digit").all_inner_texts()
