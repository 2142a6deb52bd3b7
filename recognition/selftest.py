"""The model's self-test: known drawings read at start, against what training recorded.

Training reads a few fixed drawings with the model it writes and records the probabilities in
the sidecar ("self_test"). At start the app reads them again: a model whose weights load but
compute something else (an inference path broken on this CPU, weights edited after the
sidecar was written, numbers that overflow) is refused with one line instead of serving wrong
answers. The probabilities are the plain softmax, before calibration, so a new calibration keeps
the record valid.
"""

import numpy as np

from . import preprocess
from .calibration import softmax
from .checkpoint import CheckpointError

# A seven, a zero and a one, drawn as the page sends strokes (y down).
DRAWINGS = {
    "seven": [[[10, 10], [90, 10], [45, 120]]],
    "zero": [
        [[50, 0], [80, 20], [90, 60], [80, 100], [50, 120], [20, 100], [10, 60], [20, 20], [50, 0]]
    ],
    "one": [[[50, 0], [50, 120]]],
}
# The single-input path computes in float32 (another CPU may sum in another order: the sixth
# decimal); models recorded before 2026-12-03 were recorded on a float16 path, up to 1.6e-3 from
# float32 (BENCHMARKS.md, "inference"), and their sidecars keep this tolerance.
TOLERANCE = 5e-3


def read_known(classifier):
    """{name: the plain softmax of each drawing, read one at a time as a request is}."""
    found = {}
    for name, strokes in DRAWINGS.items():
        pixels = preprocess.strokes_to_input(strokes)
        found[name] = softmax(classifier.logits(pixels))
    return found


def record(classifier):
    """The sidecar's "self_test" section for this classifier."""
    found = read_known(classifier)
    return {
        "drawings": {name: strokes for name, strokes in DRAWINGS.items()},
        "probabilities": {name: [round(float(p), 6) for p in read] for name, read in found.items()},
        "tolerance": TOLERANCE,
    }


def check(classifier):
    """Read the known drawings; CheckpointError (one line) unless the answers are sound and, where
    the sidecar has a record, within TOLERANCE of it. Returns what was checked."""
    name = classifier.info.get("name", "model")
    found = read_known(classifier)
    for drawing, read in found.items():
        if not (np.isfinite(read).all() and abs(read.sum() - 1) < 1e-6):
            raise CheckpointError(f"{name}: self-test: the {drawing} reads as {read.tolist()}")
    recorded = classifier.info.get("self_test")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("probabilities"), dict):
        return "sound answers (the sidecar records no self-test)"
    for drawing, read in found.items():
        expected = recorded["probabilities"].get(drawing)
        if expected is None or len(expected) != len(read):
            raise CheckpointError(
                f"{name}: self-test: the sidecar's record of the {drawing} does not fit this model"
            )
        off = float(np.abs(read - np.asarray(expected, dtype=float)).max())
        if off > TOLERANCE:
            raise CheckpointError(
                f"{name}: self-test: the {drawing} reads {off:.4f} away from what training "
                f"recorded (at most {TOLERANCE}): the weights or this CPU's arithmetic differ"
            )
    return "passed"
