"""The MLP and the one config object that describes it (stored in the sidecar, rebuilt from it)."""

from dataclasses import dataclass, fields

import torch
from torch import nn

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


class MLP(nn.Module):
    """Fully connected classifier: 784 -> hidden... -> classes, with batch norm, ReLU and
    dropout.
    """

    def __init__(self, config=None):
        super().__init__()
        self.config = config or ModelConfig()
        layers = [nn.Flatten(), nn.Dropout(self.config.input_dropout)]
        width = FIELD * FIELD
        for size in self.config.hidden:
            layers += [
                nn.Linear(width, size, bias=False),
                nn.BatchNorm1d(size),
                nn.ReLU(),
                nn.Dropout(self.config.dropout),
            ]
            width = size
        layers.append(nn.Linear(width, self.config.classes))
        self.net = nn.Sequential(*layers)
        self.register_buffer("mean", torch.tensor(MEAN))
        self.register_buffer("std", torch.tensor(STD))

    def forward(self, pixels):
        """pixels: (N, 28, 28) or (N, 1, 28, 28) on the 0..1 scale -> logits (N, classes)."""
        return self.net((pixels - self.mean) / self.std)

    def folded(self):
        """[(weight, bias)] per layer, with each BatchNorm and the input normalisation folded in.

        The same function as forward() in eval mode, as plain linear layers that
        take pixels on the 0..1 scale: x -> relu(W x + b) ... -> W x + b.
        """
        layers, modules = [], list(self.net)
        for i, module in enumerate(modules):
            if not isinstance(module, nn.Linear):
                continue
            weight = module.weight.detach().double()
            bias = (
                torch.zeros(len(weight), dtype=torch.float64)
                if module.bias is None
                else module.bias.detach()
            )
            bias = bias.double()
            after = modules[i + 1] if i + 1 < len(modules) else None
            if isinstance(after, nn.BatchNorm1d):
                scale = after.weight.detach().double() / torch.sqrt(
                    after.running_var.double() + after.eps
                )
                weight = weight * scale[:, None]
                bias = (bias - after.running_mean.double()) * scale + after.bias.detach().double()
            layers.append([weight, bias])
        # (x - mean) / std feeding W is W/std applied to x, less W's row sums times mean/std.
        mean, std = float(self.mean), float(self.std)
        first = layers[0]
        first[1] = first[1] - first[0].sum(dim=1) * (mean / std)
        first[0] = first[0] / std
        return [(w.float().contiguous(), b.float().contiguous()) for w, b in layers]
