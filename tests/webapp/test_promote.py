"""The promotion rule and `flask --app webapp model promote`: a model no worse beyond noise
replaces the served one (the old kept as .previous); a worse one is refused and nothing moves."""

import gzip
import json
import shutil

import numpy as np
import pytest

from bench.compare import paired
from harness.strokes import DEFAULT_LETTERS, load_strokes
from recognition import checkpoint
from tests.support.data import SHIPPED_MODEL, write_mnist
from training import torch_checkpoint
from webapp import create_app


def test_the_paired_rule_calls_a_few_records_noise_and_a_real_loss_worse():
    old = np.ones(10000, bool)
    old[:100] = False
    same = old.copy()
    noise = old.copy()
    noise[100:103] = False  # three more wrong on 10,000
    real = old.copy()
    real[100:130] = False  # thirty more
    assert not paired(old, same)["worse"] and paired(old, same)["p_worse"] == 1.0
    assert not paired(old, noise)["worse"]
    figures = paired(old, real)
    assert figures["worse"] and figures["only_old_right"] == 30 and figures["only_new_right"] == 0
    # Better is never worse.
    assert not paired(real, old)["worse"]


def copy_model(source, target):
    for name in ("safetensors", "json"):
        shutil.copy2(source.with_suffix(f".{name}"), target.with_suffix(f".{name}"))
    return target


def write(path, records):
    with gzip.open(path, "wt") as f:
        json.dump(records, f)
    return path


@pytest.fixture()
def small_sets(tmp_path, stroke_records):
    """Tiny versions of every set the rule names, as files."""
    if not DEFAULT_LETTERS.exists():
        pytest.skip("no shared letters")
    write_mnist(tmp_path / "mnist")
    strokes = write(tmp_path / "strokes.json.gz", stroke_records[:60])
    held_out = [{**r, "writer": "pendigits/tes1"} for r in stroke_records[60:100]]
    pen = write(tmp_path / "pen.json.gz", held_out)
    letters = write(tmp_path / "letters.json.gz", load_strokes(DEFAULT_LETTERS)[:30])
    flags = ["--data-dir", str(tmp_path / "mnist"), "--strokes", str(strokes), "--pen", str(pen)]
    return flags + ["--letters", str(letters)]


def served_app(tmp_path):
    served = copy_model(SHIPPED_MODEL, tmp_path / "served.safetensors")
    return create_app(
        {
            "TESTING": True,
            "MODEL_PATH": str(served),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
        }
    ), served


def test_an_equal_model_is_promoted_and_the_old_one_kept(tmp_path, small_sets):
    app, served = served_app(tmp_path)
    new = copy_model(SHIPPED_MODEL, tmp_path / "tuned.safetensors")
    before = served.read_bytes()
    result = app.test_cli_runner().invoke(args=["model", "promote", str(new), *small_sets])
    assert result.exit_code == 0, result.output
    assert "no worse" in result.output and "WORSE" not in result.output
    assert (tmp_path / "served.previous.safetensors").read_bytes() == before
    assert served.read_bytes() == new.read_bytes()
    # The served files load as a pair, the sidecar naming its own weights' file.
    _, info = torch_checkpoint.load(served)
    assert info["weights"]["file"] == "served.safetensors"


def test_a_worse_model_is_refused_and_nothing_moves(tmp_path, small_sets, small_model):
    app, served = served_app(tmp_path)
    before = served.read_bytes(), checkpoint.sidecar_path(served).read_bytes()
    result = app.test_cli_runner().invoke(args=["model", "promote", str(small_model), *small_sets])
    assert result.exit_code != 0
    assert "worse beyond noise on" in str(result.exception) + result.output
    assert (served.read_bytes(), checkpoint.sidecar_path(served).read_bytes()) == before
    assert not (tmp_path / "served.previous.safetensors").exists()
