"""The shipped model's report, read once at start-up for the model page: sidecar, metrics and
pictures.
"""

import json
from pathlib import Path

from recognition import checkpoint

# The report's pictures the model page shows, by name; nothing else in the folder is served.
PICTURES = (
    "curves",
    "confusion",
    "per_class",
    "reliability",
    "most_wrong",
    "first_layer",
    "training_samples",
)


def report_folder(model_path):
    """Where train.py wrote the report of the model at model_path."""
    # Absolute: files are served from it whatever the working folder.
    return checkpoint.report_path(Path(model_path).resolve())


def _json(path):
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def load(model_path, info):
    """Everything the model page shows, from the sidecar (info) and the report folder; missing
    parts are None.
    """
    folder = report_folder(model_path)
    metrics = _json(folder / "metrics.json") or {}
    sidecar_metrics = info.get("metrics") or {}
    calibration = info.get("calibration") or {}
    confusion = metrics.get("confusion")
    strokes = (info.get("data") or {}).get("strokes") or []
    return {
        "architecture": info.get("architecture") or {},
        "training": info.get("training") or {},
        "test_accuracy": sidecar_metrics.get("test_accuracy"),
        "baseline_accuracy": sidecar_metrics.get("baseline_test_accuracy"),
        "per_class": sidecar_metrics.get("per_class_accuracy") or metrics.get("per_class_accuracy"),
        "confusion": confusion,
        "epochs": len(metrics.get("history") or []),
        # How many real pen digits it was trained on (the stroke files' records not held out).
        "real_digits_trained": sum(f.get("trained", 0) for f in strokes),
        "calibration": calibration,
        "bench": _json(folder / "bench.json"),
        "pictures": {name: (folder / f"{name}.png").is_file() for name in PICTURES},
        "folder": folder,
    }
