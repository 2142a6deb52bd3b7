"""train.py with real pen digits (--strokes): what the sidecar says of them, held-out writers,
bad and missing files.
"""

import gzip
import json

import pytest

import train
from recognition import checkpoint
from tests.support.data import MNIST_ONLY_FLAGS, small_training_flags, write_mnist
from training import stroke_conventions, stroke_files, torch_checkpoint, trainset
from training.stroke_augment import BOUNDS


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist")
    write_mnist(folder)
    return folder


def stroke_file(path, writers):
    """A stroke file with one upright-bar digit per writer id given, labelled 0..9 in turn."""
    records = [
        {
            "writer": writer,
            "label": i % 10,
            "strokes": [[[0, 0], [i % 10 + 1, 40]], [[0, 20], [10, 20]]],
        }
        for i, writer in enumerate(writers)
    ]
    path.write_bytes(gzip.compress(json.dumps(records).encode()))
    return path


def run(tiny_mnist, out, *extra):
    return train.main(
        [
            "--dry-run",
            *small_training_flags(tiny_mnist, out),
            *MNIST_ONLY_FLAGS,
            *extra,
        ]
    )


def test_a_dry_run_with_strokes_records_each_file_and_never_trains_on_held_out_writers(
    tiny_mnist, tmp_path, monkeypatch
):
    first = stroke_file(
        tmp_path / "a.json.gz",
        [f"pendigits/tra{i % 3}" for i in range(30)] + [f"pendigits/tes{i % 2}" for i in range(12)],
    )
    second = stroke_file(tmp_path / "b.json.gz", ["uji2"] * 20)
    given = []
    real = trainset.TrainSet.__init__

    def kept(self, *args, **kwargs):
        given.extend(args[7] if len(args) > 7 else kwargs.get("real_records", ()))
        real(self, *args, **kwargs)

    monkeypatch.setattr(trainset.TrainSet, "__init__", kept)
    out = tmp_path / "m.safetensors"
    run(
        tiny_mnist,
        out,
        "--strokes",
        str(first),
        str(second),
        "--real-digits",
        "40",
        "--real-copies",
        "3",
    )
    _, info = torch_checkpoint.load(out)
    files = info["data"]["strokes"]
    assert [f["file"] for f in files] == ["a.json.gz", "b.json.gz"]
    assert files[0]["sha256"] == stroke_files.sha256(first) and files[1][
        "sha256"
    ] == stroke_files.sha256(second)
    assert (files[0]["count"], files[0]["trained"], files[0]["held_out"]) == (42, 30, 12)
    assert files[0]["writers_trained"] == ["pendigits/tra0", "pendigits/tra1", "pendigits/tra2"]
    assert files[0]["writers_held_out"] == ["pendigits/tes0", "pendigits/tes1"]
    assert (files[1]["trained"], files[1]["writers_trained"]) == (20, ["uji2"])
    assert info["data"]["held_out_writers"] == "pendigits/tes*"
    real_digits = info["training"]["real_digits"]
    # a dry run keeps two copies at most
    assert real_digits["count"] == 40 and real_digits["bank"] == 50 * 2
    assert real_digits["augment"]["rotate_degrees"] == BOUNDS["rotate_degrees"]
    # Conventions on the real digits only when asked for (--real-conventions).
    assert real_digits["conventions"] is None and info["training"]["real_conventions"] is False
    # What training was given holds no held-out writer, and every trained record.
    assert len(given) == 50 and not any(stroke_files.is_held_out(r) for r in given)
    # The held-out writers choose the epoch and take part in the calibration.
    assert (
        "pen_accuracy"
        in json.loads((tmp_path / "m-report" / "metrics.json").read_text())["history"][0]
    )
    assert info["metrics"]["pen_val_accuracy"] is not None
    assert "12 pen digits by the held-out writers" in info["calibration"]["fitted_on"]


def test_real_conventions_are_recorded_in_the_sidecar_when_asked_for(tiny_mnist, tmp_path):
    strokes = stroke_file(tmp_path / "a.json.gz", [f"pendigits/tra{i % 3}" for i in range(30)])
    out = tmp_path / "m.safetensors"
    run(tiny_mnist, out, "--strokes", str(strokes), "--real-digits", "20", "--real-conventions")
    _, info = torch_checkpoint.load(out)
    added = info["training"]["real_digits"]["conventions"]
    assert info["training"]["real_conventions"] is True
    assert added["rates"] == {str(k): v for k, v in stroke_conventions.RATES.items()}
    assert set(added["kinds"]) == {"0", "1", "7"}


def test_no_stroke_files_trains_on_mnist_alone(tiny_mnist, tmp_path):
    out = tmp_path / "none.safetensors"
    run(tiny_mnist, out, "--strokes")
    _, info = torch_checkpoint.load(out)
    assert info["data"]["strokes"] == [] and info["training"]["real_digits"] is None
    assert info["metrics"]["pen_val_accuracy"] is None


def test_a_missing_stroke_file_stops_training_with_one_line_unless_told_to_go_on(
    tiny_mnist, tmp_path
):
    present = stroke_file(tmp_path / "a.json.gz", ["uji2"] * 20)
    missing = tmp_path / "gone.json.gz"
    with pytest.raises(SystemExit) as info:
        run(tiny_mnist, tmp_path / "m.safetensors", "--strokes", str(present), str(missing))
    message = str(info.value)
    assert message.startswith(f"train.py: {missing}: no such stroke file") and "\n" not in message
    assert "--skip-missing-strokes" in message and not (tmp_path / "m.safetensors").exists()
    run(
        tiny_mnist,
        tmp_path / "m.safetensors",
        "--strokes",
        str(present),
        str(missing),
        "--skip-missing-strokes",
    )
    _, info = torch_checkpoint.load(tmp_path / "m.safetensors")
    assert [f["file"] for f in info["data"]["strokes"]] == ["a.json.gz"]


def test_a_bad_stroke_file_stops_training_with_one_line_even_when_told_to_skip_missing_ones(
    tiny_mnist, tmp_path
):
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b'[{"label": 3, "strokes": "no"}]'))
    with pytest.raises(SystemExit) as info:
        run(tiny_mnist, tmp_path / "m.safetensors", "--strokes", str(bad), "--skip-missing-strokes")
    message = str(info.value)
    assert message.startswith(f"train.py: {bad}: record 0:") and "\n" not in message


def test_the_calibrate_command_fits_what_training_fitted(tiny_mnist, tmp_path):
    pen = stroke_file(
        tmp_path / "a.json.gz",
        [f"pendigits/tra{i % 3}" for i in range(30)] + [f"pendigits/tes{i % 2}" for i in range(20)],
    )
    out = tmp_path / "m.safetensors"
    train.main(
        [
            "--epochs",
            "1",
            "--val-size",
            "64",
            *small_training_flags(tiny_mnist, out),
            "--negatives",
            "30",
            "--redraw",
            "0",
            "--strokes",
            str(pen),
            "--real-digits",
            "20",
            "--real-copies",
            "2",
        ]
    )
    trained = json.loads(out.with_suffix(".json").read_text())["calibration"]
    # Two held-out negatives for every held-out digit: 64 MNIST digits and the 20 held-out writers'
    # digits.
    assert trained["figures"]["negatives"] == 168 and trained["figures"]["count"] == 84
    checkpoint.update_sidecar(out, calibration=None)
    from training import calibrate

    calibrate.main(["--model", str(out), "--data-dir", str(tiny_mnist), "--strokes", str(pen)])
    assert json.loads(out.with_suffix(".json").read_text())["calibration"] == trained
