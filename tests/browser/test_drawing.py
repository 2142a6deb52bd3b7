"""Drawing on the page: real digits drawn with mouse and touch, read live, undone and cleared; no
scrolling.
"""

import pytest

from harness.chromium import MousePen, TouchPen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.page import digit_shown, expected_digit, open_page, page_strokes, pick, settle


@pytest.mark.parametrize("pen_kind", ["mouse", "touch"])
def test_prediction_updates_while_drawing_and_after_each_stroke(
    browser, server, classifier, stroke_records, pen_kind
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, has_touch=pen_kind == "touch"
    )
    page = open_page(context, server)
    pen = MousePen(page) if pen_kind == "mouse" else TouchPen(page)
    record = pick(stroke_records, 4, strokes=2)
    box = page.locator("#pad").bounding_box()
    strokes = fit_strokes(record["strokes"], box)
    assert digit_shown(page) == ""

    seen_mid_stroke = []

    def halfway(p):
        # The pen is still down: a prediction must already be showing.
        p.wait_for_function(
            "() => document.querySelector('#prediction').dataset.digit !== ''", timeout=3000
        )
        seen_mid_stroke.append(p.evaluate("() => window.__digits.drawing()"))

    for i, stroke in enumerate(strokes):
        before = page.evaluate("() => window.__digits.shownVersion()")
        draw_stroke(pen, page, stroke, halfway=halfway if i == 0 else None)
        settle(page)
        assert page.evaluate("() => window.__digits.shownVersion()") > before
        assert digit_shown(page) == expected_digit(classifier, page)
    assert seen_mid_stroke == [True]
    assert len(page_strokes(page)) == 2
    assert digit_shown(page) == "4"
    bars = page.locator("#probs li[data-digit]")
    assert bars.count() == 10 and "top" in bars.nth(4).get_attribute("class")
    context.close()


def test_undo_and_clear_buttons_and_keys(desk, classifier, stroke_records):
    page = desk
    box = page.locator("#pad").bounding_box()
    pen = MousePen(page)
    for stroke in fit_strokes(pick(stroke_records, 7, strokes=2)["strokes"], box):
        draw_stroke(pen, page, stroke, pause_ms=2)
    settle(page)
    assert len(page_strokes(page)) == 2
    page.click("#undo")
    settle(page)
    assert len(page_strokes(page)) == 1
    assert digit_shown(page) == expected_digit(classifier, page)
    page.click("#clear")
    settle(page)
    assert (
        page_strokes(page) == []
        and digit_shown(page) == ""
        and page.inner_text("#prediction") == ""
    )
    assert unavailable(page, "#clear") and not unavailable(page, "#undo")

    # Undo brings back what Clear took, read again; then nothing is left to undo.
    page.click("#undo")
    settle(page)
    assert len(page_strokes(page)) == 1
    assert digit_shown(page) == expected_digit(classifier, page)
    page.click("#undo")
    settle(page)
    assert page_strokes(page) == [] and unavailable(page, "#undo") and unavailable(page, "#clear")

    for stroke in fit_strokes(pick(stroke_records, 7, strokes=2)["strokes"], box):
        draw_stroke(pen, page, stroke, pause_ms=2)
    page.keyboard.press("Control+z")
    settle(page)
    assert len(page_strokes(page)) == 1
    page.keyboard.press("Escape")
    settle(page)
    assert page_strokes(page) == [] and digit_shown(page) == ""
    page.keyboard.press("Control+z")
    settle(page)
    assert len(page_strokes(page)) == 1 and digit_shown(page) == expected_digit(classifier, page)


def unavailable(page, selector):
    return page.get_attribute(selector, "aria-disabled") == "true"


def test_undo_to_an_empty_pad_keeps_the_keyboard_on_undo(desk, stroke_records):
    page = desk
    box = page.locator("#pad").bounding_box()
    for stroke in fit_strokes(pick(stroke_records, 1)["strokes"], box):
        draw_stroke(MousePen(page), page, stroke, pause_ms=2)
    settle(page)
    page.focus("#undo")
    page.keyboard.press("Enter")
    settle(page)
    assert page_strokes(page) == [] and unavailable(page, "#undo")
    assert page.evaluate("() => document.activeElement.id") == "undo"


def test_ink_outside_the_pad_is_not_read(desk):
    """A stroke that leaves the pad ends at its edge, and one coming back starts where it crosses
    in: what is kept is the ink the visitor sees."""
    page = desk
    box = page.locator("#pad").bounding_box()
    left, top = box["x"], box["y"]
    middle = top + box["height"] / 2
    pen = MousePen(page)
    # From the middle out past the right edge, down, and back in lower.
    draw_stroke(
        pen,
        page,
        [
            [left + box["width"] / 2, middle],
            [left + box["width"] + 150, middle],
            [left + box["width"] + 150, middle + 80],
            [left + box["width"] / 2, middle + 80],
        ],
        pause_ms=2,
    )
    settle(page)
    strokes = page_strokes(page)
    width, height = page.evaluate(
        "() => [document.querySelector('#pad').clientWidth, "
        "document.querySelector('#pad').clientHeight]"
    )
    points = [p for s in strokes for p in s]
    assert len(strokes) == 2
    assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
    # Each piece touches the right edge where it crossed it.
    assert strokes[0][-1][0] == pytest.approx(width, abs=0.2)
    assert strokes[1][0][0] == pytest.approx(width, abs=0.2)


def test_blank_canvas_shows_nothing(desk):
    assert desk.inner_text("#prediction") == "" and digit_shown(desk) == ""
    assert desk.locator("#probs li[data-digit]").count() == 10
    assert desk.locator("#probs li.none").is_hidden()  # shown with a "not a digit" answer


def test_phone_drawing_does_not_scroll_or_zoom(phone, stroke_records):
    page = phone
    page.evaluate("() => window.scrollTo(0, 0)")
    box = page.locator("#pad").bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0
    before = page.evaluate("() => [window.scrollX, window.scrollY, visualViewport.scale]")
    pen = TouchPen(page)
    # A long downward drag, the gesture that would scroll the page.
    draw_stroke(
        pen,
        page,
        [
            [box["x"] + box["width"] / 2, box["y"] + 10],
            [box["x"] + box["width"] / 2, box["y"] + box["height"] - 10],
        ],
        pause_ms=4,
    )
    for stroke in fit_strokes(pick(stroke_records, 3)["strokes"], box):
        draw_stroke(pen, page, stroke, pause_ms=2)
    settle(page)
    after = page.evaluate("() => [window.scrollX, window.scrollY, visualViewport.scale]")
    assert after == before
    assert len(page_strokes(page)) >= 2 and digit_shown(page) != ""


def test_without_the_query_flag_there_is_no_test_hook_and_no_error(desk_context, server):
    page = desk_context.new_page()
    requested, problems = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server)
    page.wait_for_function("() => document.querySelectorAll('#probs li[data-digit]').length === 10")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__digits === undefined")
    assert not [u for u in requested if "test-hook" in u] and problems == []
    assert page.inner_text("#status") == "Draw a digit to start."
