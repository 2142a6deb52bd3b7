"""The "how it sees" view: loaded on demand, live while drawing, a unit's template on a tap,
usable by keyboard.
"""

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from recognition.numbers import read_number
from tests.support.page import pick, settle


def draw_real(page, record, halfway=None):
    box = page.locator("#pad").bounding_box()
    strokes = fit_strokes(
        record["strokes"],
        {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]},
    )
    for i, stroke in enumerate(strokes):
        draw_stroke(MousePen(page), page, stroke, halfway=halfway if i == 0 else None)


def open_explain(page):
    explains = []
    page.on("request", lambda r: explains.append(r.url) if r.url.endswith("/api/explain") else None)
    loaded = []
    page.on("request", lambda r: loaded.append(r.url) if "explain-view.js" in r.url else None)
    page.click("#explain-toggle")
    page.wait_for_selector("#explain .stages", timeout=5000)
    return explains, loaded


def test_the_view_loads_only_when_opened_and_follows_the_drawing(desk, stroke_records, classifier):
    scripts = desk.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
    assert not any("explain" in s for s in scripts)  # not part of the first load
    explains, loaded = open_explain(desk)
    assert loaded and desk.get_attribute("#explain-toggle", "aria-expanded") == "true"
    record = pick(stroke_records, 3)
    seen_mid_stroke = []

    def halfway(page):
        page.wait_for_timeout(300)
        seen_mid_stroke.append(
            page.evaluate("() => document.querySelectorAll('#explain .tiles').length")
        )

    draw_real(desk, record, halfway)
    settle(desk)
    assert seen_mid_stroke == [3]  # the layers are drawn while the pen is still down
    assert explains  # answers came from /api/explain
    expected = read_number(classifier, desk.evaluate("() => window.__digits.strokes()")).to_json()[
        "digit"
    ]
    assert desk.inner_text("#prediction") == str(expected)
    assert f"toward {expected}" in desk.inner_text("#explain .saliency-caption")
    tiles = desk.locator("#explain .tiles").first
    lit = tiles.evaluate(
        "(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 40) n++; return n; }"
    )
    assert lit > 0


def test_tapping_a_first_layer_unit_shows_its_template(desk, stroke_records):
    open_explain(desk)
    draw_real(desk, pick(stroke_records, 7))
    settle(desk)
    tiles = desk.locator("#explain .tiles").first
    tiles.scroll_into_view_if_needed()
    box = tiles.bounding_box()
    with desk.expect_response("**/api/units/*") as unit_response:
        # row 1, col 2
        desk.mouse.click(box["x"] + box["width"] * 2.5 / 32, box["y"] + box["height"] * 1.5 / 32)
    assert unit_response.value.url.endswith("/api/units/34")
    desk.wait_for_selector("#explain .unit:not([hidden])")
    assert desk.inner_text("#explain .unit-title").startswith("Unit 35 of layer 1")
    blank = desk.locator("#explain .template").evaluate(
        "(c) => c.getContext('2d').getImageData(0, 0, 28, 28).data.every((v) => v === 255)"
    )
    assert not blank


def test_every_control_works_from_the_keyboard(desk, stroke_records):
    draw_real(desk, pick(stroke_records, 2))
    settle(desk)
    focused = []
    for _ in range(6):
        desk.keyboard.press("Tab")
        focused.append(
            desk.evaluate("() => document.activeElement.id || document.activeElement.className")
        )
    assert "undo" in focused and "clear" in focused and "explain-toggle" in focused
    desk.focus("#explain-toggle")
    desk.keyboard.press("Enter")
    desk.wait_for_selector("#explain .stages")
    settle(desk)
    desk.focus("#explain .pixels")
    for key in ("ArrowRight", "ArrowDown", "ArrowDown"):
        desk.keyboard.press(key)
    assert desk.inner_text("#explain .readout").startswith("Row 3, column 2:")
    desk.focus("#explain .show-numbers")
    desk.keyboard.press("Enter")
    assert desk.get_attribute("#explain .show-numbers", "aria-pressed") == "true"
    assert desk.is_visible("#explain .numbers")
    desk.focus("#explain .tiles[tabindex]")
    desk.keyboard.press("ArrowRight")
    desk.wait_for_selector("#explain .unit:not([hidden])")
    assert desk.inner_text("#explain .unit-title").startswith("Unit 2 of layer 1")
    desk.keyboard.press("Escape")  # clears the pad, as everywhere on the page
    settle(desk)
    assert desk.inner_text("#status") == "Draw a digit to start."
