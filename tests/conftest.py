"""Shared fixtures: a small model saved as a real checkpoint, the app built on it, real MNIST and
stroke data.
"""

import os

import pytest
import torch

from harness import postgres as postgres_harness
from harness.strokes import load_strokes
from tests.support.data import MNIST_DIR, STROKES
from training import torch_checkpoint
from training.model import MLP, ModelConfig
from webapp import create_app


@pytest.fixture(scope="session")
def small_model(tmp_path_factory):
    """A small untrained-but-deterministic MLP saved as a real checkpoint."""
    torch.manual_seed(0)
    net = MLP(ModelConfig(hidden=(32, 16)))
    # Give batch norm non-trivial statistics so the round trip checks buffers too.
    net.train()
    with torch.no_grad():
        net(torch.rand(64, 1, 28, 28))
    net.eval()
    path = tmp_path_factory.mktemp("model") / "small.safetensors"
    torch_checkpoint.save(net, path, metrics={"test_accuracy": 0.5}, training={"epochs": 0})
    return path


@pytest.fixture()
def app(small_model, tmp_path):
    return create_app(
        {
            "TESTING": True,
            "MODEL_PATH": str(small_model),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'corrections.db'}",
        }
    )


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL cluster for the session. Without PostgreSQL installed the tests that
    need it skip, except where DIGITS_REQUIRE_POSTGRES is set (.ci/run sets it): there they fail.
    """
    if postgres_harness.find_bin() is None:
        reason = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("DIGITS_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = postgres_harness.Cluster().init().start()
    yield cluster
    cluster.remove()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def mnist_test():
    """The real MNIST test split; tests that need it skip without ../shared/mnist."""
    from training import mnist

    if not MNIST_DIR.exists():
        pytest.skip(f"no MNIST files at {MNIST_DIR}")
    return mnist.load_split("test", MNIST_DIR, download=False)


@pytest.fixture(scope="session")
def stroke_records():
    """Real pen-drawn digits; tests that need them skip without ../shared/strokes."""
    if not STROKES.exists():
        pytest.skip(f"no stroke file at {STROKES}")
    return load_strokes(STROKES)
