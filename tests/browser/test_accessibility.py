"""axe-core on every page and mode: no serious or critical violations."""

import pytest

from harness.chromium import TEST_HOOK
from tests.browser.test_how_it_sees import open_explain

axe_module = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python missing"
)


def serious(page):
    results = axe_module.Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", ["/", "/model", f"/{TEST_HOOK}&kiosk&attract=600"])
@pytest.mark.parametrize(
    "viewport",
    [
        {"width": 390, "height": 844},
        {"width": 1280, "height": 800},
        {"width": 3840, "height": 2160},
    ],
)
def test_no_serious_violations(browser, server, path, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(server + path)
    page.wait_for_load_state("networkidle")
    assert serious(page) == []
    context.close()


def test_no_serious_violations_in_the_explain_view(desk):
    open_explain(desk)
    desk.locator("#pad").scroll_into_view_if_needed()
    box = desk.locator("#pad").bounding_box()
    desk.mouse.move(box["x"] + 200, box["y"] + 80)
    desk.mouse.down()
    desk.mouse.move(box["x"] + 210, box["y"] + 400, steps=10)
    desk.mouse.up()
    desk.wait_for_selector("#explain .tiles")
    desk.click("#explain .show-numbers")
    assert serious(desk) == []
