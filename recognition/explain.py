"""What the network does with one input: each layer's activations, a saliency map and the units
that mattered.

Saliency is gradient x input: for the answer's digit, how much each pixel's ink
raised (positive) or lowered (negative) that digit's score. For a ReLU network
the scores are piecewise linear in the pixels, so gradient x input is exact
within the input's linear region, and the pixel shares plus the bias terms add
up to the score. The values are the core's; webapp.wire quantises them to bytes for the API.
"""

from dataclasses import dataclass

import numpy as np

from .answer import DigitAnswer

TOP_UNITS = 5  # units per hidden layer named as having mattered most


@dataclass(frozen=True)
class Explanation:
    """One digit's pass through the network: the digit explained (target), every step (the
    input on 0..1, each hidden layer after its ReLU), the pixels' pushes toward the target
    (saliency, gradient x input, one per input) and the units that mattered most in each hidden
    layer (layer from 1, unit, its share of the target's score)."""

    target: int
    pixels: np.ndarray
    steps: list
    saliency: np.ndarray
    top_units: list


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
        and its bias; IndexError for no such unit.
        """
        weight, bias = self.layers[0]
        if not 0 <= index < len(weight):
            raise IndexError(f"unit must be in 0..{len(weight) - 1}")
        return weight[index], float(bias[index])

    def explain(self, answer: DigitAnswer):
        """A digit as already read and judged -> its Explanation (None: no ink).

        The explanation runs the layers once more, in float32 and keeping every step, on the
        pixels the answer was read from: it never reads the drawing again.
        """
        if answer.pixels is None:
            return None
        steps = self.activations(answer.pixels)
        # The digit explained: the answer's, or the likeliest digit when the answer is "not a
        # digit".
        if answer.digit is not None:
            target = answer.digit
        else:
            target = int(np.argmax(answer.probabilities))
        grads = self.gradients(steps, target)
        top = []
        for number, (values, grad) in enumerate(zip(steps[1:-1], grads[1:]), start=1):
            share = values * grad  # each unit's part in the target's score
            for unit in np.argsort(-np.abs(share))[:TOP_UNITS]:
                top.append((number, int(unit), float(share[unit])))
        return Explanation(target, answer.pixels, steps[:-1], steps[0] * grads[0], top)
