"""End to end: the real server, the page in headless Chromium, real digits drawn with mouse and touch."""
import pytest

from browser import (CHROMIUM_ARGS, ROOT, MousePen, TouchPen, draw_stroke, find_chromium, fit_strokes,
                     start_server, stop_server)

playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium found (apt-get install chromium)")

SHIPPED = ROOT / "models" / "mlp.safetensors"


@pytest.fixture(scope="module")
def server():
    proc, base = start_server(model=SHIPPED if SHIPPED.exists() else None, workers=1)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def desk(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server)
    yield page
    context.close()


@pytest.fixture()
def phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(server)
    yield page
    context.close()


@pytest.fixture(scope="module")
def reference():
    """What the pipeline says for strokes as page coordinates: the page must show the same."""
    import sys
    sys.path.insert(0, str(ROOT))
    from webapp.predictor import Predictor
    return Predictor(SHIPPED) if SHIPPED.exists() else None


def pick(stroke_records, label, strokes=None):
    for r in stroke_records:
        if r["label"] == label and (strokes is None or len(r["strokes"]) == strokes):
            return r
    raise LookupError(label)


def digit_shown(page):
    return page.get_attribute("#prediction", "data-digit")


def settle(page):
    """Wait until the page has asked for and shown the answer to its current drawing."""
    page.wait_for_function("() => window.__digits && window.__digits.settled()", timeout=5000)


def page_strokes(page):
    return page.evaluate("() => window.__digits.strokes()")


def expected_digit(reference, page):
    answer = reference.predict_strokes(page_strokes(page))
    return "" if answer["empty"] else str(answer["digit"])


@pytest.mark.parametrize("pen_kind", ["mouse", "touch"])
def test_prediction_updates_while_drawing_and_after_each_stroke(browser, server, reference, stroke_records,
                                                                pen_kind):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, has_touch=pen_kind == "touch")
    page = context.new_page()
    page.goto(server)
    pen = MousePen(page) if pen_kind == "mouse" else TouchPen(page)
    record = pick(stroke_records, 4, strokes=2)
    box = page.locator("#pad").bounding_box()
    strokes = fit_strokes(record["strokes"], box)
    assert digit_shown(page) == ""

    seen_mid_stroke = []

    def halfway(p):
        # The pen is still down: a prediction must already be showing.
        p.wait_for_function("() => document.querySelector('#prediction').dataset.digit !== ''", timeout=3000)
        seen_mid_stroke.append(p.evaluate("() => window.__digits.drawing()"))

    for i, stroke in enumerate(strokes):
        before = page.evaluate("() => window.__digits.shownVersion()")
        draw_stroke(pen, page, stroke, halfway=halfway if i == 0 else None)
        settle(page)
        assert page.evaluate("() => window.__digits.shownVersion()") > before
        if reference:
            assert digit_shown(page) == expected_digit(reference, page)
    assert seen_mid_stroke == [True]
    assert len(page_strokes(page)) == 2
    if reference:
        assert digit_shown(page) == "4"
        bars = page.locator("#probs li")
        assert bars.count() == 10 and "top" in bars.nth(4).get_attribute("class")
    context.close()


def test_undo_and_clear_buttons_and_keys(desk, reference, stroke_records):
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
    if reference:
        assert digit_shown(page) == expected_digit(reference, page)
    page.click("#clear")
    settle(page)
    assert page_strokes(page) == [] and digit_shown(page) == "" and page.inner_text("#prediction") == ""
    assert page.is_disabled("#undo") and page.is_disabled("#clear")

    for stroke in fit_strokes(pick(stroke_records, 7, strokes=2)["strokes"], box):
        draw_stroke(pen, page, stroke, pause_ms=2)
    page.keyboard.press("Control+z")
    settle(page)
    assert len(page_strokes(page)) == 1
    page.keyboard.press("Escape")
    settle(page)
    assert page_strokes(page) == [] and digit_shown(page) == ""


def test_blank_canvas_shows_nothing(desk):
    assert desk.inner_text("#prediction") == "" and digit_shown(desk) == ""
    assert desk.locator("#probs li").count() == 10


def test_phone_drawing_does_not_scroll_or_zoom(phone, stroke_records):
    page = phone
    page.evaluate("() => window.scrollTo(0, 0)")
    box = page.locator("#pad").bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0
    before = page.evaluate("() => [window.scrollX, window.scrollY, visualViewport.scale]")
    pen = TouchPen(page)
    # A long downward drag, the gesture that would scroll the page.
    draw_stroke(pen, page, [[box["x"] + box["width"] / 2, box["y"] + 10],
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] - 10]], pause_ms=4)
    for stroke in fit_strokes(pick(stroke_records, 3)["strokes"], box):
        draw_stroke(pen, page, stroke, pause_ms=2)
    settle(page)
    after = page.evaluate("() => [window.scrollX, window.scrollY, visualViewport.scale]")
    assert after == before
    assert len(page_strokes(page)) >= 2 and digit_shown(page) != ""
