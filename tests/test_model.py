"""The MLP checkpoint: safetensors + sidecar round trip, and loading refuses what it cannot trust."""
import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from webapp import model as model_lib


def test_round_trip_gives_identical_outputs(tmp_path):
    torch.manual_seed(3)
    net = model_lib.MLP(hidden=(40, 30, 20), dropout=0.2)
    net.train()
    net(torch.rand(32, 1, 28, 28))  # non-trivial batch-norm statistics
    net.eval()
    path = tmp_path / "m.safetensors"
    model_lib.save(net, path, metrics={"test_accuracy": 0.1})
    loaded, info = model_lib.load(path)
    x = torch.rand(17, 28, 28)
    with torch.no_grad():
        assert torch.equal(net(x), loaded(x))
    assert info["architecture"]["hidden"] == [40, 30, 20]
    assert info["normalization"]["mean"] == model_lib.MEAN and info["normalization"]["box"] == 20
    assert info["metrics"]["test_accuracy"] == 0.1
    assert set(load_file(str(path))) == set(net.state_dict())


def test_only_linear_layers(small_model):
    net, _ = model_lib.load(small_model)
    kinds = {type(m).__name__ for m in net.modules()}
    assert "Linear" in kinds and not kinds & {"Conv1d", "Conv2d", "RNN", "LSTM", "MultiheadAttention"}


def test_sidecar_of_another_format_is_refused(small_model, tmp_path):
    meta = json.loads(model_lib.sidecar_path(small_model).read_text())
    meta["format"] = "pickle/0"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(meta))
    (tmp_path / "bad.safetensors").write_bytes(model_lib.weights_path(small_model).read_bytes())
    with pytest.raises(model_lib.CheckpointError, match="format"):
        model_lib.load(bad)


def test_weights_that_do_not_match_the_sidecar_are_refused(small_model, tmp_path):
    meta = json.loads(model_lib.sidecar_path(small_model).read_text())
    meta["architecture"]["hidden"] = [64, 16]
    (tmp_path / "m.json").write_text(json.dumps(meta))
    (tmp_path / "m.safetensors").write_bytes(model_lib.weights_path(small_model).read_bytes())
    with pytest.raises(model_lib.CheckpointError, match="weights do not load"):
        model_lib.load(tmp_path / "m.safetensors")


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(model_lib.CheckpointError, match="nothing.json"):
        model_lib.load(tmp_path / "nothing.safetensors")


def test_classifier_fast_path_equals_the_model(small_model, mnist_test):
    """The folded float16 inference path computes what the float32 module graph computes."""
    clf = model_lib.Classifier(small_model)
    images = mnist_test[0][:200]
    with torch.no_grad():
        reference = torch.softmax(clf.model(torch.tensor(images, dtype=torch.float32) / 255).double(), 1).numpy()
    fast = clf.probabilities(images)
    np.testing.assert_allclose(fast, reference, atol=2e-3)  # float16 weights: probabilities within 2e-3
    assert (fast.argmax(1) == reference.argmax(1)).mean() >= 0.99


def test_classifier_single_and_batch_agree(small_model):
    clf = model_lib.Classifier(small_model)
    pixels = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    batch = clf.probabilities(pixels)
    assert batch.shape == (3, 10)
    np.testing.assert_allclose(batch.sum(axis=1), 1.0)
    np.testing.assert_allclose(clf.probabilities(pixels[1]), batch[1], rtol=1e-5, atol=1e-7)
