"""The torch side of a checkpoint: save a trained MLP as safetensors weights plus its sidecar, and
load one back as a torch model for training and reports. Serving reads the same files with numpy
alone (recognition.checkpoint.load_folded)."""

import hashlib

from safetensors import SafetensorError
from safetensors.torch import load as tensors_from_bytes
from safetensors.torch import save_file

from recognition import checkpoint
from recognition.checkpoint import CheckpointError

from .model import MLP


def save(model, path, **meta):
    """Write weights (safetensors) and the JSON sidecar; meta adds sections (training,
    metrics...).
    """
    path = checkpoint.weights_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path))
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return checkpoint.write(path, model.config, sha256, **meta)


def load(path):
    """Rebuild the torch model from its sidecar and weights; returns (model in eval mode, sidecar
    dict). CheckpointError where they do not load or do not match.
    """
    info = checkpoint.read_sidecar(path)
    model = MLP(checkpoint.config_of(path, info))
    weights_file = checkpoint.weights_path(path)
    try:
        blob = weights_file.read_bytes()
        model.load_state_dict(tensors_from_bytes(blob))
    except (OSError, RuntimeError, KeyError, SafetensorError) as exc:
        raise CheckpointError(
            f"{weights_file}: weights do not load ({checkpoint.reason(exc)})"
        ) from exc
    checkpoint.check_weights(weights_file, blob, info)
    model.eval()
    return model, info
