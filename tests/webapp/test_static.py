"""The front-end files: the service worker caches every module, and is served from the root to
cover every page.
"""

import re

from tests.support.data import ROOT


def test_the_service_worker_caches_every_module():
    text = (ROOT / "static" / "sw.js").read_text()
    names = set(re.findall(r'"([a-z-]+)"', text[text.index("...[") : text.index(".map(")]))
    modules = {p.stem for p in (ROOT / "static" / "js").glob("*.js")} - {"test-hook"}
    assert names == modules


def test_the_service_worker_is_served_from_the_root_and_never_stale(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == (ROOT / "static" / "sw.js").read_bytes()
