"""The review page, /corrections: corrections shown as drawings with the model's answer, to accept
or reject before they are exported for training.

Off (404) unless ADMIN_TOKEN is set. The reviewer types the token once into a form (a POST: it is
never in a URL, so never in an access log); it is compared in constant time, and a signed
session cookie (HttpOnly, SameSite=Strict) then says they gave it. Accept and reject are POSTs
from the app's own page: same-origin by the browser's word, and carrying the session's form
token.
"""

import hashlib
import hmac
import secrets
import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from .store import NOT_A_DIGIT, STATUSES, StoreUnavailable

bp = Blueprint("review", __name__)

PAGE_SIZE = 48


def configure(app):
    """Sign the reviewer's cookie with a key made from the token: the same in every worker."""
    token = app.config["ADMIN_TOKEN"]
    if token:
        app.secret_key = hashlib.sha256(b"digits review session\0" + token.encode()).digest()
        app.config.update(
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Strict",
            SESSION_COOKIE_NAME="digits_review",
        )


def _enabled():
    if not current_app.config["ADMIN_TOKEN"]:
        abort(404)


def _signed_in():
    return session.get("reviewer") is True


def _same_origin():
    """Not a form sent from another site: the browser says the request is same-origin
    (Sec-Fetch-Site), or its Origin names this host. The app's pages send no Referer, so a
    browser's form POST may say Origin: null; a client that sends neither header is no browser
    that another site could steer."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.host


def _form_token():
    """The signed-in reviewer's form token: each accept or reject form carries it back."""
    if "form_token" not in session:
        session["form_token"] = secrets.token_urlsafe(24)
    return session["form_token"]


@bp.get("/corrections")
def listing():
    _enabled()
    if not _signed_in():
        return render_template("review.html", signed_in=False, failed=False)
    status = request.args.get("status", "new")
    if status not in (*STATUSES, "all"):
        abort(400)
    try:
        shown = current_app.extensions["corrections"].listing(
            None if status == "all" else status, limit=PAGE_SIZE
        )
        counts = {s: current_app.extensions["corrections"].count(s) for s in STATUSES}
    except StoreUnavailable:
        return render_template("review.html", signed_in=True, unavailable=True), 503
    return render_template(
        "review.html",
        signed_in=True,
        unavailable=False,
        corrections=[
            {**c, "path": svg_path(c["strokes"]), "when": when(c["created"]), "said": said(c)}
            for c in shown
        ],
        status=status,
        counts=counts,
        form_token=_form_token(),
    )


@bp.post("/corrections/sign-in")
def sign_in():
    _enabled()
    if not _same_origin():
        abort(403)
    given = request.form.get("token", "").encode()
    if not hmac.compare_digest(given, current_app.config["ADMIN_TOKEN"].encode()):
        return render_template("review.html", signed_in=False, failed=True), 403
    session["reviewer"] = True
    return redirect(url_for("review.listing"), 303)


@bp.post("/corrections/<int:ident>")
def decide(ident):
    _enabled()
    if not _signed_in() or not _same_origin():
        abort(403)
    given = request.form.get("form_token", "").encode()
    if not hmac.compare_digest(given, session.get("form_token", "").encode()):
        abort(403)
    status = request.form.get("status")
    if status not in STATUSES:
        abort(400)
    try:
        found = current_app.extensions["corrections"].review(ident, status)
    except StoreUnavailable:
        abort(503)
    if not found:
        abort(404)
    shown = request.form.get("shown", "new")
    return redirect(url_for("review.listing", status=shown if shown in STATUSES else "all"), 303)


def said(correction):
    """What people said the drawing is, in words: "a 7", "an 8", "not a digit"."""
    label = correction["label"]
    if label == NOT_A_DIGIT:
        return "not a digit"
    return f"{'an' if label == 8 else 'a'} {label}"


def when(created):
    """2026-12-03T19:59:07Z -> 3 Dec 2026, 19:59 UTC: for people."""
    stamp = time.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
    return f"{stamp.tm_mday} {time.strftime('%b %Y, %H:%M', stamp)} UTC"


def svg_path(strokes, size=96, margin=8):
    """The strokes as one SVG path in a size x size box, scaled to fit and centred."""
    points = [p for s in strokes for p in s]
    if not points:
        return ""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = (size - 2 * margin) / span
    dx = (size - (max(xs) - min(xs)) * scale) / 2 - min(xs) * scale
    dy = (size - (max(ys) - min(ys)) * scale) / 2 - min(ys) * scale
    parts = []
    for stroke in strokes:
        if not stroke:
            continue
        moves = [f"{x * scale + dx:.1f} {y * scale + dy:.1f}" for x, y in stroke]
        if len(moves) == 1:
            moves.append(moves[0])  # a dot: a path of one point draws nothing
        parts.append("M" + " L".join(moves))
    return " ".join(parts)
