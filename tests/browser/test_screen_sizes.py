"""The page and the kiosk at every screen size a visitor brings, from a phone to a 4K kiosk, both
ways up: a real number is drawn, and nothing moves while it is (Chromium's layout-shift entries,
as a PerformanceObserver sees them), the pad and its buttons stay on screen, the bars keep a
visible width. A screenshot of each is kept in artifacts/screens/ for a person to look at.
"""

from pathlib import Path

import numpy as np
import pytest

from harness.chromium import TEST_HOOK, MousePen, TouchPen
from harness.strokes import fit_strokes
from tests.support.page import settle
from tests.support.writers import writer_digits
from training.composed import compose

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
# (width, height, a phone or tablet held in the hand: touch, dense pixels)
SIZES = [
    (390, 844, True),
    (844, 390, True),
    (768, 1024, True),
    (1280, 800, False),
    (1920, 1080, False),
    (2560, 1440, False),
    (3840, 2160, False),
    (1080, 1920, False),
    (1440, 2560, False),
    (2160, 3840, False),
]
MODES = {"page": "", "kiosk": "&kiosk&attract=600&idle=600"}
# Every layout shift, from the first paint on; an input does not excuse one (drawing is input).
OBSERVE_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    window.__shifts.push({
      value: entry.value,
      strokes: window.__digits ? window.__digits.strokes().length : null,
      moved: entry.sources.map((s) => ({
        node: (s.node && (s.node.id || s.node.className || s.node.nodeName)) || "?",
        from: [s.previousRect.x, s.previousRect.y, s.previousRect.width, s.previousRect.height],
        to: [s.currentRect.x, s.currentRect.y, s.currentRect.width, s.currentRect.height],
      })),
    });
  }
}).observe({ type: "layout-shift", buffered: true });
"""
BAR_WIDTH = 120  # CSS px, at least, where the answer stands beside the pad


def inside(box, width, height):
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width + 0.5
        and box["y"] + box["height"] <= height + 0.5
    )


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h, _ in SIZES])
def screen(browser, request):
    width, height, handheld = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=3 if handheld else 1,
        is_mobile=handheld,
        has_touch=True,
    )
    context.add_init_script(OBSERVE_SHIFTS)
    yield context, width, height, handheld
    context.close()


@pytest.mark.parametrize("mode", MODES)
def test_nothing_moves_while_a_number_is_drawn_and_everything_stays_on_screen(
    screen, mode, server, stroke_records
):
    context, width, height, handheld = screen
    page = context.new_page()
    page.goto(f"{server}/{TEST_HOOK}{MODES[mode]}")
    page.wait_for_function("() => window.__digits !== undefined", timeout=5000)
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(300)  # the model's name arrives after load, below everything
    page.evaluate("() => { window.__shifts = []; }")
    pad = page.locator("#pad").bounding_box()
    records = writer_digits(stroke_records, [2, 0, 2, 6])
    strokes = fit_strokes(compose(records, np.random.default_rng(3)), pad, margin=0.08)
    pen = MousePen(page) if mode == "page" and not handheld else TouchPen(page)
    ends = set(np.cumsum([len(r["strokes"]) for r in records]))
    for i, stroke in enumerate(strokes, 1):
        # The writer's own points, as the pen sampled them: the pad joins them with lines.
        pen.down(*stroke[0])
        for x, y in stroke[1:]:
            pen.move(x, y)
        pen.up(*stroke[-1])
        if i in ends:
            settle(page)
            assert page.locator("#pad").bounding_box() == pad, "the pad moved"
    page.wait_for_timeout(200)  # bars' transitions end
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{width}x{height}-{mode}.png"))

    shifts = page.evaluate("() => window.__shifts")
    assert sum(s["value"] for s in shifts) == 0, shifts
    assert page.get_attribute("#prediction", "data-number")  # a number was read
    for selector in ("#pad", "#undo", "#clear", "#probs"):
        assert inside(page.locator(selector).bounding_box(), width, height), selector
    if mode == "kiosk":
        for button in page.locator("button:visible").all():
            assert inside(button.bounding_box(), width, height), button.inner_text()
    track = page.locator("#probs li .track").first.bounding_box()
    result = page.locator(".result").bounding_box()
    beside = result["x"] >= pad["x"] + pad["width"]
    assert track["width"] >= (BAR_WIDTH if beside else 60)
