"""What a calibration is fitted with: the temperature that minimises the NLL, the calibration
error (ECE), the Clopper-Pearson bound on an error rate and the "not sure" threshold it sets.
"""

import numpy as np
from scipy.special import betaincinv

from recognition.calibration import softmax

ECE_BINS = 15
# "Wrong at most so often" must hold with this confidence (confident_threshold).
CONFIDENCE_LEVEL = 0.95


def nll(logits, labels, temperature):
    """Mean negative log-likelihood of the labels at this temperature."""
    probabilities = softmax(logits, temperature)
    return float(-np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-300)).mean())


def fit_temperature(logits, labels, low=0.05, high=20.0, steps=80):
    """The temperature that minimises the NLL: golden-section search over log T (the NLL is
    unimodal there).
    """
    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = nll(logits, labels, np.exp(c)), nll(logits, labels, np.exp(d))
    for _ in range(steps):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = nll(logits, labels, np.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = nll(logits, labels, np.exp(d))
    return float(np.exp((a + b) / 2))


def expected_calibration_error(probabilities, labels, bins=ECE_BINS):
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins by
    their share.
    """
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    confidence, right = probabilities.max(axis=1), probabilities.argmax(axis=1) == labels
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            total += members.mean() * abs(right[members].mean() - confidence[members].mean())
    return float(total)


def right_ece(confidence, right, bins=ECE_BINS):
    """ECE of confidences that an answer is right (a number read whole, say) against whether each
    was: the confidence as the two-class probabilities (wrong, right)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    both = np.stack([1 - confidence, confidence], axis=1)
    return expected_calibration_error(both, np.asarray(right).astype(int), bins)


def error_bound(errors, count, level=CONFIDENCE_LEVEL):
    """Clopper-Pearson upper bound, at this confidence level, on an error rate seen as errors in
    count.
    """
    errors, count = np.asarray(errors), np.asarray(count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(errors < count, betaincinv(errors + 1, count - errors, level), 1.0)


def confident_threshold(confidence, right, max_error=0.01, level=CONFIDENCE_LEVEL):
    """The lowest confidence t such that answers at t or above are wrong at most max_error of the
    time.

    With level (not None), "at most" must hold with that confidence: the Clopper-Pearson upper
    bound on their error rate, not the rate counted, stays within max_error. Where the counted
    rate just reaches max_error, fresh answers are as likely over it as under, and that point
    moves by a few hundredths with each handful of held-out answers; the bound asks for enough
    evidence before calling answers sure.
    """
    order = np.argsort(-np.asarray(confidence), kind="stable")
    conf, wrong = np.asarray(confidence)[order], ~np.asarray(right, dtype=bool)[order]
    errors, count = np.cumsum(wrong), np.arange(1, len(conf) + 1)
    error_rate = errors / count if level is None else error_bound(errors, count, level)
    # Only cut between distinct confidences: equal confidences are all in or all out.
    last_of_value = np.append(conf[1:] != conf[:-1], True)
    ok = np.flatnonzero((error_rate <= max_error) & last_of_value)
    return float(conf[ok[-1]]) if len(ok) else 1.0
