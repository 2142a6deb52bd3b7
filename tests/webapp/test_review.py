"""The review page: off without a token; the token given once, in a form, compared in constant
time and never shown or logged; corrections shown as drawings, accepted or rejected, and the
accepted ones exported."""

import logging
import re

import pytest

from tests.support.api import SEVEN
from webapp import create_app

TOKEN = "correct horse battery staple"
SHA = "cd" * 32
ORIGIN = {"Origin": "http://localhost"}
SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Origin": "null"}


@pytest.fixture()
def reviewed(small_model, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "MODEL_PATH": str(small_model),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "ADMIN_TOKEN": TOKEN,
        }
    )
    client = app.test_client()
    for label in (3, 8):
        body = {"strokes": SEVEN, "label": label, "predicted": 7, "model": SHA}
        assert client.post("/api/corrections", json=body).status_code == 201
    return app, client


def sign_in(client, token=TOKEN, headers=ORIGIN):
    return client.post("/corrections/sign-in", data={"token": token}, headers=headers)


def test_the_page_is_off_without_a_token(client):
    assert client.get("/corrections").status_code == 404
    assert client.post("/corrections/sign-in", data={"token": ""}).status_code == 404


def test_a_wrong_token_or_a_foreign_form_gets_nothing(reviewed, caplog):
    app, client = reviewed
    with caplog.at_level(logging.DEBUG):
        wrong = sign_in(client, token="guess")
        foreign = sign_in(client, headers={"Origin": "http://evil.example"})
        cross = sign_in(client, headers={"Sec-Fetch-Site": "cross-site"})
    assert wrong.status_code == 403 and b"That is not the token" in wrong.data
    assert foreign.status_code == 403 and cross.status_code == 403
    page = client.get("/corrections")
    assert b"review-card" not in page.data and b'name="token"' in page.data
    assert (
        client.post("/corrections/1", data={"status": "accepted"}, headers=ORIGIN).status_code
        == 403
    )
    assert TOKEN not in caplog.text and "guess" not in caplog.text


def test_a_reviewer_sees_drawings_and_accepts_one_for_export(reviewed, tmp_path):
    app, client = reviewed
    # As a browser sends the form from a page that sends no Referer: Origin null, same-origin.
    response = sign_in(client, headers=SAME_SITE)
    assert response.status_code == 303
    assert TOKEN.encode() not in response.data
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    page = client.get("/corrections")
    assert page.status_code == 200 and page.data.count(b'class="review-card"') == 2
    assert b"They said an 8" in page.data and b"the network said 7" in page.data
    assert b'<path d="M' in page.data
    newest = app.extensions["corrections"].listing()[0]["id"]
    token = re.search(rb'name="form_token" value="([^"]+)"', page.data).group(1).decode()
    forged = client.post(f"/corrections/{newest}", data={"status": "accepted"}, headers=ORIGIN)
    assert forged.status_code == 403  # no form token: not from the review page
    decided = client.post(
        f"/corrections/{newest}",
        data={"status": "accepted", "shown": "new", "form_token": token},
        headers=ORIGIN,
    )
    assert decided.status_code == 303
    assert client.get("/corrections").data.count(b'class="review-card"') == 1
    assert b"They said an 8" in client.get("/corrections?status=accepted").data
    with_token = {"form_token": token}
    missing = client.post("/corrections/999", data={"status": "accepted", **with_token})
    assert missing.status_code == 404
    odd = client.post(f"/corrections/{newest}", data={"status": "maybe", **with_token})
    assert odd.status_code == 400
    out = tmp_path / "accepted.json.gz"
    result = app.test_cli_runner().invoke(args=["corrections", "export", str(out)])
    assert "wrote 1 accepted corrections" in result.output
