"""Helpers for browser tests: open the page with its test hook, read what it shows, wait for it
to settle.
"""

import time

from harness.chromium import TEST_HOOK
from tests.support.api import read_json


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
    answer = read_json(classifier, page_strokes(page))
    return "" if answer["empty"] else str(answer["digit"])


def fake_answer(digit, verdict="digit", candidates=None):
    """An answer no model gave: so the test knows exactly which response the page shows."""
    probs = [0.01] * 10
    probs[digit] = 0.91
    return {
        "verdict": verdict,
        "digit": digit,
        "confidence": 0.91,
        "candidates": candidates,
        "probabilities": probs,
        "input": [[0] * 28] * 28,
        "empty": False,
    }


class Api:
    """Intercepts /api/predict. Each request is held until the test answers it, or answered at
    once with `auto`.
    """

    def __init__(self, page, auto=None):
        self.page, self.auto, self.held, self.bodies = page, auto, [], []
        page.route("**/api/predict", self._arrive)
        # Every digit the page puts on screen, in order.
        page.evaluate("""() => { window.__shown = [];
          const p = document.querySelector('#prediction');
          new MutationObserver(() => window.__shown.push(p.dataset.digit))
            .observe(p, { attributes: true, attributeFilter: ['data-digit'] }); }""")

    def _arrive(self, route):
        self.bodies.append(route.request.post_data_json)
        if self.auto is None:
            self.held.append(route)
        else:
            route.fulfill(json=fake_answer(self.auto))

    def wait_for(self, count):
        """Wait until `count` requests have arrived in all."""
        deadline = time.monotonic() + 5
        while len(self.bodies) < count:
            assert time.monotonic() < deadline, f"{len(self.bodies)} requests, expected {count}"
            self.page.wait_for_timeout(10)

    def answer(self, digit):
        self.held.pop(0).fulfill(json=fake_answer(digit))

    def shown(self):
        return self.page.evaluate("() => window.__shown")
