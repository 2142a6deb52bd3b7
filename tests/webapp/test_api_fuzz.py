"""Whatever a client sends, the API answers an answer or a 4xx in the one error shape: never a
500, never HTML.
"""

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.api import assert_error

# Numbers as clients really send them, and as they should not: huge, tiny, negative, non-finite.
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30),
    # Integers too large for a float: JSON has no limit on a number's digits.
    st.integers(10**308, 10**420),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e6, 1e6),
)
ANYTHING = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
POINT = st.one_of(st.tuples(NUMBERS, NUMBERS).map(list), st.lists(NUMBERS, max_size=4), ANYTHING)
STROKES = st.lists(st.lists(POINT, max_size=30), max_size=14)
# Drawings that are valid, but odd: dots, one point, many strokes, far-flung or huge coordinates.
# Every finite float: +-1e308 apart, and drawings spanning a subnormal.
COORD = st.one_of(
    st.floats(0, 500),
    st.floats(-1e12, 1e12),
    st.integers(0, 10),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1e-300, 1e-300),
)
DRAWINGS = st.fixed_dictionaries(
    {
        "strokes": st.lists(
            st.lists(st.tuples(COORD, COORD).map(list), min_size=1, max_size=30), max_size=40
        )
    },
    optional={"digit": st.one_of(st.integers(-3, 15), ANYTHING)},
)
BODIES = st.one_of(
    ANYTHING,
    DRAWINGS,
    st.fixed_dictionaries(
        {"strokes": STROKES}, optional={"width": NUMBERS, "height": NUMBERS, "digit": ANYTHING}
    ),
    st.fixed_dictionaries(
        {
            "image": st.one_of(
                st.text(max_size=40),
                st.text(max_size=40).map(lambda t: "data:image/png;base64," + t),
            )
        }
    ),
)
ONE_EXAMPLE_AT_A_TIME = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def check(response):
    # pytest --hypothesis-show-statistics: how many got how far
    event(f"HTTP {response.status_code}")
    if response.status_code == 200:
        assert response.mimetype == "application/json" and "verdict" in response.get_json()
    else:
        assert 400 <= response.status_code < 500, response.data[:300]
        assert_error(response, response.status_code)


@pytest.mark.parametrize("path", ["/api/predict", "/api/explain"])
@ONE_EXAMPLE_AT_A_TIME
@given(body=BODIES)
def test_any_json_body_gets_an_answer_or_a_clear_error(client, path, body):
    # allow_nan: Python's JSON reader takes NaN and Infinity, so clients can send them.
    check(client.post(path, data=json.dumps(body, allow_nan=True), content_type="application/json"))


@ONE_EXAMPLE_AT_A_TIME
@given(
    raw=st.binary(max_size=200),
    kind=st.sampled_from(["application/json", "text/plain", "image/png"]),
)
def test_any_bytes_get_an_answer_or_a_clear_error(client, raw, kind):
    check(client.post("/api/predict", data=raw, content_type=kind))


@ONE_EXAMPLE_AT_A_TIME
@given(
    mode=st.sampled_from(["1", "L", "LA", "P", "RGB", "RGBA", "I;16"]),
    width=st.integers(1, 80),
    height=st.integers(1, 80),
    seed=st.integers(0, 2**32 - 1),
    as_file=st.booleans(),
)
def test_any_small_picture_gets_an_answer_or_a_clear_error(
    client, mode, width, height, seed, as_file
):
    import io

    import numpy as np
    from PIL import Image

    from harness.images import png_data_url

    noise = np.random.default_rng(seed).integers(0, 256, (height, width), dtype=np.uint8)
    image = Image.fromarray(noise).convert(mode)  # I;16: a 16-bit PNG, as scanners write
    if as_file:
        buf = io.BytesIO()
        image.save(buf, "PNG")
        check(
            client.post(
                "/api/predict",
                data={"image": (io.BytesIO(buf.getvalue()), "picture")},
                content_type="multipart/form-data",
            )
        )
    else:
        check(client.post("/api/predict", json={"image": png_data_url(image.convert("RGBA"))}))


@ONE_EXAMPLE_AT_A_TIME
@given(
    depth=st.integers(1, 20_000),
    where=st.sampled_from(["body", "strokes", "digit"]),
)
def test_json_nested_as_deep_as_a_body_allows_is_answered(client, depth, where):
    """Python's JSON parser recurses once per level: thousands of levels are a 400, not a 500."""
    nested = "[" * depth + "]" * depth
    body = {
        "body": nested,
        "strokes": '{"strokes": ' + nested + "}",
        "digit": '{"strokes": [[[0, 0], [1, 1]]], "digit": ' + nested + "}",
    }[where]
    for path in ("/api/predict", "/api/explain"):
        check(client.post(path, data=body, content_type="application/json"))
