"""Scale-out: several app instances behind nginx, one PostgreSQL, one instance killed mid-run.

Run as `python -m bench.scale [--instances 3] [--seconds 30] [--rolling] [--json]`. Starts the
deployed topology from deploy/'s own files in a temporary folder (harness.topology: the
instances as deploy/digits@.service starts them, nginx with deploy/nginx/digits.conf over TLS,
corrections in one PostgreSQL), and drives it with wrk through nginx: 16 clients sending the
page's requests (single digits, numbers, explain, corrections; real pen strokes).

Mid-run, one instance is killed (SIGKILL to its master and workers, as a crash or the OOM
killer would) and started again a second later, as systemd's Restart=always does; the figures
are the failed requests, the longest time with no answer, and how long after the restart nginx
sent the instance traffic again (from nginx's access log). `--rolling` instead puts a new model
in place (as `flask --app webapp model promote` does) and restarts the instances one at a time,
each back in rotation before the next goes. Then, unless `--no-throughput`, single-digit
predicts at 16 clients through nginx to all the instances, through nginx to one, and to that
one directly, in the same run.
"""

import json
import random
import shutil
import signal
import statistics
import threading
import time
import urllib.request
from pathlib import Path

from bench import numbers, runner, wrk
from harness.strokes import canvas_payload, load_strokes
from harness.topology import Topology
from recognition import checkpoint
from webapp.model_cli import files_of, replace

CLIENTS = 16
# Every client here is 127.0.0.1, which sends more corrections than any one person: the limits
# per address, nginx's and the app's, are lifted for the run.
BENCH_ENVIRONMENT = {"DIGITS_CORRECTIONS_RATE": "1000000 per minute"}
BENCH_CORRECTIONS_RATE = "1000000r/m"
# The page's mix: mostly single digits as they are drawn, some numbers, explain, corrections.
CLIENT_CLOSED = 499
# wrk's cap on a run's length; it is interrupted long before.
LONGEST_RUN = 3600
AFTER_ACTION_S = 3.0
MIX = {"digit": 0.8, "number": 0.08, "explain": 0.06, "correction": 0.06}


def parse_args(argv=None):
    p = runner.parser("scale", __doc__)
    p.add_argument("--instances", type=int, default=3, help="app instances behind nginx (1-3)")
    p.add_argument("--seconds", type=int, default=30, help="length of the run under load")
    p.add_argument("--clients", type=int, default=CLIENTS, help="wrk connections")
    p.add_argument(
        "--rolling",
        action="store_true",
        help="restart every instance in turn with a new model instead of killing one",
    )
    p.add_argument(
        "--no-throughput", action="store_true", help="skip the 3-vs-1-instance throughput runs"
    )
    p.add_argument("--throughput-seconds", type=int, default=10, help="length of each such run")
    return p.parse_args(argv)


def page_requests(records, model, count=400, seed=0):
    """[(method, path, body, keyed)]: the page's requests, shuffled, from real pen strokes; the
    corrections name the SHA-256 of model's weights, as the page does."""
    model_sha = checkpoint.read_sidecar(model)["weights"]["sha256"]
    rng = random.Random(seed)
    numbers_made = numbers.build(records, per_length=20, seed=seed)
    made = [strokes for length in sorted(numbers_made) for _, strokes in numbers_made[length]]
    out = []
    for _ in range(count):
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        record_ = records[rng.randrange(len(records))]
        if kind == "number":
            body = canvas_payload(made[rng.randrange(len(made))])
        else:
            body = canvas_payload(record_["strokes"])
        if kind == "correction":
            label = record_["label"]
            body = {**body, "label": label, "predicted": label, "model": model_sha, "key": "@KEY@"}
        path = {"explain": "/api/explain", "correction": "/api/corrections"}.get(kind)
        text = json.dumps(body, separators=(",", ":"))
        out.append(("POST", path or "/api/predict", text, kind == "correction"))
    return out


def digit_requests(records, count=400):
    """Single-digit predicts only: the throughput runs."""
    return [
        ("POST", "/api/predict", json.dumps(canvas_payload(r["strokes"])), False)
        for r in records[:count]
    ]


def access_log(path, since=0.0):
    """nginx's JSON lines from `since` (epoch seconds) on."""
    lines = []
    for line in Path(path).read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # the line nginx is writing now
        if entry["msec"] >= since:
            lines.append(entry)
    return lines


def failed(entry):
    """An answer that is a failure. 499 is nginx noting a client that closed its connection
    first: wrk does, for the requests in flight when its run ends."""
    return entry["status"] >= 400 and entry["status"] != CLIENT_CLOSED


def answered_by(entry):
    """The upstream that answered (the last one nginx tried)."""
    return entry["upstream"].split(",")[-1].strip()


def first_answer_from(topology, port, since, timeout=30):
    """Seconds from `since` until nginx's log shows instance `port` answering; None if never."""
    address = f"127.0.0.1:{port}"
    deadline = time.time() + timeout
    while time.time() < deadline:
        for entry in access_log(topology.access_log, since):
            if answered_by(entry) == address and entry["status"] < 400:
                return entry["msec"] - since
        time.sleep(0.2)
    return None


def longest_silence(entries, began, ended):
    """The longest stretch (s) with no successful answer between began and ended."""
    times = sorted(e["msec"] for e in entries if e["status"] < 400)
    points = [began, *[t for t in times if began <= t <= ended], ended]
    return max(b - a for a, b in zip(points, points[1:]))


def kill_one(topology, seconds, events):
    """In a thread: kill the middle instance a third of the way in, start it a second later."""
    victim = topology.instances[len(topology.instances) // 2]
    events["port"] = victim.port
    time.sleep(seconds / 3)
    events["killed_at"] = time.time()
    victim.kill()
    time.sleep(1.0)  # deploy/digits@.service: Restart=always, RestartSec=1
    events["restarted_at"] = time.time()
    victim.start()
    events["ready_s"] = victim.wait_ready()
    events["back_in_rotation_s"] = first_answer_from(topology, victim.port, events["restarted_at"])


def roll(topology, seconds, events, new_model):
    """In a thread: the new model in place, then each instance restarted in turn (SIGTERM, as
    systemctl restart sends), the next only once nginx routes to the last one again."""
    time.sleep(seconds / 5)
    served = Path(topology.instances[0].environment["DIGITS_MODEL_PATH"])
    replace(served, new_model)
    events["restarts"] = []
    for instance in topology.instances:
        stopped_at = time.time()
        instance.stop()
        restarted_at = time.time()
        instance.start()
        ready = instance.wait_ready()
        back = first_answer_from(topology, instance.port, restarted_at)
        events["restarts"].append(
            {
                "port": instance.port,
                "stop_s": restarted_at - stopped_at,
                "ready_s": ready,
                "back_in_rotation_s": back,
            }
        )
    events["done_at"] = time.time()


def staged_models(topology, shipped):
    """The served model copied into the run's folder (a rolling update replaces it there, not in
    the repository) and a "new" one: the same weights under another name, so that each
    instance's /api/model shows which one it serves."""
    folder = topology.folder / "models"
    (folder / "new").mkdir(parents=True)
    served = folder / Path(shipped).name
    new = folder / "new" / Path(shipped).name
    for source, target, target_new in zip(files_of(shipped), files_of(served), files_of(new)):
        for destination in (target, target_new):
            if source.is_dir():
                shutil.copytree(source, destination)
            elif source.exists():
                shutil.copy2(source, destination)
    name = f"{checkpoint.read_sidecar(new).get('name', 'model')}-rolled"
    checkpoint.update_sidecar(new, name=name)
    return served, new, name


def served_names(topology):
    """Each instance's model name, asked directly."""
    names = {}
    for instance in topology.instances:
        with urllib.request.urlopen(f"{instance.url}/api/model", timeout=5) as response:
            names[instance.port] = json.loads(response.read())["name"]
    return names


def throughput(topology, requests, seconds, clients):
    """Single-digit predicts: through nginx to every instance, to one, and to that one directly."""
    runs = {"nginx_all": wrk.run(f"{topology.url}/api/predict", requests, clients, seconds)}
    one = topology.instances[0]
    reload_nginx(topology, [one.port])
    runs["nginx_one"] = wrk.run(f"{topology.url}/api/predict", requests, clients, seconds)
    runs["direct_one"] = wrk.run(f"{one.url}/api/predict", requests, clients, seconds)
    reload_nginx(topology, topology.ports)
    return runs


def reload_nginx(topology, ports):
    """nginx with only these upstreams (SIGHUP: it reads its configuration again)."""
    topology.write_nginx_conf(ports)
    topology.nginx.send_signal(signal.SIGHUP)
    time.sleep(1.0)


def measure(args):
    records = load_strokes(args.strokes)
    topology = Topology(
        args.instances,
        extra_environment=dict(BENCH_ENVIRONMENT),
        corrections_rate=BENCH_CORRECTIONS_RATE,
    )
    served = new = new_name = None
    if args.rolling:
        served, new, new_name = staged_models(topology, args.model)
    topology.extra_environment["DIGITS_MODEL_PATH"] = str(served or Path(args.model).resolve())
    topology.start()
    try:
        requests = page_requests(records, args.model)
        events = {}
        began = time.time()
        # The load lasts --seconds, or until the kill and restart or the rolling update is over
        # and a few seconds more, whichever is later.
        load = wrk.Run(f"{topology.url}/", requests, args.clients, LONGEST_RUN).start()
        if args.rolling:
            action = threading.Thread(target=roll, args=(topology, args.seconds, events, new))
        else:
            action = threading.Thread(target=kill_one, args=(topology, args.seconds, events))
        action.start()
        action.join()
        time.sleep(max(AFTER_ACTION_S, began + args.seconds - time.time()))
        load.interrupt()
        figures = load.result()
        ended = time.time()
        entries = access_log(topology.access_log, began)
        result = {
            "instances": args.instances,
            "clients": args.clients,
            "seconds": round(ended - began, 1),
            "scenario": "rolling" if args.rolling else "kill",
            "requests": figures["requests"],
            "failed": figures["errors"],
            "failed_share": figures["errors"] / max(figures["requests"], 1),
            "errors_by_kind": {k: figures[k] for k in wrk.ERROR_KINDS},
            "rps": figures["rps"],
            "p50_ms": figures["p50_us"] / 1e3,
            "p99_ms": figures["p99_us"] / 1e3,
            "max_ms": figures["max_us"] / 1e3,
            "longest_silence_s": longest_silence(entries, began + 1, ended - 1),
            "retried": sum("," in e["upstream"] for e in entries),
            "nginx_failed": sum(failed(e) for e in entries),
            "closed_by_client": sum(e["status"] == CLIENT_CLOSED for e in entries),
            "by_kind": by_kind(entries),
        }
        if args.rolling:
            result["restarts"] = events["restarts"]
            backs = [r["back_in_rotation_s"] for r in events["restarts"]]
            result["back_in_rotation_s"] = None if None in backs else max(backs)
            result["new_model"] = new_name
            result["served_after"] = served_names(topology)
            result["all_serve_new"] = all(n == new_name for n in result["served_after"].values())
        else:
            result["back_in_rotation_s"] = events.get("back_in_rotation_s")
            result["ready_s"] = events.get("ready_s")
            result["killed_port"] = events.get("port")
        if not args.no_throughput:
            result["throughput"] = throughput(
                topology, digit_requests(records), args.throughput_seconds, args.clients
            )
        result["access_log_lines"] = len(entries)
    finally:
        topology.remove()
    return result


def by_kind(entries):
    """{path: {"requests", "failed", "p50_ms"}} from nginx's log."""
    kinds = {}
    for entry in entries:
        kinds.setdefault(entry["uri"], []).append(entry)
    return {
        uri: {
            "requests": len(found),
            "failed": sum(failed(e) for e in found),
            "p50_ms": 1000 * statistics.median(e["request_time"] for e in found),
        }
        for uri, found in sorted(kinds.items())
    }


def table(r):
    lines = [
        f"{r['instances']} instances behind nginx (TLS), one PostgreSQL, {r['clients']} clients "
        f"for {r['seconds']} s, the page's mix of requests; scenario: {r['scenario']}",
        "",
        "| requests | failed | failed share | requests/s | p50 ms | p99 ms | max ms | "
        "longest with no answer | retried by nginx | back in rotation |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['requests']} | {r['failed']} | {100 * r['failed_share']:.3f}% | {r['rps']:.0f} | "
        f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | "
        f"{r['longest_silence_s']:.2f} s | {r['retried']} | {shown_s(r['back_in_rotation_s'])} |",
        "",
    ]
    if r["scenario"] == "kill":
        lines.append(
            f"killed instance {r['killed_port']} (SIGKILL, master and workers), started 1 s "
            f"later: ready (listening, /api/ready 200) in {shown_s(r['ready_s'])}, then answering "
            f"through nginx {shown_s(r['back_in_rotation_s'])} after its restart"
        )
    else:
        for restart in r["restarts"]:
            lines.append(
                f"- instance {restart['port']}: stopped in {restart['stop_s']:.1f} s, ready "
                f"{restart['ready_s']:.1f} s after its start, answering through nginx "
                f"{shown_s(restart['back_in_rotation_s'])} after it"
            )
        lines.append(
            f"every instance serves the new model afterwards: {r['all_serve_new']} "
            f"({', '.join(sorted(set(r['served_after'].values())))})"
        )
    lines += ["", "| path | requests | failed | p50 ms (nginx) |", "|---|---:|---:|---:|"]
    for uri, kind in r["by_kind"].items():
        lines.append(f"| {uri} | {kind['requests']} | {kind['failed']} | {kind['p50_ms']:.1f} |")
    if "throughput" in r:
        t = r["throughput"]
        lines += [
            "",
            f"single-digit predicts, {r['clients']} clients, same run:",
            "",
            "| route | requests/s | p50 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|",
        ]
        names = {
            "nginx_all": f"nginx -> {r['instances']} instances",
            "nginx_one": "nginx -> 1 instance",
            "direct_one": "that instance directly (no nginx, no TLS)",
        }
        for key, name in names.items():
            run = t[key]
            lines.append(
                f"| {name} | {run['rps']:.0f} | {run['p50_us'] / 1e3:.1f} | "
                f"{run['p99_us'] / 1e3:.1f} | {run['errors']} |"
            )
        lines.append("")
        lines.append(
            f"{r['instances']} instances against one, both through nginx: "
            f"{t['nginx_all']['rps'] / t['nginx_one']['rps']:.2f}x the requests per second"
        )
    return "\n".join(lines)


def shown_s(value):
    return "never" if value is None else f"{value:.1f} s"


def main(argv=None):
    _, result = runner.run(
        "scale",
        argv,
        parse_args,
        measure,
        table,
        section=lambda args: "scale-rolling" if args.rolling else "scale",
    )
    return result


if __name__ == "__main__":
    main()
