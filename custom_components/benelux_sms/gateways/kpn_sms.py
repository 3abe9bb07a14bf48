"""KPN SMS API (gateway-docs/kpn-sms.txt): Dutch mobile numbers only, behind a KPN token.

``POST {base}/send`` takes JSON ``{"sender", "messages": [{"content", "mobile_number"}]}``
with the number as ``+316...``, up to 200 message x recipient pairs per call, and answers
``{"document_id", "status": "OK"}``: one id for the whole call, which every recipient of it
gets. There is no balance call.
"""

from __future__ import annotations

from typing import ClassVar

from .base import (
    Capabilities,
    DeliveryStatus,
    GatewayUnavailableError,
    OutboundSms,
    SenderRule,
    SendReceipt,
    SentMessage,
    parse_json_object,
)
from .kpn_oauth import KpnGateway

MAX_CONTENT_LENGTH = 1000


class KpnSmsGateway(KpnGateway):
    """A KPN API Store app with the SMS API."""

    provider: ClassVar[str] = "kpn_sms"
    name: ClassVar[str] = "KPN SMS"
    default_base_url: ClassVar[str] = "https://api-prd.kpn.com/communication/kpn/sms/"
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=False,
        max_recipients_per_request=200,
        max_text_length=MAX_CONTENT_LENGTH,
        recipient_country_codes=frozenset({"31"}),
    )
    sender_rule: ClassVar[SenderRule] = SenderRule(max_alphanumeric=11)

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send the text in calls of up to 200 recipients; a failing call stops the rest."""
        limit = self.capabilities.max_recipients_per_request
        messages: list[SentMessage] = []
        for start in range(0, len(sms.recipients), limit):
            batch = sms.recipients[start : start + limit]
            document_id = await self._send_batch(sms, batch)
            messages.extend(
                SentMessage(recipient, document_id, DeliveryStatus.ACCEPTED) for recipient in batch
            )
        return SendReceipt(messages=tuple(messages))

    async def _send_batch(self, sms: OutboundSms, recipients: tuple[str, ...]) -> str:
        body = {
            "sender": sms.sender,
            "messages": [
                {"content": sms.text, "mobile_number": recipient} for recipient in recipients
            ],
        }
        status, text = await self._authorised_request("POST", "send", json_body=body)
        if status not in (200, 201, 202):
            raise self._api_error(status, text)
        reply = parse_json_object(text)
        document_id = reply.get("document_id")
        if reply.get("status", "OK") != "OK" or not isinstance(document_id, str) or not document_id:
            raise GatewayUnavailableError("unexpected_reply")
        return document_id
