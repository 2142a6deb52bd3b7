"""Production server: python -m webapp [--host 127.0.0.1] [--port 8000] [--workers N] (gunicorn)."""
import argparse
import os
import sys

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    """gunicorn, configured from here; the app (and model) is built once and shared by forked workers."""

    def __init__(self, options, app):
        self.options, self.app = options, app
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.app


def default_workers():
    """One worker per core: inference is CPU-bound and each worker runs torch on one thread."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m webapp", description="Serve the draw-a-digit app with gunicorn.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--workers", type=int, default=default_workers(), help="worker processes (default: the core count)")
    p.add_argument("--threads", type=int, default=2, help="threads per worker (keep-alive connections are served by them)")
    p.add_argument("--model", default=None, help="model path (default: the shipped models/mlp.safetensors)")
    args = p.parse_args(argv)
    if not 0 < args.port < 65536:
        p.error(f"--port must be 1..65535, got {args.port}")
    if args.workers < 1 or args.threads < 1:
        p.error("--workers and --threads must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    from . import create_app
    from .model import CheckpointError
    try:
        # Built (and the model loaded) once, here in the master: a bad model
        # fails with one line, and the forked workers share the weights.
        app = create_app({"MODEL_PATH": args.model} if args.model else None)
    except CheckpointError as exc:
        sys.exit(f"python -m webapp: {exc}")
    host = f"[{args.host}]" if ":" in args.host else args.host
    options = {
        "bind": f"{host}:{args.port}",
        "workers": args.workers,
        "worker_class": "gthread",  # keeps connections alive, unlike the sync worker
        "threads": args.threads,
        "keepalive": 30,
        # The app is built before forking: the workers share one copy of the
        # weights, which then stays in the CPU's cache; a copy per worker would
        # evict each other (3x slower inference).
        "preload_app": True,
        "accesslog": None,
        "when_ready": lambda server: print(f"Serving on http://{host}:{args.port}/ "
                                           f"({args.workers} workers); Ctrl+C stops", flush=True),
    }
    Server(options, app).run()


if __name__ == "__main__":
    main()
