"""The JSON API under /api: predict, health and model metadata; request -> validation -> core -> JSON."""
from flask import Blueprint, current_app, jsonify, request

from .errors import ApiError
from .validation import parse_predict_request

bp = Blueprint("api", __name__, url_prefix="/api")


def _predictor():
    return current_app.extensions["predictor"]


@bp.post("/predict")
def predict():
    """Strokes, a data-URL image or an uploaded image -> digit, confidence, probabilities, input."""
    kind, payload = parse_predict_request(request, current_app.config)
    predictor = _predictor()
    try:
        answer = predictor.predict_strokes(payload) if kind == "strokes" else predictor.predict_image(payload)
    except ValueError as exc:
        raise ApiError(400, f"invalid_{kind}", str(exc)) from exc
    return jsonify(answer)


@bp.get("/health")
def health():
    """Liveness: the process is up and holds a model."""
    return jsonify({"status": "ok", "model": _predictor().info.get("name")})


@bp.get("/model")
def model():
    """The loaded model's sidecar: architecture, normalisation, training settings and metrics."""
    return jsonify(_predictor().info)
