"""Stroke files: read and checked with one clear line for a bad or missing file, and split by
writer, never by sample.
"""

import gzip
import json

import pytest

from training import stroke_files


def write(path, records, compress=True):
    blob = json.dumps(records).encode()
    path.write_bytes(gzip.compress(blob) if compress else blob)
    return path


def digit(label=1, writer="pendigits/tra1"):
    return {"writer": writer, "label": label, "strokes": [[[0, 0], [0, 10]]]}


def test_a_good_file_reads_gzipped_or_plain(tmp_path):
    records = [digit(3), digit(4, "uji2")]
    assert stroke_files.read(write(tmp_path / "a.json.gz", records)) == records
    assert stroke_files.read(write(tmp_path / "a.json", records, compress=False)) == records


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"\x1f\x8b not really gzip", "not gzipped JSON"),
        (b"{not json", "not gzipped JSON"),
        (json.dumps({"label": 1}).encode(), "expected a non-empty JSON list"),
        (json.dumps([]).encode(), "expected a non-empty JSON list"),
        (json.dumps([digit(), {"label": 2}]).encode(), "record 1: no 'strokes'"),
        (json.dumps([{**digit(), "label": 12}]).encode(), "record 0: label 12 is not a digit 0-9"),
        (json.dumps([{**digit(), "label": "7"}]).encode(), "label '7' is not a digit"),
        (json.dumps([{**digit(), "strokes": []}]).encode(), "not a non-empty list of strokes"),
        (json.dumps([{**digit(), "strokes": [[[0, 0, 5]]]}]).encode(), "is not [x, y]"),
        (json.dumps([{**digit(), "strokes": [[[0, "a"]]]}]).encode(), "is not [x, y]"),
        (b'[{"label": 1, "strokes": [[[0, NaN]]]}]', "is not [x, y] with finite numbers"),
    ],
)
def test_a_bad_file_is_one_clear_line(tmp_path, content, expected):
    path = tmp_path / "bad.json.gz"
    path.write_bytes(content)
    with pytest.raises(stroke_files.StrokeFileError) as info:
        stroke_files.read(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message
    assert not isinstance(info.value, stroke_files.MissingStrokeFile)


def test_a_missing_file_is_its_own_error(tmp_path):
    with pytest.raises(stroke_files.MissingStrokeFile) as info:
        stroke_files.read(tmp_path / "none.json.gz")
    assert str(info.value) == f"{tmp_path / 'none.json.gz'}: no such stroke file"


def test_letters_read_when_labels_need_not_be_digits(tmp_path):
    path = write(tmp_path / "letters.json.gz", [{**digit(), "label": "A"}])
    assert stroke_files.read(path, digits=False)[0]["label"] == "A"
    with pytest.raises(stroke_files.StrokeFileError):
        stroke_files.read(path)


def test_writers_are_held_out_whole():
    records = [
        digit(d % 10, f"pendigits/{kind}{n}")
        for d, (kind, n) in enumerate(
            [("tra", 1), ("tes", 1), ("tra", 12), ("tes", 14), ("tes", 1), ("tra", 1)]
        )
    ]
    records.append(digit(5, "uji2"))
    trained, held_out = stroke_files.split(records)
    assert {r["writer"] for r in held_out} == {"pendigits/tes1", "pendigits/tes14"}
    assert {r["writer"] for r in trained} == {"pendigits/tra1", "pendigits/tra12", "uji2"}
    assert len(trained) + len(held_out) == len(records)
    # Another pattern, and none at all.
    assert [r["writer"] for r in stroke_files.split(records, "uji2")[1]] == ["uji2"]
    assert stroke_files.split(records, "")[1] == []


def test_the_shipped_files_read_and_their_held_out_writers_are_pendigits_test_writers():
    seen = {}
    for path in stroke_files.DEFAULT_FILES:
        records = stroke_files.read(path)
        described = stroke_files.describe(path, records)
        seen[path.name] = described
        assert described["trained"] + described["held_out"] == described["count"] == len(records)
        assert not set(described["writers_trained"]) & set(described["writers_held_out"])
        assert len(described["sha256"]) == 64
    pendigits = seen["pendigits.json.gz"]
    assert pendigits["writers_held_out"] == sorted(f"pendigits/tes{n}" for n in range(1, 15))
    assert pendigits["writers_trained"] == sorted(f"pendigits/tra{n}" for n in range(1, 31))
    assert (pendigits["trained"], pendigits["held_out"]) == (7494, 3498)
    assert (
        seen["uji2_digits.json.gz"]["held_out"] == seen["numberpad_digits.json.gz"]["held_out"] == 0
    )
    assert sum(d["count"] for d in seen.values()) == 13014
