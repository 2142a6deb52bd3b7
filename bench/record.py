"""Write a benchmark's figures into its own section of BENCHMARKS.md, with the command, date and
machine.
"""

import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
# The CPU flags that change this project's speed 2-3x: wide vectors, and bf16 done in hardware
# (training).
FEATURES = (
    ("AVX-512", ("avx512f",)),
    ("native bf16", ("avx512_bf16", "amx_bf16")),
    ("AVX2", ("avx2",)),
)


def cpu_features(flags):
    """'AVX-512 yes, native bf16 no, AVX2 yes' from a set of /proc/cpuinfo flags."""
    return ", ".join(
        f"{name} {'yes' if any(f in flags for f in needed) else 'no'}" for name, needed in FEATURES
    )


def machine():
    """One line naming this machine: CPU model and the features that matter, cores, memory, OS,
    Python.
    """
    cpu, flags = platform.processor() or platform.machine(), None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu in (platform.processor(), platform.machine()):
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and flags is None:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    features = f" ({cpu_features(flags)})" if flags is not None else " (CPU features unknown)"
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return (
        f"{cpu}{features}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} "
        f"{platform.release()}, "
        f"Python {platform.python_version()}"
    )


def shown_path(path):
    """A path as the reader of BENCHMARKS.md knows it: relative to the repository when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def add_output_options(parser):
    """The flags publish reads: --json (print one JSON object) and --no-record (leave
    BENCHMARKS.md alone).
    """
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the table"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not write the figures into BENCHMARKS.md"
    )


def publish(name, argv, args, result, text, body=None, section=None):
    """Print a bench's figures (one JSON object with --json, else text) and, unless --no-record,
    write its section of BENCHMARKS.md with the command that made them (body, when the section
    shows them otherwise) under its own name, or section's.
    """
    print(json.dumps(result) if args.json else text)
    if not args.no_record:
        given = " ".join(argv if argv is not None else sys.argv[1:])
        command = f"python -m bench.{name} {given}".strip()
        write_section(section or name, command, text if body is None else body)


def today():
    """The date and minute a figure was measured, as the records write it."""
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M")


def write_section(name, command, body, path=BENCHMARKS):
    """Replace (or append) the section between this benchmark's markers."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    stamp = today()
    header = f"Command: `{command.strip()}`  \nDate: {stamp}  \nMachine: {machine()}"
    section = f"{start}\n{header}\n\n{body}\n{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    path.write_text(text)
