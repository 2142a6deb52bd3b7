"""The JSON API under /api: predict, explain, health and model metadata; request -> validation -> core -> JSON."""
import numpy as np
from flask import Blueprint, current_app, jsonify, request

from .errors import ApiError
from recognition import preprocess, segment

from .validation import digit_index, parse_predict_request

bp = Blueprint("api", __name__, url_prefix="/api")


def _predictor():
    return current_app.extensions["predictor"]


@bp.post("/predict")
def predict():
    """Strokes, a data-URL image or an uploaded image -> the number read, each digit's answer, and the
    single-digit fields (digit, confidence, probabilities, input) as before."""
    kind, payload = parse_predict_request(request, current_app.config)
    predictor = _predictor()
    try:
        answer = predictor.predict_strokes(payload) if kind == "strokes" else predictor.predict_image(payload)
    except segment.TooManyDigits as exc:
        raise ApiError(400, "too_many_digits", str(exc)) from exc
    except ValueError as exc:
        raise ApiError(400, f"invalid_{kind}", str(exc)) from exc
    return jsonify(answer)


@bp.post("/explain")
def explain():
    """The same input as predict -> its answer plus each layer's activations, a saliency map and the top units.

    With "digit": k in a JSON body, the k-th digit (left to right) of the number drawn is explained;
    without, the whole drawing as one digit.
    """
    kind, payload = parse_predict_request(request, current_app.config)
    index = digit_index(request)
    try:
        if index is None:
            pixels = preprocess.strokes_to_input(payload) if kind == "strokes" else preprocess.image_to_input(payload)
        else:
            predictor = _predictor()
            read = predictor.predict_strokes(payload) if kind == "strokes" else predictor.predict_image(payload)
            if index >= len(read["digits"]):
                raise ApiError(400, "no_such_digit", f"the drawing holds {len(read['digits'])} digits, "
                                                     f"so digit {index} does not exist (they count from 0)")
            pixels = np.asarray(read["digits"][index]["input"], dtype=np.uint8)
    except segment.TooManyDigits as exc:
        raise ApiError(400, "too_many_digits", str(exc)) from exc
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
