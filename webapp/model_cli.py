"""`flask --app webapp model promote NEW`: replace the served model with a new one, only if the
promotion rule (bench.compare) says it is no worse, beyond noise, on any set.

The old model's files are kept beside it as NAME.previous.*; the server serves the new one after
a SIGHUP (new workers, no request refused) or from its next start.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from recognition import checkpoint, selftest
from recognition.classifier import Classifier

cli = AppGroup("model", help="Promote a new model to be the one served.")
ROOT = Path(__file__).resolve().parent.parent  # where `python -m bench.accuracy` runs


def files_of(path):
    """(weights, sidecar, report folder) of a model."""
    path = Path(path)
    return path, checkpoint.sidecar_path(path), checkpoint.report_path(path)


@cli.command("promote")
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("--data-dir", default=None, help="MNIST's folder (default: as training finds it)")
@click.option("--strokes", default=None, help="the pen digits measured (default: the shared ones)")
@click.option("--pen", default=None, help="stroke file of the held-out writers")
@click.option("--letters", default=None, help="stroke file of letters")
def promote_command(new, data_dir, strokes, pen, letters):
    """Compare NEW with the served model on the same records; replace it only if no set is worse
    beyond noise."""
    served = Path(current_app.config["MODEL_PATH"])
    if Path(new).resolve() == served.resolve():
        sys.exit("model promote: NEW is the model already served")
    try:
        selftest.check(Classifier.load(new))
    except checkpoint.CheckpointError as exc:
        sys.exit(f"model promote: {exc}")
    result = compare(served, new, data_dir, strokes, pen, letters)
    for name, f in result["sets"].items():
        verdict = "WORSE beyond noise" if f["worse"] else "no worse"
        click.echo(
            f"{name}: {100 * f['old']:.2f}% -> {100 * f['new']:.2f}% "
            f"(only old right {f['only_old_right']}, only new right {f['only_new_right']}, "
            f"p {f['p_worse']:.3g}): {verdict}"
        )
    if not result["promote"]:
        worse = ", ".join(name for name, f in result["sets"].items() if f["worse"])
        sys.exit(f"model promote: refused, {new} is worse beyond noise on {worse}; kept {served}")
    replace(served, Path(new))
    click.echo(
        f"promoted {new} to {served} (the old one kept as {served.stem}.previous.*); "
        "send the server SIGHUP (or restart it) to serve it"
    )


def compare(served, new, data_dir, strokes, pen, letters):
    """The promotion rule's figures, from `python -m bench.accuracy --compare` in its own
    process: measuring is the benchmarks' code, which the web layer does not import."""
    command = [sys.executable, "-m", "bench.accuracy", "--compare", str(served), str(new)]
    for flag, value in (
        ("--data-dir", data_dir),
        ("--strokes", strokes),
        ("--pen", pen),
        ("--letters", letters),
    ):
        if value:
            command += [flag, value]
    done = subprocess.run(command + ["--json"], capture_output=True, text=True, cwd=ROOT)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        reason = (done.stderr.strip().splitlines() or ["the comparison failed"])[-1]
        sys.exit(f"model promote: {reason}")


def replace(served, new):
    """Keep the served model's files as .previous, then put the new ones in their place, each by
    an atomic rename (weights last: a server starting in between refuses the pair, by its
    SHA-256, rather than serve a mix)."""
    previous = served.with_name(served.stem + ".previous.safetensors")
    for old_file, kept in zip(files_of(served), files_of(previous)):
        if kept.is_dir():
            shutil.rmtree(kept)
        if old_file.is_dir():
            shutil.copytree(old_file, kept)
        elif old_file.exists():
            shutil.copy2(old_file, kept)
    weights, sidecar, report = files_of(served)
    new_weights, new_sidecar, new_report = files_of(new)
    if new_report.is_dir():
        staged = report.with_name(report.name + ".new")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(new_report, staged)
        shutil.rmtree(report, ignore_errors=True)
        staged.rename(report)
    # The sidecar names its weights' file: now the served one's name.
    info = json.loads(new_sidecar.read_text())
    info["weights"]["file"] = weights.name
    staged = sidecar.with_name(sidecar.name + ".new")
    staged.write_text(json.dumps(info, indent=2) + "\n")
    staged.replace(sidecar)
    staged = weights.with_name(weights.name + ".new")
    shutil.copy2(new_weights, staged)
    staged.replace(weights)
