"""The JSON API under /api: predict, explain, health and model metadata; request -> validation -> core -> JSON."""
from flask import Blueprint, current_app, jsonify, request

from .errors import ApiError
from recognition import preprocess

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


@bp.post("/explain")
def explain():
    """The same input as predict -> its answer plus each layer's activations, a saliency map and the top units."""
    kind, payload = parse_predict_request(request, current_app.config)
    try:
        pixels = preprocess.strokes_to_input(payload) if kind == "strokes" else preprocess.image_to_input(payload)
    except ValueError as exc:
        raise ApiError(400, f"invalid_{kind}", str(exc)) from exc
    return jsonify(current_app.extensions["explainer"].explain(pixels))


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
