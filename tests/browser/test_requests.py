"""The page's request rules, driven by held, failing and fake /api/predict responses (route
interception).
"""

import time

import pytest

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.page import Api, digit_shown, fake_answer, page_strokes, pick, settle

ERROR = {"error": {"code": "unavailable", "message": "down for a moment"}}


def draw(page, record, which=None, pause_ms=4):
    strokes = fit_strokes(record["strokes"], page.locator("#pad").bounding_box())
    for stroke in strokes if which is None else [strokes[which]]:
        draw_stroke(MousePen(page), page, stroke, pause_ms=pause_ms)
    return strokes


def test_while_drawing_requests_are_throttled_and_carry_the_latest_drawing(desk):
    api = Api(desk, auto=5)
    box = desk.locator("#pad").bounding_box()
    x0, y = box["x"] + 40, box["y"] + box["height"] / 2
    # a slow zig-zag: about 60 pointer moves
    stroke = [[x0 + 6 * i, y + (i % 7)] for i in range(60)]
    started = time.monotonic()
    draw_stroke(MousePen(desk), desk, stroke, pause_ms=10)
    drawing_ms = (time.monotonic() - started) * 1000
    settle(desk)
    mid_stroke = api.bodies[:-1]  # the last one is the stroke's end, sent at once
    assert 2 <= len(mid_stroke) <= drawing_ms / 80 + 1  # live, but at most one per 80 ms
    points = [len(b["strokes"][0]) for b in api.bodies]
    # each a newer drawing
    assert points[:-1] == sorted(set(points[:-1])) and points[-1] >= points[-2]
    # (the stroke's end always asks again, pen up, so its answer is announced: it may repeat the
    # last drawing)
    assert api.bodies[-1]["strokes"] == page_strokes(desk) and digit_shown(desk) == "5"


def test_one_request_in_flight_then_the_newest_drawing(desk, stroke_records):
    api = Api(desk)
    draw(desk, pick(stroke_records, 4, strokes=2))
    desk.wait_for_timeout(200)
    # both strokes drawn, yet nothing more was sent while the first was out
    assert len(api.bodies) == 1
    assert len(api.bodies[0]["strokes"]) == 1
    api.answer(3)
    api.wait_for(2)
    # the whole drawing, not each step in between
    assert api.bodies[1]["strokes"] == page_strokes(desk)
    api.answer(4)
    settle(desk)
    assert api.shown() == ["3", "4"] and len(api.bodies) == 2


@pytest.mark.parametrize("action", ["undo", "clear"])
def test_an_answer_for_a_drawing_undone_or_cleared_is_never_shown(desk, stroke_records, action):
    record = pick(stroke_records, 7, strokes=2)
    api = Api(desk)
    draw(desk, record, which=0)
    while not desk.evaluate("() => window.__digits.settled()"):
        if api.held:
            api.answer(1)
        desk.wait_for_timeout(10)
    first_stroke = page_strokes(desk)
    sent = len(api.bodies)
    draw(desk, record, which=1)
    api.wait_for(sent + 1)
    desk.keyboard.press("Control+z" if action == "undo" else "Escape")
    api.answer(9)  # the answer for the drawing that is gone arrives late
    if action == "undo":
        api.wait_for(sent + 2)
        assert api.bodies[-1]["strokes"] == first_stroke
        api.answer(2)
    settle(desk)
    desk.wait_for_timeout(150)
    assert "9" not in api.shown()
    assert digit_shown(desk) == ("2" if action == "undo" else "")
    # after a clear, nothing more to ask
    assert len(api.bodies) == sent + (2 if action == "undo" else 1)


@pytest.mark.parametrize(
    "failure,message",
    [
        (lambda route: route.fulfill(status=503, json=ERROR), "down for a moment"),
        (
            lambda route: route.fulfill(
                status=502, body="<html>Bad gateway</html>", content_type="text/html"
            ),
            "the server answered 502",
        ),
        (
            lambda route: route.abort("connectionrefused"),
            "no connection to the server. Your drawing is kept and read as soon as it is back.",
        ),
    ],
)
def test_a_failed_request_says_so_keeps_the_drawing_and_the_next_change_asks_again(
    desk, stroke_records, failure, message
):
    record = pick(stroke_records, 4, strokes=2)
    api = Api(desk)
    draw(desk, record, which=0)
    api.wait_for(1)
    failure(api.held.pop(0))
    api.wait_for(2)  # the drawing moved on while the first was out: its newest state is asked for
    failure(api.held.pop(0))
    desk.wait_for_timeout(300)
    status = desk.inner_text("#status")
    assert status == f"Cannot reach the recogniser right now: {message}"
    assert len(api.bodies) == 2  # no retry storm: nothing more is sent until the drawing changes
    assert len(page_strokes(desk)) == 1  # the drawing is kept
    draw(desk, record, which=1)
    while not desk.evaluate("() => window.__digits.settled()"):
        if api.held:
            api.answer(4)
        desk.wait_for_timeout(10)
    assert digit_shown(desk) == "4" and desk.inner_text("#status").startswith("Looks like 4")
    assert len(page_strokes(desk)) == 2


def test_the_page_shows_the_servers_verdict_not_its_own_threshold(desk):
    """91% sure, yet the server says unsure (its calibrated threshold is higher): the page says
    not sure.
    """
    desk.route("**/api/predict", lambda route: route.fulfill(json=fake_answer(3, "unsure", [3, 5])))
    box = desk.locator("#pad").bounding_box()
    draw_stroke(
        MousePen(desk), desk, [[box["x"] + 50, box["y"] + 50], [box["x"] + 200, box["y"] + 220]]
    )
    settle(desk)
    assert desk.inner_text("#status") == "Not sure: 3 or 5?"
    assert "unsure" in desk.get_attribute("#prediction", "class") and digit_shown(desk) == "3"
