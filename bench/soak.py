"""Soak: the deployed topology under steady load for half an hour, memory and latency each minute.

Run as `python -m bench.soak [--minutes 30] [--warmup 2] [--plot docs/soak.png]`. Starts what
bench.scale starts (3 instances as deploy/digits@.service runs them, nginx with
deploy/nginx/digits.conf over TLS, one PostgreSQL) and drives it through nginx with wrk, 16
clients sending the page's mix of real pen strokes (single digits, numbers, explain,
corrections), one wrk run a minute. After each minute it records that minute's requests,
failures and latency percentiles, every process's memory, its own (pages of its private
mappings that no other process maps: harness.topology.private_kib) and resident: each instance's
master and worker, nginx's master and workers, PostgreSQL's processes; and the most client
connections each nginx worker held at once during the minute (sampled 4 times a second).

The warm-up brings every process to the memory its busiest moment needs, so that what grows
afterwards is what a leak would grow:
- Its first minute runs BURST times the clients. An nginx worker keeps the heap of the most
  connections it has held at once (freed blocks stay with the process), and the 16 connections
  of each minute's wrk run are shared out between the workers afresh: without the burst a
  worker's memory stepped up whenever a minute gave it more connections than any before
  (+11% in one step, 12 minutes in). With it, each worker has held more than the soak can give it.
- Each warm-up minute ends with a PostgreSQL checkpoint (else the first comes 5 minutes in):
  the checkpointer's own memory grows most at its first two checkpoints (432 then 464 KiB in a
  run of 30,000 rows), then by a page or two at a few later ones (472 KiB at the twentieth), so
  the warm-up has it do the first two.

The targets: 0 errors; every process's memory at the end within 5% of its memory after the
warm-up; p99 flat (the last 5 minutes' within 1.5x of the first 5 after the warm-up).
"""

import statistics
import threading
import time
from pathlib import Path

from bench import record, runner, scale, wrk
from harness.strokes import load_strokes
from harness.topology import Topology, connections_on, private_kib, rss_kib

DEFAULT_PLOT = Path(__file__).resolve().parent.parent / "docs" / "soak.png"
# Memory growth and p99 drift allowed (issue 26's targets).
MEMORY_GROWTH = 0.05
P99_DRIFT = 1.5
WINDOW = 5  # minutes compared at each end
BURST = 4  # the warm-up's first minute runs this many times the clients
SAMPLE_S = 0.25  # how often nginx's workers' connections are counted


def parse_args(argv=None):
    p = runner.parser("soak", __doc__)
    p.add_argument("--minutes", type=int, default=30, help="minutes under load")
    p.add_argument(
        "--warmup", type=int, default=2, help="first minutes left out of the memory and p99 checks"
    )
    p.add_argument("--clients", type=int, default=scale.CLIENTS, help="wrk connections")
    p.add_argument(
        "--minute", type=int, default=60, help="seconds in a 'minute' (shorter for a quick try)"
    )
    p.add_argument("--plot", default=str(DEFAULT_PLOT), help="memory-and-latency chart (PNG)")
    return p.parse_args(argv)


def processes(topology):
    """{role: pid} for every process of the topology, named by what it is rather than its pid."""
    roles = {}
    for instance in topology.instances:
        master, *workers = instance.pids()
        roles[f"app {instance.port} master"] = master
        for index, pid in enumerate(sorted(workers)):
            roles[f"app {instance.port} worker {index + 1}"] = pid
    master, *workers = topology.nginx_pids()
    roles["nginx master"] = master
    for index, pid in enumerate(sorted(workers)):
        roles[f"nginx worker {index + 1}"] = pid
    master, *others = topology.postgres_pids()
    roles["postgres master"] = master
    backends = 0
    for pid in sorted(others):
        title = process_title(pid)
        if title.startswith("postgres: postgres digits"):
            backends += 1  # a connection of an instance's pool: "postgres: USER DB ADDRESS STATE"
            roles[f"postgres connection {backends}"] = pid
        else:
            roles[title.replace("postgres: ", "postgres ")] = pid
    return roles


def process_title(pid):
    """What a process calls itself (PostgreSQL's say what each one does)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


class ConnectionPeaks:
    """The most client connections each nginx worker holds at once, counted in a thread while
    a wrk run goes on."""

    def __init__(self, topology):
        self.topology = topology
        self.peaks = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()

    def sample(self):
        while not self.done.is_set():
            workers = self.topology.nginx_pids()[1:]
            for pid, held in connections_on(self.topology.https_port, workers).items():
                self.peaks[pid] = max(self.peaks.get(pid, 0), held)
            self.done.wait(SAMPLE_S)


def measure(args):
    records = load_strokes(args.strokes)
    environment = {**scale.BENCH_ENVIRONMENT, "DIGITS_MODEL_PATH": str(Path(args.model).resolve())}
    topology = Topology(
        3, extra_environment=environment, corrections_rate=scale.BENCH_CORRECTIONS_RATE
    ).start()
    minutes = []
    try:
        requests = scale.page_requests(records, args.model)
        roles = {}
        for minute in range(1, args.minutes + 1):
            clients = args.clients * BURST if minute == 1 and args.warmup >= 1 else args.clients
            with ConnectionPeaks(topology) as peaks:
                figures = wrk.run(f"{topology.url}/", requests, clients, args.minute)
            if minute <= args.warmup:
                # Before the warm-up's memory sample, which the end is compared with.
                topology.checkpoint()
            now = processes(topology)
            minutes.append(
                {
                    "minute": minute,
                    "clients": clients,
                    "requests": figures["requests"],
                    "errors": figures["errors"],
                    "rps": figures["rps"],
                    "p50_ms": figures["p50_us"] / 1e3,
                    "p99_ms": figures["p99_us"] / 1e3,
                    "max_ms": figures["max_us"] / 1e3,
                    # A process that is no longer the one of the same name a minute before (a
                    # worker replaced, a connection opened again) is recorded as such.
                    "rss_kib": {role: rss_kib(pid) for role, pid in now.items()},
                    "private_kib": {role: private_kib(pid) for role, pid in now.items()},
                    "connections_peak": {
                        role: peaks.peaks.get(pid, 0)
                        for role, pid in now.items()
                        if role.startswith("nginx worker")
                    },
                    "replaced": sorted(r for r in now if r in roles and roles[r] != now[r]),
                    "time": time.time(),
                }
            )
            roles = now
        stored = topology.count("SELECT count(*) FROM corrections")
    finally:
        topology.remove()
    result = {"minutes": minutes, "clients": args.clients, "warmup": args.warmup, "stored": stored}
    result.update(judge(minutes, args.warmup, args.clients))
    if args.plot:
        plot(minutes, args.warmup, args.plot)
        result["plot"] = record.shown_path(args.plot)
    return result


def growth(minutes, warmup, kind):
    """{role: memory growth from the end of the warm-up to the last minute} (kind: "rss_kib" or
    "private_kib"; None for a process with none)."""
    after = minutes[warmup - 1] if warmup >= 1 else minutes[0]
    found = {}
    for role, start in after[kind].items():
        end = minutes[-1][kind].get(role, 0)
        found[role] = (end - start) / start if start else None
    return found


def steps(minutes, warmup, least_kib=16):
    """{role: [(minute, change in KiB)]}: where each process's private memory moved by at least
    least_kib from one minute to the next after the warm-up (what to look at when one grew)."""
    found = {}
    start = max(warmup, 1)
    for before, after in zip(minutes[start - 1 :], minutes[start:]):
        for role, kib in after["private_kib"].items():
            change = kib - before["private_kib"].get(role, kib)
            if abs(change) >= least_kib:
                found.setdefault(role, []).append((after["minute"], change))
    return found


def warmup_peaks(minutes, warmup):
    """{nginx worker: the most client connections it held at once during the warm-up}."""
    found = {}
    for m in minutes[:warmup]:
        for role, held in m["connections_peak"].items():
            found[role] = max(found.get(role, 0), held)
    return found


def judge(minutes, warmup, clients):
    """The targets' figures: errors, each process's memory growth, p99 at each end."""
    private = growth(minutes, warmup, "private_kib")
    resident = growth(minutes, warmup, "rss_kib")
    held = warmup_peaks(minutes, warmup)
    measured = minutes[warmup:]
    first = [m["p99_ms"] for m in measured[:WINDOW]]
    final = [m["p99_ms"] for m in measured[-WINDOW:]]
    return {
        "requests": sum(m["requests"] for m in minutes),
        "errors": sum(m["errors"] for m in minutes),
        "private_growth": private,
        "resident_growth": resident,
        "largest_private_growth": max((g for g in private.values() if g is not None), default=0),
        "largest_resident_growth": max((g for g in resident.values() if g is not None), default=0),
        "p99_first_ms": statistics.mean(first) if first else None,
        "p99_last_ms": statistics.mean(final) if final else None,
        "p99_drift": statistics.mean(final) / statistics.mean(first) if first else None,
        "replaced": sorted({r for m in minutes for r in m["replaced"]}),
        "private_steps": steps(minutes, warmup),
        "warmup_connections_peak": held,
        # Each nginx worker held at least as many connections at once in the warm-up as the
        # soak's clients could ever give it afterwards.
        "warmup_reached_peak": bool(held) and all(n >= clients for n in held.values()),
    }


def plot(minutes, warmup, path):
    """Memory per process (MB) and latency (p50, p99) against the minute, warm-up shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [m["minute"] for m in minutes]
    figure, (memory, latency) = plt.subplots(2, 1, figsize=(9, 8), sharex=True)
    roles = list(minutes[0]["private_kib"])
    groups = {role: [role] for role in roles if role.startswith("app ")}
    groups["nginx (all processes)"] = [r for r in roles if r.startswith("nginx")]
    groups["PostgreSQL (all processes)"] = [r for r in roles if r.startswith("postgres")]
    for name, members in groups.items():
        values = [sum(m["private_kib"].get(r, 0) for r in members) / 1024 for m in minutes]
        memory.plot(xs, values, label=name)
    memory.set_ylabel("private memory (MB)")
    memory.set_title("Each process's own memory (not shared with others), sampled each minute")
    memory.set_ylim(bottom=0)
    memory.legend(fontsize=7, ncol=2)
    latency.plot(xs, [m["p50_ms"] for m in minutes], label="median (p50)")
    latency.plot(xs, [m["p99_ms"] for m in minutes], label="slowest 1% (p99)")
    latency.set_ylabel("answer time through nginx (ms)")
    latency.set_xlabel("minute under load (16 clients)")
    latency.set_title("How long answers took, minute by minute")
    latency.set_ylim(bottom=0)
    latency.legend()
    for axes in (memory, latency):
        axes.axvspan(0.5, warmup + 0.5, color="0.9", zorder=0)
        axes.grid(alpha=0.3)
    memory.text(0.6, memory.get_ylim()[1] * 0.95, "warm-up", va="top", fontsize=8)
    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def table(r):
    warmup_held = (
        ", ".join(f"{role} {n}" for role, n in sorted(r["warmup_connections_peak"].items()))
        or "not counted"
    )
    lines = [
        f"3 instances behind nginx (TLS), one PostgreSQL, {r['clients']} clients, "
        f"{len(r['minutes'])} minutes of the page's mix: {r['requests']} requests, "
        f"{r['errors']} errors; {r['stored']} corrections in PostgreSQL at the end",
        "",
        f"p99 over the first {WINDOW} minutes after the {r['warmup']}-minute warm-up "
        f"{r['p99_first_ms']:.1f} ms, over the last {WINDOW} {r['p99_last_ms']:.1f} ms: "
        f"{r['p99_drift']:.2f}x (target <= {P99_DRIFT}x)",
        f"largest growth of any process's private memory after the warm-up: "
        f"{100 * r['largest_private_growth']:+.1f}% (target <= {100 * MEMORY_GROWTH:.0f}%); "
        f"of its resident memory: {100 * r['largest_resident_growth']:+.1f}%",
        f"processes replaced during the run: {', '.join(r['replaced']) or 'none'}",
        f"the most client connections each nginx worker held at once in the warm-up: "
        f"{warmup_held} (each minute's {r['clients']} clients can give one at most "
        f"{r['clients']}: {'reached' if r['warmup_reached_peak'] else 'NOT reached'})",
        "",
        "Private: the pages of a process's own mappings that no other process maps (what a "
        "leak grows). Resident also counts pages shared with others: the master a worker was "
        "forked from, PostgreSQL's shared buffer cache as it fills (at most shared_buffers, "
        "128 MB), nginx's zones. The warm-up's first minute ran "
        f"{BURST}x the clients, and each warm-up minute ended with a PostgreSQL checkpoint.",
        "",
        "| minute | clients | requests/s | errors | p50 ms | p99 ms | max ms "
        "| most connections at once, each nginx worker |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in r["minutes"]:
        held = " / ".join(str(n) for _, n in sorted(m["connections_peak"].items()))
        lines.append(
            f"| {m['minute']} | {m['clients']} | {m['rps']:.0f} | "
            f"{m['errors']} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['max_ms']:.0f} "
            f"| {held} |"
        )
    first = r["minutes"][max(r["warmup"] - 1, 0)]
    last = r["minutes"][-1]
    lines += [
        "",
        "| process | private MB after warm-up | at the end | growth | resident MB after warm-up "
        "| at the end | growth |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for role in r["private_growth"]:
        cells = []
        for kind, growths in (
            ("private_kib", r["private_growth"]),
            ("rss_kib", r["resident_growth"]),
        ):
            shown = "-" if growths[role] is None else f"{100 * growths[role]:+.1f}%"
            cells += [
                f"{first[kind][role] / 1024:.1f}",
                f"{last[kind].get(role, 0) / 1024:.1f}",
                shown,
            ]
        lines.append(f"| {role} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Where private memory moved after the warm-up, by 16 KiB or more from one minute to the "
        "next (minute: change):",
        "",
    ]
    for role, moved in sorted(r["private_steps"].items()):
        shown = ", ".join(f"{minute}: {change:+d} KiB" for minute, change in moved)
        lines.append(f"- {role}: {shown}")
    if not r["private_steps"]:
        lines.append("- none")
    if r.get("plot"):
        lines += ["", f"![memory and latency over the soak]({r['plot']})"]
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("soak", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
