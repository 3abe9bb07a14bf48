"""Each gateway's send on the wire, as its document shows it: for tests of every gateway's send."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from aioresponses import aioresponses

from custom_components.benelux_sms.gateways import (
    Gateway,
    KpnSmsGateway,
    KpnVonageGateway,
    Sms1601Gateway,
    SmsBoxGateway,
    SmsServiceCenterGateway,
)
from custom_components.benelux_sms.gateways.base import Encoding, OutboundSms

from .conftest import KPN_CREDENTIALS, mock_kpn_token

type Reply = dict[str, Any]
"""Keyword arguments of ``aioresponses.add``: ``status``, ``payload``, ``body``, ..."""


@dataclass(frozen=True)
class SendWire:
    """A gateway, the URL its send posts to, and replies in its own words."""

    gateway_class: type[Gateway]
    credentials: dict[str, str]
    url: str
    accepted: Callable[[Sequence[str], str], Reply]
    """The reply that takes these recipients, with this message id."""
    no_credits: Reply
    """The gateway's own "not enough credits" reply."""
    html_code: str
    """The code of the error a 200 with an HTML body gives."""
    batch: int
    """Recipients per request."""

    def gateway(self, session: aiohttp.ClientSession) -> Gateway:
        return self.gateway_class(session, self.credentials)

    def prepare(self, mock: aioresponses) -> None:
        """Mock what the send needs before it posts (KPN's token)."""
        if self.credentials is KPN_CREDENTIALS:
            mock_kpn_token(mock)

    def __str__(self) -> str:
        return self.gateway_class.provider


def _ssc_accepted(recipients: Sequence[str], message_id: str) -> Reply:
    return {"payload": {"status": "success", "details": {"messageid": message_id}}}


def _smsbox_accepted(recipients: Sequence[str], message_id: str) -> Reply:
    entries = [{"number": r.removeprefix("+"), "msgid": f"{message_id}-{r}"} for r in recipients]
    return {"payload": {"code": 100, "message": entries}}


def _sms1601_accepted(recipients: Sequence[str], message_id: str) -> Reply:
    return {"body": f"OK {message_id}"}


def _kpn_sms_accepted(recipients: Sequence[str], message_id: str) -> Reply:
    return {"payload": {"document_id": message_id, "status": "OK"}}


def _vonage_accepted(recipients: Sequence[str], message_id: str) -> Reply:
    part = {"status": "0", "message-id": message_id, "remaining-balance": "9.5"}
    return {"payload": {"message-count": "1", "messages": [part]}}


WIRES = (
    SendWire(
        SmsServiceCenterGateway,
        {"api_key": "ssc-key-0123456789"},
        "https://www.smsservicecenter.nl/api/v2/send",
        _ssc_accepted,
        {"payload": {"status": "credits.error", "message": "Not enough credits"}},
        "invalid_json",
        50,
    ),
    SendWire(
        SmsBoxGateway,
        {"api_key": "smsbox-key-0123456789"},
        "https://core.smsbox.be/api/v1/sendsms",
        _smsbox_accepted,
        {"payload": {"code": 10, "message": "Not enough credits"}},
        "invalid_json",
        500,
    ),
    SendWire(
        Sms1601Gateway,
        {"username": "klant", "password": "pw-0123456789"},
        "http://217.19.227.48/module/gateway.php?delivery=ja",
        _sms1601_accepted,
        {"body": "ERROR 108"},
        "unexpected_reply",
        100,
    ),
    SendWire(
        KpnSmsGateway,
        KPN_CREDENTIALS,
        "https://api-prd.kpn.com/communication/kpn/sms/send",
        _kpn_sms_accepted,
        {"status": 400, "payload": {"errorResponse": {"code": "400", "message": "No credit"}}},
        "invalid_json",
        200,
    ),
    SendWire(
        KpnVonageGateway,
        KPN_CREDENTIALS,
        "https://api-prd.kpn.com/communication/nexmo/sms/send",
        _vonage_accepted,
        {"payload": {"message-count": "1", "messages": [{"status": "9"}]}},
        "invalid_json",
        1,
    ),
)


def numbers(count: int) -> tuple[str, ...]:
    """Distinct Dutch mobile numbers."""
    return tuple(f"+316{index:08d}" for index in range(count))


def sms(*recipients: str) -> OutboundSms:
    return OutboundSms(recipients or numbers(1), "Alarm", "HomeAlarm", Encoding.GSM7, 1)
