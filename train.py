"""Train the digit MLP on MNIST; writes the model (safetensors + JSON sidecar) and a report folder."""
import argparse
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from webapp import augment, mnist, model as model_lib, report

QUICK = {"epochs": 14, "hidden": [1024, 1024]}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--epochs", type=int, default=220, help="training epochs")
    p.add_argument("--batch-size", type=int, default=512, help="training batch size")
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (AdamW, one-cycle schedule)")
    p.add_argument("--weight-decay", type=float, default=0.02, help="AdamW weight decay")
    p.add_argument("--hidden", type=int, nargs="+", default=[1024, 1024, 1024], help="hidden layer sizes")
    p.add_argument("--dropout", type=float, default=0.0,
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
    p.add_argument("--data-dir", default=None, help=f"MNIST folder (default: $MNIST_DIR or {mnist.DEFAULT_DIR})")
    p.add_argument("--out", default="models/mlp.safetensors", help="model path; the JSON sidecar goes beside it")
    p.add_argument("--report-dir", default=None, help="report folder (default: <out stem>-report beside the model)")
    p.add_argument("--no-augment", action="store_true", help="train on the plain digits")
    p.add_argument("--quick", action="store_true", help=f"a fast run for trying things out: {QUICK}")
    p.add_argument("--dry-run", action="store_true", help="one epoch on a few batches: checks the whole path quickly")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.hidden = QUICK["epochs"], QUICK["hidden"]
    if args.dry_run:
        args.epochs, args.val_size = 1, min(args.val_size, 64)
    return args


def get_device(name):
    """'auto' picks CUDA when it is there."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def get_precision(name, device):
    """'auto' picks bf16 where the hardware runs it natively (about twice as fast on such CPUs)."""
    if name != "auto":
        return name
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    try:
        native = torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()
    except (AttributeError, RuntimeError):  # a private check: absent in some builds
        native = False
    return "bf16" if native else "fp32"


def to_tensor(images):
    """uint8 (N, 28, 28) -> float (N, 1, 28, 28) on the 0..1 scale."""
    return torch.tensor(images, dtype=torch.float32).div_(255.0).unsqueeze(1)


def split(images, labels, val_size, seed):
    """Hold out val_size training images (a seeded random choice) for validation."""
    order = np.random.default_rng(seed).permutation(len(labels))
    val, train = order[:val_size], order[val_size:]
    return (to_tensor(images[train]), torch.tensor(labels[train], dtype=torch.long),
            to_tensor(images[val]), torch.tensor(labels[val], dtype=torch.long))


def train(model, ema, device, x, y, optimizer, scheduler, epoch, args, generator, distort):
    """One epoch of augmented training; returns (mean loss, accuracy) on what it saw."""
    model.train()
    order = torch.randperm(len(y), generator=generator)
    batches = list(order.split(args.batch_size))
    if args.dry_run:
        batches = batches[:3]
    total_loss, correct, seen = 0.0, 0, 0
    bar = tqdm(batches, desc=f"epoch {epoch}/{args.epochs}", unit="batch", leave=True, file=sys.stderr,
               disable=None)
    for index in bar:
        data = x[index]
        if distort is not None:
            data = distort(data)
        data, target = data.to(device, non_blocking=True), y[index].to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        # Weights stay float32; only the matmuls run in bf16.
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            logits = model(data)
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
    """Returns (mean loss, accuracy, probabilities (N, 10) as numpy)."""
    model.eval()
    probs, total_loss = [], 0.0
    for start in range(0, len(y), batch_size):
        data, target = x[start:start + batch_size].to(device), y[start:start + batch_size].to(device)
        logits = model(data)
        total_loss += F.cross_entropy(logits, target, reduction="sum").item()
        probs.append(torch.softmax(logits, 1).cpu())
    probs = torch.cat(probs).numpy() if probs else np.zeros((0, 10))
    accuracy = float((probs.argmax(1) == y.numpy()).mean()) if len(y) else 0.0
    return total_loss / max(len(y), 1), accuracy, probs


def train_baseline(device, x, y, test_x, test_y, epochs, seed):
    """Softmax regression on the same training digits: the yardstick beside the MLP."""
    torch.manual_seed(seed)
    linear = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 10)).to(device)
    optimizer = torch.optim.Adam(linear.parameters(), lr=1e-3)
    for _ in range(epochs):
        for index in torch.randperm(len(y)).split(128):
            optimizer.zero_grad()
            data = (x[index].to(device) - model_lib.MEAN) / model_lib.STD
            F.cross_entropy(linear(data), y[index].to(device)).backward()
            optimizer.step()
    linear.eval()
    with torch.no_grad():
        logits = linear((test_x.to(device) - model_lib.MEAN) / model_lib.STD)
    return float((logits.argmax(1).cpu() == test_y).float().mean())


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
    x, y, val_x, val_y = split(train_images, train_labels, args.val_size, args.val_seed)
    test_x, test_y = to_tensor(test_images), torch.tensor(test_labels, dtype=torch.long)

    model = model_lib.MLP(args.hidden, args.dropout).to(device)
    steps = (3 if args.dry_run else -(-len(y) // args.batch_size)) * args.epochs
    # Average over about the last tenth of training; 0.999 at most (long runs).
    ema_decay = min(0.999, max(0.5, 1 - 10 / steps))
    ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(ema_decay), use_buffers=True)
    # Fused: one kernel for the whole update, several times faster than the per-tensor loop on CPU.
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay, fused=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    generator = torch.Generator().manual_seed(args.seed)
    distort = None if args.no_augment else augment.Distorter(generator)

    history, best = [], (-1.0, None, 0)
    for epoch in range(1, args.epochs + 1):
        train_loss, train_acc = train(model, ema, device, x, y, optimizer, scheduler, epoch, args, generator,
                                      distort)
        val_loss, val_acc, _ = evaluate(ema.module, device, val_x, val_y)
        history.append({"epoch": epoch, "train_loss": train_loss, "train_accuracy": train_acc,
                        "val_loss": val_loss, "val_accuracy": val_acc})
        print(f"epoch {epoch}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
              f"validation loss {val_loss:.4f} acc {val_acc:.4f}", flush=True)
        if val_acc >= best[0]:
            best = (val_acc, copy.deepcopy(ema.module.state_dict()), epoch)
    model.load_state_dict(best[1])
    train_seconds = time.time() - started

    # The test set is used once, here, for the report.
    test_loss, test_acc, test_probs = evaluate(model, device, test_x, test_y)
    baseline_acc = train_baseline(device, x, y, test_x, test_y, 1 if args.dry_run else 5, args.seed)
    print(f"test accuracy {test_acc:.4f} (linear baseline {baseline_acc:.4f}), best epoch {best[2]}, "
          f"{train_seconds:.0f} s", flush=True)

    out = Path(args.out)
    report_dir = Path(args.report_dir) if args.report_dir else out.with_name(f"{out.stem}-report")
    metrics = report.write(report_dir, model.cpu(), history, test_images, test_labels, test_probs,
                           {"test_accuracy": test_acc, "test_loss": test_loss, "val_accuracy": best[0],
                            "best_epoch": best[2], "baseline_test_accuracy": baseline_acc,
                            "train_seconds": round(train_seconds, 1)})
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "report_dir", "data_dir")}
    model_lib.save(model, out,
                   training={**settings, "device": str(device), "optimizer": "AdamW", "schedule": "one-cycle",
                             "label_smoothing": 0.1, "ema_decay": ema_decay, "train_count": len(y),
                             "augment": distort.settings() if distort else None},
                   metrics={k: metrics[k] for k in ("test_accuracy", "val_accuracy", "baseline_test_accuracy",
                                                    "per_class_accuracy", "best_epoch", "train_seconds")},
                   data={"name": "MNIST", "sha256": mnist.dataset_sha256(args.data_dir)})
    print(f"wrote {out}, {model_lib.sidecar_path(out)} and {report_dir}/")
    return test_acc


if __name__ == "__main__":
    main()
