"""Draw-a-digit web app: a Flask factory serving the canvas page and the JSON API."""

from pathlib import Path

import limits
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from recognition import selftest
from recognition.classifier import Classifier, limit_threads
from recognition.explain import Explainer

from . import model_report, observe, settings, store
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

    # Corrections: the store opens (and migrates) now if it can; the app starts without it.
    try:
        limits.parse_many(app.config["CORRECTIONS_RATE"])
    except ValueError as exc:
        raise settings.SettingError(
            f"CORRECTIONS_RATE (DIGITS_CORRECTIONS_RATE) must read like '30 per minute': {exc}"
        ) from exc
    url = store.database_url(app.config["DATABASE_URL"], app.instance_path)
    app.extensions["corrections"] = store.Store(url, app.config["CORRECTIONS_LIMIT"])
    # Retention: what is older than CORRECTIONS_KEEP_DAYS goes at every start (and by
    # `corrections prune`).
    if not app.extensions["corrections"].open(app.config["CORRECTIONS_KEEP_DAYS"]):
        app.logger.warning("corrections: the database is unavailable; predict works without it")
    # First of the app's before_request functions, so that every request gets an id and a time,
    # those the rate limiter's check (the next one) refuses included.
    observe.configure(app)
    # Behind nginx every connection comes from nginx: the client's address is the one it adds to
    # X-Forwarded-For (and the scheme its X-Forwarded-Proto). The host stays the app's own.
    if app.config["PROXIES"]:
        proxies = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)
    # Per client address, counted in each process's memory and never stored.
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)

    # No redirect for a doubled slash: werkzeug would build its Location from the client's Host
    # header. /api//health is a 404 like any other path the app does not have.
    app.url_map.merge_slashes = False

    from . import api, corrections, errors, model_cli, pages, review

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    rate = app.config["CORRECTIONS_RATE"]
    limiter.limit(rate, error_message=f"too many corrections from one address: at most {rate}")(
        corrections.bp
    )
    app.register_blueprint(corrections.bp)
    app.cli.add_command(corrections.cli)
    app.cli.add_command(model_cli.cli)
    review.configure(app)
    app.register_blueprint(review.bp)
    errors.register(app)

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers.update(SECURITY_HEADERS)
        return response

    return app
