"""A long fuzz of the API from its own OpenAPI document: every endpoint, valid and not.

Run as `python -m bench.fuzz`. Schemathesis draws --per-operation requests for each operation of
/api/openapi.json (its generators, positive and negative: bodies that break the schema, wrong
types, odd numbers and strings) and sends them to the app in-process (Flask's test client, the
shipped model). Counted: requests, answers by status class, 5xx (the target: none), answers that
are not JSON in the one error shape, and exceptions. The tests run the same with a small budget
(tests/test_openapi.py).
"""

import collections
import time

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from bench import runner
from harness.api_shape import keeps_api_shape
from webapp import create_app


def parse_args(argv=None):
    p = runner.parser("fuzz", __doc__, strokes=False)
    p.add_argument(
        "--per-operation", type=int, default=2000, help="requests drawn for each operation"
    )
    return p.parse_args(argv)


def measure(args):
    app = create_app({"TESTING": True, "MODEL_PATH": args.model})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
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
                try:
                    response = case.call()
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
    lines += [f"  {example}" for example in r["examples"]]
    return "\n".join(lines)


def main(argv=None):
    _, result = runner.run("fuzz", argv, parse_args, measure, table)
    return result


if __name__ == "__main__":
    main()
