"""The page people draw on."""
from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    """The drawing page."""
    return render_template("index.html")
