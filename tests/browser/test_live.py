"""What the page says while a drawing is drawn: answers asked with the pen down are guesses so far,
the pad keeps the whole drawing when it changes size, and offline it stops asking until it can."""

import math
import time

from harness.chromium import MousePen, TouchPen, draw_stroke
from tests.support.page import Api, digit_shown, page_strokes, settle


def zigzag(page, points=60):
    box = page.locator("#pad").bounding_box()
    x0, y = box["x"] + 40, box["y"] + box["height"] / 2
    return [[x0 + 6 * i, y + (i % 7)] for i in range(points)]


def test_asks_with_the_pen_down_say_writing_and_their_answer_is_a_guess_so_far(desk):
    api = Api(desk, auto=5)
    seen = []
    draw_stroke(
        MousePen(desk),
        desk,
        zigzag(desk),
        pause_ms=10,
        halfway=lambda page: seen.append(
            (page.inner_text("#status"), page.get_attribute("#prediction", "class"))
        ),
    )
    settle(desk)
    mid_stroke, lifted = api.bodies[:-1], api.bodies[-1]
    assert mid_stroke and all(body.get("writing") is True for body in mid_stroke)
    assert "writing" not in lifted
    status, look = seen[-1]
    assert status.startswith("So far it looks like 5") and "writing" in look.split()
    assert desk.inner_text("#status").startswith("Looks like 5")
    assert "writing" not in desk.get_attribute("#prediction", "class").split()


def test_offline_the_page_stops_asking_until_the_connection_is_back_then_asks_once(desk):
    api = Api(desk)
    desk.unroute("**/api/predict")
    refused = []
    desk.route(
        "**/api/predict", lambda route: (refused.append(1), route.abort("connectionrefused"))
    )
    # Drawn for about a second, this stroke asks about ten times with the server there.
    started = time.monotonic()
    draw_stroke(MousePen(desk), desk, zigzag(desk, 90), pause_ms=10)
    desk.wait_for_timeout(400)
    elapsed = time.monotonic() - started
    assert "no connection" in desk.inner_text("#status")
    # The first ask found no connection; then one retry after 1 s, 2 s more, 4 s more...
    retries = int(math.log2(elapsed + 1))
    assert 1 <= len(refused) <= 1 + retries < elapsed / 0.08
    desk.unroute("**/api/predict")
    desk.route("**/api/predict", api._arrive)
    asked = len(api.bodies)
    desk.evaluate("() => window.dispatchEvent(new Event('online'))")
    api.wait_for(asked + 1)
    api.answer(3)
    settle(desk)
    desk.wait_for_timeout(200)
    assert len(api.bodies) == asked + 1 and api.bodies[-1]["strokes"] == page_strokes(desk)
    assert digit_shown(desk) == "3" and "writing" not in api.bodies[-1]


def within(strokes, width, height):
    return all(0 <= x <= width and 0 <= y <= height for s in strokes for x, y in s)


def test_turning_a_phone_scales_the_drawing_into_the_pad_and_reads_it_again(phone):
    page = phone
    box = page.locator("#pad").bounding_box()
    # "20" across the whole width of the pad held upright.
    two = [[0.1, 0.3], [0.25, 0.15], [0.4, 0.3], [0.1, 0.8], [0.45, 0.8]]
    zero = [[0.75, 0.15], [0.55, 0.5], [0.75, 0.85], [0.95, 0.5], [0.75, 0.15]]
    for stroke in (two, zero):
        points = [[box["x"] + x * box["width"], box["y"] + y * box["height"]] for x, y in stroke]
        draw_stroke(TouchPen(page), page, points)
    settle(page)
    before = page_strokes(page)
    asked = []
    page.on("request", lambda r: asked.append(r.post_data_json) if "/api/predict" in r.url else 0)
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_function("() => window.__digits.settled()", timeout=5000)
    page.wait_for_timeout(300)
    pad = page.evaluate(
        "() => ((p) => [p.clientWidth, p.clientHeight])(document.getElementById('pad'))"
    )
    after = page_strokes(page)
    assert within(after, *pad) and not within(before, *pad)
    # The same drawing, only smaller: every point moved by one factor.
    k = after[0][0][0] / before[0][0][0]
    pairs = [
        (a, b) for sa, sb in zip(after, before) for pa, pb in zip(sa, sb) for a, b in zip(pa, pb)
    ]
    assert k < 1 and all(abs(a - b * k) < 0.01 for a, b in pairs)
    assert asked and asked[-1]["strokes"] == after
