"""What every wire test uses: a real aiohttp session whose requests aioresponses answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aioresponses import aioresponses


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
