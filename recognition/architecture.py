"""What the network is, without torch: its config (the sidecar's "architecture"), the layout of
its saved weights, and those weights folded into plain linear layers, as the classifier serves
them.

training.model builds the same network in torch for training; serving reads the weights
with numpy alone, so a server process never imports torch (it took most of a start's 3 s).
"""

from dataclasses import dataclass, fields

import numpy as np

from .preprocess import FIELD

# MNIST's pixel mean and standard deviation on the 0..1 scale.
MEAN, STD = 0.1307, 0.3081


@dataclass(frozen=True)
class ModelConfig:
    """What the network is: the sidecar's "architecture", and all the loader needs to rebuild it."""

    hidden: tuple = (1024, 1024, 1024)
    classes: int = 10
    dropout: float = 0.0
    input_dropout: float = 0.0

    # Described in the sidecar for its readers; this code builds no other kind.
    KIND = {"type": "mlp", "input": [FIELD, FIELD], "activation": "relu", "batchnorm": True}

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        if not self.hidden or min(self.hidden) < 1 or self.classes < 2:
            raise ValueError(
                f"hidden sizes must be positive and classes at least 2, got {self.hidden}, "
                f"{self.classes}"
            )
        if not (0 <= self.dropout < 1 and 0 <= self.input_dropout < 1):
            raise ValueError("dropout rates must be in [0, 1)")

    def to_dict(self):
        """The sidecar's "architecture" section."""
        return {
            **self.KIND,
            "hidden": list(self.hidden),
            "classes": self.classes,
            "dropout": self.dropout,
            "input_dropout": self.input_dropout,
        }

    @classmethod
    def from_dict(cls, section):
        """Rebuild from a sidecar's "architecture"; ValueError names what is missing or unknown."""
        if not isinstance(section, dict):
            raise ValueError("architecture must be an object")
        for key, value in cls.KIND.items():
            if section.get(key, value) != value:
                raise ValueError(
                    f"architecture {key} {section[key]!r} is not supported (expected {value!r})"
                )
        names = {f.name for f in fields(cls)}
        unknown = set(section) - names - set(cls.KIND)
        if unknown:
            raise ValueError(f"architecture has unknown fields {sorted(unknown)}")
        if "hidden" not in section:
            raise ValueError("architecture has no hidden sizes")
        try:
            return cls(**{k: v for k, v in section.items() if k in names})
        except TypeError as exc:
            raise ValueError(f"architecture: {exc}") from exc


# torch's BatchNorm1d default, which training.model passes to it explicitly.
BN_EPS = 1e-5
# The first two modules of the network are Flatten and input Dropout; then four per hidden layer
# (Linear without bias, BatchNorm, ReLU, Dropout); then the output Linear.
FIRST_LINEAR = 2
PER_HIDDEN = 4


def state_shapes(config):
    """{name: shape} of every array the saved weights must hold, as torch's state_dict names
    them."""
    shapes = {"mean": (), "std": ()}
    width = FIELD * FIELD
    index = FIRST_LINEAR
    for size in config.hidden:
        shapes[f"net.{index}.weight"] = (size, width)
        norm = f"net.{index + 1}"
        for name in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{norm}.{name}"] = (size,)
        shapes[f"{norm}.num_batches_tracked"] = ()
        width = size
        index += PER_HIDDEN
    shapes[f"net.{index}.weight"] = (config.classes, width)
    shapes[f"net.{index}.bias"] = (config.classes,)
    return shapes


def check_state(state, config):
    """ValueError naming what is missing, unexpected or of the wrong shape in saved weights."""
    expected = state_shapes(config)
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = sorted(k for k in expected if k in state and tuple(np.shape(state[k])) != expected[k])
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected {', '.join(unexpected)}")
    for key in wrong:
        problems.append(f"{key} is {tuple(np.shape(state[key]))}, expected {expected[key]}")
    if problems:
        raise ValueError("; ".join(problems))


def fold(state, config):
    """Saved weights {name: array} -> [(weight (outputs, inputs), bias)] per layer, float32, with
    each BatchNorm and the input normalisation folded in.

    The same function as the network in eval mode, as plain linear layers that take pixels on
    the 0..1 scale: x -> relu(W x + b) ... -> W x + b. Worked in float64, then rounded once.
    """
    layers = []
    index = FIRST_LINEAR
    for _ in config.hidden:
        weight = np.asarray(state[f"net.{index}.weight"], dtype=np.float64)
        norm = f"net.{index + 1}"
        scale = np.asarray(state[f"{norm}.weight"], dtype=np.float64) / np.sqrt(
            np.asarray(state[f"{norm}.running_var"], dtype=np.float64) + BN_EPS
        )
        mean = np.asarray(state[f"{norm}.running_mean"], dtype=np.float64)
        bias = -mean * scale + np.asarray(state[f"{norm}.bias"], dtype=np.float64)
        layers.append([weight * scale[:, None], bias])
        index += PER_HIDDEN
    weight = np.asarray(state[f"net.{index}.weight"], dtype=np.float64)
    bias = np.asarray(state[f"net.{index}.bias"], dtype=np.float64)
    layers.append([weight, bias])
    # (x - mean) / std feeding W is W/std applied to x, less W's row sums times mean/std.
    mean, std = float(state["mean"]), float(state["std"])
    first = layers[0]
    first[1] = first[1] - first[0].sum(axis=1) * (mean / std)
    first[0] = first[0] / std
    return [
        (np.ascontiguousarray(w, dtype=np.float32), np.ascontiguousarray(b, dtype=np.float32))
        for w, b in layers
    ]
