"""Train the digit MLP on MNIST; writes the model (safetensors + JSON sidecar) and a report folder."""
import argparse
import copy
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from recognition import checkpoint
from recognition.model import MLP, ModelConfig
from recognition.predictor import Predictor
from training import augment, calibrate, data, mnist, report
from training.trainset import TrainSet
from training.device import get_device, get_precision

# Named sets of defaults; a flag given beside a preset still wins.
PRESETS = {"quick": {"epochs": 14, "hidden": [1024, 1024], "negatives": 4000, "pen_digits": 0, "redraw": 0.0}}


def _describe(preset):
    return " ".join(f"--{k.replace('_', '-')} {' '.join(map(str, v)) if isinstance(v, list) else v}"
                    for k, v in preset.items())


def build_parser():
    """Every training setting with its default: the one place they are defined."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--epochs", type=int, default=150, help="training epochs")
    p.add_argument("--batch-size", type=int, default=512, help="training batch size")
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (AdamW, one-cycle schedule)")
    p.add_argument("--weight-decay", type=float, default=0.02, help="AdamW weight decay")
    p.add_argument("--hidden", type=int, nargs="+", default=list(ModelConfig().hidden), help="hidden layer sizes")
    p.add_argument("--dropout", type=float, default=ModelConfig().dropout,
                   help="dropout after each hidden layer (augmented digits already keep the MLP from overfitting)")
    p.add_argument("--val-size", type=int, default=5000, help="training images held out for model selection")
    p.add_argument("--seed", type=int, default=2, help="random seed: same seed, same model")
    p.add_argument("--val-seed", type=int, default=1,
                   help="seed of the validation split; apart from --seed, so runs of other seeds are "
                        "compared on the same held-out digits")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--precision", choices=["auto", "bf16", "fp32"], default="auto",
                   help="training matmul precision; auto: bf16 on CUDA or a CPU with native bf16, else fp32")
    p.add_argument("--threads", type=int, default=0, help="CPU threads for torch (0: torch's default)")
    p.add_argument("--data-dir", default=None,
                   help=f"MNIST folder (default: ${mnist.ENV_DIR}, else {mnist.DEFAULT_DIR})")
    p.add_argument("--out", default="models/mlp.safetensors", help="model path; the JSON sidecar goes beside it")
    p.add_argument("--report-dir", default=None, help="report folder (default: <out stem>-report beside the model)")
    p.add_argument("--no-augment", action="store_true", help="train on the plain digits")
    p.add_argument("--conventions", action=argparse.BooleanOptionalAction, default=True,
                   help="add slashed zeros, continental ones and crossed sevens to some training digits")
    p.add_argument("--negatives", type=int, default=16000,
                   help="generated drawings that are not digits, learnt as an 11th class, per epoch "
                        "(0: a 10-class model that never answers 'not a digit')")
    p.add_argument("--pen-digits", type=int, default=2500, help="Hershey digits drawn as pen strokes, per epoch")
    p.add_argument("--redraw", type=float, default=0.15, help="share of digits redrawn as pen lines")
    p.add_argument("--quick", action="store_true",
                   help=f"preset, a fast run for trying things out: {_describe(PRESETS['quick'])}")
    p.add_argument("--dry-run", action="store_true", help="one epoch on a few batches: checks the whole path quickly")
    return p


def parse_args(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.quick:
        parser.set_defaults(**PRESETS["quick"])
        args = parser.parse_args(argv)
    if args.dry_run:
        args.epochs, args.val_size = 1, min(args.val_size, 64)
    return args


def train(model, ema, device, trainset, optimizer, scheduler, epoch, args, generator, distort):
    """One epoch of augmented training; returns (mean loss, accuracy) on what it saw."""
    model.train()
    order = torch.randperm(len(trainset), generator=generator)
    batches = list(order.split(args.batch_size))
    if args.dry_run:
        batches = batches[:3]
    total_loss, correct, seen = 0.0, 0, 0
    bar = tqdm(batches, desc=f"epoch {epoch}/{args.epochs}", unit="batch", leave=True, file=sys.stderr,
               disable=None)
    for index in bar:
        batch, target = trainset.batch(index, generator)
        batch = batch if distort is None else distort(batch)
        batch, target = batch.to(device, non_blocking=True), target.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        # Weights stay float32; only the matmuls run in bf16.
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            logits = model(batch)
            loss = F.cross_entropy(logits.float(), target, label_smoothing=0.1)
        loss.backward()
        optimizer.step()
        scheduler.step()
        ema.update_parameters(model)
        total_loss += loss.item() * len(target)
        correct += (logits.argmax(1) == target).sum().item()
        seen += len(target)
        bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.4f}")
    return total_loss / seen, correct / seen


@torch.no_grad()
def evaluate(model, device, x, y, batch_size=1000):
    """Validation during training: returns (mean loss, accuracy)."""
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(y), batch_size):
        batch, target = x[start:start + batch_size].to(device), y[start:start + batch_size].to(device)
        logits = model(batch)
        total_loss += F.cross_entropy(logits, target, reduction="sum").item()
        correct += (logits.argmax(1) == target).sum().item()
    return total_loss / max(len(y), 1), correct / max(len(y), 1)


def main(argv=None):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = get_device(args.device)
    args.precision = get_precision(args.precision, device)
    started = time.time()
    try:
        train_images, train_labels = mnist.load_split("train", args.data_dir)
        test_images, test_labels = mnist.load_split("test", args.data_dir)
    except mnist.MnistError as exc:
        sys.exit(f"train.py: {exc}")
    x, y, val_x, val_y = data.split(train_images, train_labels, args.val_size, args.val_seed)
    test_x, test_y = data.to_tensor(test_images), torch.tensor(test_labels, dtype=torch.long)

    negative_count, pen_count = (min(n, 200) if args.dry_run else n for n in (args.negatives, args.pen_digits))
    trainset = TrainSet(x, y, args.seed, args.conventions, negative_count, pen_count, args.redraw)
    model = MLP(ModelConfig(hidden=args.hidden, dropout=args.dropout, classes=trainset.classes)).to(device)
    steps = (3 if args.dry_run else -(-len(trainset) // args.batch_size)) * args.epochs
    # Average over about the last tenth of training; 0.999 at most (long runs).
    ema_decay = min(0.999, max(0.5, 1 - 10 / steps))
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(ema_decay), use_buffers=True)
    # Fused: one kernel for the whole update, several times faster than the per-tensor loop on CPU.
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay, fused=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    generator = torch.Generator().manual_seed(args.seed)
    # A dry run checks the path, not the variety: a small bank of elastic fields builds 16x faster.
    bank = {"bank_size": 256} if args.dry_run else {}
    distort = None if args.no_augment else augment.Distorter(generator, **bank)

    history, best = [], (-1.0, None, 0)
    for epoch in range(1, args.epochs + 1):
        train_loss, train_acc = train(model, ema, device, trainset, optimizer, scheduler, epoch, args, generator,
                                      distort)
        val_loss, val_acc = evaluate(ema.module, device, val_x, val_y)
        history.append({"epoch": epoch, "train_loss": train_loss, "train_accuracy": train_acc,
                        "val_loss": val_loss, "val_accuracy": val_acc})
        print(f"epoch {epoch}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
              f"validation loss {val_loss:.4f} acc {val_acc:.4f}", flush=True)
        if val_acc >= best[0]:
            best = (val_acc, copy.deepcopy(ema.module.state_dict()), epoch)
    model.load_state_dict(best[1])
    train_seconds = time.time() - started

    model = model.cpu()
    out = Path(args.out)
    report_dir = Path(args.report_dir) if args.report_dir else checkpoint.report_path(out)
    held_out_negatives = calibrate.held_out_negatives(len(val_y) // 2, args.seed) if negative_count else None
    calibration, calibration_figures, before, after = calibrate.calibrate(
        Predictor(model, {}), calibrate.held_out_digits(val_x, args.seed, **bank), val_y.numpy(),
        f"the validation split ({len(val_y)}, val-seed {args.val_seed}), distorted as in training (seed {args.seed})",
        negatives=held_out_negatives)
    report.reliability(report_dir / "reliability.png", before, after, val_y.numpy())
    report.training_samples(report_dir / "training_samples.png", train_images, train_labels)
    # The test set is used once, here, for the report: answered as the app answers, calibration included.
    served = Predictor(model, {"calibration": calibration.to_dict()})
    test_probs, test_answers, test_acc, test_loss = report.score(served, test_images, test_labels)
    baseline_acc = data.train_baseline(device, x, y, test_x, test_y, 1 if args.dry_run else 5, args.seed)
    print(f"test accuracy {test_acc:.4f} (linear baseline {baseline_acc:.4f}), best epoch {best[2]}, "
          f"{train_seconds:.0f} s", flush=True)
    metrics = report.write(report_dir, model, history, test_images, test_labels, test_probs, test_answers,
                           {"test_accuracy": test_acc, "test_loss": test_loss, "val_accuracy": best[0],
                            "best_epoch": best[2], "baseline_test_accuracy": baseline_acc,
                            "train_seconds": round(train_seconds, 1)})
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "report_dir", "data_dir")}
    checkpoint.save(model, out,
                    training={**settings, "device": str(device), "optimizer": "AdamW", "schedule": "one-cycle",
                              "label_smoothing": 0.1, "ema_decay": ema_decay, "train_count": len(y),
                              "augment": distort.settings() if distort else None, **trainset.settings()},
                    metrics={k: metrics[k] for k in ("test_accuracy", "val_accuracy", "baseline_test_accuracy",
                                                     "per_class_accuracy", "best_epoch", "train_seconds")},
                    calibration={**calibration.to_dict(), "figures": calibration_figures},
                    data={"name": "MNIST", "sha256": mnist.dataset_sha256(args.data_dir)})
    print(f"wrote {out}, {checkpoint.sidecar_path(out)} and {report_dir}/")
    return test_acc


if __name__ == "__main__":
    main()
