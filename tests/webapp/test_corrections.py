"""Corrections through the API, on SQLite and on a real PostgreSQL: kept exactly as sent, once per
key, validated like predict in the one error shape, limited per client, refused while the store is
away and kept again once it is back, exported as a stroke file that training reads.
"""

import calendar
import gzip
import json
import time
import uuid

import pytest
from sqlalchemy import create_engine, inspect

from tests.support.api import SEVEN, assert_error
from training import stroke_files
from webapp import create_app, store

SHA = "ab" * 32


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A fresh, empty store's DATABASE_URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'corrections.db'}"
    cluster = request.getfixturevalue("postgres")
    return cluster.database(f"t_{uuid.uuid4().hex[:12]}")


def make_app(small_model, database, **config):
    return create_app(
        {"TESTING": True, "MODEL_PATH": str(small_model), "DATABASE_URL": database, **config}
    )


def correction(**fields):
    return {"strokes": SEVEN, "label": 7, "predicted": 1, "model": SHA, **fields}


def test_a_correction_is_kept_exactly_as_sent(small_model, database):
    app = make_app(small_model, database)
    client = app.test_client()
    response = client.post("/api/corrections", json=correction(key="first-one"))
    assert response.status_code == 201
    ident = response.get_json()["id"]
    [kept] = app.extensions["corrections"].export(everything=True)
    assert kept["id"] == ident and kept["writer"] == "corrections"
    assert (kept["strokes"], kept["label"], kept["predicted"], kept["model"]) == (SEVEN, 7, 1, SHA)
    assert kept["status"] == "new" and kept["created"].endswith("Z")


def test_the_same_key_twice_is_stored_once(small_model, database):
    app = make_app(small_model, database)
    client = app.test_client()
    first = client.post("/api/corrections", json=correction(key="retry-me-1"))
    again = client.post("/api/corrections", json=correction(key="retry-me-1"))
    other = client.post("/api/corrections", json=correction(key="retry-me-2"))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert again.get_json() == {"id": first.get_json()["id"], "stored": False}
    assert app.extensions["corrections"].count() == 2


def test_nothing_about_the_sender_is_stored(small_model, database):
    app = make_app(small_model, database)
    client = app.test_client()
    client.post(
        "/api/corrections",
        json=correction(),
        headers={"User-Agent": "Secret/1.0", "Cookie": "a=b"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    url = app.extensions["corrections"].url
    columns = {c["name"] for c in inspect(create_engine(url)).get_columns("corrections")}
    assert columns == {"id", "created", "label", "predicted", "model", "strokes", "status", "key"}
    [kept] = app.extensions["corrections"].export(everything=True)
    assert "203.0.113.9" not in json.dumps(kept) and "Secret" not in json.dumps(kept)


@pytest.mark.parametrize(
    "body, code",
    [
        (correction(label=None), "invalid_input"),
        (correction(label=10), "invalid_input"),
        (correction(label=True), "invalid_input"),
        (correction(label="7"), "invalid_input"),
        (correction(label="not a digit"), "invalid_input"),
        (correction(predicted=-1), "invalid_input"),
        (correction(model="not-a-hash"), "invalid_input"),
        (correction(model="AB" * 32), "invalid_input"),
        (correction(key="short"), "invalid_input"),
        (correction(key="has space in it"), "invalid_input"),
        (correction(strokes=[]), "invalid_strokes"),
        (correction(strokes=[[]]), "invalid_strokes"),
        (correction(strokes=[[[float("inf"), 0]]]), "invalid_strokes"),
        (correction(strokes="7"), "invalid_strokes"),
        (correction(strokes=[[[0, 0]]] * 201), "too_many_strokes"),
        ([1, 2], "invalid_input"),
    ],
)
def test_bad_corrections_get_the_one_error_shape(client, body, code):
    response = client.post(
        "/api/corrections", data=json.dumps(body), content_type="application/json"
    )
    assert_error(response, 400, code)


def test_a_coordinate_too_large_for_a_float_is_a_400(client):
    body = json.dumps(correction()).replace("[10, 10]", "[1" + "0" * 400 + ", 10]")
    response = client.post("/api/corrections", data=body, content_type="application/json")
    assert_error(response, 400, "invalid_strokes")


def test_a_correction_must_be_json(client):
    assert_error(client.post("/api/corrections", data="label=7"), 415, "unsupported_media_type")
    assert_error(client.get("/api/corrections"), 405, "method_not_allowed")


def test_one_client_is_limited_and_told_when_to_come_back(small_model, tmp_path):
    app = make_app(small_model, f"sqlite:///{tmp_path / 'c.db'}", CORRECTIONS_RATE="3 per minute")
    client = app.test_client()
    sent = [client.post("/api/corrections", json=correction()).status_code for _ in range(3)]
    assert sent == [201, 201, 201]
    error = assert_error(client.post("/api/corrections", json=correction()), 429)
    assert error["code"] == "too_many_requests" and "3 per minute" in error["message"]
    limited = client.post("/api/corrections", json=correction())
    assert int(limited.headers["Retry-After"]) > 0
    # Another address is not limited by the first one's corrections; predict never is.
    other = client.post(
        "/api/corrections", json=correction(), environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert other.status_code == 201
    assert client.post("/api/predict", json={"strokes": SEVEN}).status_code == 200


def test_a_full_store_says_so(small_model, database):
    app = make_app(small_model, database, CORRECTIONS_LIMIT=2)
    client = app.test_client()
    assert [client.post("/api/corrections", json=correction()).status_code for _ in "ab"] == [
        201
    ] * 2
    error = assert_error(client.post("/api/corrections", json=correction()), 507, "store_full")
    assert "2" in error["message"]


def test_without_its_database_the_app_starts_predicts_and_recovers(small_model, tmp_path):
    """A store that cannot be opened (its folder's place is taken by a file): the app starts,
    predicts, answers corrections 503; once the database can be reached, they are kept again,
    without a restart."""
    blocker = tmp_path / "gone"
    blocker.write_text("not a folder")
    app = make_app(small_model, f"sqlite:///{blocker / 'corrections.db'}")
    client = app.test_client()
    assert client.post("/api/predict", json={"strokes": SEVEN}).status_code == 200
    assert_error(client.post("/api/corrections", json=correction()), 503, "store_unavailable")
    blocker.unlink()
    blocker.mkdir()
    assert client.post("/api/corrections", json=correction()).status_code == 201


def test_postgresql_stopped_and_started_again(small_model, postgres):
    app = make_app(small_model, postgres.database(f"t_{uuid.uuid4().hex[:12]}"))
    client = app.test_client()
    assert client.post("/api/corrections", json=correction()).status_code == 201
    postgres.stop()
    try:
        assert_error(client.post("/api/corrections", json=correction()), 503, "store_unavailable")
        assert client.post("/api/predict", json={"strokes": SEVEN}).status_code == 200
    finally:
        postgres.start()
    assert client.post("/api/corrections", json=correction()).status_code == 201
    assert app.extensions["corrections"].count() == 2


def test_the_schema_is_versioned_and_migrated_once(small_model, database):
    make_app(small_model, database)
    make_app(small_model, database)  # a second start migrates nothing
    url = store.database_url(database, "")
    with create_engine(url).connect() as conn:
        versions = conn.execute(store.select(store.schema_version.c.version)).scalars().all()
    assert versions == [store.SCHEMA_VERSION]


def test_export_writes_a_stroke_file_training_reads(small_model, database, tmp_path):
    app = make_app(small_model, database)
    client = app.test_client()
    ids = [
        client.post("/api/corrections", json=correction(label=d)).get_json()["id"] for d in (3, 5)
    ]
    kept = app.extensions["corrections"]
    assert kept.review(ids[1], "accepted") and not kept.review(10**6, "accepted")
    runner = app.test_cli_runner()
    accepted, everything = tmp_path / "accepted.json.gz", tmp_path / "all.json.gz"
    result = runner.invoke(args=["corrections", "export", str(accepted)])
    assert result.exit_code == 0 and "wrote 1 accepted corrections" in result.output
    assert runner.invoke(args=["corrections", "export", str(everything), "--all"]).exit_code == 0
    records = stroke_files.read(accepted)
    assert [(r["label"], r["id"]) for r in records] == [(5, ids[1])]
    assert [r["label"] for r in stroke_files.read(everything)] == [3, 5]
    with gzip.open(everything, "rt") as f:
        assert {"id", "writer", "label", "strokes"} <= set(json.load(f)[0])


def test_not_a_digit_is_kept_reviewed_and_exported_apart(small_model, database, tmp_path):
    app = make_app(small_model, database)
    client = app.test_client()
    for label in (4, "not_a_digit"):
        assert client.post("/api/corrections", json=correction(label=label)).status_code == 201
    kept = app.extensions["corrections"]
    assert [r["label"] for r in kept.export(everything=True)] == [4, "not_a_digit"]
    runner = app.test_cli_runner()
    digits, others = tmp_path / "digits.json.gz", tmp_path / "others.json.gz"
    result = runner.invoke(args=["corrections", "export", str(digits), "--all"])
    assert result.exit_code == 0 and 'left out 1 "not a digit"' in result.output
    # The digits' file is one train.py reads; the others' keeps their label.
    assert [r["label"] for r in stroke_files.read(digits)] == [4]
    args = ["corrections", "export", str(digits), "--all", "--not-digits", str(others)]
    assert runner.invoke(args=args).exit_code == 0
    assert [r["label"] for r in stroke_files.read(others, digits=False)] == ["not_a_digit"]


def test_export_to_a_place_it_cannot_write_is_one_line(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["corrections", "export", str(tmp_path / "no" / "such" / "x.json.gz")]
    )
    assert result.exit_code != 0 and "cannot write" in str(result.exception or result.output)


def test_prune_deletes_what_is_older_than_the_setting(small_model, database):
    app = make_app(small_model, database, CORRECTIONS_KEEP_DAYS=30)
    client = app.test_client()
    client.post("/api/corrections", json=correction())
    kept = app.extensions["corrections"]
    assert kept.prune(30) == 0
    assert kept.prune(30, now=kept_time(kept) + 31 * 86400) == 1
    assert kept.count() == 0
    result = app.test_cli_runner().invoke(args=["corrections", "prune"])
    assert result.exit_code == 0 and "deleted 0 corrections older than 30 days" in result.output


def kept_time(kept):
    [record] = kept.export(everything=True)
    return calendar.timegm(time.strptime(record["created"], "%Y-%m-%dT%H:%M:%SZ"))


def test_a_bad_rate_setting_is_one_clear_error(small_model, tmp_path):
    from webapp.settings import SettingError

    with pytest.raises(SettingError, match="CORRECTIONS_RATE"):
        make_app(small_model, f"sqlite:///{tmp_path / 'c.db'}", CORRECTIONS_RATE="often")


def test_old_corrections_go_at_start_when_a_retention_is_set(small_model, tmp_path):
    database = f"sqlite:///{tmp_path / 'c.db'}"
    app = make_app(small_model, database)
    app.test_client().post("/api/corrections", json=correction())
    engine = create_engine(database)
    with engine.begin() as conn:
        conn.execute(store.update(store.corrections).values(created=0.0))  # from 1970
    engine.dispose()
    assert make_app(small_model, database).extensions["corrections"].count() == 1
    assert (
        make_app(small_model, database, CORRECTIONS_KEEP_DAYS=30).extensions["corrections"].count()
        == 0
    )
