"""The pages: the one people draw on, and the one about the network."""

from flask import Blueprint, abort, current_app, render_template, send_from_directory

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The drawing page."""
    return render_template("index.html")


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may cache every page (see
    static/sw.js).
    """
    response = send_from_directory(
        current_app.static_folder, "sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"  # browsers check for a new worker on every visit
    return response


@bp.get("/model")
def model():
    """What the network is and how good it is, from the shipped model's sidecar and report."""
    return render_template("model.html", report=current_app.extensions["model_report"])


@bp.get("/model/figures/<name>.png")
def figure(name):
    """One of the report's pictures (only those the model page shows)."""
    report = current_app.extensions["model_report"]
    if not report["pictures"].get(name):
        abort(404)
    return send_from_directory(report["folder"], f"{name}.png", max_age=3600)
