"""The page as a browser loads it: bytes of the first load, and how soon the first answer shows."""

import http.client
import posixpath
import re
from pathlib import Path

from harness.chromium import CHROMIUM_ARGS, TEST_HOOK, MousePen, draw_stroke, find_chromium
from harness.strokes import fit_strokes

# `import x from "./a.js"`, `import "./a.js"`, `export ... from "./a.js"` at a line's start; not
# `import("./a.js")`.
STATIC_IMPORT = re.compile(rb'^\s*(?:import|export)(?!\s*\()\b[^;]*?["\'](\.[^"\']+)["\']', re.M)


def page_weight(port):
    """Bytes of the first load: the HTML, the scripts and stylesheets it names, and the modules
    they import.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def get(path):
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
        return body

    html = get("/")
    sizes = {"/": len(html)}
    todo = [p.decode() for p in re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)]
    while todo:
        path = todo.pop()
        if path in sizes:
            continue
        body = get(path)
        sizes[path] = len(body)
        # static imports load with the page; dynamic import() ones only on demand
        if path.endswith(".js"):
            todo += [
                posixpath.normpath(posixpath.join(posixpath.dirname(path), m.decode()))
                for m in STATIC_IMPORT.findall(body)
            ]
    sizes["/api/model (fetched after load)"] = len(get("/api/model"))
    # After the load, the service worker fetches what offline use needs: every module, the demo
    # digits, the model page. Counted apart: the page does not wait for them.
    static = Path(__file__).resolve().parent.parent / "static"
    later = ["/sw.js", "/model", "/static/kiosk/demo-digits.json"] + [
        f"/static/js/{p.name}"
        for p in sorted((static / "js").glob("*.js"))
        if p.name != "test-hook.js"
    ]
    for path in later:
        if path not in sizes:
            sizes[f"{path} (service worker, after load)"] = len(get(path))
    conn.close()
    return sizes


def first_prediction_ms(base, records, loads=10):
    """Milliseconds from the first stroke's end to its answer on screen, over fresh page loads."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        return None
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for i in range(loads):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + TEST_HOOK)
            page.evaluate("""() => {
              window.__firstAnswer = null;
              document.getElementById('pad').addEventListener('pointerup', () => {
                const v = window.__digits.version(), t0 = performance.now();
                const check = () => {
                  if (window.__digits.shownVersion() >= v) {
                    requestAnimationFrame(() => { window.__firstAnswer = performance.now() - t0; });
                  } else requestAnimationFrame(check);
                };
                requestAnimationFrame(check);
              }, { once: true });
            }""")
            stroke = fit_strokes(records[i]["strokes"], page.locator("#pad").bounding_box())[0]
            draw_stroke(MousePen(page), page, stroke, pause_ms=4)
            page.wait_for_function("() => window.__firstAnswer !== null", timeout=5000)
            times.append(page.evaluate("() => window.__firstAnswer"))
            page.close()
        browser.close()
    return times
