"""Start and stop the production server (`python -m webapp`) on a free local port."""

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model=None, workers=1, port=None, env=None):
    """Start `python -m webapp` (workers=None: the server's default); returns (process, base URL)
    once healthy.
    """
    port = port or free_port()
    command = [sys.executable, "-m", "webapp", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    if model:
        command += ["--model", str(model)]
    # The server's output goes to a file, not a pipe: a pipe nobody reads fills after 64 KB of
    # log lines, and the server then blocks on its next one.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True, env=env
    )
    proc.log = log
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()}")
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=1):
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start within 60 s")


def stop_server(proc):
    """Terminate, and kill if it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.log.close()
