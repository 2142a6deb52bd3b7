"""The API's answers as JSON: the one place the core's data (recognition.answer's answers,
recognition.explain's explanations) becomes what /api/predict, /api/explain and /api/units send,
as webapp.openapi describes it. Arrays go as rows of ints, or as bytes in base64.
"""

import base64

import numpy as np

from recognition import personal
from recognition.answer import INPUT_SHAPE, NOT_A_DIGIT_CLASS, NOT_A_DIGIT_LABEL, Verdict

# Explain lists every digit of the number with its probabilities to four places: plenty for bars,
# and it keeps the answer small.
EXPLAIN_DECIMALS = 4


def number_json(number):
    """A NumberAnswer -> the JSON /api/predict returns."""
    return {
        **digit_json(number.whole),
        "number": number.number,
        "digits": [placed_json(d) for d in number.digits],
    }


def digit_json(answer, with_input=True):
    """A DigitAnswer's fields (without where it lies: see placed_json); with the writer's
    examples asked for, its feature and how they moved it."""
    fields = {
        "verdict": answer.verdict.value,
        "digit": answer.digit,
        "confidence": answer.confidence,
        "candidates": None if answer.candidates is None else list(answer.candidates),
        "probabilities": None if answer.probabilities is None else answer.probabilities.tolist(),
        "not_a_digit_probability": answer.not_a_digit_probability,
        "empty": answer.verdict is Verdict.EMPTY,
    }
    if answer.feature is not None:
        fields["feature"] = personal.encode(answer.feature)
        fields["personal"] = None if answer.leaning is None else leaning_json(answer)
    if with_input:
        fields["input"] = input_json(answer)
    return fields


def input_json(answer):
    """The 28x28 input as rows of ints (all zero for no ink)."""
    if answer.pixels is None:
        return np.zeros(INPUT_SHAPE, dtype=int).tolist()
    return answer.pixels.tolist()


def placed_json(answer, with_input=True, decimals=None):
    """A digit of a number: its answer, where it lies and which strokes it holds.

    decimals: round the probabilities to so many places.
    """
    fields = digit_json(answer, with_input=False)
    del fields["empty"]
    if decimals is not None and fields["probabilities"] is not None:
        fields["probabilities"] = [round(p, decimals) for p in fields["probabilities"]]
    fields["box"] = None if answer.box is None else [round(float(v), 1) for v in answer.box]
    fields["strokes"] = None if answer.strokes is None else list(answer.strokes)
    if with_input:
        fields["input"] = input_json(answer)
    return fields


def label_json(label):
    """A class as the API writes it: the digit, or "not_a_digit"."""
    return NOT_A_DIGIT_LABEL if label == NOT_A_DIGIT_CLASS else label


def leaning_json(answer):
    """How the writer's examples moved an answer: whether they decided it, the answer without
    them, and the examples that weighed in."""
    leaning = answer.leaning
    return {
        "decided": leaning.decided(answer),
        "without": {
            "verdict": leaning.without.verdict.value,
            "digit": leaning.without.digit,
            "confidence": leaning.without.confidence,
        },
        "examples": [
            {"index": w.index, "label": label_json(w.label), "similarity": w.similarity}
            for w in leaning.weighed
        ],
    }


def explained_json(number, chosen, answer, explanation):
    """/api/explain's answer: the explained digit's fields (its 28x28 is the explanation's input
    layer; with no ink, zeros), the explanation, and the number with its digits listed without
    their 28x28s."""
    return {
        **digit_json(answer, with_input=answer.pixels is None),
        **explanation_json(explanation),
        "number": number.number,
        "digits": [
            placed_json(d, with_input=False, decimals=EXPLAIN_DECIMALS) for d in number.digits
        ],
        "explained": chosen,
    }


def explanation_json(explanation):
    """An Explanation (None: no ink) -> layers, saliency and top units, quantised to bytes so an
    answer stays a few KB."""
    if explanation is None:
        return {"layers": [], "saliency": None, "top_units": []}
    steps = explanation.steps
    layers = [
        {
            "name": "input",
            "size": steps[0].size,
            "shape": list(INPUT_SHAPE),
            "values": _bytes(np.asarray(explanation.pixels, dtype=np.uint8)),
            "scale": 1 / 255,
        }
    ]
    for number, values in enumerate(steps[1:], start=1):
        data, scale = quantise_unsigned(values)
        layers.append(
            {
                "name": f"hidden {number}",
                "size": values.size,
                "shape": grid(values.size),
                "values": data,
                "scale": scale,
            }
        )
    saliency, scale = quantise_signed(explanation.saliency)
    return {
        "target": explanation.target,
        "layers": layers,
        "top_units": [
            {"layer": layer, "unit": unit, "share": round(share, 4)}
            for layer, unit, share in explanation.top_units
        ],
        "saliency": {
            "method": "gradient x input",
            "values": saliency,
            "scale": scale,
            "shape": list(INPUT_SHAPE),
        },
    }


def unit_json(index, weights, bias):
    """A first-layer unit's template: its 784 weights as signed bytes over the 28x28, and its
    bias."""
    values, scale = quantise_signed(weights)
    return {
        "layer": 1,
        "unit": index,
        "template": values,
        "scale": scale,
        "bias": bias,
        "shape": list(INPUT_SHAPE),
    }


def grid(size):
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
