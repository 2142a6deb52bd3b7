"""Helpers for browser tests: open the page with its test hook, read what it shows, wait for it
to settle.
"""

from harness.chromium import TEST_HOOK
from recognition.numbers import read_number


def open_page(context, base):
    """A new page on the app with the read-only test hook, once the hook is installed."""
    page = context.new_page()
    page.goto(base + "/" + TEST_HOOK)
    page.wait_for_function("() => window.__digits !== undefined", timeout=5000)
    return page


def pick(stroke_records, label, strokes=None):
    """The first real record of this digit (with this many strokes, if given)."""
    for r in stroke_records:
        if r["label"] == label and (strokes is None or len(r["strokes"]) == strokes):
            return r
    raise LookupError(label)


def digit_shown(page):
    return page.get_attribute("#prediction", "data-digit")


def settle(page):
    """Wait until the page has asked for and shown the answer to its current drawing."""
    page.wait_for_function("() => window.__digits.settled()", timeout=5000)


def page_strokes(page):
    return page.evaluate("() => window.__digits.strokes()")


def expected_digit(classifier, page):
    """What the pipeline says for the strokes the page holds, as the page shows it ('' for
    nothing).
    """
    answer = read_number(classifier, page_strokes(page)).to_json()
    return "" if answer["empty"] else str(answer["digit"])
