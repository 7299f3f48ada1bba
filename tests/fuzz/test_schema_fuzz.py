"""Schema fuzzing of the REST face: schemathesis draws requests for every operation of
gen/openapi/erp.openapi.json and sends them, authenticated, through each edge of the fuzz mesh.

Every answer must be no 5xx, a status code, content type and body the contract documents, DESIGN.md's
error body for every error, and must come within REQUEST_TIMEOUT. ERP_FUZZ_EXAMPLES sets the examples
per operation (`make fuzz`: 200).
"""
from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis.errors import Flaky
from schemathesis.engine.errors import is_inconsistent_replay
from schemathesis.core.failures import FailureGroup

from tests.support import EDGES
from tests.support.fuzz import (
    EXAMPLES,
    FUZZ_SETTINGS,
    REQUEST_TIMEOUT,
    SCENARIOS,
    checks_for,
    count,
    load_schema,
    load_spec,
)

SPEC = load_spec()
SCHEMA = load_schema()


def _base_url(mesh, edge: str) -> str:
    return f"http://{mesh.edge_addr if edge == 'envoy' else mesh.gateway_addr}"


@pytest.mark.parametrize("edge", EDGES)
@SCHEMA.parametrize()
@FUZZ_SETTINGS
def test_operation_answers_as_documented(case, edge, fuzz_mesh, guard):
    headers = guard.headers_for(case)
    response = case.call(base_url=_base_url(fuzz_mesh, edge), headers=headers, timeout=REQUEST_TIMEOUT)
    count(edge, "stateless", case, response)
    case.validate_response(response, checks=checks_for(case, SPEC), headers=headers)


@pytest.mark.parametrize("edge", EDGES)
def test_linked_operations_answer_as_documented(edge, fuzz_mesh, guard):
    """Scenarios along the links (tests.support.fuzz._links): a create, then reads, edits, deletes and
    undeletes of what it made, and creates of children under it, with the same checks on every step.

    Which steps a scenario can take depends on what the server answered before (a link is followed
    only from a 200), so Hypothesis, which expects the same choices to draw the same steps, meets a
    changed database sooner or later and gives up with a Flaky error. So a failure is recorded rather
    than raised (a replay of it would end the same way and hide it), and after a Flaky error the
    machine starts afresh until the scenario budget is spent, as schemathesis' own runner does."""
    base_url = _base_url(fuzz_mesh, edge)
    failures: list[str] = []
    scenarios = max(EXAMPLES * 4, 20)

    class Scenario(SCHEMA.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": base_url, "headers": guard.headers_for(case), "timeout": REQUEST_TIMEOUT}

        def call(self, case, **kwargs):
            try:
                return super().call(case, **kwargs)
            except Exception as exc:
                failures.append(f"{case.operation.label}: {exc!r}")
                raise

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            count(edge, "stateful", case, response)
            try:
                case.validate_response(response, checks=checks_for(case, SPEC), headers=kwargs["headers"],
                                       transport_kwargs=kwargs, recorder=getattr(self, "recorder", None))
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{case.operation.label}: {exc}")

        def teardown(self):
            SCENARIOS[edge] += 1
            super().teardown()

    try:
        for _ in range(scenarios):  # every run ends at least one scenario; the bound is a backstop
            if SCENARIOS[edge] >= scenarios:
                break
            try:
                Scenario.run(settings=settings(FUZZ_SETTINGS, max_examples=scenarios - SCENARIOS[edge],
                                               stateful_step_count=10))
                break
            except Exception as exc:
                if not (isinstance(exc, Flaky) or is_inconsistent_replay(exc)):
                    raise
    finally:
        assert not failures, f"{len(failures)} failing steps; the first:\n\n" + "\n\n".join(failures[:3])
