"""Correcting the network on the page: tap the right digit's bar (or press its key), a thank-you,
one correction per digit, and the server keeps exactly the strokes of that digit, the label, the
network's answer and its version."""

import time

import numpy as np

from harness.chromium import MousePen, draw_stroke
from harness.strokes import fit_strokes
from tests.support.api import read_json
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


def stored_since(corrections_url, before, count):
    """The corrections kept after the first `before`, once there are `count` of them (the page
    sends one after it has re-read the drawing with the writer's new example)."""
    deadline = time.monotonic() + 5
    while len(rows := stored(corrections_url)[before:]) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return rows


def wait_kept(page):
    page.wait_for_function(
        "() => document.getElementById('correct-hint').textContent.startsWith('Thank you')",
        timeout=5000,
    )


def second_likeliest(classifier, page):
    """The digit the pipeline finds likeliest after the one it answers: a correction to it turns
    the answer at once."""
    answer = read_json(classifier, page_strokes(page))
    return int(np.argsort(answer["probabilities"])[-2])


def test_a_correction_is_answered_at_once_and_kept_once(
    desk, stroke_records, corrections_url, classifier
):
    page = desk
    before = len(stored(corrections_url))
    box = page.locator("#pad").bounding_box()
    draw(page, fit_strokes(pick(stroke_records, 4)["strokes"], box))
    assert page.inner_text("#correct-hint").startswith("Wrong? Tap the right digit")
    shown = int(page.get_attribute("#prediction", "data-digit"))
    right = second_likeliest(classifier, page)
    page.click(f"#probs li[data-digit='{right}'] button.digit")
    wait_kept(page)
    settle(page)
    # Read again with the writer's new example: the big answer is the corrected digit, marked.
    assert page.get_attribute("#prediction", "data-digit") == str(right)
    assert f"Read as your {right}." in page.inner_text("#status")
    assert f"kept as a{'n' if right == 8 else ''} {right}" in page.inner_text("#correct-hint")
    assert page.locator("#probs li.chosen").get_attribute("data-digit") == str(right)
    assert "It knows 1 correction" in page.inner_text("#personal")
    # The same digit again, or its key, adds nothing.
    page.click(f"#probs li[data-digit='{right}'] button.digit")
    page.keyboard.press(str(right))
    page.wait_for_timeout(300)
    rows = stored_since(corrections_url, before, 1)
    assert len(rows) == 1
    [row] = rows
    assert row["label"] == right and row["predicted"] == shown and row["model"] == SHIPPED_SHA
    assert row["strokes"] == page_strokes(page)
    # A slip is changed by another tap: one example still, the new label kept.
    other = (right + 1) % 10
    page.keyboard.press(str(other))
    page.wait_for_function(
        f"() => document.getElementById('correct-hint').textContent.includes(' {other}.')"
    )
    assert "It knows 1 correction" in page.inner_text("#personal")
    assert [r["label"] for r in stored_since(corrections_url, before, 2)] == [right, other]
    # "Forget my handwriting": the examples go, and the drawing is read as anyone's again.
    page.click("#forget")
    settle(page)
    assert page.locator("#personal").is_hidden()
    assert page.get_attribute("#prediction", "data-digit") == str(shown)
    assert page.evaluate("() => localStorage.getItem('digits.personal')") is None


def test_examples_outlive_a_new_drawing_and_a_reload(desk, stroke_records, classifier):
    page = desk
    box = page.locator("#pad").bounding_box()
    strokes = fit_strokes(pick(stroke_records, 7)["strokes"], box)
    draw(page, strokes)
    right = second_likeliest(classifier, page)
    page.keyboard.press(str(right))
    wait_kept(page)
    page.reload()
    page.wait_for_function("() => window.__digits !== undefined")
    page.click("#clear")
    draw(page, strokes)
    page.wait_for_function(
        f"() => document.getElementById('prediction').dataset.digit === '{right}'"
    )
    assert "It knows 1 correction" in page.inner_text("#personal")
    page.click("#forget")


def test_a_finger_corrects_with_big_buttons(phone, stroke_records, corrections_url):
    page = phone
    before = len(stored(corrections_url))
    box = page.locator("#pad").bounding_box()
    draw(page, fit_strokes(pick(stroke_records, 3)["strokes"], box))
    opener = page.locator("#correct-hint .correct-open")
    assert opener.bounding_box()["height"] >= 44
    opener.tap()
    keys = page.locator(".correct-sheet button")
    assert keys.count() == 12  # ten digits, "not a digit", cancel
    for i in range(keys.count()):
        size = keys.nth(i).bounding_box()
        assert size["width"] >= 44 and size["height"] >= 44, keys.nth(i).inner_text()
    page.locator(".correct-sheet button[data-label='not_a_digit']").tap()
    wait_kept(page)
    settle(page)
    assert "kept as not a digit" in page.inner_text("#correct-hint")
    assert page.locator(".correct-sheet").is_hidden()
    assert page.locator("#prediction").get_attribute("class").count("not-digit") == 1
    # "Not a digit" goes to the corrections too, for review.
    [row] = stored_since(corrections_url, before, 1)
    assert row["label"] == "not_a_digit"
    page.click("#forget")


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
    assert "digit 1 of 2 is a 5" in page.inner_text("#correct-hint")
    [row] = stored_since(corrections_url, before, 1)
    first_strokes = len(records[0]["strokes"])
    assert row["label"] == 5 and row["predicted"] == 3
    assert row["strokes"] == page_strokes(page)[:first_strokes]


def test_the_kiosk_learns_a_visitor_until_its_idle_reset_and_stores_nothing(
    browser, server, stroke_records, corrections_url, classifier
):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{server}/?testhook&kiosk&attract=600&idle=3&countdown=1")
    page.wait_for_function("() => window.__digits !== undefined")
    before = len(stored(corrections_url))
    box = page.locator("#pad").bounding_box()
    strokes = fit_strokes(pick(stroke_records, 6)["strokes"], box)
    draw(page, strokes)
    shown = page.get_attribute("#prediction", "data-digit")
    right = second_likeliest(classifier, page)
    # A visitor's finger: "Wrong?" beside Undo and Clear, then the big buttons.
    page.click("#kiosk-correct")
    page.click(f".correct-sheet button[data-label='{right}']")
    wait_kept(page)
    settle(page)
    assert page.get_attribute("#prediction", "data-digit") == str(right)
    assert "It knows 1 correction" in page.inner_text("#personal")
    # The idle reset clears the drawing and the visitor's examples: the next visitor's same
    # drawing reads as anyone's.
    page.wait_for_function("() => window.__digits.strokes().length === 0", timeout=10000)
    assert page.locator("#personal").is_hidden()
    assert page.locator("#kiosk-correct").evaluate("b => b.style.visibility") == "hidden"
    draw(page, strokes)
    assert page.get_attribute("#prediction", "data-digit") == shown
    assert page.evaluate("() => localStorage.getItem('digits.personal')") is None
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
