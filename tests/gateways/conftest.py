"""What every wire test uses: a real aiohttp session whose requests aioresponses answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aioresponses import aioresponses

KPN_CREDENTIALS = {"client_id": "kpn-app-id", "client_secret": "kpn-app-secret-0123456789"}
KPN_TOKEN_REQUEST = (
    "https://api-prd.kpn.com/oauth/client_credential/accesstoken?grant_type=client_credentials"
)


def mock_kpn_token(mocked: aioresponses) -> None:
    """Let KPN's token endpoint hand out a token for as long as the test runs."""
    mocked.post(
        KPN_TOKEN_REQUEST, payload={"access_token": "tok", "expires_in": "3599"}, repeat=True
    )


@pytest.fixture
def mock() -> Iterator[aioresponses]:
    """Answer every request the test's gateway makes; record them."""
    with aioresponses() as mocked:
        yield mocked


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The session the gateway is built with, as Home Assistant would hand it in."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session
