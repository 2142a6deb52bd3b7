"""Shared fixtures: a small trained model in tmp, the app built on it, real MNIST and stroke data."""
import gzip
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.strokes import DEFAULT_STROKES, load_strokes  # noqa: E402
from webapp import create_app, model as model_lib  # noqa: E402

SHARED = ROOT.parent / "shared"
MNIST_DIR = SHARED / "mnist"


def write_idx(path, array, gz=False):
    """Write a uint8 array as an IDX file (the MNIST format)."""
    array = np.asarray(array, dtype=np.uint8)
    header = (0x0800 | array.ndim).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    blob = header + array.tobytes()
    Path(path).write_bytes(gzip.compress(blob) if gz else blob)
    return blob


def synthetic_digits(n, seed=0):
    """Tiny fake digits: a bar whose position depends on the label, so a model can learn it."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i, 4:24, 4 + 2 * label:6 + 2 * label] = 255
    return images, labels


@pytest.fixture(scope="session")
def small_model(tmp_path_factory):
    """A small untrained-but-deterministic MLP saved as a real checkpoint."""
    torch.manual_seed(0)
    net = model_lib.MLP(hidden=(32, 16), dropout=0.0)
    # Give batch norm non-trivial statistics so the round trip checks buffers too.
    net.train()
    with torch.no_grad():
        net(torch.rand(64, 1, 28, 28))
    net.eval()
    path = tmp_path_factory.mktemp("model") / "small.safetensors"
    model_lib.save(net, path, metrics={"test_accuracy": 0.5}, training={"epochs": 0})
    return path


@pytest.fixture()
def app(small_model):
    return create_app({"TESTING": True, "MODEL_PATH": str(small_model)})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def mnist_test():
    """The real MNIST test split; tests that need it skip without ../shared/mnist."""
    from webapp import mnist
    if not MNIST_DIR.exists():
        pytest.skip(f"no MNIST files at {MNIST_DIR}")
    return mnist.load_split("test", MNIST_DIR, download=False)


@pytest.fixture(scope="session")
def stroke_records():
    """Real pen-drawn digits; tests that need them skip without ../shared/strokes."""
    if not DEFAULT_STROKES.exists():
        pytest.skip(f"no stroke file at {DEFAULT_STROKES}")
    return load_strokes(DEFAULT_STROKES)
