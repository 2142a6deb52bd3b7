"""The app's JSON answers (orjson) hold the same values as the standard library writes."""

import json

import numpy as np

from tests.support.api import SEVEN, read_json


def test_an_answer_is_the_same_json_values_as_the_standard_librarys(app):
    answer = read_json(app.extensions["classifier"], SEVEN)
    written = app.json.dumps(answer)
    assert json.loads(written) == json.loads(json.dumps(answer))
    assert list(json.loads(written)) == sorted(answer)  # keys sorted, as Flask's own provider


def test_what_orjson_cannot_write_is_written_by_the_standard_library(app):
    assert json.loads(app.json.dumps({"n": 10**30, "x": 0.5})) == {"n": 10**30, "x": 0.5}


def test_numpy_values_are_written_as_numbers(app):
    assert json.loads(app.json.dumps({"p": np.float32(0.5), "a": np.arange(3)})) == {
        "p": 0.5,
        "a": [0, 1, 2],
    }


def test_a_response_is_compact_json_with_a_newline(client):
    response = client.get("/api/health")
    assert response.mimetype == "application/json"
    assert response.data.endswith(b"}\n") and b": " not in response.data


def test_a_layout_asked_for_is_flasks_own(app):
    written = app.json.dumps({"b": 1, "a": 2}, indent=2)
    assert written == '{\n  "a": 2,\n  "b": 1\n}'
