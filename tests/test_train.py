"""train.py end to end (--dry-run) on a tiny synthetic MNIST: a loadable model and a full report."""
import json

import numpy as np
import pytest
import torch

import train
from conftest import synthetic_digits, write_idx
from webapp import model as model_lib


@pytest.fixture()
def tiny_mnist(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, n, seed in (("train", 600, 1), ("t10k", 100, 2)):
        images, labels = synthetic_digits(n, seed)
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images, gz=True)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels, gz=True)
    return folder


def run(tiny_mnist, out, *extra):
    return train.main(["--dry-run", "--data-dir", str(tiny_mnist), "--out", str(out), "--hidden", "32", "16",
                       "--batch-size", "64", "--threads", "1", *extra])


def test_dry_run_writes_a_loadable_model_and_a_report(tiny_mnist, tmp_path):
    out = tmp_path / "models" / "tiny.safetensors"
    accuracy = run(tiny_mnist, out)
    assert 0.0 <= accuracy <= 1.0
    net, info = model_lib.load(out)
    assert info["architecture"]["hidden"] == [32, 16]
    assert info["training"]["seed"] == train.parse_args([]).seed and info["training"]["dry_run"] is True
    assert len(info["data"]["sha256"]) == 64
    assert info["metrics"]["test_accuracy"] == pytest.approx(accuracy)
    report = tmp_path / "models" / "tiny-report"
    for name in ("curves.png", "confusion.png", "per_class.png", "most_wrong.png", "first_layer.png"):
        assert (report / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    metrics = json.loads((report / "metrics.json").read_text())
    assert len(metrics["per_class_accuracy"]) == 10 and len(metrics["confusion"]) == 10
    assert sum(map(sum, metrics["confusion"])) == 100
    assert 0.0 <= metrics["baseline_test_accuracy"] <= 1.0
    assert metrics["history"][0]["epoch"] == 1


def test_same_seed_same_model(tiny_mnist, tmp_path):
    run(tiny_mnist, tmp_path / "a.safetensors")
    run(tiny_mnist, tmp_path / "b.safetensors")
    a, _ = model_lib.load(tmp_path / "a.safetensors")
    b, _ = model_lib.load(tmp_path / "b.safetensors")
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(pa, pb), name


def test_validation_split_follows_val_seed_not_seed(tiny_mnist, tmp_path, monkeypatch):
    images, labels = synthetic_digits(200, 3)
    held_out = {seed: train.split(images, labels, 20, seed)[2] for seed in (1, 2)}
    assert torch.equal(train.split(images, labels, 20, 1)[2], held_out[1])
    assert not torch.equal(held_out[1], held_out[2])
    split_seeds = []
    real_split = train.split
    monkeypatch.setattr(train, "split", lambda *a: split_seeds.append(a[-1]) or real_split(*a))
    run(tiny_mnist, tmp_path / "s2.safetensors", "--seed", "2")
    run(tiny_mnist, tmp_path / "v3.safetensors", "--val-seed", "3")
    assert split_seeds == [1, 3]


def test_missing_data_exits_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("webapp.mnist.MIRRORS", ("http://127.0.0.1:9/",))
    with pytest.raises(SystemExit) as info:
        train.main(["--dry-run", "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "m.safetensors")])
    message = str(info.value)
    assert message.startswith("train.py: could not download") and "\n" not in message


def test_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--help"])
    text = capsys.readouterr().out
    for flag in ("--epochs", "--batch-size", "--lr", "--hidden", "--seed", "--device", "--data-dir", "--out",
                 "--quick", "--dry-run"):
        assert flag in text
    assert f"(default: {train.parse_args([]).seed})" in text  # the seed's default, as argparse prints it


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_either_precision_trains_and_is_recorded(tiny_mnist, tmp_path, precision):
    out = tmp_path / "p.safetensors"
    run(tiny_mnist, out, "--precision", precision)
    _, info = model_lib.load(out)
    assert info["training"]["precision"] == precision
