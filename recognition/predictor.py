"""The one inference path: drawn input -> 28x28 -> the model's answer, for the API, benchmarks,
reports and tests.
"""

from pathlib import Path

import numpy as np
import torch

from . import checkpoint, numbers, preprocess
from .calibration import Calibration, digit_share, softmax

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "mlp.safetensors"
# One input at a time is bound by reading the weights from memory (11 MB in
# fp32, evicted from cache between requests), so inference runs the folded
# layers held in float16: 40% faster, the same answers on MNIST test and the
# real strokes, probabilities within 2e-3 of float32.
INFERENCE_DTYPE = torch.float16


class Predictor:
    """One loaded model and its calibration; answers for strokes, images or ready 28x28 inputs."""

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
        """A predictor for the model saved at path (CheckpointError if it does not load)."""
        return cls(*checkpoint.load(path))

    @torch.inference_mode()
    def logits(self, pixels):
        """uint8 array (28, 28) or (N, 28, 28) -> float64 logits (classes,) or (N, classes),
        before calibration.
        """
        pixels = np.asarray(pixels)
        x = torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float32).reshape(-1, 28 * 28))
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

    def rejected(self, reject):
        """Where a "not a digit" probability (one or an array) reaches the model's threshold;
        never without one.
        """
        limit = self.calibration.reject_above
        return np.asarray(False) if reject is None or limit is None else np.asarray(reject) >= limit

    def decide(self, probabilities):
        """Probabilities (N, classes) -> the digit each is answered with, -1 where the answer is
        "not a digit".
        """
        probs, reject = digit_share(probabilities)
        return np.where(self.rejected(reject), -1, probs.argmax(axis=1))

    def read(self, pixels):
        """Batch (N, 28, 28) -> the digit each is answered with, -1 where the answer is "not a
        digit".
        """
        return self.decide(self.probabilities(pixels))

    def predict_strokes(self, strokes):
        """Strokes (lists of [x, y]) -> answer dict, with the number they hold
        (recognition.numbers).
        """
        return numbers.read_strokes(self, strokes)

    def predict_image(self, image):
        """A PIL image -> answer dict, with the number it holds (recognition.numbers)."""
        return numbers.read_image(self, image)

    def answer(self, pixels, probabilities=None):
        """28x28 uint8 (or None for no ink) -> the API's answer.

        verdict: "digit" (confident), "unsure" (a digit, but not sure which: candidates names the
        top two), "not_a_digit" (11-class models only: digit is null, probabilities still the ten
        digits') or "empty". Confidence is calibrated: of answers this sure, about that share are
        right. probabilities: this input's, when already computed (a number's digits are read in
        one batch).
        """
        empty = {
            "verdict": "empty",
            "digit": None,
            "confidence": None,
            "candidates": None,
            "probabilities": None,
            "not_a_digit_probability": None,
            "empty": True,
            "input": np.zeros((preprocess.FIELD, preprocess.FIELD), dtype=int).tolist(),
        }
        if pixels is None:
            return empty
        probs, reject = digit_share(
            self.probabilities(pixels) if probabilities is None else probabilities
        )
        ranked = np.argsort(-probs, kind="stable")
        digit, confidence = int(ranked[0]), float(probs[ranked[0]])
        answer = {
            **empty,
            "probabilities": probs.tolist(),
            "input": pixels.tolist(),
            "empty": False,
            "not_a_digit_probability": None if reject is None else float(reject),
        }
        if self.rejected(reject):
            return {**answer, "verdict": "not_a_digit"}
        sure = confidence >= self.calibration.unsure_below
        return {
            **answer,
            "verdict": "digit" if sure else "unsure",
            "digit": digit,
            "confidence": confidence,
            "candidates": None if sure else [int(ranked[0]), int(ranked[1])],
        }
