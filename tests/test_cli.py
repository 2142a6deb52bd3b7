"""Command lines: the server's arguments, the accuracy benchmark's JSON, BENCHMARKS.md sections."""
import gzip
import json
import subprocess
import sys

import pytest

from conftest import ROOT, synthetic_digits, write_idx
from bench import accuracy, record


@pytest.mark.parametrize("args,needle", [
    (["--port", "70000"], "--port must be 1..65535"),
    (["--workers", "0"], "--workers and --threads must be at least 1"),
    (["--model", "/nowhere/model.safetensors"], "cannot read model sidecar"),
])
def test_server_bad_arguments_exit_with_one_clear_line(args, needle):
    proc = subprocess.run([sys.executable, "-m", "webapp", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr


def test_accuracy_bench_json(tmp_path, small_model, monkeypatch):
    images, labels = synthetic_digits(30)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels)
    strokes = tmp_path / "strokes.json.gz"
    strokes.write_bytes(gzip.compress(json.dumps([
        {"label": 7, "strokes": [[[10, 10], [90, 10], [45, 120]]]},
        {"label": 1, "strokes": [[[5, 0], [5, 100]]]},
    ]).encode()))
    result = accuracy.main(["--model", str(small_model), "--strokes", str(strokes), "--data-dir", str(tmp_path),
                            "--json", "--no-record", "--timing-runs", "5"])
    for key in ("mnist_test_accuracy", "strokes_accuracy", "strokes_count", "infer_ms_p50"):
        assert key in result
    assert result["strokes_count"] == 2 and result["mnist_test_count"] == 30
    assert 0 <= result["strokes_accuracy"] <= 1 and result["infer_ms_p50"] > 0


def test_accuracy_bench_bad_stroke_file_is_one_line(tmp_path, small_model):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a list"}')
    with pytest.raises(SystemExit) as info:
        accuracy.main(["--model", str(small_model), "--strokes", str(bad), "--no-record"])
    assert str(info.value).startswith("accuracy.py: ") and "\n" not in str(info.value)


def test_benchmark_sections_are_replaced_not_appended(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    record.write_section("speed", "bench/x.py", "first", path=path)
    record.write_section("other", "bench/y.py", "kept", path=path)
    record.write_section("speed", "bench/x.py --fast", "second", path=path)
    text = path.read_text()
    assert text.count("<!-- speed:start -->") == 1 and "second" in text and "first" not in text
    assert "kept" in text and "Command: `bench/x.py --fast`" in text and "Machine: " in text
