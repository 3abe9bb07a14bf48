"""Wire tests for SMS Service Center's test mode, against smsservicecenter.txt and NOTES.md."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways.smsservicecenter import (
    CONF_API_KEY,
    SmsServiceCenterGateway,
)

from .conftest import calls, mobile_numbers, outbound, sent

SEND_URL = "https://www.smsservicecenter.nl/api/v2/send"


def _gateway(session: aiohttp.ClientSession, **kwargs: Any) -> SmsServiceCenterGateway:
    return SmsServiceCenterGateway(session, {CONF_API_KEY: "sk_test_key"}, **kwargs)


def _reply(testmode: object) -> dict[str, Any]:
    """The document's example reply: "details": {"messageid": "...", "testmode": true}."""
    return {
        "status": "success",
        "details": {"messageid": "f89d33b3-da08-40fe-b4be-182a381b8e77", "testmode": testmode},
    }


def test_capabilities() -> None:
    assert SmsServiceCenterGateway.capabilities.test_mode is True


async def test_test_mode_goes_on_the_send(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """NOTES.md: "POST send accepts ... testmode (bool; test sends return a random id)"."""
    mock.post(SEND_URL, payload=_reply(True))

    receipt = await _gateway(session, test_mode=True).send(outbound())

    (call,) = calls(mock, "POST", SEND_URL)
    assert sent(call)["json"]["testmode"] is True
    assert receipt.test is True


async def test_no_testmode_field_without_test_mode(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_reply(False))
    receipt = await _gateway(session).send(outbound())
    assert "testmode" not in sent(calls(mock, "POST", SEND_URL)[0])["json"]
    assert receipt.test is False


@pytest.mark.parametrize("testmode", [False, None, "true", 1])
async def test_only_the_reply_flag_true_makes_a_test(
    session: aiohttp.ClientSession, mock: aioresponses, testmode: object
) -> None:
    """Asked for a test but the reply does not say testmode: true: it may have gone out."""
    mock.post(SEND_URL, payload=_reply(testmode))
    receipt = await _gateway(session, test_mode=True).send(outbound())
    assert receipt.test is False


async def test_a_test_reply_is_a_test_even_unasked(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """A reply that says testmode: true sent nothing, whatever was asked: no usage counted."""
    mock.post(SEND_URL, payload=_reply(True))
    assert (await _gateway(session).send(outbound())).test is True


async def test_every_batch_must_be_a_test(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=_reply(True))
    mock.post(SEND_URL, payload=_reply(False))
    receipt = await _gateway(session, test_mode=True).send(outbound(*mobile_numbers(51)))
    assert len(calls(mock, "POST", SEND_URL)) == 2
    assert receipt.test is False
