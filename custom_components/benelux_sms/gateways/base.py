"""What every SMS gateway client speaks: messages, receipts, credits, reports and errors.

Nothing here imports Home Assistant; the integration maps these types onto its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import aiohttp


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


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """A gateway's word on what became of a message."""

    message_id: str
    """The id the send gave, or a part's id where each part has one."""
    status: DeliveryStatus
    recipient: str | None = None
    gateway_code: str | None = None
    timestamp: datetime | None = None


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


class InvalidWebhookError(ValueError):
    """A webhook call that is not a well-formed, authentic message from the gateway."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a gateway can do, so the integration offers only that."""

    credits: bool
    """The gateway can be asked how many credits are left."""
    max_recipients_per_request: int
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


@dataclass(frozen=True, slots=True)
class SenderRule:
    """A gateway's rule for sender names: letters and digits, or a phone number."""

    max_alphanumeric: int = 11
    max_numeric: int | None = None

    def check(self, sender: str) -> None:
        """Raise InvalidSenderError unless the sender fits this rule."""
        if sender.isascii() and sender.isdigit() and self.max_numeric is not None:
            if len(sender) > self.max_numeric:
                raise InvalidSenderError("sender_too_long")
            return
        if not _ALPHANUMERIC.fullmatch(sender):
            raise InvalidSenderError("sender_characters")
        if len(sender) > self.max_alphanumeric:
            raise InvalidSenderError("sender_too_long")


_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")


class GatewayError(Exception):
    """Base of everything a gateway client raises.

    ``code`` is the gateway's own code (or a short reason of ours), safe to show and log:
    it never holds a credential.
    """

    def __init__(self, code: str | None = None) -> None:
        super().__init__(code or type(self).__name__)
        self.code = code


class AuthenticationError(GatewayError):
    """The credentials were refused."""


class InsufficientCreditsError(GatewayError):
    """The account cannot pay for the message."""


class InvalidRecipientError(GatewayError):
    """A recipient number was refused."""


class InvalidSenderError(GatewayError):
    """The sender name was refused."""


class MessageTooLongError(GatewayError):
    """The text is longer than the gateway takes."""


class RateLimitedError(GatewayError):
    """Too many requests; ``retry_after`` seconds when the gateway says."""

    def __init__(self, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.retry_after = retry_after


class GatewayUnavailableError(GatewayError):
    """The gateway could not be reached or gave an answer that makes no sense."""


class Gateway(ABC):
    """An SMS gateway account."""

    provider: ClassVar[str]
    name: ClassVar[str]
    default_base_url: ClassVar[str]
    credential_fields: ClassVar[tuple[str, ...]]
    capabilities: ClassVar[Capabilities]
    sender_rule: ClassVar[SenderRule]
    test_numbers: ClassVar[frozenset[str]] = frozenset()
    """Numbers (E.164) the gateway takes for testing although they cannot receive SMS."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        credentials: Mapping[str, str],
        *,
        base_url: str | None = None,
        timeout: float = 30,
        test_mode: bool = False,
        webhook_secret: str | None = None,
    ) -> None:
        self._session = session
        self._credentials = dict(credentials)
        self._base_url = (base_url or self.default_base_url).rstrip("/") + "/"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._test_mode = test_mode and self.capabilities.test_mode
        self._webhook_secret = webhook_secret or None
        """The secret the gateway signs its webhook calls with, where the user gave it."""

    @abstractmethod
    async def validate_credentials(self) -> None:
        """Raise AuthenticationError unless the gateway accepts the credentials."""

    def check(self, sms: OutboundSms) -> None:
        """Raise the error the gateway would give for this message, before sending anything."""
        if sms.sender:
            self.sender_rule.check(sms.sender)
        limit = self.capabilities.max_text_length
        if limit is not None and len(sms.text) > limit:
            raise MessageTooLongError(f"max_{limit}")
        countries = self.capabilities.recipient_country_codes
        if countries is not None:
            served = tuple(f"+{code}" for code in countries)
            for number in sms.recipients:
                if number not in self.test_numbers and not number.startswith(served):
                    raise InvalidRecipientError("country_not_served")

    async def send(self, sms: OutboundSms) -> SendReceipt:
        """Send one text; raise a GatewayError when the gateway does not take it.

        Nothing goes out when ``check`` finds fault with the message.
        """
        self.check(sms)
        return await self._send(sms)

    @abstractmethod
    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send a checked message."""

    async def _send_in_batches(
        self,
        sms: OutboundSms,
        send_batch: Callable[[OutboundSms, tuple[str, ...]], Awaitable[str | None]],
    ) -> SendReceipt:
        """Send in batches of ``max_recipients_per_request``, for gateways that answer each
        batch with one message id: every recipient of the batch gets that id.

        A failing batch stops the rest; its error is raised.
        """
        limit = self.capabilities.max_recipients_per_request
        messages: list[SentMessage] = []
        for start in range(0, len(sms.recipients), limit):
            batch = sms.recipients[start : start + limit]
            message_id = await send_batch(sms, batch)
            messages.extend(
                SentMessage(recipient, message_id, DeliveryStatus.ACCEPTED) for recipient in batch
            )
        return SendReceipt(messages=tuple(messages))

    def parse_webhook(self, request: WebhookRequest) -> WebhookContent:
        """Read a call to the account's webhook; raise InvalidWebhookError for anything else."""
        raise InvalidWebhookError(f"{self.name} posts nothing to a webhook")

    async def get_delivery_reports(self, message_ids: Sequence[str]) -> list[DeliveryReport]:
        """Ask for the reports of these messages, where ``capabilities.report_polling``."""
        raise NotImplementedError(f"{self.name} cannot be asked for reports")

    async def get_credits(self) -> Credits:
        """Return what is left on the account, where ``capabilities.credits`` says it can."""
        raise NotImplementedError(f"{self.name} cannot tell its credits")

    def _masked(self, text: str) -> str:
        """Return ``text`` with every credential replaced by ``***``: replies can echo them."""
        for value in self._credentials.values():
            if value:
                text = text.replace(value, "***")
        return text

    @classmethod
    def account_id(cls, credentials: Mapping[str, str]) -> str:
        """Return a stable id of the account the credentials belong to, revealing no secret.

        Gateways whose credentials hold a public account name override this.
        """
        joined = "\n".join(credentials[field] for field in cls.credential_fields)
        return hashlib.sha256(joined.encode()).hexdigest()[:16]

    async def _request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """Make one request and return its status and body text.

        Transport failures, timeouts, 401/403, 429 and 5xx become gateway errors here, so the
        gateway modules only read the replies their documents describe. Redirects are not
        followed: a redirected POST could send twice or lose its body. Errors are raised
        ``from None`` because aiohttp's texts can hold the URL, and some gateways put
        credentials in the query. ``path`` is relative to the base URL, or a full ``http(s)://``
        URL for what lives outside it (KPN's token).
        """
        url = path if path.startswith(("http://", "https://")) else self._base_url + path
        try:
            async with self._session.request(
                method,
                url,
                headers=headers,
                json=json_body,
                data=form,
                params=params,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                body = await response.text()
                status = response.status
                reply_headers = response.headers
        except TimeoutError:
            raise GatewayUnavailableError("timeout") from None
        except (aiohttp.ClientError, UnicodeDecodeError) as err:
            raise GatewayUnavailableError(type(err).__name__) from None
        if status in (401, 403):
            raise AuthenticationError(str(status))
        if status == 429:
            raise RateLimitedError(str(status), self._retry_after(reply_headers))
        if status >= 500 or 300 <= status < 400:
            raise GatewayUnavailableError(str(status))
        return status, body

    def _retry_after(self, headers: Mapping[str, str]) -> float | None:
        """Return the seconds a 429 reply asks to wait; gateways with their own header override."""
        return _seconds(headers.get("Retry-After"))


def parse_json_object(body: str) -> dict[str, Any]:
    """Return the JSON object in a reply body, or raise GatewayUnavailableError."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise GatewayUnavailableError("invalid_json") from None
    if not isinstance(parsed, dict):
        raise GatewayUnavailableError("invalid_json")
    return parsed


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
