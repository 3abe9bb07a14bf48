"""What every wire test uses: a real aiohttp session whose requests aioresponses answers, the
public calls of each gateway client (``OPS``) and the helpers that read what went out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from _pytest.mark import ParameterSet
from aiohttp.payload import BytesPayload
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    Encoding,
    Gateway,
    OutboundSms,
)
from custom_components.benelux_sms.sms import count_segments

KPN_CREDENTIALS = {"client_id": "kpn-app-id", "client_secret": "kpn-app-secret-0123456789"}
KPN_TOKEN_REQUEST = (
    "https://api-prd.kpn.com/oauth/client_credential/accesstoken?grant_type=client_credentials"
)
CREDENTIALS: dict[str, dict[str, str]] = {
    "smsbox": {"api_key": "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuV"},
    "sms1601": {"username": "Jansen-BV", "password": "Kn8#wq!Zp4 tR"},
    "smsservicecenter": {"api_key": "sk_test_Zq8wJ3vKp2Lx9RtY7mNb4Hc6"},
    "kpn_sms": KPN_CREDENTIALS,
    "kpn_vonage": KPN_CREDENTIALS,
}
"""An account of each gateway, for the suites over all of them."""
NUMBER = "+31612345678"
"""The recipient of a message that names none: Dutch, so every gateway serves it."""


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
def kpn_token(mock: aioresponses) -> None:
    """KPN's token endpoint hands out a token to every request the test makes."""
    mock_kpn_token(mock)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The session the gateway is built with, as Home Assistant would hand it in."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def outbound(
    *recipients: str,
    text: str = "Hallo",
    sender: str | None = None,
    encoding: Encoding | None = None,
    segments: int | None = None,
    report_url: str | None = None,
) -> OutboundSms:
    """A message as the integration hands it over: alphabet and parts counted from the text
    unless given."""
    counted = count_segments(text)
    return OutboundSms(
        recipients=recipients or (NUMBER,),
        text=text,
        sender=sender,
        encoding=encoding or counted.encoding,
        segments=segments or counted.segments,
        report_url=report_url,
    )


def mobile_numbers(count: int, prefix: str = "+316") -> tuple[str, ...]:
    """``count`` different mobile numbers of 11 digits that start with ``prefix``, in order."""
    return tuple(f"{prefix}{index:0{12 - len(prefix)}d}" for index in range(count))


def calls(mock: aioresponses, method: str, url: str) -> list[RequestCall]:
    """The requests made to one URL (its query included), in order."""
    return list(mock.requests.get((method, URL(url)), []))


def decoded(body: object) -> object:
    """A recorded request body as its fields: a form body's as a dict; JSON and None as given.

    Form bodies go out encoded (bytes with their Content-Type); this reads them back.
    """
    if not isinstance(body, BytesPayload):
        return body
    assert body.content_type == "application/x-www-form-urlencoded"
    pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
    fields = dict(pairs)
    assert len(fields) == len(pairs), "a form field sent twice"
    return fields


def sent(call: RequestCall) -> dict[str, Any]:
    """A recorded request's arguments, its form body (``data``) decoded into its fields."""
    return {**call.kwargs, "data": decoded(call.kwargs.get("data"))}


def all_calls(mock: aioresponses) -> list[tuple[str, URL]]:
    """Every request made, as (method, URL), grouped by URL in the order each was first asked."""
    return [key for key, made in mock.requests.items() for _ in made]


def assert_raised(
    raised: pytest.ExceptionInfo[errors.GatewayError],
    expected: errors.GatewayError,
    *,
    send: bool = False,
) -> None:
    """The error is the expected one: its class, code and text.

    A send that may have gone out (an unavailability not certainly unsent) raises
    OutcomeUnknownError; every other call, and a send certainly not sent, the error itself.
    """
    if send and type(expected) is errors.GatewayUnavailableError and not expected.not_sent:
        assert type(raised.value) is errors.OutcomeUnknownError
    else:
        assert type(raised.value) is type(expected)
        if isinstance(expected, errors.GatewayUnavailableError):
            assert raised.value.not_sent is expected.not_sent  # type: ignore[attr-defined]
    assert raised.value.code == expected.code
    assert str(raised.value) == str(expected)


# --- the public calls of every gateway -------------------------------------------------------

SMSBOX = "https://core.smsbox.be/api/v1/"
SMS1601 = "http://217.19.227.48/module/"
SSC = "https://www.smsservicecenter.nl/api/v2/"
KPN_SMS_SEND = "https://api-prd.kpn.com/communication/kpn/sms/send"
VONAGE_SEND = "https://api-prd.kpn.com/communication/nexmo/sms/send"


def sms1601_report_url(message_id: str) -> str:
    """``gatewayrapport.php`` asked for one message, its query as aioresponses records it."""
    return f"{SMS1601}gatewayrapport.php?datum=ja&smsid={message_id}"


async def _send(gateway: Gateway) -> object:
    return await gateway.send(outbound(sender="HomeAlarm"))


async def _credits(gateway: Gateway) -> object:
    return await gateway.get_credits()


async def _validate(gateway: Gateway) -> object:
    await gateway.validate_credentials()
    return None


async def _poll(gateway: Gateway) -> object:
    return await gateway.get_delivery_reports(["1", "2", "3"])


def _nothing(mock: aioresponses) -> None:
    """No request comes before the call's own."""


def _sms1601_other_reports(mock: aioresponses) -> None:
    """Message 1 is asked before the call's own (2), message 3 after it."""
    for message_id in ("1", "3"):
        mock.get(sms1601_report_url(message_id), body="DELIVERED", content_type="text/html")


@dataclass(frozen=True)
class Op:
    """One public call of a gateway client and the request it makes."""

    provider: str
    name: str
    run: Callable[[Gateway], Awaitable[object]]
    method: str
    url: str
    ok: Mapping[str, Any]
    """A reply the call takes, as aioresponses arguments."""
    prepare: Callable[[aioresponses], None] = _nothing
    """Answers the requests that the call makes around its own."""
    before: tuple[tuple[str, str], ...] = ()
    """The requests made before the call's own (KPN's token; 1601SMS's report of message 1)."""
    after: tuple[tuple[str, str], ...] = ()
    """The requests made after the call's own when that succeeds (1601SMS's report of 3)."""
    json: bool = True
    """The reply is a JSON object."""
    credentials_sent: bool = True
    """A 401/403 refuses the credentials (1601SMS's report URL gets none)."""
    renews_token: bool = False
    """A 401 makes the call fetch a new KPN token and repeat once."""

    @property
    def param(self) -> ParameterSet:
        return pytest.param(self, id=f"{self.provider}-{self.name}")


def _kpn_send(provider: str, url: str, ok: Mapping[str, Any]) -> Op:
    return Op(
        provider,
        "send",
        _send,
        "POST",
        url,
        ok,
        prepare=mock_kpn_token,
        before=(("POST", KPN_TOKEN_REQUEST),),
        renews_token=True,
    )


def _kpn_validate(provider: str) -> Op:
    token = {"payload": {"access_token": "tok", "expires_in": "3599"}}
    return Op(provider, "validate", _validate, "POST", KPN_TOKEN_REQUEST, token)


_SMSBOX_SENT = {"payload": {"code": 100, "message": [{"number": NUMBER[1:], "msgid": 1}]}}
_SMS1601_SEND = SMS1601 + "gateway.php?delivery=ja"
_SMS1601_CREDITS = SMS1601 + "gateway.php?action=credits"
_SMSBOX_BALANCE = {"payload": {"code": 100, "message": "7"}}
_SSC_SENT = {"payload": {"status": "success", "details": {"messageid": "f89d33b3"}}}
_SSC_CREDITS = {"payload": {"status": "success", "details": 3}}
_VONAGE_SENT = {"payload": {"messages": [{"status": "0", "message-id": "0C00"}]}}

OPS: tuple[Op, ...] = (
    Op("smsbox", "send", _send, "POST", SMSBOX + "sendsms", _SMSBOX_SENT),
    Op("smsbox", "credits", _credits, "GET", SMSBOX + "balance", _SMSBOX_BALANCE),
    Op("smsbox", "validate", _validate, "GET", SMSBOX + "auth", {"payload": {"code": 10}}),
    Op("sms1601", "send", _send, "POST", _SMS1601_SEND, {"body": "OK 7"}, json=False),
    Op("sms1601", "credits", _credits, "POST", _SMS1601_CREDITS, {"body": "5"}, json=False),
    Op("sms1601", "validate", _validate, "POST", _SMS1601_CREDITS, {"body": "5"}, json=False),
    Op(
        "sms1601",
        "reports",
        _poll,
        "GET",
        sms1601_report_url("2"),
        {"body": "DELIVERED", "content_type": "text/html"},
        prepare=_sms1601_other_reports,
        before=(("GET", sms1601_report_url("1")),),
        after=(("GET", sms1601_report_url("3")),),
        json=False,
        credentials_sent=False,
    ),
    Op("smsservicecenter", "send", _send, "POST", SSC + "send", _SSC_SENT),
    Op("smsservicecenter", "credits", _credits, "GET", SSC + "credits", _SSC_CREDITS),
    Op("smsservicecenter", "validate", _validate, "GET", SSC + "credits", _SSC_CREDITS),
    _kpn_send("kpn_sms", KPN_SMS_SEND, {"payload": {"document_id": "b4e9", "status": "OK"}}),
    _kpn_validate("kpn_sms"),
    _kpn_send("kpn_vonage", VONAGE_SEND, _VONAGE_SENT),
    _kpn_validate("kpn_vonage"),
)
"""Every public call that makes a request: send; credits, where the gateway has them;
validate_credentials; report polling, where it exists."""


def ops(provider: str | None = None, *names: str) -> list[ParameterSet]:
    """The calls of one gateway (all gateways when None), or only those named, as parameters."""
    return [
        op.param
        for op in OPS
        if provider in (None, op.provider) and (not names or op.name in names)
    ]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """The gateway clients are no Home Assistant code: no Home Assistant is started for them."""
