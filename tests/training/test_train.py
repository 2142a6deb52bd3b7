"""train.py end to end (--dry-run) on a tiny synthetic MNIST: a loadable model, a full report,
honest settings.
"""

import json

import numpy as np
import pytest
import torch

import train
from recognition import checkpoint
from recognition.classifier import Classifier
from tests.support.data import MNIST_ONLY_FLAGS, small_training_flags, write_mnist
from training import conventions, torch_checkpoint
from training import device as device_lib


@pytest.fixture(scope="module")
def tiny_mnist(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist")
    return folder, write_mnist(folder)


@pytest.fixture(scope="module")
def default_run(tiny_mnist, tmp_path_factory):
    """One dry run with every default (conventions, negatives, --precision auto): (accuracy,
    path).
    """
    out = tmp_path_factory.mktemp("models") / "tiny.safetensors"
    return run(tiny_mnist, out), out


def run(tiny_mnist, out, *extra):
    return train.main(["--dry-run", *small_training_flags(tiny_mnist[0], out), *extra])


def test_dry_run_writes_a_loadable_model_and_a_report(tiny_mnist, default_run):
    accuracy, out = default_run
    net, info = torch_checkpoint.load(out)
    assert info["architecture"]["hidden"] == [32, 16]
    assert (
        info["training"]["seed"] == train.parse_args([]).seed
        and info["training"]["dry_run"] is True
    )
    assert len(info["data"]["sha256"]) == 64
    # The reported accuracy is what the saved model, served, scores on the test digits.
    images, labels = tiny_mnist[1]["t10k"]
    # "not a digit" (-1) counts as wrong
    served = (Classifier.from_model(net, info).classes_answered(images) == labels).mean()
    assert accuracy == pytest.approx(served) and info["metrics"]["test_accuracy"] == pytest.approx(
        served
    )
    report = out.with_name("tiny-report")
    for name in (
        "curves.png",
        "confusion.png",
        "per_class.png",
        "most_wrong.png",
        "first_layer.png",
        "reliability.png",
    ):
        assert (report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    metrics = json.loads((report / "metrics.json").read_text())
    confusion = np.array(metrics["confusion"])
    assert confusion.shape == (10, 11) and confusion.sum() == 100  # an 11th column: "not a digit"
    assert np.trace(confusion) == round(100 * accuracy)
    per_class = [confusion[c, c] / max(confusion[c].sum(), 1) for c in range(10)]
    np.testing.assert_allclose(metrics["per_class_accuracy"], per_class)
    assert metrics["baseline_test_accuracy"] == info["metrics"]["baseline_test_accuracy"]
    assert [h["epoch"] for h in metrics["history"]] == [1]
    assert info["architecture"]["classes"] == 11 and info["training"]["negatives"]["count"] == 200
    assert info["training"]["conventions"]["rates"] == {
        str(d): r for d, r in conventions.RATES.items()
    }
    # Pen lines by default: the real pen digits (the dry run's 200 an epoch) and 15% redrawn; no
    # typeface digits.
    assert (
        info["training"]["real_digits"]["count"] == 200
        and info["training"]["redrawn"]["rate"] == 0.15
    )
    assert info["training"]["pen_digits"] is None
    calibration = info["calibration"]
    assert calibration["temperature"] > 0 and 0 <= calibration["unsure_below"] <= 1
    # Two held-out negatives for every held-out digit: 64 MNIST digits and the dry run's 50 pen
    # digits.
    assert 0 <= calibration["reject_above"] <= 1 and calibration["figures"]["negatives"] == 228
    assert (
        calibration["figures"]["count"] == 114
        and "validation split (64" in calibration["fitted_on"]
    )


def test_same_seed_same_model_and_auto_trains_as_the_precision_it_names(
    tiny_mnist, default_run, tmp_path
):
    chosen = device_lib.get_precision("auto", torch.device("cpu"))
    run(tiny_mnist, tmp_path / "b.safetensors", "--precision", chosen)
    a, info = torch_checkpoint.load(default_run[1])
    b, _ = torch_checkpoint.load(tmp_path / "b.safetensors")
    assert info["training"]["precision"] == chosen
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(pa, pb), name


def test_the_other_precision_really_trains_differently(tiny_mnist, default_run, tmp_path):
    chosen = device_lib.get_precision("auto", torch.device("cpu"))
    other = "fp32" if chosen == "bf16" else "bf16"
    run(tiny_mnist, tmp_path / "other.safetensors", "--precision", other)
    a, _ = torch_checkpoint.load(default_run[1])
    b, info = torch_checkpoint.load(tmp_path / "other.safetensors")
    assert info["training"]["precision"] == other
    assert not torch.equal(a.state_dict()["net.2.weight"], b.state_dict()["net.2.weight"])


def test_validation_split_follows_val_seed_not_seed(tiny_mnist, tmp_path, monkeypatch):
    images, labels = tiny_mnist[1]["train"]
    held_out = {seed: train.data.split(images, labels, 20, seed)[2] for seed in (1, 2)}
    assert torch.equal(train.data.split(images, labels, 20, 1)[2], held_out[1])
    assert not torch.equal(held_out[1], held_out[2])
    split_seeds = []
    real_split = train.data.split
    monkeypatch.setattr(train.data, "split", lambda *a: split_seeds.append(a[-1]) or real_split(*a))
    run(
        tiny_mnist,
        tmp_path / "v3.safetensors",
        "--seed",
        "5",
        "--val-seed",
        "3",
        "--no-conventions",
        *MNIST_ONLY_FLAGS,
        "--strokes",
    )
    assert split_seeds == [3] and train.parse_args(["--seed", "5"]).val_seed == 1
    # Without conventions, negatives or pen lines: a 10-class model, with no "not a digit"
    # threshold.
    _, info = torch_checkpoint.load(tmp_path / "v3.safetensors")
    assert info["architecture"]["classes"] == 10 and info["calibration"]["reject_above"] is None
    assert info["training"]["negatives"] is None and info["training"]["conventions"] is None
    assert info["training"]["pen_digits"] is None and info["training"]["redrawn"] is None


def test_pen_digits_train_a_model_that_says_so(tiny_mnist, tmp_path):
    run(
        tiny_mnist,
        tmp_path / "pen.safetensors",
        "--no-conventions",
        "--negatives",
        "0",
        "--pen-digits",
        "30",
    )
    _, info = torch_checkpoint.load(tmp_path / "pen.safetensors")
    assert (
        info["training"]["pen_digits"]["count"] == 30
        and info["training"]["pen_digits"]["bank"] == 90
    )
    assert info["architecture"]["classes"] == 10  # digits, not an 11th class


def test_redrawn_digits_train_a_model_that_says_so(tiny_mnist, tmp_path):
    run(
        tiny_mnist,
        tmp_path / "redraw.safetensors",
        "--no-conventions",
        "--negatives",
        "0",
        "--redraw",
        "0.4",
    )
    _, info = torch_checkpoint.load(tmp_path / "redraw.safetensors")
    assert info["training"]["redraw"] == 0.4 and info["training"]["redrawn"]["rate"] == 0.4
    assert info["training"]["redrawn"]["thinning"] == "Zhang-Suen"


def test_missing_data_exits_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("training.mnist.MIRRORS", ("http://127.0.0.1:9/",))
    with pytest.raises(SystemExit) as info:
        train.main(
            [
                "--dry-run",
                "--data-dir",
                str(tmp_path / "empty"),
                "--out",
                str(tmp_path / "m.safetensors"),
            ]
        )
    message = str(info.value)
    assert message.startswith("train.py: could not download") and "\n" not in message


def test_help_shows_defaults_and_the_quick_preset(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in (
        "--epochs",
        "--batch-size",
        "--lr",
        "--hidden",
        "--seed",
        "--device",
        "--data-dir",
        "--out",
        "--quick",
        "--dry-run",
    ):
        assert flag in text
    # the seed's default, as argparse prints it
    assert f"(default: {train.parse_args([]).seed})" in text
    assert "--epochs 14 --hidden 1024 1024 --negatives 4000" in text  # what --quick sets
    assert "--strokes" in text and "--held-out-writers" in text and "--real-digits" in text


def test_quick_is_a_preset_that_explicit_flags_override():
    default, quick = train.parse_args([]), train.parse_args(["--quick"])
    assert (quick.epochs, quick.hidden) == (14, [1024, 1024]) != (default.epochs, default.hidden)
    assert quick.lr == default.lr and quick.seed == default.seed  # the rest stays as it was
    mixed = train.parse_args(["--quick", "--epochs", "20"])
    assert (mixed.epochs, mixed.hidden) == (20, [1024, 1024])


@pytest.mark.parametrize("native,expected", [(True, "bf16"), (False, "fp32")])
def test_auto_precision_follows_the_cpu(monkeypatch, native, expected):
    monkeypatch.setattr(device_lib, "cpu_has_native_bf16", lambda: native)
    assert device_lib.get_precision("auto", torch.device("cpu")) == expected
    # an explicit choice stands
    assert device_lib.get_precision("fp32", torch.device("cpu")) == "fp32"
    assert device_lib.get_precision("bf16", torch.device("cpu")) == "bf16"


def test_native_bf16_check_agrees_with_the_cpu_flags():
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
    except (OSError, StopIteration):
        pytest.skip("no /proc/cpuinfo flags on this system")
    assert device_lib.cpu_has_native_bf16() == bool({"avx512_bf16", "amx_bf16"} & set(flags))


def test_calibrate_command_writes_the_calibration_into_an_existing_sidecar(
    tiny_mnist, default_run, tmp_path
):
    from training import calibrate

    out = tmp_path / "c.safetensors"
    out.write_bytes(default_run[1].read_bytes())
    info = json.loads(default_run[1].with_suffix(".json").read_text())
    out.with_suffix(".json").write_text(
        json.dumps({k: v for k, v in info.items() if k != "calibration"})
    )
    calibration, figures = calibrate.main(["--model", str(out), "--data-dir", str(tiny_mnist[0])])
    written = json.loads(out.with_suffix(".json").read_text())
    assert written["calibration"]["temperature"] == calibration.temperature
    assert written["calibration"]["figures"] == figures and written["weights"] == info["weights"]
    assert Classifier.load(out).calibration == calibration
    assert (tmp_path / "c-report" / "reliability.png").read_bytes()[:4] == b"\x89PNG"


def test_calibrate_command_on_a_missing_model_is_one_line(tmp_path):
    from training import calibrate

    with pytest.raises(SystemExit) as info:
        calibrate.main(["--model", str(tmp_path / "none.safetensors"), "--data-dir", str(tmp_path)])
    assert str(info.value).startswith("training.calibrate: ") and "\n" not in str(info.value)


def test_init_fine_tunes_a_saved_model_and_says_so(tiny_mnist, default_run, tmp_path):
    """--init starts from the saved weights and the sidecar names them; a model of another shape
    is refused in one line.

    At a learning rate of 0 no step moves a weight, so a run started from the saved model must
    end with exactly its weights, and a run from scratch with others. (A dry run's models are
    near chance, so comparing their losses would test luck.)
    """
    _, start = default_run
    out = tmp_path / "tuned.safetensors"
    run(tiny_mnist, out, "--init", str(start), "--epochs", "1", "--lr", "0")
    tuned, info = torch_checkpoint.load(out)
    assert info["training"]["init"] == {
        "file": start.name,
        "sha256": checkpoint.read_sidecar(start)["weights"]["sha256"],
    }
    scratch_out = tmp_path / "scratch.safetensors"
    run(tiny_mnist, scratch_out, "--epochs", "1", "--lr", "0")
    scratch, _ = torch_checkpoint.load(scratch_out)
    saved, _ = torch_checkpoint.load(start)
    weights = dict(saved.named_parameters())
    for name, value in tuned.named_parameters():
        assert torch.equal(value, weights[name]), name
    assert not all(torch.equal(value, weights[name]) for name, value in scratch.named_parameters())
    with pytest.raises(SystemExit, match="--init .* has hidden layers"):
        train.main(
            ["--dry-run", *small_training_flags(tiny_mnist[0], tmp_path / "x.safetensors")]
            + ["--hidden", "8", "--init", str(start)]
        )


def test_calibrate_numbers_only_keeps_every_other_calibration(
    tiny_mnist, default_run, tmp_path, monkeypatch
):
    from recognition.calibration import NumberCalibration
    from training import calibrate

    out = tmp_path / "n.safetensors"
    out.write_bytes(default_run[1].read_bytes())
    info = json.loads(default_run[1].with_suffix(".json").read_text())
    out.with_suffix(".json").write_text(json.dumps(info))
    args = ["--model", str(out), "--data-dir", str(tiny_mnist[0]), "--numbers-only"]
    # The tiny run's held-out writers compose too few numbers to fit: one line, nothing written.
    with pytest.raises(SystemExit) as refused:
        calibrate.main(args)
    assert str(refused.value).startswith("training.calibrate: too few numbers")
    assert json.loads(out.with_suffix(".json").read_text()) == info
    fitted = NumberCalibration((1.0, 0.5), -0.3, 0.95, "composed numbers", 0.8)
    figures = {"count": 1500, "confident_share": 0.8, "right_when_sure": 0.99}
    monkeypatch.setattr(calibrate, "calibrate_numbers", lambda *a: (fitted, figures))
    calibration, _ = calibrate.main(args)
    written = json.loads(out.with_suffix(".json").read_text())["calibration"]
    kept = {k: v for k, v in info["calibration"].items() if k != "number"}
    assert {k: v for k, v in written.items() if k != "number"} == kept
    assert written["number"] == {**fitted.to_dict(), "figures": figures}
    assert Classifier.load(out).calibration == calibration and calibration.number == fitted
