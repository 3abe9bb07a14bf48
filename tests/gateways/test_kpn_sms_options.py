"""Wire tests for KPN SMS's expirein and its sender, against kpn-sms.txt and KPN's spec
(NOTES.md)."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.kpn_sms import KpnSmsGateway

from .conftest import KPN_CREDENTIALS, calls, outbound

SEND_URL = "https://api-prd.kpn.com/communication/kpn/sms/send"
ACCEPTED = {"document_id": "b4e905d4-774c-4c83-8360-01427e17a33a", "status": "OK"}

pytestmark = pytest.mark.usefixtures("kpn_token")


@pytest.fixture
def gateway(session: aiohttp.ClientSession) -> KpnSmsGateway:
    return KpnSmsGateway(session, KPN_CREDENTIALS)


def test_capabilities() -> None:
    assert KpnSmsGateway.capabilities.validity is True
    assert KpnSmsGateway.capabilities.reference is False


async def test_documents_own_sender_goes_out_as_it_is(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    """kpn-sms.txt's payload snippet: "sender": "Demo App"."""
    mock.post(SEND_URL, payload=ACCEPTED)
    await gateway.send(outbound(sender="Demo App"))
    (call,) = calls(mock, "POST", SEND_URL)
    assert call.kwargs["json"]["sender"] == "Demo App"


@pytest.mark.parametrize("sender", ["Demo  App", " Demo", "Demo App 123", "Café"])
async def test_senders_it_cannot_take_are_refused_before_sending(
    gateway: KpnSmsGateway, mock: aioresponses, sender: str
) -> None:
    with pytest.raises(errors.InvalidSenderError):
        await gateway.send(outbound(sender=sender))
    assert calls(mock, "POST", SEND_URL) == []


async def test_expirein_is_valid_for_in_seconds(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    """KPN's spec: "expirein ... a time limit, in seconds", a string ("10")."""
    mock.post(SEND_URL, payload=ACCEPTED)
    await gateway.send(replace(outbound(sender="Demo App"), valid_for=30))
    (call,) = calls(mock, "POST", SEND_URL)
    assert call.kwargs["json"]["expirein"] == "1800"


async def test_no_expirein_unless_asked(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    mock.post(SEND_URL, payload=ACCEPTED)
    await gateway.send(replace(outbound(sender="Demo App"), reference="ignored"))
    (call,) = calls(mock, "POST", SEND_URL)
    assert "expirein" not in call.kwargs["json"]
    assert "ignored" not in str(call.kwargs["json"])  # KPN SMS has no reference field
