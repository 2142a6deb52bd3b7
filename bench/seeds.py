"""Train the default recipe with several seeds and measure each: the mean, min and max of every
figure.

Run as `python -m bench.seeds` (about half an hour a seed on 2 cores: a bench,
not a test). Each seed is trained by `python train.py --seed S` in its own
process, into runs/seeds/seed-S/ (an existing model there is measured again
unless --retrain), then measured in-process by bench.accuracy, bench.numbers and bench.live (no
server). The table gives each seed's figures, their mean, min and max, and
the issue's target; a target counts as met when the mean meets it (the
spread is reported beside it: it is no condition). The seed to ship
is the one the validation sets rank best (train.py's selection score: MNIST's
validation digits, the held-out pen writers and held-out negatives), never
the shared strokes: --ship copies it into models/.
"""

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench import accuracy, drawings, live, numbers, record, runner
from recognition import checkpoint
from training import torch_checkpoint

ROOT = Path(__file__).resolve().parent.parent
# (key in the measured figures, what the table calls it, target, direction: "min" means at least the
# target)
FIGURES = [
    ("mnist_test_accuracy", "MNIST test", 0.995, "min"),
    ("strokes_readable_accuracy", "shared strokes, readable records", 0.992, "min"),
    ("strokes_accuracy", "shared strokes, all records", None, None),
    ("pen_heldout_accuracy", "pendigits' 14 held-out writers", 0.985, "min"),
    ("conventions_accuracy", "the worst convention", 0.97, "min"),
    ("letters_digit_rate", "shared letters answered as a sure digit", 0.04, "max"),
    ("letters_rejected_rate", "shared letters answered not a digit", None, None),
    ("digits_rejected_rate", "shared digits answered not a digit", 0.005, "max"),
    (
        "drawings_sure_digit_max",
        "the worst kind of drawing trained on, as a sure digit",
        0.05,
        "max",
    ),
    (
        "drawings_held_out_sure_digit_max",
        "the worst kind never trained on, as a sure digit",
        None,
        None,
    ),
    ("strokes_ece", "ECE on the shared strokes", 0.015, "max"),
    ("number_accuracy", "numbers of 2-6 readable digits read whole", 0.96, "min"),
    ("count_accuracy", "numbers' digit count right", 0.995, "min"),
    ("live_writing_sure_wrong", "pen down: sure and wrong (the worse digit set)", 0.01, "max"),
    ("live_writing_sure", "pen down: shown sure (the digit sets' mean)", None, None),
    ("live_end_sure_wrong", "finished digits: sure and wrong (the worse set)", 0.01, "max"),
    ("live_numbers_right_when_sure", "numbers: right when sure (the worse set)", 0.98, "min"),
    ("live_numbers_sure", "numbers: shown sure (the lower set)", 0.70, "min"),
    ("live_numbers_ece", "numbers: confidence's ECE (the worse set)", 0.03, "max"),
    ("live_letters_sure", "shared letters as a sure digit, through the page", 0.04, "max"),
    ("live_kinds_sure_max", "the worst kind of drawing trained on, as a sure digit", 0.03, "max"),
    (
        "live_held_out_kinds_sure_max",
        "the worst kind never trained on, as a sure digit",
        None,
        None,
    ),
    ("selection_score", "validation score (chooses the epoch and the seed)", None, None),
    ("train_seconds", "training seconds", None, None),
]


def parse_args(argv=None):
    p = runner.parser("seeds", __doc__, model=False, strokes=False)
    p.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[2, 3, 4],
        help="seeds of the default recipe to train",
    )
    p.add_argument(
        "--runs", default=str(ROOT / "runs" / "seeds"), help="folder of the seeds' models"
    )
    p.add_argument(
        "--data-dir", default=None, help="MNIST folder, passed to train.py and bench.accuracy"
    )
    p.add_argument(
        "--retrain", action="store_true", help="train again where a seed's model is already there"
    )
    p.add_argument(
        "--ship",
        action="store_true",
        help="copy the seed the validation sets rank best into models/",
    )
    p.add_argument(
        "--train-args", nargs=argparse.REMAINDER, default=[], help="more train.py flags, last"
    )
    return p.parse_args(argv)


def model_path(runs, seed):
    return Path(runs) / f"seed-{seed}" / "mlp.safetensors"


def train_seed(args, seed):
    """Train one seed in its own process; its log beside the model."""
    out = model_path(args.runs, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "train.py", "--seed", str(seed), "--out", str(out), *args.train_args]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    started = time.time()
    with open(out.parent / "train.log", "w") as log:
        subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=True)
    return time.time() - started


def measure_seed(args, seed):
    """Every figure of one seed's model: bench.accuracy's, bench.numbers', and its sidecar's."""
    path = str(model_path(args.runs, seed))
    given = ["--model", path, "--no-record", "--timing-runs", "200"]
    if args.data_dir:
        given += ["--data-dir", args.data_dir]
    figures = accuracy.measure(accuracy.parse_args(given))
    counted = numbers.measure(numbers.parse_args(["--model", path, "--no-server", "--no-record"]))
    shown = live_figures(live.measure(live.parse_args(["--model", path, "--in-process"])))
    _, info = torch_checkpoint.load(path)
    metrics = info["metrics"]
    return {
        **figures,
        **shown,
        "number_accuracy": counted["number_accuracy"],
        "count_accuracy": counted["count_accuracy"],
        "four_digit_ratio": counted["four_digit_ratio"],
        "selection_score": metrics.get("selection_score"),
        "best_epoch": metrics.get("best_epoch"),
        "train_seconds": metrics.get("train_seconds"),
    }


def live_figures(result):
    """bench.live's figures for issue 41's targets, from its result: the worse of the two digit
    sets and of the two number sets, and the worst kind that is no digit."""
    sets = result["sets"]
    digits = [sets["shared"], sets["held_out"]]
    numbers = [sets["numbers (shared)"], sets["numbers (held out)"]]
    held_out = {f"no digit: {k}" for k, (flag, _) in drawings.kinds().items() if flag}
    kinds = {name: f["end"]["sure"] for name, f in sets.items() if name.startswith("no digit: ")}
    del kinds["no digit: letters (shared)"]
    return {
        "live_writing_sure_wrong": max(f["writing"]["sure_wrong"] for f in digits),
        "live_writing_sure": float(np.mean([f["writing"]["sure"] for f in digits])),
        "live_end_sure_wrong": max(f["end"]["sure_wrong"] for f in digits),
        "live_numbers_right_when_sure": min(f["end"]["right_when_sure"] or 0.0 for f in numbers),
        "live_numbers_sure": min(f["end"]["sure"] for f in numbers),
        "live_numbers_ece": max(f["end"]["ece"] for f in numbers),
        "live_letters_sure": sets["no digit: letters (shared)"]["end"]["sure"],
        "live_kinds_sure_max": max(v for k, v in kinds.items() if k not in held_out),
        "live_held_out_kinds_sure_max": max(v for k, v in kinds.items() if k in held_out),
    }


def summarise(per_seed):
    """{key: {"mean", "min", "max", "met"}} over the seeds, for every figure of FIGURES."""
    summary = {}
    for key, _, target, direction in FIGURES:
        values = [per_seed[seed][key] for seed in per_seed if per_seed[seed].get(key) is not None]
        if not values:
            continue
        mean = float(np.mean(values))
        met = None
        if target is not None:
            met = bool(mean >= target if direction == "min" else mean <= target)
        summary[key] = {
            "mean": mean,
            "min": float(min(values)),
            "max": float(max(values)),
            "met": met,
        }
    return summary


def chosen(per_seed):
    """The seed the validation sets rank best: the one to ship."""
    return max(per_seed, key=lambda seed: per_seed[seed]["selection_score"])


def _shown(key, value):
    if value is None:
        return ""
    if key == "train_seconds":
        return f"{value:.0f} s"
    if key == "selection_score":
        return f"{value:.4f}"
    return f"{100 * value:.2f}%"


def table(result):
    seeds = list(result["per_seed"])
    header = (
        "| figure | "
        + " | ".join(f"seed {s}" for s in seeds)
        + " | mean | min | max | target | met |"
    )
    lines = [header, "|---|" + "---:|" * (len(seeds) + 3) + "---|---|"]
    for key, name, target, direction in FIGURES:
        if key not in result["summary"]:
            continue
        row = result["summary"][key]
        cells = [_shown(key, result["per_seed"][s].get(key)) for s in seeds]
        cells += [_shown(key, row[v]) for v in ("mean", "min", "max")]
        goal = (
            ""
            if target is None
            else ("&ge; " if direction == "min" else "&le; ") + _shown(key, target)
        )
        met = "" if row["met"] is None else ("yes" if row["met"] else "no")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {goal} | {met} |")
    lines += [
        "",
        "best epochs: "
        + ", ".join(f"seed {s}: {result['per_seed'][s]['best_epoch']}" for s in seeds),
        f"the validation sets rank seed {result['chosen']} best: the seed to ship",
    ]
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    per_seed = {}
    for seed in args.seeds:
        if args.retrain or not model_path(args.runs, seed).exists():
            try:
                train_seed(args, seed)
            except subprocess.CalledProcessError:
                sys.exit(
                    f"bench.seeds: training seed {seed} failed; see "
                    f"{model_path(args.runs, seed).parent}/train.log"
                )
        per_seed[seed] = measure_seed(args, seed)
    result = {"per_seed": per_seed, "summary": summarise(per_seed), "chosen": chosen(per_seed)}
    text = table(result)
    record.publish("seeds", argv, args, result, text)
    if args.ship:
        source = model_path(args.runs, result["chosen"])
        for path in (source, checkpoint.sidecar_path(source)):
            shutil.copy2(path, ROOT / "models" / path.name)
        shutil.copytree(
            checkpoint.report_path(source), ROOT / "models" / "mlp-report", dirs_exist_ok=True
        )
    return result


if __name__ == "__main__":
    main()
