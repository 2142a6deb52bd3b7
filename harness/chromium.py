"""Headless Chromium for the page: find it, launch flags, and replay strokes as real mouse or
touch input.
"""

import os
import shutil
from pathlib import Path

# Chromium offline and headless; without the background-networking flags it keeps trying to reach
# the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# The page exposes its read-only test hook (window.__digits) only when asked with this query string.
TEST_HOOK = "?testhook"


def find_chromium():
    """Path of a Chromium binary, or None."""
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def densify(stroke, step=10.0):
    """Points at most `step` px apart, as a mouse reports a hand moving (60 Hz at 600 px/s: 10
    px).
    """
    out = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        n = max(1, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 // step))
        out += [[x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n] for k in range(1, n + 1)]
    return out


class MousePen:
    """Draws with the mouse: real mousedown/move/up, which the page sees as pointer events."""

    def __init__(self, page):
        self.page = page

    def down(self, x, y):
        self.page.mouse.move(x, y)
        self.page.mouse.down()

    def move(self, x, y):
        self.page.mouse.move(x, y)

    def up(self, x, y):
        self.page.mouse.up()


class TouchPen:
    """Draws with a finger: CDP touch events, which the page sees as touch pointer events.

    radius: the contact's half-width in CSS px (a fingertip about 4-8; a palm 30 and more).
    """

    def __init__(self, page, radius=4, touch_id=1):
        self.page = page
        self.radius, self.touch_id = radius, touch_id
        self.cdp = page.context.new_cdp_session(page)

    def _touch(self, kind, x, y):
        r = self.radius
        points = (
            []
            if kind == "touchEnd"
            else [{"x": x, "y": y, "id": self.touch_id, "radiusX": r, "radiusY": r, "force": 1}]
        )
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x, y):
        self._touch("touchStart", x, y)

    def move(self, x, y):
        self._touch("touchMove", x, y)

    def up(self, x, y):
        self._touch("touchEnd", x, y)


class StylusPen:
    """Draws with a pen (stylus): CDP mouse events typed "pen", which the page sees as pen
    pointer events.
    """

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind, x, y, buttons):
        self.cdp.send(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": x,
                "y": y,
                "button": "left",
                "buttons": buttons,
                "clickCount": 1,
                "pointerType": "pen",
            },
        )

    def down(self, x, y):
        self._send("mouseMoved", x, y, 0)  # in range first, as a real pen is
        self._send("mousePressed", x, y, 1)

    def move(self, x, y):
        self._send("mouseMoved", x, y, 1)

    def up(self, x, y):
        self._send("mouseReleased", x, y, 0)


def draw_stroke(pen, page, stroke, pause_ms=4, halfway=None):
    """Replay one stroke; `halfway(page)` is called mid-stroke while the pen is still down."""
    points = densify(stroke)
    pen.down(*points[0])
    for i, (x, y) in enumerate(points[1:], 1):
        pen.move(x, y)
        page.wait_for_timeout(pause_ms)
        if halfway and i == len(points) // 2:
            halfway(page)
    pen.up(*points[-1])
