"""A long fuzz of the API from its own OpenAPI document: every endpoint, valid and not.

Run as `python -m bench.fuzz`. Schemathesis draws --per-operation requests for each operation of
/api/openapi.json (its generators, positive and negative: bodies that break the schema, wrong
types, odd numbers and strings) and sends them to the app in-process (Flask's test client, the
shipped model), or with --server to the production server (`python -m webapp`, started here)
over keep-alive HTTP connections. Counted: requests, answers by status class, 5xx (the target:
none), answers that are not JSON in the one error shape, and exceptions; against the server
also hangs (no answer within --timeout seconds), dropped connections, and whether the server
stayed up throughout (its health checked every 500 requests and at the end). The tests run the
in-process fuzz with a small budget (tests/webapp/test_openapi.py).
"""

import collections
import time
import urllib.request

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from bench import runner
from harness.api_shape import keeps_api_shape
from harness.server import start_server, stop_server
from webapp import create_app


def parse_args(argv=None):
    p = runner.parser("fuzz", __doc__, strokes=False)
    p.add_argument(
        "--per-operation", type=int, default=2000, help="requests drawn for each operation"
    )
    p.add_argument(
        "--server", action="store_true", help="fuzz the production server over HTTP, not in-process"
    )
    p.add_argument(
        "--timeout", type=float, default=10, help="seconds without an answer that count as a hang"
    )
    return p.parse_args(argv)


def is_up(proc, base):
    """Whether the server process runs and answers its health check."""
    if proc.poll() is not None:
        return False
    try:
        with urllib.request.urlopen(f"{base}/api/health", timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def measure(args):
    if not args.server:
        app = create_app({"TESTING": True, "MODEL_PATH": args.model})
        return fuzz(schemathesis.openapi.from_wsgi("/api/openapi.json", app), args, call=dict())
    proc, base = start_server(model=args.model, workers=None)
    session = requests.Session()
    try:
        schema = schemathesis.openapi.from_url(f"{base}/api/openapi.json")
        checks = {"down": 0}

        def check_up():
            checks["down"] += not is_up(proc, base)

        result = fuzz(
            schema,
            args,
            call=dict(base_url=base, session=session, timeout=args.timeout),
            every_500=check_up,
        )
        check_up()
        result["server_down_checks"] = checks["down"]
    finally:
        session.close()
        stop_server(proc)
    return result


def fuzz(schema, args, call, every_500=None):
    """Send every operation's generated requests (call: keywords for case.call); the counts."""

    counts = collections.Counter()
    odd = []
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=args.per_operation // 2,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def send(case):
                counts["requests"] += 1
                if every_500 and counts["requests"] % 500 == 0:
                    every_500()
                try:
                    response = case.call(**call)
                except requests.Timeout:
                    counts["hangs"] += 1
                    odd.append(f"{case.operation.label}: no answer in {args.timeout} s")
                    return
                except requests.ConnectionError as exc:
                    counts["dropped"] += 1
                    odd.append(f"{case.operation.label}: connection dropped: {exc}"[:200])
                    return
                except Exception as exc:  # noqa: BLE001 - counted, the run goes on
                    counts["exceptions"] += 1
                    odd.append(f"{case.operation.label}: {type(exc).__name__}: {exc}"[:200])
                    return
                counts[f"{response.status_code // 100}xx"] += 1
                content_type = response.headers.get("content-type", [""])[0]
                if not keeps_api_shape(response.status_code, content_type, response.content):
                    counts["not_well_shaped"] += 1
                    odd.append(f"{case.operation.label}: {response.status_code}")

            try:
                send()
            except Unsatisfiable:
                # No invalid request exists for an operation that takes nothing (GET health).
                counts["operations_without_negative_cases"] += 1
    return {
        "requests": counts["requests"],
        "by_class": {k: v for k, v in sorted(counts.items()) if k.endswith("xx")},
        "server_errors": counts["5xx"],
        "not_well_shaped": counts["not_well_shaped"],
        "exceptions": counts["exceptions"],
        "hangs": counts["hangs"],
        "dropped": counts["dropped"],
        "seconds": time.perf_counter() - started,
        "examples": odd[:10],
    }


def table(r):
    classes = ", ".join(f"{k}: {v}" for k, v in r["by_class"].items())
    lines = [
        f"{r['requests']} generated requests over every operation in {r['seconds']:.0f} s "
        f"({classes})",
        f"5xx: {r['server_errors']}; answers not JSON in the one error shape: "
        f"{r['not_well_shaped']}; exceptions: {r['exceptions']}",
    ]
    if "server_down_checks" in r:
        lines.append(
            f"against the production server: hangs (no answer in the time): {r['hangs']}; "
            f"connections dropped: {r['dropped']}; health checks the server failed: "
            f"{r['server_down_checks']}"
        )
    lines += [f"  {example}" for example in r["examples"]]
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("fuzz", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
