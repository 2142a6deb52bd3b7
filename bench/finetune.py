"""A classroom's corrections, retrained: does a fine-tune on ~200 corrections of one writing style
that the model misreads teach it that style, without costing MNIST?

Run as `python -m bench.finetune`. The style: digits written turned by about 40 degrees (a tablet
lying askew on the desk), which the shipped model reads about a quarter wrong. The corrections:
--count digits of the shipped pen file's training writers in that style (what a class would have
sent and a teacher accepted), written as a stroke file like `flask corrections export` writes.
Then `train.py --init` fine-tunes the model on its usual data plus that file, and both models are
measured on the same held-out records: the held-out writers' digits in that style (people the
fine-tune never saw), the same digits as written, and MNIST test (bench.compare's paired rule).
"""

import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from bench import compare, runner
from harness.strokes import pen_held_out
from recognition.classifier import Classifier
from training import mnist, stroke_files


def parse_args(argv=None):
    p = runner.parser("finetune", __doc__, strokes=False)
    mnist.add_data_dir_option(p)
    p.add_argument("--count", type=int, default=200, help="corrections in the style")
    p.add_argument("--angle", type=float, default=40, help="the style's turn, in degrees")
    p.add_argument("--epochs", type=int, default=4, help="epochs of the fine-tune")
    p.add_argument("--lr", type=float, default=2e-4, help="peak learning rate of the fine-tune")
    p.add_argument("--seed", type=int, default=0, help="which digits, and their turns")
    return p.parse_args(argv)


def turned(strokes, degrees):
    """The strokes turned about the origin (y down: positive turns clockwise on screen); where
    they end up does not matter, as rendering centres a drawing."""
    t = np.radians(degrees)
    turn = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return [np.round(np.asarray(s, float) @ turn.T, 2).tolist() for s in strokes if len(s)]


def in_style(records, angle, rng):
    """Each record turned by angle, give or take 5 degrees."""
    return [
        {**r, "strokes": turned(r["strokes"], angle + rng.uniform(-5, 5))}
        for r in records
        if r["strokes"]
    ]


def measure(args):
    rng = np.random.default_rng(args.seed)
    trained_writers = stroke_files.split(stroke_files.read(stroke_files.DEFAULT_FILES[0]))[0]
    picked = rng.choice(len(trained_writers), args.count, replace=False)
    corrections = [
        {**r, "id": i + 1, "writer": "corrections"}
        for i, r in enumerate(in_style([trained_writers[k] for k in picked], args.angle, rng))
    ]
    held_out = pen_held_out()
    held_out_styled = in_style(held_out, args.angle, np.random.default_rng(args.seed + 1))
    folder = Path(tempfile.mkdtemp(prefix="digits-finetune-"))
    exported = folder / "corrections.json.gz"
    with gzip.open(exported, "wt") as f:
        json.dump(corrections, f)
    tuned = folder / "tuned.safetensors"
    command = [
        sys.executable,
        "train.py",
        "--init",
        args.model,
        "--strokes",
        *[str(p) for p in stroke_files.DEFAULT_FILES],
        str(exported),
        "--epochs",
        str(args.epochs),
        "--lr",
        str(args.lr),
        "--out",
        str(tuned),
    ]
    if args.data_dir:
        command += ["--data-dir", str(args.data_dir)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    images, labels = mnist.load_split("test", args.data_dir)
    before, after = Classifier.load(args.model), Classifier.load(tuned)
    figures = {}
    for name, records in (
        ("held-out writers, turned", held_out_styled),
        ("held-out writers, as written", held_out),
    ):
        old = compare.digits_right(before, records)
        new = compare.digits_right(after, records)
        figures[name] = compare.paired(old, new)
    old_mnist = before.classes_answered(images) == labels
    new_mnist = after.classes_answered(images) == labels
    figures["MNIST test"] = compare.paired(old_mnist, new_mnist)
    return {
        "count": args.count,
        "angle": args.angle,
        "epochs": args.epochs,
        "lr": args.lr,
        "sets": figures,
        "tuned": str(tuned),
    }


def table(r):
    lines = [
        f"{r['count']} corrections of digits turned {r['angle']:.0f} degrees (+-5), by the "
        f"shipped pen file's training writers; `train.py --init` for {r['epochs']} epochs at "
        f"lr {r['lr']}, on the usual data plus them. Measured on the same records, before and "
        "after:",
        "",
        "| set | records | before | after | only before right | only after right | "
        "p (after worse) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in r["sets"].items():
        lines.append(
            f"| {name} | {f['count']} | {100 * f['old']:.2f}% | {100 * f['new']:.2f}% | "
            f"{f['only_old_right']} | {f['only_new_right']} | {f['p_worse']:.3g} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None):
    runner.run("finetune", argv, parse_args, measure, table)


if __name__ == "__main__":
    main()
