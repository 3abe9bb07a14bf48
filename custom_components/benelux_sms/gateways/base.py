"""What every SMS gateway client speaks: the Gateway base, its one request, and its rules.

Nothing here imports Home Assistant; the integration maps these types onto its own. The types
the gateways exchange live in ``models`` and ``errors`` and are importable from here too.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

import aiohttp

from .errors import (
    AuthenticationError,
    GatewayError,
    GatewayUnavailableError,
    InsufficientCreditsError,
    InvalidRecipientError,
    InvalidScheduleError,
    InvalidSenderError,
    InvalidWebhookError,
    MessageTooLongError,
    OutcomeUnknownError,
    PartialSendError,
    RateLimitedError,
    ScheduleNotFoundError,
    as_outcome,
    definitely_not_sent,
)
from .models import (
    DUTCH_TIME,
    FINAL_STATUSES,
    Capabilities,
    Credits,
    DeliveryReport,
    DeliveryStatus,
    Encoding,
    InboundSms,
    OutboundSms,
    SendReceipt,
    SentMessage,
    VoiceCall,
    WebhookContent,
    WebhookRequest,
)
from .partial import Failure, settle
from .tokens import TokenStore
from .transport import retry_after, status_error, transport_error
from .wire import FORM_CONTENT_TYPE, finite_number, form_body, parse_json_object

__all__ = [
    "DUTCH_TIME",
    "FINAL_STATUSES",
    "FORM_CONTENT_TYPE",
    "AuthenticationError",
    "Capabilities",
    "Credits",
    "DeliveryReport",
    "DeliveryStatus",
    "Encoding",
    "Gateway",
    "GatewayError",
    "GatewayUnavailableError",
    "InboundSms",
    "InsufficientCreditsError",
    "InvalidRecipientError",
    "InvalidScheduleError",
    "InvalidSenderError",
    "InvalidWebhookError",
    "MessageTooLongError",
    "OutboundSms",
    "OutcomeUnknownError",
    "PartialSendError",
    "RateLimitedError",
    "ScheduleNotFoundError",
    "SendReceipt",
    "SenderRule",
    "SentMessage",
    "VoiceCall",
    "WebhookContent",
    "WebhookRequest",
    "definitely_not_sent",
    "finite_number",
    "form_body",
    "parse_json_object",
]


@dataclass(frozen=True, slots=True)
class SenderRule:
    """A gateway's rule for sender names: letters and digits, or a phone number."""

    max_alphanumeric: int = 11
    max_numeric: int | None = None
    required: bool = False
    """The gateway refuses messages without a sender, so the account form asks for one."""
    spaces: bool = False
    """Spaces between the letters are allowed (KPN SMS's own example is ``"Demo App"``)."""

    def check(self, sender: str) -> None:
        """Raise InvalidSenderError unless the sender fits this rule; "" never does (callers
        leave an optional sender out rather than check it).
        """
        if not sender:
            raise InvalidSenderError("sender_required" if self.required else "sender_characters")
        if sender.isascii() and sender.isdigit() and self.max_numeric is not None:
            if len(sender) > self.max_numeric:
                raise InvalidSenderError("sender_too_long")
            return
        pattern = _ALPHANUMERIC_WITH_SPACES if self.spaces else _ALPHANUMERIC
        if not pattern.fullmatch(sender):
            raise InvalidSenderError("sender_characters")
        if len(sender) > self.max_alphanumeric:
            raise InvalidSenderError("sender_too_long")


_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_ALPHANUMERIC_WITH_SPACES = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")


class Gateway(ABC):
    """An SMS gateway account."""

    provider: ClassVar[str]
    name: ClassVar[str]
    default_base_url: ClassVar[str]
    credential_fields: ClassVar[tuple[str, ...]]
    secret_fields: ClassVar[frozenset[str]]
    """The credential fields that are secrets: never shown, logged or in diagnostics."""
    home_region: ClassVar[str | None] = None
    """Where numbers in national form are read (``"BE"``); None: Home Assistant's country."""
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
        token_store: TokenStore | None = None,
        receive_replies: bool = False,
    ) -> None:
        self._session = session
        self._credentials = dict(credentials)
        self._base_url = self._normalised_base_url(base_url or self.default_base_url)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._test_mode = test_mode and self.capabilities.test_mode
        self._webhook_secret = webhook_secret or None
        """The secret the gateway signs its webhook calls with, where the user gave it."""
        self._token_store = token_store if token_store is not None else TokenStore()
        self._receive_replies = receive_replies
        """The user wants replies (KPN Vonage asks for them on each send)."""

    @classmethod
    def _normalised_base_url(cls, base_url: str) -> str:
        """Return the URL requests are made under, ending in one slash."""
        return base_url.rstrip("/") + "/"

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
        reference_limit = self.capabilities.max_reference_length
        if sms.reference and reference_limit is not None and len(sms.reference) > reference_limit:
            raise MessageTooLongError(f"reference_max_{reference_limit}")
        countries = self.capabilities.recipient_country_codes
        if countries is not None:
            served = tuple(f"+{code}" for code in countries)
            for number in sms.recipients:
                if number not in self.test_numbers and not number.startswith(served):
                    raise InvalidRecipientError("country_not_served")

    async def send(self, sms: OutboundSms) -> SendReceipt:
        """Send one text; raise a GatewayError when the gateway does not take it all.

        Nothing goes out when ``check`` finds fault with the message. An error that leaves the
        message's fate unknown is raised as OutcomeUnknownError; one after some recipients were
        accepted as PartialSendError.
        """
        self.check(sms)
        try:
            receipt = await self._send(sms)
        except GatewayUnavailableError as err:
            outcome = as_outcome(err)
            if outcome is err:
                raise
            raise outcome from None
        return self._marked_test(receipt, sms.recipients)

    def _marked_test(self, receipt: SendReceipt, recipients: Sequence[str]) -> SendReceipt:
        """The receipt with ``test`` set where nothing was sent: test mode, or test numbers only."""
        only_test_numbers = bool(recipients) and set(recipients) <= self.test_numbers
        if self._test_mode or only_test_numbers:
            return replace(receipt, test=True)
        return receipt

    @abstractmethod
    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send a checked message."""

    async def _send_in_batches(
        self,
        sms: OutboundSms,
        send_batch: Callable[[OutboundSms, tuple[str, ...]], Awaitable[str | None]],
    ) -> SendReceipt:
        """Send in batches for gateways that answer each batch with one message id: every
        recipient of the batch gets that id. See ``_send_batches``.
        """

        async def batch_messages(sms: OutboundSms, batch: tuple[str, ...]) -> list[SentMessage]:
            message_id = await send_batch(sms, batch)
            return [SentMessage(r, message_id, DeliveryStatus.ACCEPTED) for r in batch]

        return await self._send_batches(sms, batch_messages)

    async def _send_batches(
        self,
        sms: OutboundSms,
        send_batch: Callable[[OutboundSms, tuple[str, ...]], Awaitable[Sequence[SentMessage]]],
    ) -> SendReceipt:
        """Send in batches of ``max_recipients_per_request``, one after the other.

        A failing batch stops the rest. When an earlier batch was accepted, PartialSendError
        keeps its receipt; otherwise the failure is raised.
        """
        limit = self.capabilities.max_recipients_per_request
        messages: list[SentMessage] = []
        for start in range(0, len(sms.recipients), limit):
            batch = sms.recipients[start : start + limit]
            try:
                messages.extend(await send_batch(sms, batch))
            except GatewayError as err:
                return settle(sms.recipients, messages, [Failure(batch, err)])
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

    async def schedule(self, sms: OutboundSms, send_at: datetime) -> str:
        """Have the gateway send ``sms`` at ``send_at`` (aware); return its schedule id.

        Where ``capabilities.scheduling``. A refused time raises InvalidScheduleError; any
        other error is a send's (nothing was scheduled unless OutcomeUnknownError).
        """
        raise NotImplementedError(f"{self.name} cannot schedule messages")

    async def cancel_scheduled(self, schedule_id: str) -> None:
        """Cancel a scheduled message; ScheduleNotFoundError when the gateway holds no such."""
        raise NotImplementedError(f"{self.name} cannot schedule messages")

    async def send_voice(self, call: VoiceCall) -> SendReceipt:
        """Have the text read out in a call, where ``capabilities.voice``; outcomes as ``send``."""
        raise NotImplementedError(f"{self.name} cannot make voice calls")

    async def register_inbound(self, callback_url: str) -> None:
        """Tell the gateway to post replies to ``callback_url``, where
        ``capabilities.inbound_registration``.
        """
        raise NotImplementedError(f"{self.name} cannot be told where replies go")

    def _secrets(self) -> Iterable[str]:
        """Every value a reply could echo that must not reach a log or an error."""
        return self._credentials.values()

    def _masked(self, text: str) -> str:
        """Return ``text`` with every secret (``_secrets``) replaced by ``***``."""
        for value in sorted({value for value in self._secrets() if value}, key=len, reverse=True):
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

        Transport failures, timeouts, 401/403, 429 and 5xx become gateway errors here (for a
        5xx, a reason of the gateway's own in the reply, ``_reply_error``, before the status),
        so the gateway modules only read the replies their documents describe. Redirects are not
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
                data=None if form is None else form_body(form),
                params=params,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                body = await response.text()
                status = response.status
                reply_headers = response.headers
        except (aiohttp.ClientError, TimeoutError, UnicodeDecodeError, LookupError) as err:
            raise transport_error(err) from None
        if status >= 500 and (reason := self._reply_error(status, body, path)) is not None:
            raise reason
        if status == 429:
            raise RateLimitedError(str(status), self._retry_after(reply_headers))
        if (error := status_error(status)) is not None:
            raise error
        return status, body

    def _reply_error(self, status: int, body: str, path: str) -> GatewayError | None:
        """The error a 5xx reply's own words name, where the gateway gives a reason.

        ``path`` is the request's, as passed to ``_request``. None: the status decides (also
        for a reason that says no more than that the gateway is in trouble).
        """
        return None

    def _retry_after(self, headers: Mapping[str, str]) -> float | None:
        """Return the seconds a 429 reply asks to wait; gateways with their own header add it."""
        return retry_after(headers.get("Retry-After"), self._token_store.wall_clock())
