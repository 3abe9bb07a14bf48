"""What gateways and the integration exchange: messages, receipts, reports, capabilities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class DeliveryStatus(StrEnum):
    """Where a message is on its way to the phone, in one vocabulary for all gateways."""

    ACCEPTED = "accepted"
    BUFFERED = "buffered"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    EXPIRED = "expired"
    REJECTED = "rejected"
    FAILED = "failed"
    UNKNOWN = "unknown"


FINAL_STATUSES = frozenset(
    {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.UNDELIVERED,
        DeliveryStatus.EXPIRED,
        DeliveryStatus.REJECTED,
        DeliveryStatus.FAILED,
    }
)
"""Statuses after which no further report comes."""


DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
"""The zone of the gateways that give local times without saying so."""


class Encoding(StrEnum):
    """The alphabet a message travels in."""

    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True, slots=True)
class OutboundSms:
    """One text to one or more recipients, already validated and counted."""

    recipients: tuple[str, ...]
    """E.164 numbers, with the leading ``+``."""
    text: str
    sender: str | None
    encoding: Encoding
    segments: int
    report_url: str | None = None
    """Where the gateway should post delivery reports, for gateways that take one per send."""
    valid_for: int | None = None
    """Minutes the gateway keeps trying to deliver, where ``capabilities.validity``."""
    reference: str | None = None
    """A text of the sender's that comes back in the reports, where ``capabilities.reference``."""


@dataclass(frozen=True, slots=True)
class Credits:
    """What is left on the account."""

    remaining: float
    unit: str = "credits"


@dataclass(frozen=True, slots=True)
class SentMessage:
    """The gateway's answer for one recipient."""

    recipient: str
    message_id: str | None
    status: DeliveryStatus
    part_ids: tuple[str, ...] = ()
    """Where each part of a long message has its own id (and report): all of them."""


@dataclass(frozen=True, slots=True)
class SendReceipt:
    """The gateway's answer to a send; credits where the reply carries them."""

    messages: tuple[SentMessage, ...]
    credits: Credits | None = None
    test: bool = False
    """The gateway took it in test mode: nothing was sent and no credits were used."""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A gateway's word on what became of a message."""

    message_id: str
    """The id the send gave, or a part's id where each part has one."""
    status: DeliveryStatus
    recipient: str | None = None
    gateway_code: str | None = None
    timestamp: datetime | None = None
    reference: str | None = None
    """The send's ``OutboundSms.reference``, where the gateway gives it back."""


@dataclass(frozen=True, slots=True)
class VoiceCall:
    """A text read out by a computer voice to one or more phones."""

    recipients: tuple[str, ...]
    """E.164 numbers, with the leading ``+``."""
    text: str
    language: str
    """``"nl"``, ``"fr"`` or ``"en"``."""
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class InboundSms:
    """A text a phone sent to the account's number (one part, where it came in parts)."""

    sender: str
    recipient: str
    text: str
    message_id: str
    timestamp: datetime | None = None
    concat_ref: str | None = None
    concat_total: int = 1
    concat_part: int = 1


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """What reached the webhook, for the gateway to read."""

    method: str
    query: Mapping[str, str]
    form: Mapping[str, str]
    """The POSTed form fields, or the members of a JSON object body as text."""
    body: bytes
    headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class WebhookContent:
    """What a webhook call carried."""

    reports: tuple[DeliveryReport, ...] = ()
    inbound: tuple[InboundSms, ...] = ()


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a gateway can do, so the integration offers only that."""

    credits: bool
    """The gateway can be asked how many credits are left."""
    max_recipients_per_request: int
    max_concurrent_requests: int = 1
    """Requests one send may have in flight at once (for one-recipient-per-request gateways)."""
    credits_in_receipt: bool = False
    """Send replies tell the balance (so there is a credits sensor without a credits call)."""
    credits_unit: str = "credits"
    """``credits``, or a currency code where the balance is money."""
    max_text_length: int | None = None
    """The most characters one message may have, where the gateway's document says."""
    recipient_country_codes: frozenset[str] | None = None
    """Calling codes (``"31"``) the gateway delivers to; None for any."""
    test_mode: bool = False
    """The gateway can take messages in a test mode: nothing sent, no credits used."""
    encoding_control: bool = False
    """The gateway can be told to send Unicode (UCS-2); otherwise it picks by itself."""
    report_callback: bool = False
    """Each send can name a URL for its delivery reports (``OutboundSms.report_url``)."""
    report_callback_https_only: bool = False
    report_portal: bool = False
    """Delivery reports go to a URL set once in the gateway's own portal."""
    report_polling: bool = False
    """The gateway can be asked for reports (``get_delivery_reports``)."""
    inbound: bool = False
    """The gateway forwards replies to the webhook."""
    signed_webhooks: bool = False
    """The gateway signs its webhook calls; ``webhook_secret`` makes them checked."""

    @property
    def reports_delivery(self) -> bool:
        """The gateway tells what became of a message, one way or another."""
        return self.report_callback or self.report_portal or self.report_polling

    scheduling: bool = False
    """The gateway holds messages to send later (``Gateway.schedule``, ``cancel_scheduled``)."""
    voice: bool = False
    """The gateway can read a text out in a phone call (``Gateway.send_voice``)."""
    validity: bool = False
    """``OutboundSms.valid_for`` is honoured."""
    reference: bool = False
    """``OutboundSms.reference`` is sent and comes back in the reports."""
    max_reference_length: int | None = None
    inbound_registration: bool = False
    """``Gateway.register_inbound`` tells the gateway where replies go."""
