"""The training report: metrics JSON and PNG plots of how the model learned and where it fails.

`python -m training.report` draws a saved model's pictures again (after their words change, say)
from its metrics.json and MNIST, without training; the reliability chart is drawn by `python -m
training.calibrate`, which fits the calibration it shows.
"""

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from recognition import checkpoint  # noqa: E402
from recognition.answer import answered_classes  # noqa: E402
from recognition.classifier import DEFAULT_MODEL, Classifier  # noqa: E402
from recognition.preprocess import FIELD  # noqa: E402
from training import mnist  # noqa: E402

from . import torch_checkpoint


def score(classifier, images, labels):
    """(probabilities (N, classes), answers, accuracy, mean loss) on the test digits, as the app
    answers them.

    answers: the digit each is read as, 10 where the app says "not a digit" (counted wrong).
    """
    probabilities = classifier.probabilities(images)
    answers = answered_classes(probabilities, classifier.calibration)
    picked = probabilities[np.arange(len(labels)), labels]
    return (
        probabilities,
        answers,
        float((answers == labels).mean()),
        float(-np.log(np.maximum(picked, 1e-12)).mean()),
    )


def write(folder, model, history, images, labels, probabilities, predicted, summary):
    """Write metrics.json and the plots into folder; returns the metrics dict.

    probabilities: the test digits' probabilities as the served model computes them
    (recognition.classifier), so the report describes what users get; with an
    11th class the confusion has an 11th column, "not a digit".
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    confusion = np.zeros((10, probabilities.shape[1]), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = [float(confusion[c, c] / max(confusion[c].sum(), 1)) for c in range(10)]
    metrics = {
        **summary,
        "per_class_accuracy": per_class,
        "confusion": confusion.tolist(),
        "history": history,
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    _curves(folder / "curves.png", history)
    _confusion(folder / "confusion.png", confusion)
    _per_class(folder / "per_class.png", per_class, summary)
    _most_wrong(folder / "most_wrong.png", images, labels, probabilities, predicted)
    _first_layer(folder / "first_layer.png", model)
    return metrics


def _curves(path, history):
    """How it learned, in words a visitor reads: how wrong its answers were (the loss) and how
    many it read right, pass after pass, on the digits it learned from and on digits kept apart.
    """
    passes = [h["epoch"] for h in history]
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (
        ("train", "digits it learned from (bent and stretched)"),
        ("val", "digits kept apart to check it"),
    ):
        loss_ax.plot(passes, [h[f"{key}_loss"] for h in history], marker=".", label=label)
        acc_ax.plot(passes, [100 * h[f"{key}_accuracy"] for h in history], marker=".", label=label)
    loss_ax.set(
        title="How wrong its answers were (lower is better)",
        xlabel="passes through all the training digits",
    )
    acc_ax.set(title="Digits read right", xlabel="passes through all the training digits")
    acc_ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    for ax in (loss_ax, acc_ax):
        ax.legend()
        ax.grid(alpha=0.3)
    _save(fig, path)


def _confusion(path, confusion):
    fig, ax = plt.subplots(figsize=(6, 5.5))
    shown = confusion.astype(float)
    np.fill_diagonal(shown, np.nan)  # the diagonal would drown the mistakes
    im = ax.imshow(shown, cmap="viridis")
    for (t, p), n in np.ndenumerate(confusion):
        ax.text(
            p, t, str(n), ha="center", va="center", fontsize=7, color="black" if t == p else "white"
        )
    ax.set(
        title="Confusion (test set; diagonal: correct)",
        xlabel="predicted",
        ylabel="true",
        xticks=range(confusion.shape[1]),
        yticks=range(10),
    )
    ax.set_xticklabels([str(c) if c < 10 else "not a\ndigit" for c in range(confusion.shape[1])])
    fig.colorbar(im, ax=ax, label="mistakes")
    _save(fig, path)


def _per_class(path, per_class, summary):
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(range(10), [100 * a for a in per_class], color="#0072B2")
    low = min(per_class) * 100
    ax.set(
        title=f"Per-class test accuracy (MLP {100 * summary['test_accuracy']:.2f}%, "
        f"linear baseline {100 * summary['baseline_test_accuracy']:.2f}%)",
        xticks=range(10),
        xlabel="digit",
        ylabel="%",
        ylim=(max(0, low - 2), 100),
    )
    _save(fig, path)


def _most_wrong(path, images, labels, probabilities, predicted, count=25):
    wrong = np.flatnonzero(predicted != labels)
    wrong = wrong[np.argsort(-probabilities[wrong, predicted[wrong]])][:count]
    fig, axes = plt.subplots(5, 5, figsize=(7, 7.8))
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, wrong):
        ax.imshow(images[i], cmap="gray_r")
        said = predicted[i] if predicted[i] < 10 else "no digit"
        ax.set_title(
            f"written {labels[i]}, read {said}\n{100 * probabilities[i, predicted[i]]:.0f}% sure",
            fontsize=8,
        )
    fig.suptitle("The test digits it got wrong while most sure")
    _save(fig, path)


def _first_layer(path, model, count=64):
    # The folded first layer: each unit's template over the 0..1 pixels, batch norm included.
    weights = model.folded()[0][0].numpy()[:count].reshape(-1, FIELD, FIELD)
    fig, axes = plt.subplots(8, 8, figsize=(8, 8))
    for ax, w in zip(axes.flat, weights):
        limit = np.abs(w).max() or 1.0
        # blue where ink lights the unit up, red where it holds it back (colour-blind safe)
        ax.imshow(w, cmap="RdBu", vmin=-limit, vmax=limit)
        ax.axis("off")
    fig.suptitle(
        f"What {len(weights)} parts of its first layer look for (blue: ink here lights it up)"
    )
    _save(fig, path)


def training_samples(path, images, labels, per_class=8, seed=0):
    """A few training digits of each class, a row per digit: what the network learned from."""
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(10, per_class, figsize=(per_class * 0.9, 10 * 0.95))
    for digit in range(10):
        of_digit = np.flatnonzero(labels == digit)
        picked = rng.choice(of_digit, min(per_class, len(of_digit)), replace=False)
        for ax in axes[digit]:
            ax.axis("off")
        for ax, i in zip(axes[digit], picked):
            ax.imshow(images[i], cmap="gray_r")
    fig.suptitle("Digits it learned from (MNIST), eight of each")
    _save(fig, path)


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def reliability(path, before, after, labels, bins=15, least=20, thin=300):
    """How sure it said it was against how often it was right, per band of confidence: before its
    confidence was tuned and as the app says it. Bands with fewer than `least` answers are left
    out (they say nothing); where a band holds fewer than `thin`, its count is written beside the
    dot, because such a dot moves by chance.
    """
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.plot(
        [0, 100], [0, 100], color="#999999", linestyle="--", label="honest: right as often as sure"
    )
    for probabilities, name, colour in (
        (before, "before its confidence was tuned", "#D55E00"),
        (after, "as the app says it", "#0072B2"),
    ):
        confidence, right = probabilities.max(1), probabilities.argmax(1) == labels
        which = np.minimum((confidence * bins).astype(int), bins - 1)
        size = np.bincount(which, minlength=bins)
        shown = [b for b in range(bins) if size[b] >= least]  # a band of a few digits says nothing
        xs = [100 * confidence[which == b].mean() for b in shown]
        ys = [100 * right[which == b].mean() for b in shown]
        ax.plot(xs, ys, marker="o", color=colour, label=name)
        if colour == "#0072B2":
            for x, y, b in zip(xs, ys, shown):
                if size[b] < thin:
                    ax.annotate(
                        f"{size[b]} answers",
                        (x, y),
                        textcoords="offset points",
                        xytext=(6, -12),
                        fontsize=7,
                        color=colour,
                    )
    ax.set(
        title="How sure it said it was,\nagainst how often it was right",
        xlabel="how sure it said it was",
        ylabel="how often it was right",
        xlim=(0, 102),
        ylim=(0, 102),
    )
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(decimals=0))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _save(fig, path)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m training.report",
        description="Draw a saved model's report pictures again, from its metrics and MNIST.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", default=str(DEFAULT_MODEL), help="the model whose report to draw")
    mnist.add_data_dir_option(p)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    folder = checkpoint.report_path(args.model)
    try:
        model, info = torch_checkpoint.load(args.model)
        metrics = json.loads((folder / "metrics.json").read_text())
        train_images, train_labels = mnist.load_split("train", args.data_dir)
        test_images, test_labels = mnist.load_split("test", args.data_dir)
    except (checkpoint.CheckpointError, mnist.MnistError, OSError, ValueError) as exc:
        sys.exit(f"training.report: {exc}")
    served = Classifier.from_model(model, info)
    probabilities, answers, _, _ = score(served, test_images, test_labels)
    confusion = np.array(metrics["confusion"])
    _curves(folder / "curves.png", metrics["history"])
    _confusion(folder / "confusion.png", confusion)
    _per_class(folder / "per_class.png", metrics["per_class_accuracy"], metrics)
    _most_wrong(folder / "most_wrong.png", test_images, test_labels, probabilities, answers)
    _first_layer(folder / "first_layer.png", model)
    training_samples(folder / "training_samples.png", train_images, train_labels)
    print(f"training.report: drew the pictures in {folder}")


if __name__ == "__main__":
    main()
