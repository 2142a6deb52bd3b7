"""The classifier: 28x28 inputs -> calibrated probabilities, and nothing else.

The one inference path for the API, benchmarks, reports and tests. What the
probabilities mean for a drawing (a verdict, a number) is recognition.answer's
and recognition.numbers' business: they use the classifier, it knows neither.
"""

import sys
from pathlib import Path

import numpy as np
import threadpoolctl

from . import checkpoint, personal
from .answer import INPUT_SIZE, answered_classes
from .calibration import Calibration, softmax

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "mlp.safetensors"


class Classifier:
    """One loaded model and its calibration: calibrated probabilities for 28x28 inputs.

    Everything runs in float32, two ways with the same sums. One input at a time (a single digit,
    the common request) is bound by reading the weights from memory (11 MB), and most of a
    layer's inputs are zero: a digit inks about 18% of the 28x28, and the ReLUs leave 18-28% of
    each hidden layer's units on. So a single input reads only the weight rows of its non-zero
    inputs (Classifier._one), about 1.6x faster than the dense product. A few inputs (a single
    digit's or a short number's candidate groupings) go the same way one by one: BLAS's product
    for two to six rows costs more than that many single inputs (1.0 ms against 0.5 for two, on
    an AMD EPYC with one BLAS thread). More inputs at once (a long number's candidates,
    benchmarks) share one dense product, which reads each weight once for them all.
    """

    # Up to this many inputs are read one at a time: the measured crossover was 6-8 inputs.
    ONE_BY_ONE = 6

    def __init__(self, layers, info):
        self.info = info
        # (weight (outputs, inputs), bias) per layer, float32, BatchNorm and input scaling folded
        # in (recognition.architecture.fold).
        self.layers = layers
        # The same weights laid out (inputs, outputs): a contiguous row per input.
        self.rows = [(np.ascontiguousarray(w.T), b) for w, b in self.layers]
        # From the last hidden layer to a personal example's numbers (recognition.personal).
        self.projection = personal.projection(self.layers[-1][0].shape[1])
        try:
            self.calibration = Calibration.from_dict(info.get("calibration"))
        except ValueError as exc:
            raise checkpoint.CheckpointError(f"{info.get('name', 'model')}: {exc}") from exc

    @classmethod
    def load(cls, path=DEFAULT_MODEL):
        """A classifier for the model saved at path (CheckpointError if it does not load), read
        without torch."""
        return cls(*checkpoint.load_folded(path))

    @classmethod
    def from_model(cls, model, info):
        """A classifier for a torch model in memory (training, reports)."""
        return cls([(w.numpy(), b.numpy()) for w, b in model.cpu().folded()], info)

    def logits(self, pixels):
        """uint8 array (28, 28) or (N, 28, 28) -> float64 logits (classes,) or (N, classes),
        before calibration.
        """
        return self._through(pixels, self.rows).astype(np.float64)

    def features(self, pixels):
        """uint8 (28, 28) or (N, 28, 28) -> each input's personal-example numbers (SIZE signed
        bytes, recognition.personal): its last hidden layer, projected."""
        hidden = self._through(pixels, self.rows[:-1])
        if hidden.ndim == 1:
            return personal.feature(hidden, self.projection)
        return np.stack([personal.feature(h, self.projection) for h in hidden])

    def _through(self, pixels, rows):
        """Inputs through the given layers (all: logits; all but the last: the last hidden layer),
        one by one or in one product as their number says."""
        pixels = np.asarray(pixels)
        x = pixels.reshape(-1, INPUT_SIZE).astype(np.float32) * np.float32(1 / 255.0)
        if len(x) <= self.ONE_BY_ONE:
            out = np.stack([self._one(row, rows) for row in x])
        else:
            out = self._batch(x, rows)
        return out[0] if pixels.ndim == 2 else out

    def _one(self, x, rows):
        """One input (inputs,) on the 0..1 scale -> float32 outputs of rows, reading only the
        weight rows of non-zero inputs."""
        last = len(self.rows) - 1
        for i, (weight, bias) in enumerate(rows):
            on = np.flatnonzero(x)
            # take() copies the rows a little faster than weight[on] does.
            x = x[on] @ weight.take(on, axis=0)
            x += bias
            if i < last:
                np.maximum(x, 0, out=x)
        return x

    def _batch(self, x, rows):
        """Inputs (N, inputs) on the 0..1 scale -> float32 outputs of rows, one dense product a
        layer."""
        last = len(self.rows) - 1
        for i, (weight, bias) in enumerate(rows):
            x = x @ weight
            x += bias
            if i < last:
                np.maximum(x, 0, out=x)
        return x

    def probabilities(self, pixels):
        """Calibrated probabilities (classes,) or (N, classes) for uint8 (28, 28) or (N, 28, 28)
        input.
        """
        return softmax(self.logits(pixels), self.calibration.temperature)

    def classes_answered(self, pixels):
        """Batch (N, 28, 28) -> the class each is answered with: a digit, or NOT_A_DIGIT_CLASS."""
        return answered_classes(self.probabilities(pixels), self.calibration)


def limit_threads(count):
    """Run BLAS's arithmetic, and torch's where a process has imported it (training), on count
    threads (0: leave the libraries' defaults).

    A server runs a worker per core, each answering one request at a time on one thread: more
    threads a product only contend (OpenBLAS's spin, waiting for work, takes a whole core).
    """
    if count:
        threadpoolctl.threadpool_limits(count, user_api="blas")
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(count)
