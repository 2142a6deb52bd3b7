"""Helpers for driving the page in headless Chromium: start the server, replay strokes as real pointer input."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.strokes import fit_strokes  # noqa: E402,F401  (re-exported for the tests)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def find_chromium():
    """Path of a Chromium binary, or None."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model=None, workers=1, port=None):
    """Start `python -m webapp` on a free port (workers=None: the server's default); returns (process, base URL)."""
    port = port or free_port()
    command = [sys.executable, "-m", "webapp", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    if model:
        command += ["--model", str(model)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=1):
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def densify(stroke, step=4.0):
    """Points at most `step` px apart, as a hand moving a mouse produces."""
    out = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        n = max(1, int(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 // step))
        out += [[x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n] for k in range(1, n + 1)]
    return out


class MousePen:
    """Draws with the mouse: real mousedown/move/up, which the page sees as pointer events."""

    def __init__(self, page):
        self.page = page

    def down(self, x, y):
        self.page.mouse.move(x, y)
        self.page.mouse.down()

    def move(self, x, y):
        self.page.mouse.move(x, y)

    def up(self, x, y):
        self.page.mouse.up()


class TouchPen:
    """Draws with a finger: CDP touch events, which the page sees as touch pointer events."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _touch(self, kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1, "radiusX": 4, "radiusY": 4, "force": 1}]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x, y):
        self._touch("touchStart", x, y)

    def move(self, x, y):
        self._touch("touchMove", x, y)

    def up(self, x, y):
        self._touch("touchEnd", x, y)


def draw_stroke(pen, page, stroke, pause_ms=8, halfway=None):
    """Replay one stroke; `halfway(page)` is called mid-stroke while the pen is still down."""
    points = densify(stroke)
    pen.down(*points[0])
    for i, (x, y) in enumerate(points[1:], 1):
        pen.move(x, y)
        page.wait_for_timeout(pause_ms)
        if halfway and i == len(points) // 2:
            halfway(page)
    pen.up(*points[-1])
