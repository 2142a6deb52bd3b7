"""A model on disk: safetensors weights plus a JSON sidecar that says what the model is."""

import hashlib
import json
from pathlib import Path

from safetensors import SafetensorError
from safetensors.numpy import load as arrays_from_bytes

from . import architecture, preprocess
from .architecture import MEAN, STD, ModelConfig

FORMAT = "digit-mlp/1"


class CheckpointError(Exception):
    """A model file that is missing, unreadable, of another format, or does not match its
    sidecar.
    """


def sidecar_path(path):
    """models/mlp.safetensors -> models/mlp.json (and a .json path stays itself)."""
    return Path(path).with_suffix(".json")


def report_path(path):
    """models/mlp.safetensors -> models/mlp-report/: where training, calibration and benches put
    the report.
    """
    path = Path(path)
    return path.with_name(f"{path.stem}-report")


def weights_path(path):
    """models/mlp.json -> models/mlp.safetensors."""
    return Path(path).with_suffix(".safetensors")


def write(path, config, sha256, **meta):
    """Write the JSON sidecar of weights just saved at path (their SHA-256 given): what the model
    is, the input recipe it was trained for, and meta's sections (training, metrics...)."""
    path = weights_path(path)
    info = {
        "format": FORMAT,
        "name": path.stem,
        "weights": {"file": path.name, "sha256": sha256},
        "architecture": config.to_dict(),
        # The input recipe the model was trained for.
        "normalization": {
            "mean": MEAN,
            "std": STD,
            "scale": "pixels / 255",
            "field": preprocess.FIELD,
            "box": preprocess.BOX,
            "centre": preprocess.CENTRE,
            "pen_width": preprocess.PEN_WIDTH,
        },
        **meta,
    }
    sidecar_path(path).write_text(json.dumps(info, indent=2) + "\n")
    return info


def update_sidecar(path, **sections):
    """Set whole sections of an existing sidecar (e.g. calibration), keeping the rest and the
    weights as they are.
    """
    info = read_sidecar(path)
    info.update(sections)
    sidecar_path(path).write_text(json.dumps(info, indent=2) + "\n")
    return info


def read_sidecar(path):
    """The sidecar as a dict, checked for format; CheckpointError otherwise."""
    meta_file = sidecar_path(path)
    try:
        info = json.loads(meta_file.read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{meta_file}: cannot read model sidecar ({exc})") from exc
    if not isinstance(info, dict):
        raise CheckpointError(f"{meta_file}: the sidecar must be a JSON object")
    if info.get("format") != FORMAT:
        raise CheckpointError(f"{meta_file}: format {info.get('format')!r}, expected {FORMAT!r}")
    return info


def load_folded(path):
    """The model as the classifier serves it, read with numpy alone: ([(weight, bias)] float32
    per layer, BatchNorm and input scaling folded in; sidecar dict). The same checks as
    training.torch_checkpoint.load:
    the arrays the architecture needs, of their shapes, and the weights' SHA-256.
    """
    info = read_sidecar(path)
    config = config_of(path, info)
    weights_file = weights_path(path)
    try:
        blob = weights_file.read_bytes()
        state = arrays_from_bytes(blob)
        architecture.check_state(state, config)
    except (OSError, ValueError, SafetensorError) as exc:
        raise CheckpointError(f"{weights_file}: weights do not load ({reason(exc)})") from exc
    check_weights(weights_file, blob, info)
    return architecture.fold(state, config), info


def config_of(path, info):
    try:
        return ModelConfig.from_dict(info.get("architecture"))
    except ValueError as exc:
        raise CheckpointError(f"{sidecar_path(path)}: {exc}") from exc


def reason(exc):
    """An exception's message on one line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return "; ".join(lines) or type(exc).__name__


def check_weights(weights_file, blob, info):
    """The weights are the ones the sidecar names: their SHA-256 matches (CheckpointError if not).

    A file damaged in a way that still loads (some weights zeroed, a byte flipped) would serve
    wrong answers with a straight face; a sidecar without a SHA-256 is taken at its word.
    """
    weights = info.get("weights")
    expected = weights.get("sha256") if isinstance(weights, dict) else None
    if expected is None:
        return
    found = hashlib.sha256(blob).hexdigest()
    if found != expected:
        raise CheckpointError(
            f"{weights_file}: the weights' SHA-256 is {found[:12]}..., the sidecar says "
            f"{str(expected)[:12]}...: the file is damaged or belongs to another model"
        )
