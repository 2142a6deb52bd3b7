"""The MLP, as torch trains it; what it is (ModelConfig) and its folded layers are
recognition.architecture's, which serving uses without torch."""

import torch
from torch import nn

from recognition.architecture import BN_EPS, MEAN, STD, ModelConfig, fold
from recognition.preprocess import FIELD

__all__ = ["MEAN", "MLP", "STD", "ModelConfig"]


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
                nn.BatchNorm1d(size, eps=BN_EPS),
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
        """[(weight, bias)] per layer as float32 tensors, with each BatchNorm and the input
        normalisation folded in (recognition.architecture.fold, the one place that does it).
        """
        state = {k: v.detach().cpu().numpy() for k, v in self.state_dict().items()}
        return [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in fold(state, self.config)]
