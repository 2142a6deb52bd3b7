"""A writer's own examples: their corrections, which make later reads of their drawings lean to
the labels they gave.

An example is what the network made of a drawing the writer corrected, kept as 64 numbers, and
the right label (a digit, or "not a digit"). The 64 numbers are the network's last hidden layer
(1024 units, where drawings the network reads alike lie close) projected by a fixed random
matrix, which keeps angles between vectors to within about a tenth, as a unit vector quantised to
bytes: 88 characters of base64 an example. The server keeps none of them: the page stores them
and sends them back with each request, so a writer's style stays on their device and any server
behind a load balancer can answer.

A drawing whose 64 numbers point close to an example's (cosine similarity above NEAR) leans to
that example's label: its log-probability rises by PULL times the square of how far above NEAR
the similarity lies, on a 0..1 scale, and the probabilities are normalised again. The closest
example of each label counts, not their number. NEAR and PULL were chosen on the held-out pen
writers (pendigits' tes*, BENCHMARKS.md "Teach it your handwriting"): lower or stronger, right
answers of some writers went wrong (a writer's 3 near their corrected 5).
"""

import base64
import binascii
from dataclasses import dataclass

import numpy as np

# Numbers per example, each a signed byte: the unit vector times 127.
SIZE = 64
# Examples one writer may keep; the page drops the oldest beyond it.
LIMIT = 100
# Below this cosine similarity an example has no say.
NEAR = 0.5
# How far an example as close as can be raises its label's log-probability.
PULL = 15.0
# The projection is the same in every process and every release: an example kept in a browser
# must mean the same to the next server. A changed projection is a new model for the page.
SEED = 20261207


@dataclass(frozen=True)
class Example:
    """One correction: its 64 bytes and the right class (a digit, or the "not a digit" class)."""

    label: int
    feature: np.ndarray


@dataclass(frozen=True)
class Weighed:
    """An example that weighed in on a read: its place in the request's list, its label and how
    close it was (cosine similarity)."""

    index: int
    label: int
    similarity: float


def projection(width):
    """The fixed (width, SIZE) matrix from a last hidden layer to an example's numbers."""
    rng = np.random.default_rng(SEED)
    return rng.standard_normal((width, SIZE)).astype(np.float32)


def feature(hidden, matrix):
    """A last hidden layer (width,) -> its SIZE signed bytes: the projection as a unit vector
    times 127 (all zero where the layer is dark)."""
    projected = np.asarray(hidden, dtype=np.float64) @ matrix
    norm = np.linalg.norm(projected)
    if norm == 0:
        return np.zeros(SIZE, dtype=np.int8)
    return np.clip(np.rint(projected / norm * 127), -127, 127).astype(np.int8)


def encode(values):
    """SIZE signed bytes -> base64 text."""
    return base64.b64encode(np.asarray(values, dtype=np.int8).tobytes()).decode("ascii")


def decode(text):
    """base64 text -> SIZE signed bytes; ValueError if it is not base64 of SIZE bytes, or all
    zero (a vector with no direction)."""
    if not isinstance(text, str):
        raise ValueError(f"a feature must be base64 text of {SIZE} bytes")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError(f"a feature must be base64 text of {SIZE} bytes") from None
    if len(raw) != SIZE:
        raise ValueError(f"a feature must be {SIZE} bytes, got {len(raw)}")
    values = np.frombuffer(raw, dtype=np.int8)
    if not values.any():
        raise ValueError("a feature must not be all zero")
    return values


def _unit(values):
    vector = np.asarray(values, dtype=np.float64)
    norm = np.linalg.norm(vector, axis=-1, keepdims=True)
    return vector / np.where(norm == 0, 1, norm)


def lean(probabilities, values, examples):
    """Probabilities (classes,) of a drawing with these SIZE bytes -> (the probabilities leaned to
    the close examples' labels, the examples that weighed in, closest first).

    No example close enough: the same probabilities, untouched.
    """
    if not examples:
        return probabilities, ()
    similarities = _unit([e.feature for e in examples]) @ _unit(values)
    close = [i for i in np.argsort(-similarities, kind="stable") if similarities[i] > NEAR]
    if not close:
        return probabilities, ()
    pull = np.zeros(len(probabilities))
    for i in close:
        strength = PULL * ((similarities[i] - NEAR) / (1 - NEAR)) ** 2
        label = examples[i].label
        pull[label] = max(pull[label], strength)
    scores = np.log(np.maximum(probabilities, np.finfo(np.float64).tiny)) + pull
    leaned = np.exp(scores - scores.max())
    weighed = tuple(
        Weighed(int(i), examples[i].label, round(float(similarities[i]), 4)) for i in close
    )
    return leaned / leaned.sum(), weighed
