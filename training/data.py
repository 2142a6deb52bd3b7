"""MNIST arrays as training tensors, the validation split, and the linear baseline trained beside
the MLP.
"""

import numpy as np
import torch
import torch.nn.functional as F

from recognition.model import MEAN, STD


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


def train_baseline(device, x, y, test_x, test_y, epochs, seed):
    """Softmax regression on the same training digits: the yardstick beside the MLP; returns test
    accuracy.
    """
    torch.manual_seed(seed)
    linear = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 10)).to(device)
    optimizer = torch.optim.Adam(linear.parameters(), lr=1e-3)
    for _ in range(epochs):
        for index in torch.randperm(len(y)).split(128):
            optimizer.zero_grad()
            data = (x[index].to(device) - MEAN) / STD
            F.cross_entropy(linear(data), y[index].to(device)).backward()
            optimizer.step()
    linear.eval()
    with torch.no_grad():
        logits = linear((test_x.to(device) - MEAN) / STD)
    return float((logits.argmax(1).cpu() == test_y).float().mean())
