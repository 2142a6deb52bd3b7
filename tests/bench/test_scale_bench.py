"""bench.scale, short: two instances behind nginx under load, one killed and restarted, then a
rolling restart onto a new model: answers keep flowing, the killed instance takes traffic again,
and every instance ends up serving the new model."""

import os
import shutil

import pytest

from bench import scale
from tests.server.test_topology import missing_tools


@pytest.fixture()
def needs_the_topology():
    missing_tools()
    if shutil.which("wrk") is None:
        reason = "wrk is not installed (apt-get install wrk)"
        if os.environ.get("DIGITS_REQUIRE_NGINX"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_a_killed_instance_is_back_in_rotation_and_almost_nothing_fails(needs_the_topology):
    args = scale.parse_args(["--instances", "2", "--seconds", "6", "--no-throughput"])
    result = scale.measure(args)
    assert result["requests"] > 100 and result["killed_port"] is not None
    # nginx sends what the killed instance dropped to the other one.
    assert result["failed_share"] <= 0.001
    assert result["back_in_rotation_s"] is not None and result["longest_silence_s"] < 5
    assert set(result["by_kind"]) == {"/api/predict", "/api/explain", "/api/corrections"}


def test_a_rolling_restart_moves_every_instance_to_the_new_model(needs_the_topology):
    args = scale.parse_args(["--instances", "2", "--seconds", "4", "--rolling", "--no-throughput"])
    result = scale.measure(args)
    assert result["all_serve_new"] and len(result["restarts"]) == 2
    assert result["failed"] == 0
