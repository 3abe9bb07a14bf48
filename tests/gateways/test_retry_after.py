"""A 429 tells how long to wait: Retry-After in seconds or as an HTTP date, or KPN's own header."""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways import TokenStore
from custom_components.benelux_sms.gateways.base import RateLimitedError

from .send_wire import WIRES, SendWire, sms

NOW = 1893456000.0
"""2030-01-01 00:00:00 UTC on the store's wall clock."""


@pytest.fixture(params=WIRES, ids=str)
def wire(request: pytest.FixtureRequest, mock: aioresponses) -> SendWire:
    result: SendWire = request.param
    result.prepare(mock)
    return result


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        pytest.param({"Retry-After": "120"}, 120.0, id="seconds"),
        pytest.param({"Retry-After": " 7 "}, 7.0, id="seconds-spaced"),
        pytest.param({"Retry-After": "Tue, 01 Jan 2030 00:01:30 GMT"}, 90.0, id="http-date"),
        pytest.param({"Retry-After": "Tuesday, 01-Jan-30 00:02:00 GMT"}, 120.0, id="rfc850-date"),
        pytest.param({"Retry-After": "Mon, 31 Dec 2029 23:00:00 GMT"}, 0.0, id="date-passed"),
        pytest.param({"Retry-After": "-5"}, None, id="negative"),
        pytest.param({"Retry-After": "soon"}, None, id="garbage"),
        pytest.param({"Retry-After": ""}, None, id="empty"),
        pytest.param({}, None, id="absent"),
    ],
)
async def test_retry_after_on_every_gateway(
    session: aiohttp.ClientSession,
    mock: aioresponses,
    wire: SendWire,
    headers: dict[str, str],
    retry_after: float | None,
) -> None:
    store = TokenStore(wall_clock=lambda: NOW)
    gateway = wire.gateway_class(session, wire.credentials, token_store=store)
    mock.post(wire.url, status=429, headers=headers, body="Too Many Requests")

    with pytest.raises(RateLimitedError) as raised:
        await gateway.send(sms())

    assert raised.value.code == "429"
    assert raised.value.retry_after == retry_after


async def test_kpn_quota_reset_before_retry_after(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    kpn = next(w for w in WIRES if w.gateway_class.provider == "kpn_vonage")
    kpn.prepare(mock)
    gateway = kpn.gateway_class(
        session, kpn.credentials, token_store=TokenStore(wall_clock=lambda: NOW)
    )
    reset = {"quota-reset-UTC": "2030-01-01T00:00:45Z", "Retry-After": "120"}
    mock.post(kpn.url, status=429, headers=reset)

    with pytest.raises(RateLimitedError) as raised:
        await gateway.send(sms())

    assert raised.value.retry_after == 45.0
