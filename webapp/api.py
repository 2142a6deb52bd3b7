"""The JSON API under /api: predict, explain, health and model metadata; request -> validation ->
core -> JSON.
"""

import numpy as np
from flask import Blueprint, current_app, jsonify, request

from recognition import segment

from .errors import ApiError
from .validation import digit_index, parse_predict_request

bp = Blueprint("api", __name__, url_prefix="/api")


def _predictor():
    return current_app.extensions["predictor"]


def _read(kind, payload):
    """The predictor's answer for validated strokes or an image; what it cannot read is a 400."""
    predictor = _predictor()
    try:
        return (
            predictor.predict_strokes(payload)
            if kind == "strokes"
            else predictor.predict_image(payload)
        )
    except segment.TooManyDigits as exc:
        raise ApiError(400, "too_many_digits", str(exc)) from exc
    except ValueError as exc:
        raise ApiError(400, f"invalid_{kind}", str(exc)) from exc


@bp.post("/predict")
def predict():
    """Strokes, a data-URL image or an uploaded image -> the number read, each digit's answer,
    and the single-digit fields (digit, confidence, probabilities, input) as before.
    """
    return jsonify(_read(*parse_predict_request(request, current_app.config)))


@bp.post("/explain")
def explain():
    """The same input as predict -> one digit's answer plus each layer's activations, a saliency
    map and the top units, with the number read ("number", and "digits" without their 28x28
    inputs).

    "digit": k in a JSON body picks the k-th digit from the left; without it, the last one (the
    one being written; for a single digit, the whole drawing, as predict reads it).
    """
    read = _read(*parse_predict_request(request, current_app.config))
    index = digit_index(request)
    digits = read["digits"]
    if index is not None and index >= len(digits):
        raise ApiError(
            400,
            "no_such_digit",
            f"the drawing holds {len(digits)} digits, so digit {index} "
            "does not exist (they count from 0)",
        )
    chosen = len(digits) - 1 if index is None else index
    pixels = np.asarray(digits[chosen]["input"], dtype=np.uint8) if digits else None
    light = [{k: v for k, v in d.items() if k != "input"} for d in digits]
    for d in light:  # four places are plenty for bars: keeps the answer small
        d["probabilities"] = (
            None if d["probabilities"] is None else [round(p, 4) for p in d["probabilities"]]
        )
    body = current_app.extensions["explainer"].explain(pixels)
    return jsonify(
        {**body, "number": read["number"], "digits": light, "explained": chosen if digits else None}
    )


@bp.get("/units/<int:index>")
def unit(index):
    """A first-layer unit's 28x28 weight template: what it looks for in the drawing."""
    try:
        body = current_app.extensions["explainer"].unit(index)
    except IndexError as exc:
        raise ApiError(404, "no_such_unit", str(exc)) from exc
    response = jsonify(body)
    response.cache_control.max_age = 3600  # a model's weights do not change while it is served
    return response


@bp.get("/health")
def health():
    """Liveness: the process is up and holds a model."""
    return jsonify({"status": "ok", "model": _predictor().info.get("name")})


@bp.get("/model")
def model():
    """The loaded model's sidecar: architecture, normalisation, training settings and metrics."""
    return jsonify(_predictor().info)
