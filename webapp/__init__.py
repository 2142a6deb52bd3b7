"""Draw-a-digit web app: a Flask factory serving the canvas page and the JSON API."""

from pathlib import Path

from flask import Flask

from recognition import selftest
from recognition.classifier import Classifier, limit_threads
from recognition.explain import Explainer

from . import model_report, settings
from .json_provider import OrjsonProvider

ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


# Beside the CSP, on every response: the app's own and the server's errors alike.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def create_app(config=None):
    """Build the app: defaults, then DIGITS_ variables, then the caller's config; loads the model
    once.

    Raises settings.SettingError for a bad setting and CheckpointError for a model that does not
    load.
    """
    app = Flask(
        __name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static")
    )
    app.json = OrjsonProvider(app)
    app.config.from_mapping(settings.defaults())
    # e.g. DIGITS_MODEL_PATH=models/other.safetensors
    app.config.from_mapping(settings.from_environment())
    if config:
        app.config.from_mapping(config)
    settings.check(app.config)

    limit_threads(app.config["MATH_THREADS"])
    app.extensions["classifier"] = Classifier.load(app.config["MODEL_PATH"])
    # The model answers known drawings as training recorded, or the app does not start.
    app.extensions["self_test"] = selftest.check(app.extensions["classifier"])
    app.extensions["explainer"] = Explainer(app.extensions["classifier"])
    app.extensions["model_report"] = model_report.load(
        app.config["MODEL_PATH"], app.extensions["classifier"].info
    )

    # No redirect for a doubled slash: werkzeug would build its Location from the client's Host
    # header. /api//health is a 404 like any other path the app does not have.
    app.url_map.merge_slashes = False

    from . import api, errors, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    errors.register(app)

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers.update(SECURITY_HEADERS)
        return response

    return app
