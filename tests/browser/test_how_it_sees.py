"""The "how it sees" view: loaded on demand, live while drawing, a unit's template on a tap,
usable by keyboard.
"""

import pytest

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.browser.test_screen_sizes import SCREENS
from tests.support.api import read_json
from tests.support.page import open_page, pick, settle


def draw_real(page, record, halfway=None):
    page.locator("#pad").scroll_into_view_if_needed()
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
    # Opening scrolls the panel into view: the pad is where it ends up once the scroll is over.
    page.wait_for_function(
        """() => new Promise((done) => {
            let last = -1, still = 0;
            const look = () => {
                still = window.scrollY === last ? still + 1 : 0;
                last = window.scrollY;
                if (still >= 5) done(true); else requestAnimationFrame(look);
            };
            look();
        })""",
        timeout=5000,
    )
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
    expected = read_json(classifier, desk.evaluate("() => window.__digits.strokes()"))["digit"]
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
    assert desk.inner_text("#explain .unit-title").startswith("Part 35 of layer 1")
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
    assert desk.inner_text("#explain .unit-title").startswith("Part 2 of layer 1")
    desk.keyboard.press("Escape")  # clears the pad, as everywhere on the page
    settle(desk)
    assert desk.inner_text("#status") == "Draw a digit to start."


def opened_with_a_digit(browser, server, record, width, height, ratio):
    """(context, page) on a touch screen of that size: the record drawn, "How does it see?"
    open and showing it."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=ratio, has_touch=True
    )
    page = open_page(context, server)
    draw_real(page, record)
    settle(page)
    open_explain(page)
    page.wait_for_selector("#explain .tiles")
    settle(page)
    return context, page


def test_opening_brings_the_view_into_sight(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = open_page(context, server)
    open_explain(page)
    page.wait_for_function(
        "() => document.getElementById('explain').getBoundingClientRect().top < 800 * 0.5",
        timeout=3000,
    )
    context.close()


def test_a_finger_picks_a_unit_in_the_zoomed_grid_and_its_pattern_is_beside_it(
    browser, server, stroke_records
):
    context, page = opened_with_a_digit(browser, server, pick(stroke_records, 5), 390, 844, 3)
    tiles = page.locator("#explain .tiles").first
    tiles.scroll_into_view_if_needed()
    box = tiles.bounding_box()
    # A finger lands on the overview near row 10, column 20: the zoomed grid centres there.
    with page.expect_response("**/api/units/*"):
        page.touchscreen.tap(
            box["x"] + box["width"] * 20.5 / 32, box["y"] + box["height"] * 10.5 / 32
        )
    zoom = page.locator("#explain .zoom")
    zoom.scroll_into_view_if_needed()
    zbox = zoom.bounding_box()
    cell = zbox["width"] / 6
    assert cell >= 24
    # The zoomed grid shows rows 7-12, columns 17-22: its top left square is unit 7 * 32 + 17.
    with page.expect_response("**/api/units/*") as unit_response:
        page.touchscreen.tap(zbox["x"] + cell / 2, zbox["y"] + cell / 2)
    assert unit_response.value.url.endswith(f"/api/units/{7 * 32 + 17}")
    page.wait_for_selector("#explain .unit:not([hidden])")
    assert page.inner_text("#explain .unit-title").startswith(f"Part {7 * 32 + 18} of layer 1")
    # The pattern opens next to the zoomed grid: within a screen's height of where it was tapped.
    template = page.locator("#explain .template").bounding_box()
    assert abs(template["y"] - zbox["y"]) < 844
    # Plain words first, the technical ones behind "for the curious".
    text = page.inner_text("#explain")
    assert "gradient" not in text.split("For the curious")[0].lower()
    assert "which pixels pushed toward the answer" in text.lower()
    context.close()


def test_all_the_numbers_are_drawn_sharp_at_a_readable_size(browser, server, stroke_records):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3)
    page = open_page(context, server)
    draw_real(page, pick(stroke_records, 8))
    settle(page)
    open_explain(page)
    page.click("#explain .show-numbers")
    numbers = page.locator("#explain .numbers")
    size = numbers.evaluate("(c) => [c.width, c.clientWidth]")
    assert size[1] >= 28 * 26  # CSS pixels: a cell per pixel, 26 or more wide
    assert size[0] == size[1] * 3  # drawn at the screen's pixel ratio
    # Wider than the phone: it scrolls, and says so.
    assert page.is_visible("#explain .numbers-hint")
    context.close()


@pytest.mark.parametrize("width,height,ratio", [(390, 844, 3), (1280, 800, 1), (3840, 2160, 1)])
def test_the_view_at_a_phones_and_a_4k_screens_size(
    browser, server, stroke_records, width, height, ratio
):
    """Opened, a unit tapped in the zoomed grid, the numbers shown: each part readable and within
    reach; screenshots for a person to look at."""
    record = pick(stroke_records, 4)
    context, page = opened_with_a_digit(browser, server, record, width, height, ratio)
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"explain-{width}x{height}-opened.png"))
    zoom = page.locator("#explain .zoom")
    zoom.scroll_into_view_if_needed()
    zbox = zoom.bounding_box()
    assert zbox["width"] / 6 >= 24
    with page.expect_response("**/api/units/*"):
        page.touchscreen.tap(zbox["x"] + zbox["width"] * 0.5, zbox["y"] + zbox["height"] * 0.5)
    page.wait_for_selector("#explain .unit:not([hidden])")
    zoom.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENS / f"explain-{width}x{height}-unit.png"))
    page.click("#explain .show-numbers")
    numbers = page.locator("#explain .numbers")
    numbers.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / f"explain-{width}x{height}-numbers.png"))
    assert numbers.evaluate("(c) => c.clientWidth / 28") >= 26
    context.close()
