"""What the network does with one input: each layer's activations, a saliency map and the units
that mattered.

Saliency is gradient x input: for the answer's digit, how much each pixel's ink
raised (positive) or lowered (negative) that digit's score. For a ReLU network
the scores are piecewise linear in the pixels, so gradient x input is exact
within the input's linear region, and the pixel shares plus the bias terms add
up to the score. Everything is quantised to bytes so an answer stays a few KB.
"""

import base64

import numpy as np

from .answer import INPUT_SHAPE, DigitAnswer

TOP_UNITS = 5  # units per hidden layer named as having mattered most


def _grid(size):
    """(rows, columns) to show a layer of this many units: square when it can be, else as square
    as fits.
    """
    rows = int(np.sqrt(size))
    while size % rows:
        rows -= 1
    return [rows, size // rows]


def _bytes(values):
    return base64.b64encode(np.ascontiguousarray(values).tobytes()).decode("ascii")


def quantise_unsigned(values):
    """Non-negative floats -> (base64 of uint8 0..255 scaled to the largest, the scale: value =
    byte * scale).
    """
    top = float(values.max()) if values.size else 0.0
    scale = top / 255 if top > 0 else 1.0
    return _bytes(np.clip(np.rint(values / scale), 0, 255).astype(np.uint8)), scale


def quantise_signed(values):
    """Floats -> (base64 of int8 -127..127 scaled to the largest magnitude, the scale)."""
    top = float(np.abs(values).max()) if values.size else 0.0
    scale = top / 127 if top > 0 else 1.0
    return _bytes(np.clip(np.rint(values / scale), -127, 127).astype(np.int8)), scale


class Explainer:
    """The classifier's folded layers in float32, run one input at a time with every step kept."""

    def __init__(self, classifier):
        self.layers = classifier.layers

    def activations(self, pixels):
        """uint8 (28, 28) -> [input on 0..1, hidden layer 1 after ReLU, ..., logits]."""
        x = np.asarray(pixels, dtype=np.float32).reshape(-1) / 255.0
        out = [x]
        for i, (weight, bias) in enumerate(self.layers):
            x = weight @ x + bias
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0)
            out.append(x)
        return out

    def gradients(self, steps, target):
        """d(score of class target) / d(each layer's values), input first: exact for the ReLU
        pattern of steps.
        """
        g = self.layers[-1][0][target].astype(np.float32)
        grads = [g]
        for (weight, _), values in zip(self.layers[-2::-1], steps[-2:0:-1]):
            g = (g * (values > 0)) @ weight
            grads.append(g)
        return grads[::-1]  # input, hidden 1, ..., last hidden

    def unit(self, index):
        """A first-layer unit's weight template (what it looks for: 784 weights over the 28x28)
        and its bias.
        """
        weight, bias = self.layers[0]
        if not 0 <= index < len(weight):
            raise IndexError(f"unit must be in 0..{len(weight) - 1}")
        values, scale = quantise_signed(weight[index])
        return {
            "layer": 1,
            "unit": index,
            "template": values,
            "scale": scale,
            "bias": float(bias[index]),
            "shape": list(INPUT_SHAPE),
        }

    def explain(self, answer: DigitAnswer):
        """A digit as already read and judged -> layers, saliency and top units (a dict).

        The explanation runs the layers once more, in float32 and keeping every step, on the
        pixels the answer was read from: it never reads the drawing again. No ink: no layers.
        """
        if answer.pixels is None:
            return {"layers": [], "saliency": None, "top_units": []}
        pixels = answer.pixels
        steps = self.activations(pixels)
        # The digit explained: the answer's, or the likeliest digit when the answer is "not a
        # digit".
        if answer.digit is not None:
            target = answer.digit
        else:
            target = int(np.argmax(answer.probabilities))
        grads = self.gradients(steps, target)
        layers = [
            {
                "name": "input",
                "size": steps[0].size,
                "shape": list(INPUT_SHAPE),
                "values": _bytes(np.asarray(pixels, dtype=np.uint8)),
                "scale": 1 / 255,
            }
        ]
        top = []
        for number, (values, grad) in enumerate(zip(steps[1:-1], grads[1:]), start=1):
            data, scale = quantise_unsigned(values)
            layers.append(
                {
                    "name": f"hidden {number}",
                    "size": values.size,
                    "shape": _grid(values.size),
                    "values": data,
                    "scale": scale,
                }
            )
            share = values * grad  # each unit's part in the target's score
            for unit in np.argsort(-np.abs(share))[:TOP_UNITS]:
                top.append(
                    {"layer": number, "unit": int(unit), "share": round(float(share[unit]), 4)}
                )
        saliency, scale = quantise_signed(steps[0] * grads[0])
        return {
            "target": target,
            "layers": layers,
            "top_units": top,
            "saliency": {
                "method": "gradient x input",
                "values": saliency,
                "scale": scale,
                "shape": list(INPUT_SHAPE),
            },
        }
