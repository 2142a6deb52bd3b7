"""Draw-a-digit web app: a Flask factory serving the canvas page and the JSON API."""
from pathlib import Path

import torch
from flask import Flask

from .predictor import DEFAULT_MODEL, Predictor

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "MODEL_PATH": str(DEFAULT_MODEL),
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes of request body
    "MAX_STROKES": 200,
    "MAX_POINTS": 20000,  # all strokes together
    "MAX_IMAGE_PIXELS": 4096 * 4096,  # decoded width x height: no decompression bombs
    "TORCH_THREADS": 1,  # one thread per worker process: several processes share the cores
}

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")


def create_app(config=None):
    """Build the app: defaults, then the caller's config; loads the model once for this process."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("DIGITS")  # e.g. DIGITS_MODEL_PATH=models/other.safetensors
    if config:
        app.config.from_mapping(config)

    if app.config["TORCH_THREADS"]:
        torch.set_num_threads(int(app.config["TORCH_THREADS"]))
    app.extensions["predictor"] = Predictor(app.config["MODEL_PATH"])

    from . import api, errors, pages
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    errors.register(app)

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return app
