"""A reload (a pull-to-refresh, a tab the browser put to sleep) keeps the drawing; Clear, a new
tab and kiosk do not.
"""

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.page import digit_shown, expected_digit, open_page, page_strokes, pick, settle


def reload(page):
    page.reload()
    page.wait_for_function("() => window.__digits !== undefined", timeout=5000)
    if page_strokes(page):  # a drawing came back: wait for its answer
        settle(page)


def draw(page, record):
    box = page.locator("#pad").bounding_box()
    for stroke in fit_strokes(record["strokes"], box):
        draw_stroke(MousePen(page), page, stroke)
    settle(page)


def test_a_reload_brings_the_drawing_back_and_reads_it_again(
    desk_context, server, classifier, stroke_records
):
    page = open_page(desk_context, server)
    draw(page, pick(stroke_records, 4, strokes=2))
    drawn, shown = page_strokes(page), digit_shown(page)
    reload(page)
    assert page_strokes(page) == drawn
    assert digit_shown(page) == shown == expected_digit(classifier, page)
    assert page.is_enabled("#undo") and page.is_enabled("#clear")
    page.click("#undo")  # an undo is kept too
    settle(page)
    reload(page)
    assert page_strokes(page) == drawn[:1]


def test_clear_forgets_the_drawing_and_a_new_tab_starts_empty(desk_context, server, stroke_records):
    page = open_page(desk_context, server)
    draw(page, pick(stroke_records, 7))
    other = open_page(desk_context, server)  # sessionStorage is per tab
    assert page_strokes(other) == [] and digit_shown(other) == ""
    page.click("#clear")
    reload(page)
    assert (
        page_strokes(page) == []
        and digit_shown(page) == ""
        and page.get_attribute("#clear", "aria-disabled") == "true"
    )


def test_a_drawing_scales_to_the_pad_it_comes_back_to(desk_context, server, stroke_records):
    page = open_page(desk_context, server)
    draw(page, pick(stroke_records, 3))
    before = page.locator("#pad").bounding_box()["width"]
    drawn = page_strokes(page)
    page.set_viewport_size({"width": 420, "height": 800})
    reload(page)
    scale = page.locator("#pad").bounding_box()["width"] / before
    assert scale < 0.9
    back = page_strokes(page)
    assert [len(s) for s in back] == [len(s) for s in drawn]
    assert (
        abs(back[0][0][0] - drawn[0][0][0] * scale) < 1
        and abs(back[0][0][1] - drawn[0][0][1] * scale) < 1
    )


def test_kiosk_mode_starts_afresh_for_each_visitor(desk_context, server, stroke_records):
    from harness.chromium import TEST_HOOK

    page = open_page(desk_context, server)
    draw(page, pick(stroke_records, 2))
    page.goto(f"{server}/{TEST_HOOK}&kiosk&attract=60")
    page.wait_for_function("() => window.__digits !== undefined", timeout=5000)
    assert page_strokes(page) == []
