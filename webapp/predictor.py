"""Drawn input -> the model's answer: the pipeline the API, the benchmarks and the tests share."""
from pathlib import Path

import numpy as np

from . import preprocess
from .model import Classifier

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "mlp.safetensors"


class Predictor:
    """Holds one loaded model; answers for strokes, images or ready 28x28 inputs."""

    def __init__(self, model_path=DEFAULT_MODEL):
        self.classifier = Classifier(model_path)
        self.info = self.classifier.info

    def predict_strokes(self, strokes):
        """Strokes (lists of [x, y]) -> answer dict."""
        return self.answer(preprocess.strokes_to_input(strokes))

    def predict_image(self, image):
        """A PIL image -> answer dict."""
        return self.answer(preprocess.image_to_input(image))

    def answer(self, pixels):
        """28x28 uint8 (or None for no ink) -> {digit, confidence, probabilities, input, empty}."""
        if pixels is None:
            return {"digit": None, "confidence": None, "probabilities": None,
                    "input": np.zeros((preprocess.FIELD, preprocess.FIELD), dtype=int).tolist(), "empty": True}
        probs = self.classifier.probabilities(pixels)
        digit = int(np.argmax(probs))
        return {"digit": digit, "confidence": float(probs[digit]), "probabilities": probs.tolist(),
                "input": pixels.tolist(), "empty": False}
