"""Wire tests for KPN Vonage's ttl, client-ref, the inbound header and registering the webhook
for replies, against kpn-vonage-sms.txt and NOTES.md."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import DeliveryStatus, WebhookRequest
from custom_components.benelux_sms.gateways.kpn_vonage import KpnVonageGateway

from .conftest import KPN_CREDENTIALS as CREDENTIALS
from .conftest import calls, outbound, sent

BASE = "https://api-prd.kpn.com/communication/nexmo/"
SEND_URL = BASE + "sms/send"
REGISTER_URL = BASE + "sms/register"
# The document's cURL example: .../communication/nexmo/phone-numbers/number/update
NUMBER_UPDATE_URL = BASE + "phone-numbers/number/update"
CALLBACK = "https://hooks.example.com/api/webhook/abc"
ACCEPTED = {"message-count": "1", "messages": [{"message-id": "13000000AB", "status": "0"}]}

pytestmark = pytest.mark.usefixtures("kpn_token")


def _gateway(session: aiohttp.ClientSession, **kwargs: bool) -> KpnVonageGateway:
    return KpnVonageGateway(session, CREDENTIALS, **kwargs)


def test_capabilities() -> None:
    capabilities = KpnVonageGateway.capabilities
    assert capabilities.validity is True
    assert capabilities.reference is True
    assert capabilities.max_reference_length == 40  # NOTES.md: client-ref (<= 40)
    assert capabilities.inbound_registration is True
    assert capabilities.scheduling is capabilities.voice is False


async def test_ttl_is_valid_for_in_milliseconds_and_client_ref_the_reference(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=ACCEPTED)
    sms = replace(outbound(sender="Benelux"), valid_for=90, reference="alarm-42")

    await _gateway(session).send(sms)

    (call,) = calls(mock, "POST", SEND_URL)
    form = sent(call)["data"]
    assert form["ttl"] == "5400000"  # 90 minutes
    assert form["client-ref"] == "alarm-42"
    assert "inbound" not in call.kwargs["headers"]


async def test_no_ttl_or_client_ref_unless_given(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(SEND_URL, payload=ACCEPTED)
    await _gateway(session).send(outbound(sender="Benelux"))
    form = sent(calls(mock, "POST", SEND_URL)[0])["data"]
    assert "ttl" not in form
    assert "client-ref" not in form


async def test_reference_over_40_characters_is_refused_before_sending(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    sms = replace(outbound(sender="Benelux"), reference="r" * 41)
    with pytest.raises(errors.MessageTooLongError):
        await _gateway(session).send(sms)
    assert calls(mock, "POST", SEND_URL) == []


async def test_inbound_header_while_replies_are_on(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "selecting the yes option in the 'inbound' header of the SMS API"."""
    mock.post(SEND_URL, payload=ACCEPTED)
    await _gateway(session, receive_replies=True).send(outbound(sender="Benelux"))
    (call,) = calls(mock, "POST", SEND_URL)
    assert call.kwargs["headers"]["inbound"] == "yes"
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok"


def test_client_ref_comes_back_in_the_receipt(session: aiohttp.ClientSession) -> None:
    query = {
        "msisdn": "31612345678",
        "messageId": "13000000AB",
        "status": "delivered",
        "client-ref": "alarm-42",
    }
    content = _gateway(session).parse_webhook(WebhookRequest("GET", query, {}, b"", {}))
    (report,) = content.reports
    assert report.status is DeliveryStatus.DELIVERED
    assert report.reference == "alarm-42"


async def test_test_app_registers_with_post_register(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "Edit the parameters by filling out to and callback_url"."""
    mock.post(REGISTER_URL, payload={"message": "Your callback url is registered."})

    await _gateway(session).register_inbound(CALLBACK, number="+31612345678")

    (call,) = calls(mock, "POST", REGISTER_URL)
    assert sent(call)["data"] == {"to": "31612345678", "callback_url": CALLBACK}
    assert call.kwargs["headers"]["Authorization"] == "Bearer tok"


async def test_production_app_updates_its_number_with_mo_http_url(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    """ "-d 'country=NL&msisdn=447700900000&moHttpUrl=https://example.com:webhooks/inbound-sms'"."""
    mock.post(NUMBER_UPDATE_URL, payload={"error-code": "200", "error-code-label": "success"})

    await _gateway(session).register_inbound(CALLBACK, number="+3197012345678", production=True)

    (call,) = calls(mock, "POST", NUMBER_UPDATE_URL)
    assert sent(call)["data"] == {
        "country": "NL",
        "msisdn": "3197012345678",
        "moHttpUrl": CALLBACK,
    }


async def test_number_update_refused_is_an_error(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(NUMBER_UPDATE_URL, payload={"error-code": "420", "error-code-label": "failed"})
    with pytest.raises(errors.GatewayUnavailableError, match="error-code 420"):
        await _gateway(session).register_inbound(CALLBACK, number="+3197012345678", production=True)


@pytest.mark.parametrize("status", [401, 403])
async def test_registration_refused_for_the_app(
    session: aiohttp.ClientSession, mock: aioresponses, status: int
) -> None:
    mock.post(REGISTER_URL, status=status, payload={}, repeat=True)
    with pytest.raises(errors.AuthenticationError):
        await _gateway(session).register_inbound(CALLBACK, number="+31612345678")


@pytest.mark.parametrize("number", ["", "0612345678", "+31 6 12345678"])
async def test_registration_needs_a_number_in_e164(
    session: aiohttp.ClientSession, mock: aioresponses, number: str
) -> None:
    with pytest.raises(errors.InvalidRecipientError):
        await _gateway(session).register_inbound(CALLBACK, number=number)
    assert calls(mock, "POST", REGISTER_URL) == []
