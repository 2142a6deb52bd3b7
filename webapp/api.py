"""The JSON API under /api: predict, explain, health and model metadata; request -> validation ->
core -> JSON.
"""

from flask import Blueprint, current_app, jsonify, request

from recognition import segment
from recognition.answer import EMPTY
from recognition.numbers import read_number

from . import observe, openapi, wire
from .errors import ApiError
from .validation import digit_index, parse_predict_request, pen_writing, personal_examples

bp = Blueprint("api", __name__, url_prefix="/api")


def _classifier():
    return current_app.extensions["classifier"]


def _read(drawing):
    """The NumberAnswer for a request's validated strokes or image, read with the pen's state and
    the writer's examples it sends; what it cannot read is a 400."""
    classifier = _classifier()
    writing = pen_writing(request)
    model = classifier.info.get("weights", {}).get("sha256")
    examples = personal_examples(request, model, len(classifier.layers[-1][1]))
    try:
        number = read_number(classifier, drawing, writing, examples)
    except segment.TooManyDigits as exc:
        raise ApiError(400, "too_many_digits", str(exc)) from exc
    except ValueError as exc:
        raise ApiError(400, f"invalid_{drawing.kind}", str(exc)) from exc
    observe.count_verdict(number.verdict)
    return number


@bp.post("/predict")
def predict():
    """Strokes, a data-URL image or an uploaded image -> the number read, each digit's answer,
    and the single-digit fields (digit, confidence, probabilities, input).
    """
    drawing = parse_predict_request(request, current_app.config)
    return jsonify(wire.number_json(_read(drawing)))


@bp.post("/explain")
def explain():
    """The same input as predict -> one digit's answer plus each layer's activations, a saliency
    map and the top units, with the number read ("number", and "digits" without their 28x28
    inputs).

    "digit": k in a JSON body picks the k-th digit from the left; without it, the last one (the
    one being written; for a single digit, the whole drawing, as predict reads it). The digit is
    explained as it was read: the model runs once for the reading, and the explainer once more
    on that digit's pixels, keeping every layer.
    """
    number = _read(parse_predict_request(request, current_app.config))
    index = digit_index(request)
    digits = number.digits
    if index is not None and index >= len(digits):
        raise ApiError(
            400,
            "no_such_digit",
            f"the drawing holds {len(digits)} digits, so digit {index} "
            "does not exist (they count from 0)",
        )
    if not digits:
        chosen, answer = None, EMPTY
    else:
        chosen = len(digits) - 1 if index is None else index
        answer = digits[chosen]
    explanation = current_app.extensions["explainer"].explain(answer)
    return jsonify(wire.explained_json(number, chosen, answer, explanation))


@bp.get("/units/<int:index>")
def unit(index):
    """A first-layer unit's 28x28 weight template: what it looks for in the drawing."""
    try:
        weights, bias = current_app.extensions["explainer"].unit(index)
    except IndexError as exc:
        raise ApiError(404, "no_such_unit", str(exc)) from exc
    response = jsonify(wire.unit_json(index, weights, bias))
    response.cache_control.max_age = 3600  # a model's weights do not change while it is served
    return response


@bp.get("/health")
def health():
    """Liveness: the process is up and holds a model."""
    return jsonify({"status": "ok", "model": _classifier().info.get("name")})


@bp.get("/ready")
def ready():
    """Readiness: the model is loaded and read its known drawings as training recorded (the app
    does not start otherwise), so this process may take traffic."""
    return jsonify(
        {
            "status": "ready",
            "model": _classifier().info.get("name"),
            "self_test": current_app.extensions["self_test"],
        }
    )


@bp.get("/openapi.json")
def openapi_document():
    """The API's contract (OpenAPI 3.1), with this app's limits."""
    return jsonify(openapi.document(current_app.config))


@bp.get("/model")
def model():
    """The loaded model's sidecar: architecture, normalisation, training settings and metrics."""
    return jsonify(_classifier().info)
