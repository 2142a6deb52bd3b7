"""Production server: python -m webapp [--host H] [--port P] [--workers N] [--threads T] [--model
PATH] (gunicorn).
"""

import argparse
import gc
import glob
import logging
import os
import shutil
import socket
import sys
import tempfile

from gunicorn.app.base import BaseApplication

from . import settings


class Server(BaseApplication):
    """gunicorn, configured from here; the app (and model) is built once and shared by forked
    workers.
    """

    def __init__(self, options, app, rebuild=None):
        self.options, self.app = options, app
        self.rebuild = rebuild  # () -> the app built again from the same settings
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.app

    def reload(self):
        """SIGHUP: build the app again, model included (`flask --app webapp model promote` put a
        new one in its place). gunicorn then forks new workers from it while the old ones finish
        what they hold, on the same listening socket: no request is refused. An app that does not
        build (a bad model file) is reported in one line, and the one served stays."""
        super().reload()
        if self.rebuild is None:
            return
        from recognition.checkpoint import CheckpointError

        try:
            app = self.rebuild()
        except (settings.SettingError, CheckpointError, OSError) as exc:
            message = f"python -m webapp: SIGHUP: still serving the model loaded before: {exc}"
            print(message, file=sys.stderr, flush=True)
            return
        self.app, self.callable = app, None
        # The old app's objects were frozen before the last fork (freeze_objects): frozen, the
        # collector would never free them (a Flask app holds reference cycles), and every reload
        # would keep another model in the master. The next fork collects them, then freezes the
        # new app's.
        gc.unfreeze()
        print(f"python -m webapp: SIGHUP: serving {app.config['MODEL_PATH']} afresh", flush=True)


def core_count():
    """Cores this process may run on: one worker each, as inference is CPU-bound on one thread
    per worker.
    """
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def cannot_listen(host, port):
    """Why the server could not listen on host:port (one line naming the setting), or None.

    Checked before gunicorn starts, which would say it in a dozen lines of its own.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"HOST (--host or DIGITS_HOST) {host!r} is not an address here ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port} (--host, --port): {exc.strerror}"
    return None


def worker_setup(app):
    """gunicorn's post_fork hook: each worker sets its math thread count before it serves.

    The count is set per worker, before its threads start: a library's thread pool built in the
    master and inherited by a fork is not safe to use from two threads at once (torch's was
    not: "Invalid thread pool!", a 500; serving no longer imports torch, BLAS's pool is set the
    same way).
    """
    from recognition.classifier import limit_threads

    threads = app.config["MATH_THREADS"]

    def post_fork(server, worker):
        limit_threads(threads)

    return post_fork


def freeze_objects(server, worker):
    """gunicorn's pre_fork hook: the master's objects (the app, every imported module) are moved
    out of the garbage collector's reach just before each fork.

    A worker's first full collection otherwise writes to every one of them (the collector keeps
    its counts in each object's header), and the kernel then copies each page it writes to: the
    soak saw a master and its worker each gain about 22 MB of private memory at once, minutes
    into serving, with the same pages now held twice. Frozen, they stay one copy (Python's gc
    documentation recommends gc.freeze() before a fork for this).
    """
    gc.collect()
    gc.freeze()


def metrics_folder():
    """Where the workers' metrics files go (prometheus-client's multi-process mode), emptied
    for this start; returns (folder, whether it is this server's own, to remove at exit).

    Set before the app is built: prometheus-client chooses its storage when first imported. An
    operator's PROMETHEUS_MULTIPROC_DIR (deploy/digits@.service gives a runtime folder) is used
    and emptied: figures left by a previous start would be added to this one's.
    """
    from .observe import MULTIPROCESS_DIR

    folder = os.environ.get(MULTIPROCESS_DIR)
    if folder:
        os.makedirs(folder, exist_ok=True)
        for stale in glob.glob(os.path.join(folder, "*.db")):
            os.remove(stale)
        return folder, False
    folder = tempfile.mkdtemp(prefix="digits-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder
    return folder, True


def log_requests():
    """The request log's JSON lines on standard error, one per line and nothing around them."""
    from .observe import REQUEST_LOG

    log = logging.getLogger(REQUEST_LOG)
    if any(getattr(h, "request_lines", False) for h in log.handlers):
        return  # main() run again in one process (tests): one handler, not two
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.request_lines = True
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def worker_exit(server, worker):
    """gunicorn's child_exit hook with metrics on: a finished worker's live figures are let go
    (its counters stay in the sum, as counters do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def parse_args(argv=None):
    """The server's flags: each one sets the app setting of the same meaning (see
    webapp/settings.py).
    """
    p = argparse.ArgumentParser(
        prog="python -m webapp",
        description="Serve the draw-a-digit app with gunicorn. "
        "Every flag can also be given as its DIGITS_ environment variable.",
    )
    for s in settings.SETTINGS:
        if s.flag:
            p.add_argument(
                s.flag,
                dest=s.name,
                type=type(s.default),
                default=None,
                help=f"{s.help} (default: {s.shown or s.default}; environment: {s.env})",
            )
    return {k: v for k, v in vars(p.parse_args(argv)).items() if v is not None}


def main(argv=None):
    config = parse_args(argv)
    from recognition.checkpoint import CheckpointError

    from . import create_app

    metrics_on = config.get("METRICS", settings.from_environment().get("METRICS"))
    own_folder = None
    if isinstance(metrics_on, int) and metrics_on:
        folder, own = metrics_folder()
        own_folder = folder if own else None
    log_requests()
    try:
        # Built (and the model loaded) once, here in the master: a bad setting or
        # model fails with one line, and the forked workers share the weights.
        app = create_app(config)
    except (settings.SettingError, CheckpointError) as exc:
        problem = str(exc)
    else:
        problem = cannot_listen(app.config["HOST"], app.config["PORT"])
    if problem:
        if own_folder:
            shutil.rmtree(own_folder, ignore_errors=True)
        sys.exit(f"python -m webapp: {problem}")
    host, port = app.config["HOST"], app.config["PORT"]
    workers = app.config["WORKERS"] or core_count()
    shown_host = f"[{host}]" if ":" in host else host
    options = {
        "bind": f"{shown_host}:{port}",
        "workers": workers,
        # Connections on an event loop, the app given whole requests only: slow clients hold
        # nothing.
        "worker_class": "webapp.worker.EventLoopWorker",
        "threads": app.config["THREADS"],
        "keepalive": app.config["READ_TIMEOUT"],
        # The app is built before forking: the workers share one copy of the
        # weights, which then stays in the CPU's cache; a copy per worker would
        # evict each other (3x slower inference).
        "preload_app": True,
        # gunicorn's control socket (for gunicornc) is one path per user: two instances would
        # share it, and stopping one deletes the other's. Nothing here uses it.
        "control_socket_disable": True,
        "pre_fork": freeze_objects,
        "post_fork": worker_setup(app),
        # The app writes one JSON line per request itself (webapp.observe, REQUEST_LOG).
        "accesslog": None,
        "when_ready": lambda server: print(
            f"Serving on http://{shown_host}:{port}/ ({workers} workers); Ctrl+C stops", flush=True
        ),
    }
    if app.config["METRICS"]:
        options["child_exit"] = worker_exit
    if own_folder:
        options["on_exit"] = lambda server: shutil.rmtree(own_folder, ignore_errors=True)
    Server(options, app, rebuild=lambda: create_app(config)).run()


if __name__ == "__main__":
    main()
