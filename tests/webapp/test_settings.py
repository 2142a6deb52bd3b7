"""The app's settings: one table; defaults, then DIGITS_ variables, then the caller's config or
the server's flags.
"""

import pytest

from tests.support.data import ROOT
from webapp import __main__ as server
from webapp import create_app, settings


def test_defaults_then_environment_then_config(small_model, monkeypatch):
    monkeypatch.setenv("DIGITS_MODEL_PATH", str(small_model))
    monkeypatch.setenv("DIGITS_MAX_STROKES", "5")
    monkeypatch.setenv("DIGITS_MAX_POINTS", "70")
    app = create_app({"MAX_POINTS": 60})
    # the caller's config wins
    assert app.config["MAX_STROKES"] == 5 and app.config["MAX_POINTS"] == 60
    assert app.config["MAX_IMAGE_PIXELS"] == settings.BY_NAME["MAX_IMAGE_PIXELS"].default
    assert app.extensions["classifier"].info["name"] == "small"
    client = app.test_client()
    too_many = client.post("/api/predict", json={"strokes": [[[i, i]] for i in range(6)]})
    assert (
        too_many.status_code == 400 and too_many.get_json()["error"]["code"] == "too_many_strokes"
    )


@pytest.mark.parametrize(
    "environ,needle",
    [
        (
            {"DIGITS_MAX_POINTS": "many"},
            "MAX_POINTS (DIGITS_MAX_POINTS) must be a whole number, got 'many'",
        ),
        ({"DIGITS_MAX_STROKES": "0"}, "MAX_STROKES (DIGITS_MAX_STROKES) must be at least 1, got 0"),
        ({"DIGITS_HOST": ""}, "HOST (--host or DIGITS_HOST) must be a non-empty string"),
    ],
)
def test_a_bad_environment_setting_is_refused_by_name(small_model, monkeypatch, environ, needle):
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(settings.SettingError) as info:
        create_app({"MODEL_PATH": str(small_model)})
    assert str(info.value).startswith(needle)


def test_a_bad_config_value_is_refused(small_model):
    with pytest.raises(settings.SettingError, match="MAX_CONTENT_LENGTH .* whole number, got True"):
        create_app({"MODEL_PATH": str(small_model), "MAX_CONTENT_LENGTH": True})


def test_server_flags_map_onto_the_settings():
    # nothing given: the app's defaults and DIGITS_ variables decide
    assert server.parse_args([]) == {}
    given = server.parse_args(
        [
            "--port",
            "8123",
            "--host",
            "0.0.0.0",
            "--workers",
            "3",
            "--threads",
            "4",
            "--model",
            "m.safetensors",
        ]
    )
    assert given == {
        "PORT": 8123,
        "HOST": "0.0.0.0",
        "WORKERS": 3,
        "THREADS": 4,
        "MODEL_PATH": "m.safetensors",
    }
    assert {s.flag for s in settings.SETTINGS if s.flag} == {
        "--port",
        "--host",
        "--workers",
        "--threads",
        "--read-timeout",
        "--model",
    }


def test_the_readme_table_is_the_settings_table():
    readme = (ROOT / "README.md").read_text()
    table = settings.markdown_table()
    assert table in readme, "README's settings table is out of date; it should read:\n" + table
