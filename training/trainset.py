"""The training set as batches: MNIST digits, their convention variants swapped in at a rate, and the negatives."""
import numpy as np
import torch

from training import conventions, data, negatives

NOT_A_DIGIT = 10  # the class of the negatives


class TrainSet:
    """Digits (N, 1, 28, 28) on 0..1 with labels, plus optional convention variants and negative drawings."""

    def __init__(self, x, y, seed, with_conventions=True, negative_count=0):
        images = (x[:, 0].numpy() * 255).round().astype(np.uint8)
        labels = y.numpy()
        self.rates = torch.zeros(NOT_A_DIGIT + 1)
        self.alternatives, self.has = x, torch.zeros(len(y), dtype=torch.bool)
        if with_conventions:
            alternatives, has = conventions.variants(images, labels, seed)
            self.alternatives, self.has = data.to_tensor(alternatives), torch.from_numpy(has)
            for digit, rate in conventions.RATES.items():
                self.rates[digit] = rate
        self.negative_count = negative_count
        if negative_count:
            made = data.to_tensor(negatives.generate(negative_count, seed))
            # Negatives have no variants: they stand for themselves in both tensors.
            x, self.alternatives = torch.cat([x, made]), torch.cat([self.alternatives, made])
            y = torch.cat([y, torch.full((negative_count,), NOT_A_DIGIT, dtype=torch.long)])
            self.has = torch.cat([self.has, torch.zeros(negative_count, dtype=torch.bool)])
        self.x, self.y = x, y
        self.classes = NOT_A_DIGIT + 1 if negative_count else NOT_A_DIGIT

    def __len__(self):
        return len(self.y)

    def batch(self, index, generator):
        """(images, labels) for these indices, each digit swapped for its convention variant at its class's rate."""
        labels = self.y[index]
        if not self.rates.any():  # no conventions: draw nothing, so such runs repeat runs from before them
            return self.x[index], labels
        swap = self.has[index] & (torch.rand(len(index), generator=generator) < self.rates[labels])
        images = torch.where(swap.view(-1, 1, 1, 1), self.alternatives[index], self.x[index])
        return images, labels

    def settings(self):
        """What the sidecar records about the conventions and the negatives."""
        return {"conventions": conventions.settings() if bool(self.has.any()) else None,
                "negatives": negatives.settings(self.negative_count) if self.negative_count else None}
