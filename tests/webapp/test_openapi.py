"""The API's contract: /api/openapi.json says what the API takes and answers, and the API keeps
to it under Schemathesis's generated requests."""

import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from harness.server import start_server, stop_server
from tests.support.api import SEVEN
from webapp import create_app
from webapp import settings as app_settings


@pytest.fixture(scope="module")
def contract_app(small_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    return create_app(
        {
            "TESTING": True,
            "MODEL_PATH": str(small_model),
            "DATABASE_URL": f"sqlite:///{folder / 'corrections.db'}",
            # The fuzzer sends many corrections from one address: no 429 in its way.
            "CORRECTIONS_RATE": "100000 per minute",
        }
    )


@pytest.fixture(scope="module")
def api_schema(contract_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", contract_app)


@pytest.fixture(scope="module")
def live_server(small_model):
    """The production server (python -m webapp), for requests over real HTTP connections."""
    proc, base = start_server(model=small_model, workers=1)
    yield proc, base
    stop_server(proc)


@pytest.fixture(scope="module")
def live_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server[1]}/api/openapi.json")


@pytest.fixture(scope="module")
def live_session():
    with requests.Session() as session:
        yield session


def test_the_document_states_the_limits_validation_enforces(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    body = document["paths"]["/api/predict"]["post"]["requestBody"]["content"]
    strokes = body["application/json"]["schema"]["oneOf"][0]["properties"]["strokes"]
    assert strokes["maxItems"] == app_settings.BY_NAME["MAX_STROKES"].default
    limited = create_app(
        {"TESTING": True, "MAX_STROKES": 7, "MODEL_PATH": client.application.config["MODEL_PATH"]}
    )
    limited_document = limited.test_client().get("/api/openapi.json").get_json()
    limited_body = limited_document["paths"]["/api/predict"]["post"]["requestBody"]["content"]
    assert (
        limited_body["application/json"]["schema"]["oneOf"][0]["properties"]["strokes"]["maxItems"]
        == 7
    )


def validator(document, name):
    """A JSON Schema validator for one of the document's component schemas."""
    schema = {**document["components"]["schemas"][name], "$defs": {}}
    resolved = {"components": document["components"], **schema}
    return jsonschema_rs.validator_for(resolved)


@pytest.mark.parametrize(
    "path,name",
    [("/api/predict", "Answer"), ("/api/explain", "Explained")],
)
def test_real_answers_keep_to_the_contract(client, path, name):
    document = client.get("/api/openapi.json").get_json()
    check = validator(document, name)
    error = validator(document, "Error")
    one = [[10, 10], [10, 120]]
    for strokes in ([], SEVEN, [one, [[60, 10], [60, 120]]]):
        response = client.post(path, json={"strokes": strokes})
        assert response.status_code == 200
        check.validate(response.get_json())
    refused = client.post(path, json={"strokes": "a seven"})
    assert refused.status_code == 400
    error.validate(refused.get_json())


schema = schemathesis.pytest.from_fixture("api_schema")
# Hypothesis's settings for both fuzz tests: no deadline (the model's first call is slow), and
# none of its health checks (a schema's strategies are large and slow to draw by design).
FUZZ = {"deadline": None, "suppress_health_check": list(HealthCheck)}


@schema.parametrize()
@settings(max_examples=25, **FUZZ)
def test_generated_requests_get_answers_the_contract_allows(case):
    """Schemathesis draws requests from the document, valid and not: never a 5xx, every
    answer in the shape the document gives its status, invalid requests refused.

    Left out: that every schema-valid request succeeds. A data URL's bytes must also be a real
    image, which no schema can say: a valid-looking one that does not decode is rightly a 400.
    """
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


live = schemathesis.pytest.from_fixture("live_schema")


@live.parametrize()
@settings(max_examples=10, **FUZZ)
def test_the_production_server_keeps_the_contract_over_http(case, live_server, live_session):
    """The same over keep-alive HTTP connections to the production server: an answer within 10 s
    (a hang raises), never a 5xx, the server still up after each request."""
    proc, base = live_server
    case.call_and_validate(
        base_url=base,
        session=live_session,
        timeout=10,
        excluded_checks=[positive_data_acceptance],
    )
    assert proc.poll() is None
