"""Corrections under load: 8 writers x 200 corrections each through the API, none lost or doubled.

Run as `python -m bench.corrections`. For each store (SQLite, and PostgreSQL in a private cluster
where it is installed) it starts `python -m webapp` as the README does (its default workers and
threads) and has --writers threads each send --each corrections of real pen digits, each with its
own key; a writer whose connection fails sends the same correction again with the same key, as
the page would. Then it reads the store: every key is there exactly once (none lost, none
doubled), and reports the throughput. A second run kills the whole server with SIGKILL halfway
and starts it again: every correction that was answered 201 before the kill must be in the store.
"""

import http.client
import json
import os
import signal
import threading
import time
import uuid

import numpy as np
from sqlalchemy import create_engine, select

from bench import runner
from harness import postgres
from harness.server import start_server, stop_server
from harness.strokes import canvas_payload, load_strokes
from harness.topology import children
from recognition.checkpoint import read_sidecar
from webapp.store import corrections, database_url


def parse_args(argv=None):
    p = runner.parser("corrections", __doc__, output=True)
    p.add_argument("--writers", type=int, default=8, help="concurrent writers")
    p.add_argument("--each", type=int, default=200, help="corrections each writer sends")
    p.add_argument("--no-postgres", action="store_true", help="SQLite only")
    p.add_argument(
        "--phase-seconds",
        type=float,
        default=5,
        help="how long predicts are timed with PostgreSQL up, and again with it stopped",
    )
    return p.parse_args(argv)


def bodies(records, count, offset, sha):
    """count correction bodies of real digits, each with a fresh key."""
    out = []
    for i in range(count):
        record = records[(offset + i) % len(records)]
        payload = canvas_payload(record["strokes"])
        out.append(
            {
                "strokes": payload["strokes"],
                "label": record["label"],
                "predicted": None,
                "model": sha,
                "key": uuid.uuid4().hex,
            }
        )
    return out


def writer(port, work, acknowledged, failures, stop):
    """Send each body until it is answered 201 or 200 (or stop is set); keys answered kept."""
    conn = None
    for body in work:
        data = json.dumps(body)
        while not stop.is_set():
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/api/corrections", data, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                # A server killed mid-answer breaks the connection or cuts the answer short
                # (IncompleteRead): either way the body goes again, under the same key.
                conn = None
                failures.append("connection")
                time.sleep(0.05)
                continue
            if response.status in (200, 201):
                acknowledged.append(body["key"])
                break
            failures.append(response.status)
            time.sleep(0.05)
    if conn is not None:
        conn.close()


def stored_keys(url):
    engine = create_engine(database_url(url, ""))
    with engine.connect() as conn:
        keys = conn.execute(select(corrections.c.key)).scalars().all()
    engine.dispose()
    return keys


def serve(url, model, port=None):
    env = {**os.environ, "DIGITS_DATABASE_URL": url, "DIGITS_CORRECTIONS_RATE": "100000/minute"}
    return start_server(model=model, workers=None, port=port, env=env)


def kill_all(proc):
    """SIGKILL the server and its workers at once, as a power cut would."""
    for pid in [proc.pid, *children(proc.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def load(url, args, records, kill=False):
    """One run on one store: the figures, with kill: SIGKILL halfway, then a restart."""
    proc, base = serve(url, args.model)
    port = int(base.rsplit(":", 1)[1])
    sha = read_sidecar(args.model)["weights"]["sha256"]
    work = [bodies(records, args.each, w * args.each, sha) for w in range(args.writers)]
    acknowledged, failures, stop = [], [], threading.Event()
    threads = [
        threading.Thread(target=writer, args=(port, w, acknowledged, failures, stop)) for w in work
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    if kill:
        total = args.writers * args.each
        while len(acknowledged) < total // 2:
            time.sleep(0.01)
        kill_all(proc)
        stop.set()
        before_kill = list(acknowledged)
        for t in threads:
            t.join()
        proc, base = serve(url, args.model, port=port)
        keys = stored_keys(url)
        stop_server(proc)
        missing = set(before_kill) - set(keys)
        return {
            "answered_before_kill": len(before_kill),
            "stored_after_restart": len(keys),
            "lost": len(missing),
            "doubled": len(keys) - len(set(keys)),
        }
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    stop_server(proc)
    keys = stored_keys(url)
    sent = {body["key"] for w in work for body in w}
    return {
        "corrections": len(sent),
        "seconds": round(seconds, 2),
        "per_second": round(len(sent) / seconds, 1),
        "lost": len(sent - set(keys)),
        "doubled": len(keys) - len(set(keys)),
        "retries": len(failures),
    }


def predict_p50(port, payload, seconds):
    """Median ms of predicts sent one after another for so long, and how many were not 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = json.dumps(payload)
    times, bad = [], 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        started = time.perf_counter()
        conn.request("POST", "/api/predict", data, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        times.append(1000 * (time.perf_counter() - started))
        bad += response.status != 200
    conn.close()
    return float(np.median(times)), bad


def post_one(port, body):
    """(status, error code or None) of one correction."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/api/corrections", json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = json.loads(response.read() or b"null")
    conn.close()
    code = answer.get("error", {}).get("code") if isinstance(answer, dict) else None
    return response.status, code


def _said(status, code):
    return f"{status} {code}" if code else str(status)


def database_away(cluster, args, records):
    """PostgreSQL stopped under a stream of predicts and corrections, then started again."""
    url = cluster.database(f"b_away_{uuid.uuid4().hex[:8]}")
    proc, base = serve(url, args.model)
    port = int(base.rsplit(":", 1)[1])
    sha = read_sidecar(args.model)["weights"]["sha256"]
    payload = canvas_payload(records[0]["strokes"])
    work = iter(bodies(records, 1000, 0, sha))
    try:
        before, bad_before = predict_p50(port, payload, args.phase_seconds)
        cluster.stop()
        answered = [post_one(port, next(work)) for _ in range(5)]
        during, bad_during = predict_p50(port, payload, args.phase_seconds)
        answered += [post_one(port, next(work)) for _ in range(5)]
        cluster.start()
        after = [post_one(port, next(work)) for _ in range(5)]
    finally:
        stop_server(proc)
    return {
        "predict_p50_ms_before": round(before, 2),
        "predict_p50_ms_database_away": round(during, 2),
        "predict_not_200": bad_before + bad_during,
        "corrections_while_away": sorted({_said(s, c) for s, c in answered}),
        "corrections_after_restart_of_database": sorted({_said(s, c) for s, c in after}),
    }


def measure(args):
    records = load_strokes(args.strokes)
    results = {}
    stores = [("SQLite", lambda tag: f"sqlite:////tmp/digits-bench-{tag}-{uuid.uuid4().hex}.db")]
    cluster = None
    if not args.no_postgres and postgres.find_bin() is not None:
        cluster = postgres.Cluster().init().start()
        stores.append(
            ("PostgreSQL", lambda tag: cluster.database(f"b_{tag}_{uuid.uuid4().hex[:8]}"))
        )
    try:
        for name, make in stores:
            results[name] = load(make("load"), args, records)
            results[f"{name}, SIGKILL halfway"] = load(make("kill"), args, records, kill=True)
        if cluster is not None:
            results["PostgreSQL stopped"] = database_away(cluster, args, records)
    finally:
        if cluster is not None:
            cluster.remove()
    return {"writers": args.writers, "each": args.each, "stores": results}


def table(result):
    lines = [
        f"{result['writers']} writers x {result['each']} corrections each, through the API "
        "(python -m webapp, its default workers and threads):",
        "",
        "| store | corrections | seconds | corrections/s | lost | doubled | retries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in result["stores"].items():
        if "corrections" in r:
            lines.append(
                f"| {name} | {r['corrections']} | {r['seconds']} | {r['per_second']} | "
                f"{r['lost']} | {r['doubled']} | {r['retries']} |"
            )
    lines += [
        "",
        "| SIGKILL of the whole server halfway | answered 201 before | stored after "
        "restart | answered but lost | doubled |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in result["stores"].items():
        if "answered_before_kill" in r:
            lines.append(
                f"| {name.split(',')[0]} | {r['answered_before_kill']} | "
                f"{r['stored_after_restart']} | {r['lost']} | {r['doubled']} |"
            )
    away = result["stores"].get("PostgreSQL stopped")
    if away:
        lines += [
            "",
            "PostgreSQL stopped while predicts and corrections go on, then started again "
            "(the app not restarted):",
            "",
            "| predict p50, database up | predict p50, database away | predicts not 200 | "
            "corrections while away | corrections once it is back |",
            "|---:|---:|---:|---|---|",
            f"| {away['predict_p50_ms_before']} ms | {away['predict_p50_ms_database_away']} ms | "
            f"{away['predict_not_200']} | {', '.join(away['corrections_while_away'])} | "
            f"{', '.join(away['corrections_after_restart_of_database'])} |",
        ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    runner.run("corrections", argv, parse_args, measure, table)


if __name__ == "__main__":
    main()
