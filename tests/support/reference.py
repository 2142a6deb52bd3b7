"""An MLP forward pass in float64 numpy straight from the safetensors file: the reference the app
is held to.

It shares no code with recognition/ (no folding, no float16, no torch module):
Linear -> BatchNorm (running statistics) -> ReLU per hidden layer, then Linear,
then the softmax at the sidecar's calibration temperature (1 without one).
"""

import json

import numpy as np
from safetensors.numpy import load_file


class ReferenceMLP:
    """Reads the weights and the sidecar's normalisation; computes probabilities from 0..255
    pixels.
    """

    def __init__(self, weights_path, eps=1e-5):
        self.state = {k: v.astype(np.float64) for k, v in load_file(str(weights_path)).items()}
        sidecar = json.loads(weights_path.with_suffix(".json").read_text())
        norm = sidecar["normalization"]
        self.mean, self.std, self.eps = norm["mean"], norm["std"], eps
        self.temperature = (sidecar.get("calibration") or {}).get("temperature", 1.0)
        self.linear = sorted(
            {
                int(k.split(".")[1])
                for k in self.state
                if k.endswith(".weight") and self.state[k].ndim == 2
            }
        )

    def probabilities(self, pixels):
        x = (np.asarray(pixels, dtype=np.float64).reshape(-1, 784) / 255.0 - self.mean) / self.std
        for n, i in enumerate(self.linear):
            x = x @ self.state[f"net.{i}.weight"].T + self.state.get(f"net.{i}.bias", 0.0)
            if n < len(self.linear) - 1:
                bn = {
                    k: self.state[f"net.{i + 1}.{k}"]
                    for k in ("running_mean", "running_var", "weight", "bias")
                }
                x = (x - bn["running_mean"]) / np.sqrt(bn["running_var"] + self.eps) * bn[
                    "weight"
                ] + bn["bias"]
                x = np.maximum(x, 0.0)
        x = x / self.temperature
        x = x - x.max(axis=1, keepdims=True)
        e = np.exp(x)
        return e / e.sum(axis=1, keepdims=True)

    def digit_probabilities(self, pixels):
        """The ten digits' probabilities as the API shows them: an 11th class ("not a digit")
        left out, not renormalised.
        """
        return self.probabilities(pixels)[:, :10]
