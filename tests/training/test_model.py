"""The model, its config and checkpoint: round trips, refusals with one clear line, and the
inference path.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from recognition import checkpoint, preprocess
from recognition.classifier import Classifier
from tests.support.data import ROOT, SHIPPED_MODEL
from tests.support.reference import ReferenceMLP
from training import torch_checkpoint
from training.model import MEAN, MLP, ModelConfig


def test_round_trip_gives_identical_outputs(tmp_path):
    torch.manual_seed(3)
    net = MLP(ModelConfig(hidden=(40, 30, 20), dropout=0.2))
    net.train()
    net(torch.rand(32, 1, 28, 28))  # non-trivial batch-norm statistics
    net.eval()
    path = tmp_path / "m.safetensors"
    torch_checkpoint.save(net, path, metrics={"test_accuracy": 0.1})
    loaded, info = torch_checkpoint.load(path)
    x = torch.rand(17, 28, 28)
    with torch.no_grad():
        assert torch.equal(net(x), loaded(x))
    assert loaded.config == net.config == ModelConfig((40, 30, 20), dropout=0.2)
    assert info["architecture"]["hidden"] == [40, 30, 20]
    assert info["normalization"]["mean"] == MEAN and info["normalization"]["box"] == 20
    assert info["metrics"]["test_accuracy"] == 0.1
    assert set(load_file(str(path))) == set(net.state_dict())


def test_the_shipped_sidecar_rebuilds_its_config():
    info = json.loads(SHIPPED_MODEL.with_suffix(".json").read_text())
    config = ModelConfig.from_dict(info["architecture"])
    # Eleven classes: the ten digits and "not a digit".
    assert config == ModelConfig(
        hidden=(1024, 1024, 1024), classes=11, dropout=0.0, input_dropout=0.0
    )
    # the format stays digit-mlp/1: nothing to convert
    assert config.to_dict() == info["architecture"]


def test_only_linear_layers(small_model):
    net, _ = torch_checkpoint.load(small_model)
    kinds = {type(m).__name__ for m in net.modules()}
    assert "Linear" in kinds and not kinds & {
        "Conv1d",
        "Conv2d",
        "RNN",
        "LSTM",
        "MultiheadAttention",
    }


def broken_copy(small_model, tmp_path, sidecar=None, weights=None):
    """A copy of the small model with its sidecar edited or its weights replaced."""
    meta = json.loads(checkpoint.sidecar_path(small_model).read_text())
    (tmp_path / "m.json").write_text(json.dumps(sidecar(meta) if sidecar else meta))
    blob = checkpoint.weights_path(small_model).read_bytes()
    (tmp_path / "m.safetensors").write_bytes(weights(blob) if weights else blob)
    return tmp_path / "m.safetensors"


def zero_some_weights(blob, share=0.016):
    """The weights with a share of their bytes zeroed, the header intact: the file still loads."""
    data_start = 8 + int.from_bytes(blob[:8], "little")
    data = bytearray(blob[data_start:])
    data[: int(len(data) * share)] = bytes(int(len(data) * share))
    return blob[:data_start] + bytes(data)


def without(meta, key):
    meta.pop(key)
    return meta


def edited(meta, section, key, value):
    meta[section][key] = value
    return meta


@pytest.mark.parametrize(
    "sidecar,weights,needle",
    [
        (lambda m: {**m, "format": "pickle/0"}, None, "format 'pickle/0'"),
        (lambda m: without(m, "architecture"), None, "architecture must be an object"),
        (lambda m: edited(m, "architecture", "hidden", [64, 16]), None, "weights do not load"),
        (lambda m: edited(m, "architecture", "type", "cnn"), None, "type 'cnn' is not supported"),
        (lambda m: edited(m, "architecture", "heads", 4), None, "unknown fields ['heads']"),
        (lambda m: edited(m, "architecture", "hidden", [0]), None, "hidden sizes must be positive"),
        (lambda m: [m], None, "must be a JSON object"),
        (None, lambda blob: blob[: len(blob) // 2], "weights do not load"),
        (None, lambda blob: b"", "weights do not load"),
        (None, lambda blob: b"\xff" * 64, "weights do not load"),
        (None, zero_some_weights, "the weights' SHA-256 is"),
        (lambda m: edited(m, "weights", "sha256", "0" * 64), None, "the sidecar says 000000000000"),
    ],
)
@pytest.mark.parametrize("loader", [torch_checkpoint.load, checkpoint.load_folded])
def test_a_broken_checkpoint_is_one_clear_error(
    small_model, tmp_path, sidecar, weights, needle, loader
):
    """For training's torch loader and serving's numpy one alike."""
    path = broken_copy(small_model, tmp_path, sidecar, weights)
    with pytest.raises(checkpoint.CheckpointError) as info:
        loader(path)
    message = str(info.value)
    assert needle in message and "\n" not in message
    assert str(tmp_path / "m.") in message  # names the file


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="nothing.json"):
        torch_checkpoint.load(tmp_path / "nothing.safetensors")


def test_both_inference_paths_equal_the_module(small_model, mnist_test):
    """Batched (dense) and one input at a time (only the weight rows of non-zero inputs), with
    normalisation and batch norm folded in, the classifier computes what the module graph does in
    float32: the same sums up to their order."""
    net, info = torch_checkpoint.load(small_model)
    images = mnist_test[0][:200]
    with torch.no_grad():
        module = torch.softmax(
            net(torch.tensor(images, dtype=torch.float32) / 255).double(), 1
        ).numpy()
    # Served: read from disk with numpy alone; training's: folded from the torch module.
    for classifier in (Classifier.load(small_model), Classifier.from_model(net, info)):
        batched = classifier.probabilities(images)
        one_at_a_time = np.stack([classifier.probabilities(image) for image in images])
        for fast in (batched, one_at_a_time):
            np.testing.assert_allclose(fast, module, atol=1e-5)
            np.testing.assert_array_equal(fast.argmax(1), module.argmax(1))


def test_weights_of_another_architecture_are_named_by_the_serving_loader(small_model, tmp_path):
    """The arrays the sidecar's architecture needs, by name and shape, as torch's strict
    load_state_dict would say."""
    from safetensors.numpy import load, save

    path = broken_copy(small_model, tmp_path, None, None)
    state = load(path.read_bytes())
    state["net.2.weight"] = state["net.2.weight"][:, :100]
    state["extra"] = np.zeros(3, np.float32)
    del state["net.3.running_var"]
    path.write_bytes(save(state))
    sidecar = json.loads(path.with_suffix(".json").read_text())
    del sidecar["weights"]["sha256"]
    path.with_suffix(".json").write_text(json.dumps(sidecar))
    with pytest.raises(checkpoint.CheckpointError) as info:
        Classifier.load(path)
    message = str(info.value)
    assert "missing net.3.running_var" in message and "unexpected extra" in message
    assert "net.2.weight is (32, 100), expected (32, 784)" in message


def test_serving_imports_no_torch():
    """The server's start is most of what a restarted instance waits for: torch's import took
    most of it, and serving needs none of torch."""
    code = (
        "import sys; from webapp import create_app; "
        "create_app({'DATABASE_URL': 'sqlite://'}); "
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_single_and_batch_agree(small_model):
    classifier = Classifier.load(small_model)
    # More inputs than are read one at a time: this batch takes the dense product.
    count = Classifier.ONE_BY_ONE + 2
    pixels = np.random.default_rng(0).integers(0, 256, (count, 28, 28)).astype(np.uint8)
    batch = classifier.probabilities(pixels)
    assert batch.shape == (count, 10)
    np.testing.assert_allclose(batch.sum(axis=1), 1.0)
    # One input reads only its non-zero inputs' weight rows, several the whole weights: the same
    # float32 sums, in another order.
    single = classifier.probabilities(pixels[1])
    np.testing.assert_allclose(single, batch[1], atol=1e-6)
    assert single.argmax() == batch[1].argmax()


def test_shipped_model_matches_an_independent_reference(mnist_test, stroke_records):
    """The shipped 3x1024 network through the app's path vs float64 numpy from the raw weights:
    same answers.
    """
    reference = ReferenceMLP(SHIPPED_MODEL)
    classifier = Classifier.load(SHIPPED_MODEL)
    strokes = np.stack([preprocess.strokes_to_input(r["strokes"]) for r in stroke_records[:500]])
    for pixels in (mnist_test[0][:2000], strokes):
        expected, got = reference.probabilities(pixels), classifier.probabilities(pixels)
        np.testing.assert_allclose(got, expected, atol=1e-4)
        # Where the reference's top two are not tied within that tolerance, the digit is the same.
        top2 = np.sort(expected, axis=1)[:, -2:]
        clear = top2[:, 1] - top2[:, 0] > 2e-4
        assert clear.mean() > 0.99
        np.testing.assert_array_equal(got.argmax(1)[clear], expected.argmax(1)[clear])
    images, labels = mnist_test
    # The reference is the real model: its likeliest digit is right as often as the report says.
    assert (reference.digit_probabilities(images).argmax(1) == labels).mean() >= 0.995


def test_the_self_test_refuses_a_model_that_reads_its_known_drawings_otherwise(
    small_model, tmp_path
):
    from recognition import selftest
    from recognition.classifier import Classifier

    path = broken_copy(small_model, tmp_path)
    classifier = Classifier.load(path)
    assert selftest.check(classifier) == "sound answers (the sidecar records no self-test)"
    recorded = selftest.record(classifier)
    checkpoint.update_sidecar(path, self_test=recorded)
    assert selftest.check(Classifier.load(path)) == "passed"
    # What training recorded, off by more than the tolerance: as if the arithmetic had changed.
    seven = recorded["probabilities"]["seven"]
    recorded["probabilities"]["seven"] = [seven[0] + 0.01, *seven[1:]]
    checkpoint.update_sidecar(path, self_test=recorded)
    with pytest.raises(checkpoint.CheckpointError) as info:
        selftest.check(Classifier.load(path))
    message = str(info.value)
    assert "self-test: the seven reads 0.0100 away" in message and "\n" not in message
