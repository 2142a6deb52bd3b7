"""Scores the benchmarks report beyond accuracy: how well a confidence separates two sets of
inputs.
"""

import numpy as np


def auroc(positive, negative):
    """Area under the ROC curve: the chance that a positive scores above a negative (ties count a
    half).
    """
    positive, negative = np.asarray(positive, dtype=float), np.asarray(negative, dtype=float)
    if not len(positive) or not len(negative):
        return None
    scores = np.concatenate([positive, negative])
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    # Average ranks (1-based) for tied scores: the Mann-Whitney U statistic.
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    ranks = (first + (counts + 1) / 2)[inverse]
    u = ranks[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2
    return float(u / (len(positive) * len(negative)))
