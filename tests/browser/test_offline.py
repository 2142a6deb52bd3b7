"""Offline after the first load: the service worker serves the page; the drawing is kept and read
when back.
"""

from harness.chromium import TEST_HOOK, MousePen, draw_stroke
from tests.support.page import page_strokes


def test_a_reload_with_the_network_cut_is_served_by_the_service_worker(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/{TEST_HOOK}")
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)", timeout=10000)
    page.reload()  # from now on the worker controls the page, and it has cached what it needs
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10000)
    context.set_offline(True)
    page.reload()
    page.wait_for_function("() => window.__digits !== undefined", timeout=5000)
    assert page.inner_text("h1") == "Draw a digit"
    box = page.locator("#pad").bounding_box()
    draw_stroke(
        MousePen(page), page, [[box["x"] + 200, box["y"] + 80], [box["x"] + 210, box["y"] + 400]]
    )
    page.wait_for_function(
        "() => document.getElementById('status').textContent.includes('no connection')",
        timeout=5000,
    )
    assert "Your drawing is kept" in page.inner_text("#status")
    assert len(page_strokes(page)) == 1
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function(
        "() => window.__digits.settled() && document.getElementById('prediction').dataset.digit"
        " !== ''",
        timeout=5000,
    )
    assert len(page_strokes(page)) == 1
    context.close()
