"""Corrections: a person tells the app the right digit for a drawing it misread.

POST /api/corrections keeps the strokes, the right label, the model's answer and version, and the
time, in the store (webapp.store); nothing about who sent it. Validated like predict, limited per
client (the limit counts by address in memory and stores nothing), and refused with 503 while the
database is away. `flask --app webapp corrections export OUT.json.gz` writes them out as a stroke
file that `train.py --strokes` takes.
"""

import gzip
import json
import re
import sys

import click
from flask import Blueprint, current_app, jsonify, request
from flask.cli import AppGroup

from . import observe
from .errors import ApiError
from .store import NOT_A_DIGIT, StoreFull, StoreUnavailable
from .validation import check_strokes, json_body

bp = Blueprint("corrections", __name__, url_prefix="/api")
cli = AppGroup("corrections", help="Export or prune the corrections people sent.")

SHA256 = re.compile(r"[0-9a-f]{64}")
KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _store():
    return current_app.extensions["corrections"]


@bp.post("/corrections")
def create():
    """{"strokes", "label", "predicted", "model", "key"?} -> 201 {"id"} (200 for a key sent
    before). label: the right digit, or "not_a_digit" (the drawing is no digit at all)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the correction as application/json")
    body = json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_input", "the JSON body must be an object")
    strokes = check_strokes(body.get("strokes"), current_app.config)
    if not any(len(stroke) for stroke in strokes):
        raise ApiError(
            400, "invalid_strokes", "a correction needs a drawing: the strokes are empty"
        )
    label = body.get("label")
    if label != NOT_A_DIGIT:
        label = _digit(label, "label")
    if label is None:
        raise ApiError(
            400, "invalid_input", 'label must be the right digit, 0 to 9, or "not_a_digit"'
        )
    predicted = _digit(body.get("predicted"), "predicted")
    model = body.get("model")
    if not isinstance(model, str) or not SHA256.fullmatch(model):
        raise ApiError(
            400, "invalid_input", "model must be the SHA-256 of the weights that answered"
        )
    key = body.get("key")
    if key is not None and (not isinstance(key, str) or not KEY.fullmatch(key)):
        raise ApiError(
            400, "invalid_input", "key must be 8 to 64 letters, digits, '-' or '_' when given"
        )
    try:
        ident, stored = _store().add(strokes, label, predicted, model, key)
    except StoreUnavailable as exc:
        current_app.logger.warning("corrections: the database is unavailable (%s)", exc)
        raise ApiError(
            503, "store_unavailable", "corrections cannot be kept right now; try again soon"
        ) from exc
    except StoreFull as exc:
        raise ApiError(507, "store_full", str(exc)) from exc
    if stored:
        observe.count_correction()
    return jsonify({"id": ident, "stored": stored}), 201 if stored else 200


def _digit(value, name):
    """A digit 0..9, or None for null; ApiError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9:
        raise ApiError(400, "invalid_input", f"{name} must be a digit, 0 to 9, or null")
    return value


@cli.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--all", "everything", is_flag=True, help="every correction, not only accepted ones")
@click.option(
    "--not-digits",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help='also write those people said are "not a digit" to this file (OUT holds digits only)',
)
def export_command(out, everything, not_digits):
    """Write accepted corrections (or all) to OUT, a gzipped stroke file like ../shared/strokes:
    the digits, which train.py --strokes takes. Drawings people said are no digit go to
    --not-digits, if given (label "not_a_digit"), else are counted and left out."""
    try:
        records = _store().export(everything)
    except StoreUnavailable as exc:
        sys.exit(f"corrections export: the database is unavailable ({exc})")
    digits = [r for r in records if r["label"] != NOT_A_DIGIT]
    others = [r for r in records if r["label"] == NOT_A_DIGIT]
    kind = "corrections" if everything else "accepted corrections"
    _write(out, digits)
    click.echo(f"wrote {len(digits)} {kind} to {out}")
    if not_digits is not None:
        _write(not_digits, others)
        click.echo(f'wrote {len(others)} "not a digit" {kind} to {not_digits}')
    elif others:
        click.echo(f'left out {len(others)} "not a digit" {kind} (--not-digits FILE writes them)')


def _write(path, records):
    try:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump(records, f, separators=(",", ":"))
    except OSError as exc:
        sys.exit(f"corrections export: cannot write {path} ({exc.strerror or exc})")


@cli.command("prune")
def prune_command():
    """Delete corrections older than CORRECTIONS_KEEP_DAYS (nothing when it is 0)."""
    days = current_app.config["CORRECTIONS_KEEP_DAYS"]
    if days == 0:
        click.echo("CORRECTIONS_KEEP_DAYS is 0: every correction is kept")
        return
    try:
        gone = _store().prune(days)
    except StoreUnavailable as exc:
        sys.exit(f"corrections prune: the database is unavailable ({exc})")
    click.echo(f"deleted {gone} corrections older than {days} days")
