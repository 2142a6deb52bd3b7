"""MNIST arrays as training tensors, and the validation split."""

import numpy as np
import torch


def to_tensor(images):
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) on the 0..1 scale."""
    return torch.tensor(images, dtype=torch.float32).div_(255.0).unsqueeze(1)


def split(images, labels, val_size, seed):
    """Hold out val_size training images (a seeded random choice) for validation."""
    order = np.random.default_rng(seed).permutation(len(labels))
    val, train = order[:val_size], order[val_size:]
    return (
        to_tensor(images[train]),
        torch.tensor(labels[train], dtype=torch.long),
        to_tensor(images[val]),
        torch.tensor(labels[val], dtype=torch.long),
    )
