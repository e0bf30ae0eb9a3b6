"""schemathesis fuzzes the API against its own OpenAPI document, with a real token: every
operation, no 5xx, every response as documented, and the linked flow start -> answer -> submit."""

from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from app.extensions import db
from app.models import Attempt
from tests.web.test_api import token_for
from tests.web.test_feedback import with_closed_feedback_round

# Schema-valid input can still break a rule the schema cannot state (an answer that does not fit
# its question, a milestone dated in the future): those are 422s, as on the pages.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_token(app: Flask, make_user) -> str:
    make_user(role="production-manager")
    with_closed_feedback_round(app)  # so /feedback and /export carry real aggregates
    return token_for(app)


@pytest.fixture
def api_schema(app: Flask, api_token: str):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)

    @schema.auth()
    class Bearer:
        """A real personal access token, so schemathesis also knows what valid auth is."""

        def get(self, case, context) -> str:
            return api_token

        def set(self, case, data: str, context) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_its_contract(api_schema, mode):
    """Each operation in turn (one test per mode, so it runs on each database of the suite),
    with every check schemathesis has: valid input is accepted (positive), input the schema
    forbids is refused with a documented 4xx (negative), and no 5xx either way."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @FUZZ
        def keeps_contract(case) -> None:
            case.call_and_validate()

        keeps_contract()


def test_the_linked_flow_keeps_its_contract(app, api_schema):
    api_schema.as_state_machine().run(
        settings=settings(
            max_examples=10,
            # Long enough walks that one reaches start -> answer -> submit whatever the
            # generation draws (its constants come from the modules the worker imported).
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The links were followed: attempts were started and some were submitted.
    with app.app_context():
        statuses = db.session.scalars(sa.select(Attempt.status)).all()
    assert "submitted" in statuses, statuses
