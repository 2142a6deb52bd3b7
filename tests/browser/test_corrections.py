"""Correcting the network on the page: tap the right digit's bar (or press its key), a thank-you,
one correction per digit, and the server keeps exactly the strokes of that digit, the label, the
network's answer and its version."""

import numpy as np

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.data import SHIPPED_MODEL
from tests.support.page import page_strokes, pick, settle
from tests.support.writers import writer_digits
from training.composed import compose
from webapp.store import Store

SHIPPED_SHA = __import__("json").loads(SHIPPED_MODEL.with_suffix(".json").read_text())["weights"][
    "sha256"
]


def draw(page, strokes):
    for stroke in strokes:
        draw_stroke(MousePen(page), page, stroke, pause_ms=2)
    settle(page)


def stored(corrections_url):
    return Store(corrections_url, 10**6).export(everything=True)


def wait_kept(page):
    page.wait_for_function(
        "() => document.getElementById('correct-hint').textContent.startsWith('Thank you')",
        timeout=5000,
    )


def test_tapping_the_right_digit_keeps_the_drawing_once(desk, stroke_records, corrections_url):
    page = desk
    before = len(stored(corrections_url))
    box = page.locator("#pad").bounding_box()
    draw(page, fit_strokes(pick(stroke_records, 4)["strokes"], box))
    assert page.inner_text("#correct-hint").startswith("Wrong? Tap the right digit")
    shown = int(page.get_attribute("#prediction", "data-digit"))
    right = (shown + 1) % 10
    page.click(f"#probs li[data-digit='{right}'] button.digit")
    wait_kept(page)
    assert f"kept as a {right}" in page.inner_text("#correct-hint")
    # A second tap, or its key, adds nothing: one correction per digit.
    page.click(f"#probs li[data-digit='{shown}'] button.digit", force=True)
    page.keyboard.press(str(shown))
    page.wait_for_timeout(300)
    rows = stored(corrections_url)[before:]
    assert len(rows) == 1
    [row] = rows
    assert row["label"] == right and row["predicted"] == shown and row["model"] == SHIPPED_SHA
    assert row["strokes"] == page_strokes(page)
    # A new drawing may be corrected again, by its key this time.
    page.click("#clear")
    draw(page, fit_strokes(pick(stroke_records, 2)["strokes"], box))
    page.keyboard.press("7")
    wait_kept(page)
    assert [r["label"] for r in stored(corrections_url)[before:]] == [right, 7]


def test_a_numbers_digit_is_corrected_with_its_own_strokes(desk, stroke_records, corrections_url):
    page = desk
    before = len(stored(corrections_url))
    records = writer_digits(stroke_records, [3, 8])
    strokes = compose(records, np.random.default_rng(2))
    box = page.locator("#pad").bounding_box()
    draw(page, fit_strokes(strokes, box, margin=0.08))
    assert page.get_attribute("#prediction", "data-number") == "38"
    page.locator("#number-digits .digit-pick").nth(0).click()  # the first digit
    page.keyboard.press("5")
    wait_kept(page)
    assert "digit 1 kept as a 5" in page.inner_text("#correct-hint")
    [row] = stored(corrections_url)[before:]
    first_strokes = len(records[0]["strokes"])
    assert row["label"] == 5 and row["predicted"] == 3
    assert row["strokes"] == page_strokes(page)[:first_strokes]


def test_the_kiosk_takes_no_corrections(browser, server, stroke_records, corrections_url):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{server}/?testhook&kiosk&attract=600&idle=600")
    page.wait_for_function("() => window.__digits !== undefined")
    before = len(stored(corrections_url))
    box = page.locator("#pad").bounding_box()
    draw(page, fit_strokes(pick(stroke_records, 6)["strokes"], box))
    page.keyboard.press("1")
    page.wait_for_timeout(300)
    assert len(stored(corrections_url)) == before
    context.close()


def test_a_reviewer_signs_in_and_accepts_in_a_real_browser(desk_context, server, corrections_url):
    """The page's forms as Chromium sends them (no Referer, Origin null): sign in, accept one."""
    from tests.browser.conftest import REVIEW_TOKEN
    from tests.browser.test_accessibility import serious

    page = desk_context.new_page()
    page.goto(f"{server}/corrections")
    page.fill("#token", REVIEW_TOKEN)
    page.click("button[type=submit]")
    page.wait_for_selector(".review-card")
    assert serious(page) == []
    first = page.locator(".review-card").first
    said = first.locator("strong").inner_text()
    first.locator("button[value=accepted]").click()
    page.wait_for_load_state()
    page.goto(f"{server}/corrections?status=accepted")
    assert said in page.locator(".review-card").first.inner_text()
