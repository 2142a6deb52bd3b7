"""Real pen-drawn digits for training: stroke files read and checked, and split by writer.

A stroke file is gzipped (or plain) JSON: a list of records
{"writer": "...", "label": 0..9, "strokes": [[[x, y], ...], ...]}, as in
strokes/ and ../shared/strokes. Writers are held out whole, never single
samples: a held-out writer's digits are never trained on, so they measure how
the model reads people it has not seen.
"""

import fnmatch
import gzip
import hashlib
import json
import math
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The real pen digits shipped in the repository (strokes/README.md says where they come from).
DEFAULT_FILES = tuple(
    ROOT / "strokes" / name
    for name in ("pendigits.json.gz", "uji2_digits.json.gz", "numberpad_digits.json.gz")
)
# pendigits' writer-independent test split: 14 people, never trained on, the real-pen validation
# set.
HELD_OUT_WRITERS = "pendigits/tes*"


class StrokeFileError(ValueError):
    """A stroke file that cannot be read or does not hold stroke records; the message is one
    line.
    """


class MissingStrokeFile(StrokeFileError):
    """A stroke file that is not there (training may go on without it, if the user said so)."""


def read(path, digits=True):
    """The records of one stroke file, checked: a list of {"writer", "label", "strokes"} dicts.

    digits: every label must be a digit 0-9 (False: any label, as in a file of letters).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MissingStrokeFile(f"{path}: no such stroke file") from None
    except OSError as exc:
        raise StrokeFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        records = json.loads(text)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StrokeFileError(f"{path}: not gzipped JSON ({reason})") from None
    if not isinstance(records, list) or not records:
        raise StrokeFileError(f"{path}: expected a non-empty JSON list of stroke records")
    for index, record in enumerate(records):
        problem = _problem(record, digits)
        if problem:
            raise StrokeFileError(f"{path}: record {index}: {problem}")
    return records


def _problem(record, digits):
    """What is wrong with one record, or None."""
    if not isinstance(record, dict):
        return "not an object"
    missing = [key for key in ("label", "strokes") if key not in record]
    if missing:
        return f"no {' or '.join(repr(key) for key in missing)}"
    label = record["label"]
    is_digit = isinstance(label, int) and not isinstance(label, bool) and 0 <= label <= 9
    if digits and not is_digit:
        return f"label {label!r} is not a digit 0-9"
    strokes = record["strokes"]
    if not isinstance(strokes, list) or not strokes:
        return "'strokes' is not a non-empty list of strokes"
    for stroke in strokes:
        if not isinstance(stroke, list) or not stroke:
            return "a stroke is not a non-empty list of points"
        for point in stroke:
            if not _is_point(point):
                return f"point {point!r} is not [x, y] with finite numbers"
    return None


def _is_point(point):
    if not isinstance(point, list) or len(point) != 2:
        return False
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
    return numbers and all(math.isfinite(v) for v in point)


def writer(record):
    """The record's writer id ("" when the file kept none)."""
    return str(record.get("writer", ""))


def is_held_out(record, pattern=HELD_OUT_WRITERS):
    """Whether the record's writer matches the held-out pattern (fnmatch, as "pendigits/tes*")."""
    return bool(pattern) and fnmatch.fnmatchcase(writer(record), pattern)


def split(records, pattern=HELD_OUT_WRITERS):
    """(trained on, held out): the records split by writer, never a writer on both sides."""
    trained = [r for r in records if not is_held_out(r, pattern)]
    held_out = [r for r in records if is_held_out(r, pattern)]
    return trained, held_out


def sha256(path):
    """SHA-256 of the file as it lies on disk."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def describe(path, records, pattern=HELD_OUT_WRITERS):
    """What the sidecar records about one stroke file: its hash, counts, and which writers went
    where.
    """
    trained, held_out = split(records, pattern)
    return {
        "file": Path(path).name,
        "sha256": sha256(path),
        "count": len(records),
        "trained": len(trained),
        "held_out": len(held_out),
        "writers_trained": sorted({writer(r) for r in trained}),
        "writers_held_out": sorted({writer(r) for r in held_out}),
    }
