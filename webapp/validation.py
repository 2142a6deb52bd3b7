"""Every check on what a client sends to /api/predict, turned into one clear ApiError."""

import base64
import binascii
import io
import json
import math
import re

from PIL import Image, UnidentifiedImageError
from werkzeug.exceptions import RequestEntityTooLarge

from recognition import personal
from recognition.answer import NOT_A_DIGIT_CLASS, NOT_A_DIGIT_LABEL
from recognition.drawing import Picture, Strokes
from recognition.preprocess import WORK_SIDE

from .errors import ApiError

IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
_DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.I)


def parse_predict_request(request, config):
    """The request's drawing, checked once (recognition.drawing: Strokes or Picture), or
    ApiError.
    """
    mimetype = request.mimetype
    if mimetype == "application/json":
        return _from_json(json_body(request), config)
    if mimetype == "multipart/form-data":
        upload = request.files.get("image")
        if upload is None:
            raise ApiError(
                400, "missing_input", "a multipart request needs a file field named 'image'"
            )
        return Picture(decode_image(upload.read(), config))
    raise ApiError(
        415,
        "unsupported_media_type",
        f"send application/json or multipart/form-data, not {mimetype or 'no content type'}",
    )


def json_body(request):
    """The request's JSON body, parsed once per request; ApiError 400 for what is not JSON.

    Python's parser recurses once per level of nesting: a body nested thousands deep is refused
    as a 400, not a RecursionError (a 500).
    """
    if "json_body" not in request.environ:
        data = request.get_data(cache=True)
        limit = request.max_content_length
        if request.content_length is None and limit is not None and len(data) >= limit:
            # A chunked body has no length to refuse up front: the reader stops at the limit,
            # so one more byte there means the body was larger.
            if request.environ["wsgi.input"].read(1):
                raise RequestEntityTooLarge(f"the body is larger than {limit} bytes")
        try:
            request.environ["json_body"] = json.loads(data)
        except RecursionError as exc:
            raise ApiError(400, "invalid_json", "the body is nested too deeply") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "invalid_json", f"the body is not valid JSON ({exc})") from exc
    return request.environ["json_body"]


def optional_field(request, name):
    """A field of a JSON object body, as sent: None when left out, null, or not a JSON request."""
    if request.mimetype != "application/json":
        return None
    body = json_body(request)
    return body.get(name) if isinstance(body, dict) else None


def digit_index(request):
    """The optional "digit" of a JSON request (which digit of a number to explain): None or an
    int >= 0.
    """
    value = optional_field(request, "digit")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(
            400, "invalid_input", "digit must be a whole number from 0, counting from the left"
        )
    return value


def pen_writing(request):
    """The optional "writing" of a JSON request (the pen is still down): False when left out."""
    value = optional_field(request, "writing")
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ApiError(
            400, "invalid_input", "writing must be true (the pen is still down) or false"
        )
    return value


def personal_examples(request, model, classes):
    """The optional "personal" of a JSON request, the writer's own examples: None when left out,
    else a tuple of recognition.personal.Example (maybe empty), checked.

    model: the SHA-256 of the weights serving: examples made by other weights mean nothing to
    these (a 400 the page answers by forgetting them). classes: the model's; a
    "not_a_digit" label needs the eleventh.
    """
    value = optional_field(request, "personal")
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("examples"), list):
        raise ApiError(
            400,
            "invalid_personal",
            'personal must be an object {"model": SHA-256, "examples": [{"label", "feature"}]}',
        )
    if value.get("model") != model:
        raise ApiError(
            400,
            "personal_other_model",
            "the personal examples were made by another model than the one answering: forget "
            "them and correct again",
        )
    examples = value["examples"]
    if len(examples) > personal.LIMIT:
        raise ApiError(
            400,
            "invalid_personal",
            f"at most {personal.LIMIT} personal examples, got {len(examples)}",
        )
    return tuple(_example(e, k, classes) for k, e in enumerate(examples))


def _example(value, k, classes):
    """One personal example, checked: {"label": a digit or "not_a_digit", "feature": base64}."""
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_personal", f"personal example {k} must be an object")
    label = value.get("label")
    if label == NOT_A_DIGIT_LABEL and classes > NOT_A_DIGIT_CLASS:
        label = NOT_A_DIGIT_CLASS
    elif isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        allowed = 'a digit 0 to 9 or "not_a_digit"' if classes > NOT_A_DIGIT_CLASS else "0 to 9"
        raise ApiError(400, "invalid_personal", f"personal example {k}: label must be {allowed}")
    try:
        feature = personal.decode(value.get("feature"))
    except ValueError as exc:
        raise ApiError(400, "invalid_personal", f"personal example {k}: {exc}") from None
    return personal.Example(label, feature)


def _from_json(body, config):
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_input", "the JSON body must be an object")
    has_strokes, has_image = "strokes" in body, "image" in body
    if has_strokes == has_image:
        raise ApiError(400, "missing_input", "send exactly one of 'strokes' or 'image'")
    if has_image:
        return Picture(decode_data_url(body["image"], config))
    return Strokes.from_lists(check_strokes(body["strokes"], config), checked=True)


def _is_number(value):
    # bool is an int in Python, but true/false are not coordinates.
    return not isinstance(value, bool) and isinstance(value, (int, float))


def _is_finite(value):
    """Whether a JSON number is finite as a float: an integer of hundreds of digits is not."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _shown(value):
    """A value for an error message: a number of hundreds of digits is cut short."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def check_strokes(strokes, config):
    """A list of strokes, each a list of [x, y] finite numbers, within the configured limits."""
    if not isinstance(strokes, list):
        raise ApiError(400, "invalid_strokes", "'strokes' must be a list of strokes")
    if len(strokes) > config["MAX_STROKES"]:
        raise ApiError(
            400, "too_many_strokes", f"at most {config['MAX_STROKES']} strokes, got {len(strokes)}"
        )
    total = 0
    for i, stroke in enumerate(strokes):
        if not isinstance(stroke, list):
            raise ApiError(400, "invalid_strokes", f"stroke {i} must be a list of [x, y] points")
        total += len(stroke)
        if total > config["MAX_POINTS"]:
            raise ApiError(400, "too_many_points", f"at most {config['MAX_POINTS']} points in all")
        for j, point in enumerate(stroke):
            if not isinstance(point, list) or len(point) != 2:
                raise ApiError(400, "invalid_strokes", f"stroke {i} point {j} must be [x, y]")
            for value in point:
                if not _is_number(value) or not _is_finite(value):
                    raise ApiError(
                        400,
                        "invalid_strokes",
                        f"stroke {i} point {j}: coordinates must be finite numbers, "
                        f"got {_shown(value)}",
                    )
    return strokes


def decode_data_url(value, config):
    """'data:image/png;base64,...' -> PIL image."""
    if not isinstance(value, str) or not _DATA_URL.match(value):
        raise ApiError(
            400, "invalid_image", "'image' must be a data URL: data:image/png;base64,..."
        )
    try:
        blob = base64.b64decode(value[value.index(",") + 1 :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "invalid_image", f"the image's base64 does not decode ({exc})") from exc
    return decode_image(blob, config)


def reduce_decoding(image):
    """Ask the decoder for a smaller image where the format allows (JPEG: 1/2, 1/4 or 1/8 of each
    side), never under half of what recognition reads (preprocess.WORK_SIDE); returns how many
    original pixels one decoded pixel stands for, along a side."""
    if image.format != "JPEG":
        return 1
    width, height = image.size
    scale = 1
    # Half of WORK_SIDE is still far more than the 20x20 a digit is read at.
    while scale < 8 and max(width, height) / (scale * 2) >= WORK_SIDE / 2:
        scale *= 2
    if scale > 1:
        image.draft(image.mode, (-(-width // scale), -(-height // scale)))
    return width / image.size[0]


def decode_image(blob, config):
    """Image bytes -> a fully loaded PIL image, refusing oversized ones before decoding pixels."""
    if not blob:
        raise ApiError(400, "invalid_image", "the image is empty")
    try:
        image = Image.open(io.BytesIO(blob), formats=IMAGE_FORMATS)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ApiError(
            400, "invalid_image", f"not a readable {'/'.join(IMAGE_FORMATS)} image"
        ) from exc
    width, height = image.size
    if width * height > config["MAX_IMAGE_PIXELS"] or max(width, height) > config["MAX_IMAGE_SIDE"]:
        raise ApiError(
            413,
            "image_too_large",
            f"the image is {width}x{height}; at most {config['MAX_IMAGE_PIXELS']} pixels and "
            f"{config['MAX_IMAGE_SIDE']} on a side",
        )
    decoded_at = reduce_decoding(image)
    decoded = image.size[0] * image.size[1]
    if decoded > config["MAX_DECODED_PIXELS"]:
        raise ApiError(
            413,
            "image_too_large",
            f"the {image.format} image is {width}x{height}: {decoded} pixels to decode, at most "
            f"{config['MAX_DECODED_PIXELS']} (a JPEG of up to {config['MAX_IMAGE_PIXELS']} "
            "pixels decodes at a smaller size)",
        )
    image.info["decoded_at"] = decoded_at
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ApiError(400, "invalid_image", f"the image does not decode ({exc})") from exc
    return image
