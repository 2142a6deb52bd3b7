"""The linear baseline trained beside the MLP: softmax regression, the yardstick in the report."""

import torch
import torch.nn.functional as F

from recognition.answer import DIGITS, INPUT_SIZE
from training.model import MEAN, STD


def train_baseline(device, x, y, test_x, test_y, epochs, seed):
    """Softmax regression on the same training digits: the yardstick beside the MLP; returns test
    accuracy.
    """
    torch.manual_seed(seed)
    linear = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(INPUT_SIZE, DIGITS)).to(device)
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
