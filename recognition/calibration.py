"""Honest confidence as served: the calibration a model's sidecar holds (temperature scaling,
Guo et al. 2017; the "not sure" and "not a digit" thresholds; the number's confidence) and the
softmax it is applied with. Fitting it is training's (training.fitting, training.calibrate).
"""

from dataclasses import asdict, dataclass

import numpy as np

# Confidences are clipped this far from 0 and 1 before their logit: a digit read at exactly 1.0
# still has a finite feature.
_EDGE = 1e-9


def logistic(z):
    """1 / (1 + e^-z), elementwise, without overflow for large |z|."""
    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=np.float64) / 2))


def number_features(digit_confidences):
    """What separates a number whose digits are all read right from one with a digit wrong, as
    logits: its least sure digit's confidence and the product of its digits' confidences."""
    confidences = np.asarray(digit_confidences, dtype=np.float64)
    raw = np.array([confidences.min(), confidences.prod()])
    clipped = np.clip(raw, _EDGE, 1 - _EDGE)
    return np.log(clipped / (1 - clipped))


@dataclass(frozen=True)
class NumberCalibration:
    """What the sidecar's calibration "number" holds: how sure to be that a number of several
    digits is read right: that every digit is (a logistic fit on number_features, over numbers
    composed from the held-out writers' digits), lowered where apart (the chance by the grouping's
    scores that the drawing is these digits rather than one thing) is as low as it is for drawings
    that are no digit (an H read as 11); and how sure a number must be to be answered sure."""

    weights: tuple = (0.0, 0.0)
    bias: float = 0.0
    unsure_below: float = 0.6
    fitted_on: str = "nothing"
    # Apart under this lowers the confidence, by apart / apart_from. Above it the digits decide:
    # numbers whose grouping was close are read right as often as any (1: apart multiplies as it
    # is, as before this was fitted).
    apart_from: float = 1.0

    def confidence(self, digit_confidences, apart):
        """The chance that a number with these digits' confidences is read right."""
        z = float(number_features(digit_confidences) @ np.asarray(self.weights)) + self.bias
        return float(logistic(z) * apart_share(apart, self.apart_from))

    def to_dict(self):
        return {**asdict(self), "weights": list(self.weights)}

    @classmethod
    def from_dict(cls, section):
        if not isinstance(section, dict):
            raise ValueError("calibration: number must be an object")
        fields = {k: v for k, v in section.items() if k != "figures"}
        try:
            made = cls(**{**fields, "weights": tuple(fields.get("weights", ()))})
        except TypeError as exc:
            raise ValueError(f"calibration: number: {exc}") from exc
        weights_ok = len(made.weights) == 2 and all(np.isfinite(made.weights))
        apart_ok = isinstance(made.apart_from, (int, float)) and 0 < made.apart_from <= 1
        if not (weights_ok and np.isfinite(made.bias) and 0 <= made.unsure_below <= 1 and apart_ok):
            raise ValueError(
                "calibration: number needs 2 finite weights, a finite bias, unsure_below in "
                f"[0, 1] and apart_from in (0, 1], got {section}"
            )
        return made


def apart_share(apart, apart_from):
    """What the grouping's apart leaves of a number's confidence: apart / apart_from, at most 1."""
    return np.minimum(1.0, np.asarray(apart, dtype=np.float64) / apart_from)


@dataclass(frozen=True)
class Calibration:
    """What the sidecar's "calibration" holds; the defaults are what a model without one gets:
    its plain softmax, "not sure" under 60%, and no "not a digit" threshold.
    """

    temperature: float = 1.0  # logits are divided by it before the softmax
    unsure_below: float = 0.6  # a calibrated confidence under this is answered "unsure"
    fitted_on: str = "nothing: uncalibrated defaults"
    # a "not a digit" probability at or over this is answered so (11-class models)
    reject_above: float = None
    # The calibration of answers given while the pen is still down (None: this one's): fitted on
    # digits half drawn, labelled with what they become, since a half-drawn 3 is often a sure 1.
    writing: "Calibration | None" = None
    # How sure a number of several digits is (None: the product of its digits' confidences and
    # the grouping's apart, answered sure from unsure_below, as before numbers were calibrated).
    number: NumberCalibration | None = None

    def to_dict(self):
        return asdict(self)

    def while_writing(self):
        """The calibration for the digit the pen is still drawing."""
        return self if self.writing is None else self.writing

    @classmethod
    def from_dict(cls, section):
        """From a sidecar's "calibration" (None: the defaults); ValueError for values it cannot
        use.
        """
        if section is None:
            return cls()
        if not isinstance(section, dict):
            raise ValueError("calibration must be an object")
        fields = {k: v for k, v in section.items() if k != "figures"}  # figures: for readers
        if fields.get("writing") is not None:
            if not isinstance(fields["writing"], dict) or fields["writing"].get("writing"):
                raise ValueError("calibration: writing must be an object without its own writing")
            fields["writing"] = cls.from_dict(fields["writing"])
        if fields.get("number") is not None:
            fields["number"] = NumberCalibration.from_dict(fields["number"])
        try:
            made = cls(**fields)
        except TypeError as exc:
            raise ValueError(f"calibration: {exc}") from exc
        reject_ok = made.reject_above is None or 0 <= made.reject_above <= 1
        if not (made.temperature > 0 and 0 <= made.unsure_below <= 1 and reject_ok):
            raise ValueError(
                f"calibration needs temperature > 0, unsure_below and reject_above in [0, 1], "
                f"got {section}"
            )
        return made


def sure(confidence, unsure_below):
    """Whether a confidence is answered as sure. A threshold of 1 is where no confidence was found
    at which answers are right often enough (confident_threshold): then nothing is sure, not even
    a probability that rounds to 1."""
    return unsure_below < 1 and confidence >= unsure_below


def softmax(logits, temperature=1.0):
    """Row-wise softmax of logits / temperature, in float64."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def retempered(probabilities, temperature, new_temperature):
    """Probabilities softmax(z / temperature) -> softmax(z / new_temperature), without z: log p is
    z / temperature less a constant, which the softmax drops."""
    if new_temperature == temperature:
        return probabilities
    with np.errstate(divide="ignore"):
        return softmax(np.log(probabilities) * (temperature / new_temperature))
