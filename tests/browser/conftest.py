"""Browser fixtures: the production server on the shipped model, headless Chromium, desk and
phone pages.
"""

import os

import pytest

from harness.chromium import CHROMIUM_ARGS, find_chromium
from harness.server import start_server, stop_server
from recognition.classifier import Classifier
from tests.support.data import SHIPPED_MODEL
from tests.support.page import open_page

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
CHROMIUM = find_chromium()
REVIEW_TOKEN = "browser-tests-review-token"


def pytest_collection_modifyitems(items):
    skip = pytest.mark.skip(reason="no Chromium found (apt-get install chromium)")
    for item in items:
        if CHROMIUM is None and "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def corrections_url(tmp_path_factory):
    """Where the browser tests' server keeps corrections: a fresh SQLite file of the session."""
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'corrections.db'}"


@pytest.fixture(scope="session")
def server(corrections_url):
    env = {
        **os.environ,
        "DIGITS_DATABASE_URL": corrections_url,
        # Every test comes from 127.0.0.1: the per-client limit would stop the session's tests.
        "DIGITS_CORRECTIONS_RATE": "10000 per minute",
        "DIGITS_ADMIN_TOKEN": REVIEW_TOKEN,
    }
    proc, base = start_server(model=SHIPPED_MODEL, workers=1, env=env)
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def classifier():
    """The in-process pipeline on the shipped model: what the page must show for its strokes."""
    return Classifier.load(SHIPPED_MODEL)


@pytest.fixture()
def desk_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture()
def desk(desk_context, server):
    return open_page(desk_context, server)


@pytest.fixture()
def phone(browser, server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    yield open_page(context, server)
    context.close()
