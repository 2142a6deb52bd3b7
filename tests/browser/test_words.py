"""Plain words on every screen: what a visitor reads on the page and on /model says nothing in a
programmer's words (those wait behind "For the curious"), gives percentages with their % sign, and
a table too wide for a phone says that it scrolls.
"""

import pytest

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.page import open_page, pick, settle

JARGON = [
    "epoch",
    "loss",
    "validation",
    "fully connected",
    "hidden unit",
    "units",
    "calibrat",
    "gradient",
    "fired",
    "cropped",
    "centred by its mass",
    "\\",
]


def jargon_in(text):
    lowered = text.lower()
    return [word for word in JARGON if word in lowered]


@pytest.fixture()
def small_phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    yield context
    context.close()


def test_the_page_and_how_it_sees_speak_plainly(small_phone, server, stroke_records):
    page = open_page(small_phone, server)
    box = page.locator("#pad").bounding_box()
    for stroke in fit_strokes(pick(stroke_records, 3)["strokes"], box):
        draw_stroke(MousePen(page), page, stroke, pause_ms=2)
    settle(page)
    page.wait_for_function("() => document.getElementById('model-info').textContent !== ''")
    assert jargon_in(page.inner_text("body")) == []
    page.click("#explain-toggle")
    page.wait_for_selector("#explain .tiles")
    settle(page)
    # The closed "for the curious" note holds the technical words; nothing else does.
    assert jargon_in(page.inner_text("body")) == []
    page.click("#explain .curious summary")
    assert "gradient" in page.inner_text("#explain .curious").lower()


def test_the_model_page_speaks_plainly_and_its_tables_fit_or_say_they_scroll(small_phone, server):
    page = small_phone.new_page()
    page.goto(server + "/model")
    assert jargon_in(page.inner_text("main")) == []
    cells = page.locator("table.per-class td").all_inner_texts()
    assert len(cells) == 10 and all(cell.endswith("%") for cell in cells)
    scrolls = page.locator(".table-scroll")
    assert scrolls.count() == 2
    for k in range(scrolls.count()):
        holder = scrolls.nth(k)
        wide = holder.evaluate("(e) => e.scrollWidth > e.clientWidth")
        hint = holder.evaluate(
            "(e) => { const p = e.previousElementSibling;"
            " return p.classList.contains('scroll-hint') && p.offsetParent !== null; }"
        )
        assert hint or not wide
        # Nothing is cut off without a way to reach it: the page itself does not scroll sideways.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
