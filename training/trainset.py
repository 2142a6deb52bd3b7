"""The training set as batches: MNIST digits, their convention variants swapped in at a rate, the
negatives, and digits drawn with a pen (Hershey digits and real people's pen digits), each
sampled from its bank.
"""

import numpy as np
import torch

from recognition.answer import DIGITS, NOT_A_DIGIT_CLASS
from training import (
    background,
    conventions,
    data,
    negatives,
    pen_digits,
    redraw,
    stroke_augment,
    stroke_conventions,
)

BANK = 3  # negatives drawn per negative slot: each batch samples the bank, so few are seen twice
# Banks of at least this many drawings are drawn in other processes while this one redraws the
# digits (each takes about half a minute of one core in a default run); smaller ones are not worth
# starting them.
SIDE_BY_SIDE_FROM = 3000


def drawn_banks(negative_count, pen_count, seed):
    """(negatives' bank uint8 or None, (pen digits, labels) or None): the drawings each batch
    samples.
    """
    bank = negatives.generate(negative_count * BANK, seed) if negative_count else None
    pen = pen_digits.generate(pen_count * BANK, seed + 1) if pen_count else None
    return bank, pen


def real_bank(records, copies, seed, add_conventions=False):
    """(real pen digits uint8, labels) or None: each record as written, and copies - 1
    stroke-space variants (some with a writing convention added, if add_conventions).
    """
    if not records:
        return None
    return stroke_augment.render_bank(records, copies, seed + 2, add_conventions)


class TrainSet:
    """Digits (N, 1, 28, 28) on 0..1, labelled; optional convention variants, redrawn digits,
    negatives, Hershey pen digits and real pen digits.

    The per-batch slots follow the MNIST digits in this order: negatives (negative_count an
    epoch), Hershey pen digits (pen_count), real pen digits (real_count, drawn from real_records:
    real_copies renders of each).
    """

    def __init__(
        self,
        x,
        y,
        seed,
        with_conventions=True,
        negative_count=0,
        pen_count=0,
        redraw_rate=0.0,
        real_records=(),
        real_count=0,
        real_copies=8,
        real_conventions=False,
    ):
        images = (x[:, 0].numpy() * 255).round().astype(np.uint8)
        labels = y.numpy()
        real_records = list(real_records) if real_count else []
        jobs = [
            (drawn_banks, (negative_count, pen_count, seed)),
            (real_bank, (real_records, real_copies, seed, real_conventions)),
        ]
        # The banks come from their own seeds, so drawing them in other processes gives the same
        # ones.
        size = (negative_count + pen_count) * BANK + len(real_records) * real_copies
        beside = size >= SIDE_BY_SIDE_FROM and (with_conventions or redraw_rate)
        started = background.start(jobs) if beside else None
        self._digit_variants(x, images, labels, seed, with_conventions, redraw_rate)
        banks = background.finish(*started) if started else None
        (bank, pen), real = banks or [function(*args) for function, args in jobs]
        self.digit_count = len(y)
        self.real_conventions = real_conventions
        self.negative_count, self.bank = negative_count, None
        if negative_count:
            self.bank = data.to_tensor(bank)
            # The negatives' slots: labelled here, filled from the bank per batch.
            y = torch.cat([y, torch.full((negative_count,), NOT_A_DIGIT_CLASS, dtype=torch.long)])
        self.pen_count, self.pen = pen_count, None
        if pen_count:
            self.pen = (data.to_tensor(pen[0]), torch.from_numpy(pen[1]))
            # The pen digits' slots: their labels come with the digit drawn into them per batch.
            y = torch.cat([y, torch.zeros(pen_count, dtype=torch.long)])
        self.real_count, self.real, self.real_copies = (
            real_count if real_records else 0,
            None,
            real_copies,
        )
        if self.real_count:
            self.real = (data.to_tensor(real[0]), torch.from_numpy(real[1]))
            y = torch.cat([y, torch.zeros(self.real_count, dtype=torch.long)])
        self.x, self.y = x, y
        self.classes = NOT_A_DIGIT_CLASS + 1 if negative_count else DIGITS

    def _digit_variants(self, x, images, labels, seed, with_conventions, redraw_rate):
        """Each digit's convention variant (where its class has one) and its redrawn self, for
        batch().
        """
        self.rates = torch.zeros(NOT_A_DIGIT_CLASS + 1)
        self.alternatives, self.has = x, torch.zeros(len(labels), dtype=torch.bool)
        if with_conventions:
            alternatives, has = conventions.variants(images, labels, seed)
            self.alternatives, self.has = data.to_tensor(alternatives), torch.from_numpy(has)
            for digit, rate in conventions.RATES.items():
                self.rates[digit] = rate
        self.redraw_rate, self.redrawn = redraw_rate, None
        if redraw_rate:
            redrawn, has = redraw.redraw(images)
            self.redrawn, self.has_redrawn = data.to_tensor(redrawn), torch.from_numpy(has)

    def __len__(self):
        return len(self.y)

    def batch(self, index, generator):
        """(images, labels) for these indices.

        Each MNIST digit is swapped for its convention variant at its class's rate, or else for
        its redrawn self at the redraw rate; each negative slot is filled from the negatives'
        bank, and each pen slot (Hershey or real) from its bank, with the label of the digit
        drawn into it.
        """
        labels = self.y[index]
        drawn = index >= self.digit_count  # slots filled per batch: negatives, then pen digits
        digits = index[~drawn]
        images = self.x[digits]
        # no conventions: draw nothing, so such runs repeat runs from before them
        if self.rates.any():
            swap = self.has[digits] & (
                torch.rand(len(digits), generator=generator) < self.rates[labels[~drawn]]
            )
            images = torch.where(swap.view(-1, 1, 1, 1), self.alternatives[digits], images)
        if self.redraw_rate:
            again = self.has_redrawn[digits] & (
                torch.rand(len(digits), generator=generator) < self.redraw_rate
            )
            if self.rates.any():
                again &= ~swap  # a convention variant stays as it was drawn
            images = torch.where(again.view(-1, 1, 1, 1), self.redrawn[digits], images)
        if not drawn.any():
            return images, labels
        out = torch.empty((len(index),) + images.shape[1:], dtype=images.dtype)
        out[~drawn] = images
        pen_from = self.digit_count + self.negative_count
        real_from = pen_from + self.pen_count
        negative = drawn & (index < pen_from)
        pen = (index >= pen_from) & (index < real_from)
        real = index >= real_from
        if negative.any():
            out[negative] = self.bank[
                torch.randint(len(self.bank), (int(negative.sum()),), generator=generator)
            ]
        labels = labels.clone()
        for slots, bank in ((pen, self.pen), (real, self.real)):
            if slots.any():
                bank_images, bank_labels = bank
                pick = torch.randint(len(bank_labels), (int(slots.sum()),), generator=generator)
                out[slots], labels[slots] = bank_images[pick], bank_labels[pick]
        return out, labels

    def as_drawn(self, index):
        """bool (N,): the slots of these indices that hold real pen digits, varied in stroke
        space already and rendered with the app's pen; pixel distortions would change the
        writer's style and the pen's width.
        """
        return index >= self.digit_count + self.negative_count + self.pen_count

    def describe(self):
        """What the sidecar records about the conventions, the negatives and the pen digits."""
        return {
            "conventions": conventions.describe() if bool(self.has.any()) else None,
            "negatives": {**negatives.describe(self.negative_count), "bank": len(self.bank)}
            if self.negative_count
            else None,
            "pen_digits": {**pen_digits.describe(self.pen_count), "bank": len(self.pen[1])}
            if self.pen_count
            else None,
            "redrawn": {**redraw.describe(), "rate": self.redraw_rate}
            if self.redraw_rate
            else None,
            "real_digits": {
                "count": self.real_count,
                "bank": len(self.real[1]),
                "augment": stroke_augment.describe(self.real_copies),
                "conventions": stroke_conventions.describe() if self.real_conventions else None,
            }
            if self.real_count
            else None,
        }
