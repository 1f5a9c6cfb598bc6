"""Fixtures for the end-to-end tests: one real gateway per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gateway_process import Gateway, GatewayProcess, gateway_binary
from providers import ALIASES


@pytest.fixture(scope="session")
def gateway_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    process = GatewayProcess(gateway_binary(), tmp_path_factory.mktemp("switchboard"))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def gateway(gateway_process: GatewayProcess) -> Gateway:
    try:
        return gateway_process.start()
    except RuntimeError as e:
        problem = str(e)
    # Outside the except block, so the report shows the message once, not a chained traceback.
    pytest.fail(problem, pytrace=False)


@pytest.fixture(params=ALIASES)
def model(request: pytest.FixtureRequest) -> str:
    """Each alias in turn: a test that takes it runs through every provider's translator."""
    return request.param
