"""The classifier: 28x28 inputs -> calibrated probabilities, and nothing else.

The one inference path for the API, benchmarks, reports and tests. What the
probabilities mean for a drawing (a verdict, a number) is recognition.answer's
and recognition.numbers' business: they use the classifier, it knows neither.
"""

from pathlib import Path

import numpy as np
import torch

from . import checkpoint
from .answer import INPUT_SIZE, decide
from .calibration import Calibration, softmax

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "mlp.safetensors"
# One input at a time is bound by reading the weights from memory (11 MB in
# fp32, evicted from cache between requests), so inference runs the folded
# layers held in float16: 40% faster, the same answers on MNIST test and the
# real strokes, probabilities within 2e-3 of float32.
INFERENCE_DTYPE = torch.float16


class Classifier:
    """One loaded model and its calibration: calibrated probabilities for 28x28 inputs."""

    def __init__(self, model, info):
        self.info = info
        folded = model.cpu().folded()
        self.layers = [(w.to(INFERENCE_DTYPE), b.to(INFERENCE_DTYPE)) for w, b in folded]
        # Several inputs at once (a number's candidate digits, benchmarks) are bound by arithmetic,
        # which CPUs do in float32 many times faster than in float16 (12 inputs: 0.6 ms a layer
        # against 2.7).
        self.batch_layers = folded
        try:
            self.calibration = Calibration.from_dict(info.get("calibration"))
        except ValueError as exc:
            raise checkpoint.CheckpointError(f"{info.get('name', 'model')}: {exc}") from exc

    @classmethod
    def load(cls, path=DEFAULT_MODEL):
        """A classifier for the model saved at path (CheckpointError if it does not load)."""
        return cls(*checkpoint.load(path))

    @torch.inference_mode()
    def logits(self, pixels):
        """uint8 array (28, 28) or (N, 28, 28) -> float64 logits (classes,) or (N, classes),
        before calibration.
        """
        pixels = np.asarray(pixels)
        x = torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float32).reshape(-1, INPUT_SIZE))
        layers = self.layers if len(x) == 1 else self.batch_layers
        x = (x * (1 / 255.0)).to(layers[0][0].dtype)
        last = len(layers) - 1
        for i, (weight, bias) in enumerate(layers):
            x = torch.nn.functional.linear(x, weight, bias)
            if i < last:
                x = torch.relu_(x)
        logits = x.double().numpy()
        return logits[0] if pixels.ndim == 2 else logits

    def probabilities(self, pixels):
        """Calibrated probabilities (classes,) or (N, classes) for uint8 (28, 28) or (N, 28, 28)
        input.
        """
        return softmax(self.logits(pixels), self.calibration.temperature)

    def answered(self, pixels):
        """Batch (N, 28, 28) -> the class each is answered with: a digit, or NOT_A_DIGIT_CLASS."""
        return decide(self.probabilities(pixels), self.calibration)
