"""Kiosk mode with short timers: the attract loop, the idle reset, pen priority, palm rejection,
no zoom.
"""

import pytest

from harness.chromium import TEST_HOOK, StylusPen, TouchPen, draw_stroke
from tests.support.page import page_strokes, settle

FAST = "&idle=2.5&countdown=1.5&attract=1"


def open_kiosk(context, base, timers=FAST):
    page = context.new_page()
    page.goto(f"{base}/{TEST_HOOK}&kiosk{timers}")
    page.wait_for_function(
        "() => window.__digits !== undefined && document.body.classList.contains('kiosk')",
        timeout=5000,
    )
    return page


@pytest.fixture()
def touch_screen(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    yield context
    context.close()


def line(page, x0, y0, x1, y1, n=20):
    box = page.locator("#pad").bounding_box()
    return [
        [box["x"] + x0 + (x1 - x0) * i / n, box["y"] + y0 + (y1 - y0) * i / n] for i in range(n + 1)
    ]


def test_the_attract_loop_replays_a_marked_demo_and_ends_at_the_first_touch(touch_screen, server):
    page = open_kiosk(touch_screen, server)
    page.wait_for_selector(".demo-badge:not([hidden])", timeout=5000)
    assert "Demo" in page.inner_text(".demo-badge")
    page.wait_for_function("() => window.__digits.strokes().length > 0", timeout=5000)
    page.wait_for_function(
        "() => document.getElementById('prediction').dataset.digit !== ''", timeout=8000
    )
    draw_stroke(TouchPen(page), page, line(page, 100, 100, 300, 400))
    assert page.is_hidden(".demo-badge")
    settle(page)
    assert len(page_strokes(page)) == 1  # only the visitor's stroke: the demo's are gone


def test_a_drawing_left_alone_is_cleared_after_a_visible_countdown(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&idle=2.5&countdown=1.5&attract=60")
    draw_stroke(TouchPen(page), page, line(page, 200, 100, 220, 500))
    settle(page)
    page.wait_for_selector(".countdown:not([hidden])", timeout=4000)
    assert page.inner_text(".countdown").startswith("Clearing in ")
    page.wait_for_function("() => window.__digits.strokes().length === 0", timeout=4000)
    assert page.is_hidden(".countdown") and page.inner_text("#status") == "Draw a digit to start."


def test_a_touch_during_the_countdown_keeps_the_drawing(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&idle=2.5&countdown=1.5&attract=60")
    draw_stroke(TouchPen(page), page, line(page, 200, 100, 220, 500))
    page.wait_for_selector(".countdown:not([hidden])", timeout=4000)
    page.mouse.click(5, 5)  # anywhere: the visitor is still there
    assert page.is_hidden(".countdown")
    page.wait_for_timeout(1200)
    assert len(page_strokes(page)) == 1


def test_a_touch_on_the_pad_during_the_countdown_adds_no_ink(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&idle=2.5&countdown=1.5&attract=60")
    draw_stroke(TouchPen(page), page, line(page, 200, 100, 220, 500))
    settle(page)
    kept = page_strokes(page)
    page.wait_for_selector(".countdown:not([hidden])", timeout=4000)
    draw_stroke(TouchPen(page), page, line(page, 300, 300, 300, 300, n=1))
    assert page.is_hidden(".countdown")
    settle(page)
    assert page_strokes(page) == kept


def test_what_the_kiosk_clears_for_the_next_visitor_cannot_be_undone(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&idle=2&countdown=1&attract=60")
    draw_stroke(TouchPen(page), page, line(page, 200, 100, 220, 500))
    page.wait_for_function("() => window.__digits.strokes().length === 0", timeout=5000)
    page.keyboard.press("Control+z")
    settle(page)
    assert page_strokes(page) == []


def test_the_demo_writes_at_a_hands_speed_and_shows_its_answer_as_in_progress(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&attract=0.3")
    # Every status the page shows, with when, from the start of the demo's first digit.
    # And when the demo's badge appears, in the page: asked from here after the badge shows, the
    # time came late by as much as the test's own round trip (half a second on a busy machine).
    page.evaluate(
        """() => {
        window.__statuses = [];
        const status = document.getElementById('status');
        new MutationObserver(() => window.__statuses.push(
            [performance.now(), status.textContent, window.__digits.drawing()]
        )).observe(status, {childList: true, characterData: true, subtree: true});
        const badge = document.querySelector('.demo-badge');
        window.__demoStarted = badge.hidden ? null : performance.now();
        new MutationObserver(() => {
            if (window.__demoStarted === null && !badge.hidden)
                window.__demoStarted = performance.now();
        }).observe(badge, {attributes: true, attributeFilter: ['hidden']});
    }"""
    )
    page.wait_for_selector(".demo-badge:not([hidden])", timeout=5000)
    started = page.evaluate("() => window.__demoStarted")
    # Two digits written and read: the second digit's first points come after the first's answer.
    page.wait_for_timeout(6500)
    statuses = page.evaluate("() => window.__statuses")
    assert "Draw a digit to start." not in [text for _, text, _ in statuses]
    sure = [(t, text) for t, text, _ in statuses if text.startswith("Looks like")]
    writing = [t for t, text, _ in statuses if text.startswith("Still writing")]
    assert writing and sure
    # A sure answer only once a digit is written: never between two "still writing" lines of the
    # same digit, and the first comes a hand's time (about 1.5 s) after the demo began.
    first_sure = sure[0][0]
    assert first_sure - started > 1000
    later_writing = [t for t in writing if t > first_sure]
    assert not later_writing or later_writing[0] - first_sure > 2000


def test_a_pen_takes_over_from_a_finger_and_a_resting_hand_draws_nothing(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&attract=600")
    finger, pen = TouchPen(page), StylusPen(page)
    touch = line(page, 100, 100, 100, 400)
    finger.down(*touch[0])
    finger.move(*touch[5])
    # the pen comes down while the finger is on
    draw_stroke(pen, page, line(page, 300, 100, 320, 450))
    finger.move(*touch[10])
    finger.up(*touch[10])
    settle(page)
    strokes = page_strokes(page)
    # the pen's stroke; the finger's was dropped
    assert len(strokes) == 1 and strokes[0][0][0] > 250
    # right after the pen: a resting hand
    draw_stroke(TouchPen(page), page, line(page, 400, 100, 420, 400))
    settle(page)
    assert len(page_strokes(page)) == 1


def test_a_palm_is_ignored_and_a_fingertip_draws(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&attract=600")
    draw_stroke(TouchPen(page, radius=40), page, line(page, 100, 300, 400, 320))
    page.wait_for_timeout(300)
    assert page_strokes(page) == []
    draw_stroke(TouchPen(page, radius=6), page, line(page, 100, 300, 400, 320))
    settle(page)
    assert len(page_strokes(page)) == 1


def test_one_pointer_at_a_time(touch_screen, server):
    page = open_kiosk(touch_screen, server, "&attract=600")
    cdp = page.context.new_cdp_session(page)
    a, b = line(page, 100, 100, 100, 400), line(page, 300, 100, 300, 400)

    def touch(kind, *points):
        cdp.send(
            "Input.dispatchTouchEvent",
            {
                "type": kind,
                "touchPoints": [
                    {"x": x, "y": y, "id": i, "radiusX": 4, "radiusY": 4} for i, (x, y) in points
                ],
            },
        )

    touch("touchStart", (1, a[0]))
    touch("touchStart", (1, a[2]), (2, b[0]))  # a second finger comes down while the first draws
    for k in range(3, 15):
        touch("touchMove", (1, a[k]), (2, b[k]))
    touch("touchEnd")
    settle(page)
    strokes = page_strokes(page)
    # the first finger's
    assert len(strokes) == 1 and all(abs(x - strokes[0][0][0]) < 1 for x, _ in strokes[0])


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1080, "height": 1920}]
)
def test_no_zoom_and_no_scroll_on_a_touch_screen(browser, server, viewport):
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    page = open_kiosk(context, server, "&attract=600")
    box = page.locator("#pad").bounding_box()
    cdp = page.context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for _ in range(2):  # a double tap
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
        )
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.send(
        "Input.synthesizePinchGesture",
        {"x": x, "y": y, "scaleFactor": 2.5, "gestureSourceType": "touch"},
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => visualViewport.scale") == 1
    assert page.evaluate("() => [scrollX, scrollY]") == [0, 0]
    size = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= viewport["width"] and size[1] <= viewport["height"]
    assert page.evaluate("() => getComputedStyle(document.body).userSelect") == "none"
    context.close()


SPEECH_STUB = """
window.__said = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", {
  value: { cancel() {}, speak(u) { window.__said.push(u.text); } },
});
"""


@pytest.mark.parametrize(
    "answer,said",
    [
        ({"verdict": "digit", "digit": 7, "candidates": None}, "seven"),
        ({"verdict": "unsure", "digit": 4, "candidates": [4, 9]}, "maybe four"),
        ({"verdict": "not_a_digit", "digit": None, "candidates": None}, "that is not a digit"),
        (
            {
                "verdict": "unsure",
                "digit": None,
                "candidates": None,
                "number": "14",
                "digits": "two",
            },
            "maybe one four",
        ),
        (
            {
                "verdict": "digit",
                "digit": None,
                "candidates": None,
                "number": "207",
                "digits": "three",
            },
            "two zero seven",
        ),
    ],
)
def test_with_speech_on_the_answer_is_said_once_the_pen_lifts(touch_screen, server, answer, said):
    """Speech (&speak) says the digit, "maybe" when unsure, and a number digit by digit."""
    parts = {"two": 2, "three": 3}.get(answer.get("digits"), 1)
    part = {
        "verdict": "digit",
        "digit": 1,
        "confidence": 0.99,
        "candidates": None,
        "probabilities": [0.1] * 10,
        "not_a_digit_probability": 0.0,
        "box": [0, 0, 1, 1],
        "strokes": [0],
        "input": [[0] * 28] * 28,
    }
    body = {
        "confidence": 0.6,
        "probabilities": [0.1] * 10,
        "not_a_digit_probability": 0.0,
        "empty": False,
        "input": [[0] * 28] * 28,
        "number": None,
        **answer,
        "digits": [part] * parts,
    }
    touch_screen.add_init_script(SPEECH_STUB)
    page = open_kiosk(touch_screen, server, "&idle=60&countdown=5&attract=60&speak")
    page.route("**/api/predict", lambda route: route.fulfill(json=body))
    draw_stroke(TouchPen(page), page, line(page, 200, 100, 220, 500))
    settle(page)
    page.wait_for_function("() => window.__said.length > 0", timeout=4000)
    assert page.evaluate("window.__said") == [said]
