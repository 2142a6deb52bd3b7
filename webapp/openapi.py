"""The API's contract: an OpenAPI 3.1 document, served at /api/openapi.json.

Built from the app's own settings (the limits that validation enforces) and the answer's
types (recognition.answer), so the document cannot drift from what the API checks and
returns; tests validate real answers against it and fuzz the app from it (Schemathesis).
"""

from recognition import personal
from recognition.answer import DIGITS, INPUT_SHAPE, NOT_A_DIGIT_LABEL, Verdict

ERROR = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
PROBABILITIES = {
    "type": ["array", "null"],
    "items": {"type": "number", "minimum": 0, "maximum": 1},
    "minItems": DIGITS,
    "maxItems": DIGITS,
}
ROW = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}}
INPUT = {
    "type": "array",
    "items": {**ROW, "minItems": INPUT_SHAPE[1], "maxItems": INPUT_SHAPE[1]},
    "minItems": INPUT_SHAPE[0],
    "maxItems": INPUT_SHAPE[0],
}
ANSWER_FIELDS = {
    "verdict": {"type": "string", "enum": [v.value for v in Verdict]},
    "digit": {"type": ["integer", "null"], "minimum": 0, "maximum": DIGITS - 1},
    "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
    "candidates": {"type": ["array", "null"], "items": {"type": "integer"}},
    "probabilities": PROBABILITIES,
    "not_a_digit_probability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
}
# A writer's own example: what the network made of a drawing they corrected, and the right label.
FEATURE = {
    "type": "string",
    "contentEncoding": "base64",
    "pattern": "^[A-Za-z0-9+/]{86}==$",
    "description": f"{personal.SIZE} signed bytes: the drawing's last hidden layer, projected",
}
LABEL = {
    "oneOf": [
        {"type": "integer", "minimum": 0, "maximum": DIGITS - 1},
        {"const": NOT_A_DIGIT_LABEL},
    ]
}
PERSONAL_FIELDS = {
    "feature": {
        **FEATURE,
        "description": "this digit's numbers for a personal example (sent when the request "
        "carries personal)",
    },
    "personal": {
        "type": ["object", "null"],
        "description": "how the writer's examples moved this answer; null: none was close",
        "required": ["decided", "without", "examples"],
        "properties": {
            "decided": {"type": "boolean", "description": "they changed the verdict or digit"},
            "without": {"type": "object", "description": "the answer without them"},
            "examples": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "label", "similarity"],
                    "properties": {
                        "index": {"type": "integer", "minimum": 0},
                        "label": LABEL,
                        "similarity": {"type": "number", "minimum": -1, "maximum": 1},
                    },
                },
            },
        },
    },
}
PLACED_DIGIT = {
    "type": "object",
    "required": [*ANSWER_FIELDS, "box", "strokes"],
    "properties": {
        **ANSWER_FIELDS,
        **PERSONAL_FIELDS,
        "box": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        "strokes": {"type": ["array", "null"], "items": {"type": "integer", "minimum": 0}},
        "input": INPUT,
    },
}
NUMBER_FIELDS = {
    "number": {"type": ["string", "null"], "pattern": "^[0-9]+$"},
    "digits": {"type": "array", "items": PLACED_DIGIT},
}
PREDICT_ANSWER = {
    "type": "object",
    "required": [*ANSWER_FIELDS, "empty", "input", *NUMBER_FIELDS],
    "additionalProperties": False,
    "properties": {
        **ANSWER_FIELDS,
        **PERSONAL_FIELDS,
        "empty": {"type": "boolean"},
        "input": INPUT,
        **NUMBER_FIELDS,
    },
}
LAYER = {
    "type": "object",
    "required": ["name", "size", "shape", "values", "scale"],
    "properties": {
        "name": {"type": "string"},
        "size": {"type": "integer"},
        "shape": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
        "values": {"type": "string", "contentEncoding": "base64"},
        "scale": {"type": "number"},
    },
}
EXPLAIN_ANSWER = {
    "type": "object",
    "required": [*ANSWER_FIELDS, "empty", "layers", "saliency", "top_units", *NUMBER_FIELDS],
    "properties": {
        **ANSWER_FIELDS,
        **PERSONAL_FIELDS,
        "empty": {"type": "boolean"},
        "input": INPUT,
        "target": {"type": "integer", "minimum": 0, "maximum": DIGITS - 1},
        "layers": {"type": "array", "items": LAYER},
        "saliency": {"type": ["object", "null"]},
        "top_units": {"type": "array"},
        "explained": {"type": ["integer", "null"], "minimum": 0},
        **NUMBER_FIELDS,
    },
}


def request_body(config, explain=False):
    """What /api/predict (and /api/explain) take, with the limits validation enforces."""
    point = {
        "type": "array",
        "items": {"type": "number"},
        "minItems": 2,
        "maxItems": 2,
    }
    strokes = {
        "type": "array",
        "maxItems": config["MAX_STROKES"],
        "items": {"type": "array", "items": point},
        "description": f"canvas pixels, y down; at most {config['MAX_POINTS']} points in all",
    }
    writing = {
        "type": ["boolean", "null"],
        "description": "true while the pen is still down, drawing the last stroke: that digit is "
        "judged as half drawn (the calibration for digits half drawn). Left out, null or false: "
        "the drawing may be finished (after each pen lift, and on the final read)",
    }
    examples = {
        "type": ["object", "null"],
        "description": "the writer's own examples (their corrections), from earlier answers' "
        "feature: a drawing close to one leans to its label. Each answer's digits then carry "
        "their feature and personal",
        "required": ["model", "examples"],
        "properties": {
            "model": {
                "type": "string",
                "description": "the SHA-256 of the weights that made the features (/api/model); "
                "another model's: 400 personal_other_model",
            },
            "examples": {
                "type": "array",
                "maxItems": personal.LIMIT,
                "items": {
                    "type": "object",
                    "required": ["label", "feature"],
                    "properties": {"label": LABEL, "feature": FEATURE},
                },
            },
        },
    }
    drawn = {
        "strokes": strokes,
        "writing": writing,
        "personal": examples,
    }
    image = {
        "image": {
            "type": "string",
            "pattern": "^data:image/",
            "description": "a data URL: data:image/png;base64,...",
        },
        "writing": {**writing, "description": "an image has no pen: taken, and changes nothing"},
        "personal": examples,
    }
    if explain:
        # null, or left out: the last digit.
        which = {"digit": {"type": ["integer", "null"], "minimum": 0}}
        drawn = {**drawn, **which}
        image = {**image, **which}
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "object", "required": ["strokes"], "properties": drawn},
                        {"type": "object", "required": ["image"], "properties": image},
                    ]
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {"image": {"type": "string", "format": "binary"}},
                }
            },
        },
    }


STORED = {
    "type": "object",
    "required": ["id", "stored"],
    "properties": {"id": {"type": "integer"}, "stored": {"type": "boolean"}},
}


def corrections_body(config):
    """What /api/corrections takes: validated as webapp.corrections does, config included."""
    strokes = request_body(config)["content"]["application/json"]["schema"]["oneOf"][0]
    drawing = {
        **strokes["properties"]["strokes"],
        # At least one stroke with a point: a correction needs a drawing.
        "contains": {"type": "array", "minItems": 1},
    }
    digit = {"type": "integer", "minimum": 0, "maximum": 9}
    schema = {
        "type": "object",
        "required": ["strokes", "label", "model"],
        "properties": {
            "strokes": drawing,
            "label": {
                "oneOf": [digit, {"const": NOT_A_DIGIT_LABEL}],
                "description": 'the right digit, or "not_a_digit": the drawing is no digit',
            },
            "predicted": {
                "type": ["integer", "null"],
                "minimum": 0,
                "maximum": 9,
                "description": "the model's answer; null for 'not a digit' or 'not sure'",
            },
            "model": {
                "type": "string",
                "pattern": "^[0-9a-f]{64}$",
                "description": "the SHA-256 of the weights that answered (/api/model)",
            },
            "key": {
                "type": ["string", "null"],
                "pattern": "^[A-Za-z0-9_-]{8,64}$",
                "description": "chosen by the client: the same key again stores nothing",
            },
        },
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def errors(*statuses):
    """Responses in the one error shape, for each status."""
    return {
        str(status): {
            "description": "an error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for status in statuses
    }


def json_response(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document(config):
    """The OpenAPI 3.1 document for an app with these settings."""
    drawing_errors = errors(400, 413, 415)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Draw a digit",
            "version": "1",
            "description": "Draw a digit or a number; an MLP reads it. Every error is "
            '{"error": {"code": ..., "message": ...}}.',
        },
        "paths": {
            "/api/predict": {
                "post": {
                    "summary": "Read a drawing (strokes or an image) as a digit or a number",
                    "requestBody": request_body(config),
                    "responses": {
                        "200": json_response({"$ref": "#/components/schemas/Answer"}, "the answer"),
                        **drawing_errors,
                    },
                }
            },
            "/api/explain": {
                "post": {
                    "summary": "The same answer, and what happened inside the network",
                    "requestBody": request_body(config, explain=True),
                    "responses": {
                        "200": json_response(
                            {"$ref": "#/components/schemas/Explained"}, "answer and explanation"
                        ),
                        **drawing_errors,
                    },
                }
            },
            "/api/units/{index}": {
                "get": {
                    "summary": "A first-layer unit's weight template",
                    "parameters": [
                        {
                            "name": "index",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 0},
                        }
                    ],
                    "responses": {
                        "200": json_response({"type": "object"}, "the template"),
                        **errors(404),
                    },
                }
            },
            "/api/corrections": {
                "post": {
                    "summary": "Keep a correction: the right digit for a drawing the model misread",
                    "requestBody": corrections_body(config),
                    "responses": {
                        "201": json_response(STORED, "kept; its id"),
                        "200": json_response(STORED, "this key was kept before; its id"),
                        **errors(400, 413, 415, 429, 503, 507),
                    },
                }
            },
            "/api/health": {
                "get": {
                    "summary": "Liveness",
                    "responses": {"200": json_response({"type": "object"}, "up")},
                }
            },
            "/api/ready": {
                "get": {
                    "summary": "Readiness: the model passed its checks",
                    "responses": {"200": json_response({"type": "object"}, "ready")},
                }
            },
            "/api/model": {
                "get": {
                    "summary": "The model's sidecar",
                    "responses": {"200": json_response({"type": "object"}, "the sidecar")},
                }
            },
        },
        "components": {
            "schemas": {"Error": ERROR, "Answer": PREDICT_ANSWER, "Explained": EXPLAIN_ANSWER}
        },
    }
