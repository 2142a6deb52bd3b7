"""Where the shared data lies, small MNIST-format files made on the spot, and a tiny training run's
flags."""

import gzip
import json
from pathlib import Path

import numpy as np

from harness.strokes import DEFAULT_STROKES

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
MNIST_DIR = SHARED / "mnist"
STROKES = DEFAULT_STROKES
SHIPPED_MODEL = ROOT / "models" / "mlp.safetensors"


def write_idx(path, array, gz=False):
    """Write a uint8 array as an IDX file (the MNIST format); returns the uncompressed bytes."""
    array = np.asarray(array, dtype=np.uint8)
    header = (0x0800 | array.ndim).to_bytes(4, "big") + b"".join(
        d.to_bytes(4, "big") for d in array.shape
    )
    blob = header + array.tobytes()
    Path(path).write_bytes(gzip.compress(blob) if gz else blob)
    return blob


def synthetic_digits(n, seed=0):
    """Tiny fake digits: a bar whose position depends on the label, so a model can learn it."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i, 4:24, 4 + 2 * label : 6 + 2 * label] = 255
    return images, labels


def write_mnist(folder, splits=(("train", 600, 1), ("t10k", 100, 2))):
    """A tiny synthetic MNIST folder (gzipped IDX files); returns {split: (images, labels)}."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    for split, n, seed in splits:
        images, labels = made[split] = synthetic_digits(n, seed)
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images, gz=True)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels, gz=True)
    return made


def small_training_flags(mnist_dir, out):
    """train.py's flags for a tiny model trained quickly on a tiny MNIST folder."""
    return [
        "--data-dir",
        str(mnist_dir),
        "--out",
        str(out),
        "--hidden",
        "32",
        "16",
        "--batch-size",
        "64",
        "--threads",
        "1",
    ]


# train.py's flags for MNIST digits only: no negatives, no typeface pen digits, none redrawn.
MNIST_ONLY_FLAGS = ["--negatives", "0", "--pen-digits", "0", "--redraw", "0"]


def write_bench_inputs(folder):
    """A synthetic MNIST test split and two real-looking stroke records; returns (mnist images,
    labels, records).
    """
    images, labels = synthetic_digits(30)
    write_idx(folder / "t10k-images-idx3-ubyte", images)
    write_idx(folder / "t10k-labels-idx1-ubyte", labels)
    records = [
        {"label": 7, "strokes": [[[10, 10], [90, 10], [45, 120]]]},
        {"label": 1, "strokes": [[[5, 0], [5, 100]]]},
    ]
    (folder / "strokes.json.gz").write_bytes(gzip.compress(json.dumps(records).encode()))
    letters = [
        {"label": "x", "strokes": [[[0, 0], [50, 60]], [[50, 0], [0, 60]]]},
        {"label": "v", "strokes": [[[0, 0], [25, 60], [50, 0]]]},
        {"label": "k", "strokes": [[[0, 0], [0, 80]], [[40, 10], [0, 45], [40, 80]]]},
    ]
    (folder / "letters.json.gz").write_bytes(gzip.compress(json.dumps(letters).encode()))
    return images, labels, records
