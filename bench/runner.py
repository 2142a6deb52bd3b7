"""What every bench shares: its argument parser's common flags, and the run from flags to figures.

A bench module gives `parse_args`, `measure(args) -> result` and `table(result) -> text`;
`run` parses, measures, turns the errors a user can fix into one line, prints the figures and
records them in BENCHMARKS.md (bench.record).
"""

import argparse
import subprocess
import sys

from bench import record
from harness.strokes import DEFAULT_LETTERS, DEFAULT_STROKES, PEN_HELD_OUT
from recognition.checkpoint import CheckpointError
from recognition.classifier import DEFAULT_MODEL
from training import mnist
from training.mnist import MnistError

# What a bench fails on that the user can fix (a missing file, a bad flag's value, no wrk): one
# line naming it, never a traceback.
USER_ERRORS = (
    OSError,
    ValueError,
    RuntimeError,
    CheckpointError,
    MnistError,
    subprocess.CalledProcessError,
)


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The module docstring as written, and each flag's default."""


def parser(name, doc, model=True, strokes=True, output=True):
    """An argument parser for bench NAME with the flags benches share.

    model: --model (the shipped one by default); strokes: --strokes (the shared UNIPEN digits by
    default); output: --json and --no-record (bench.record.publish reads them).
    """
    p = argparse.ArgumentParser(
        prog=f"python -m bench.{name}", description=doc, formatter_class=HelpFormatter
    )
    if model:
        p.add_argument(
            "--model",
            default=str(DEFAULT_MODEL),
            help="model (.safetensors with its .json sidecar)",
        )
    if strokes:
        p.add_argument(
            "--strokes", default=str(DEFAULT_STROKES), help="stroke file (gzipped JSON records)"
        )
    if output:
        record.add_output_options(p)
    return p


def add_set_options(p):
    """The flags naming the sets that accuracy is measured on beside --strokes: the held-out pen
    writers, the letters, the generated drawings that are no digit, and MNIST's folder."""
    p.add_argument(
        "--pen",
        default=str(PEN_HELD_OUT),
        help="stroke file whose held-out writers (never trained on) are measured",
    )
    p.add_argument(
        "--letters",
        default=str(DEFAULT_LETTERS),
        help="stroke file of letters: input that is no digit",
    )
    p.add_argument(
        "--per-kind", type=int, default=300, help="generated drawings of each kind that is no digit"
    )
    mnist.add_data_dir_option(p)


def run(name, argv, parse_args, measure, table, body=None, section=None):
    """Parse, measure, print and record one bench; returns (args, result).

    body(text): how the section in BENCHMARKS.md shows the table, when not as printed.
    section(args): the section's name, where a bench's flags make runs of different kinds.
    """
    args = parse_args(argv)
    try:
        result = measure(args)
    except USER_ERRORS as exc:
        sys.exit(f"bench.{name}: {exc}")
    text = table(result)
    shown = None if body is None else body(text)
    record.publish(
        name, argv, args, result, text, shown, None if section is None else section(args)
    )
    return args, result
