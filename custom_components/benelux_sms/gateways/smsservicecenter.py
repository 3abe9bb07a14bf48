"""SMS Service Center, API v2 (https://www.smsservicecenter.nl/api/v2/).

Bearer-token JSON API: ``GET credits`` tells the credits left (and so checks the key),
``POST send`` takes up to 50 numbers and answers with one message id for all of them.
Every reply carries ``status``; anything but ``success`` comes with a ``message``.

Test mode (NOTES.md): ``testmode: true`` on a send; the gateway checks it and sends nothing
("test sends return a random id"), and its reply's ``details.testmode`` says so. That flag, not
what was asked, makes the receipt a test one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

from . import errors
from .base import (
    Capabilities,
    Credits,
    Gateway,
    OutboundSms,
    SenderRule,
    SendReceipt,
    finite_number,
    parse_json_object,
)

CONF_API_KEY = "api_key"
_MAX_CODE_LENGTH = 80


class SmsServiceCenterGateway(Gateway):
    """An SMS Service Center account, reached with its API key."""

    provider: ClassVar[str] = "smsservicecenter"
    name: ClassVar[str] = "SMS Service Center"
    default_base_url: ClassVar[str] = "https://www.smsservicecenter.nl/api/v2/"
    credential_fields: ClassVar[tuple[str, ...]] = (CONF_API_KEY,)
    secret_fields: ClassVar[frozenset[str]] = frozenset({CONF_API_KEY})
    capabilities: ClassVar[Capabilities] = Capabilities(
        credits=True, max_recipients_per_request=50, test_mode=True
    )
    sender_rule: ClassVar[SenderRule] = SenderRule(max_alphanumeric=11)

    async def validate_credentials(self) -> None:
        """Ask for the credits: only a valid key gets an answer."""
        await self.get_credits()

    async def get_credits(self) -> Credits:
        """Return the SMS credits left on the account."""
        details = await self._call("GET", "credits")
        if isinstance(details, str) or (remaining := finite_number(details)) is None:
            raise errors.GatewayUnavailableError("unexpected_reply")
        return Credits(remaining=remaining)

    async def _send(self, sms: OutboundSms) -> SendReceipt:
        """Send the text to every recipient in one request per 50 numbers.

        The receipt is a test one only when every reply says ``testmode``: true.
        """
        test_replies: list[bool] = []

        async def send_batch(sms: OutboundSms, recipients: tuple[str, ...]) -> str:
            message_id, test = await self._send_batch(sms, recipients)
            test_replies.append(test)
            return message_id

        receipt = await self._send_in_batches(sms, send_batch)
        return replace(receipt, test=bool(test_replies) and all(test_replies))

    def _marked_test(self, receipt: SendReceipt, recipients: Sequence[str]) -> SendReceipt:
        """The reply's ``testmode`` flag alone says whether it was a test (a send asked to be
        one that the gateway says was not went out)."""
        return receipt

    async def _send_batch(self, sms: OutboundSms, recipients: tuple[str, ...]) -> tuple[str, bool]:
        body: dict[str, Any] = {"numbers": list(recipients), "message": sms.text}
        if sms.sender:
            body["sendname"] = sms.sender
        if self._test_mode:
            body["testmode"] = True
        details = await self._call("POST", "send", body)
        message_id = details.get("messageid") if isinstance(details, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise errors.GatewayUnavailableError("unexpected_reply")
        return message_id, details.get("testmode") is True

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Make a request and return the reply's ``details``, raising on any other status."""
        _, text = await self._request(
            method,
            path,
            headers={
                "Accept": "application/json",
                "Authorization": f"Bearer {self._credentials[CONF_API_KEY]}",
            },
            json_body=body,
        )
        reply = parse_json_object(text)
        if reply.get("status") != "success":
            raise self._refusal(reply)
        return reply.get("details")

    def _reply_error(self, status: int, body: str, path: str) -> errors.GatewayError | None:
        """A 4xx/5xx can carry the usual JSON error (NOTES.md: ``credits.error``); its reason
        counts, where it names one.
        """
        try:
            error = self._refusal(parse_json_object(body))
        except errors.GatewayUnavailableError:
            return None
        return None if isinstance(error, errors.GatewayUnavailableError) else error

    def _refusal(self, reply: dict[str, Any]) -> errors.GatewayError:
        """The error a reply whose ``status`` is not ``success`` stands for: the gateway did
        not take the request (a reply without a ``status`` is no answer of the document's).
        """
        status = reply.get("status")
        error = _error_for(
            self._masked(str(status))[:_MAX_CODE_LENGTH],
            self._masked(str(reply.get("message", "")))[:_MAX_CODE_LENGTH],
        )
        if isinstance(error, errors.GatewayUnavailableError) and _is_refusal(status, reply):
            return errors.GatewayUnavailableError(error.code, not_sent=True)
        return error


def _is_refusal(status: object, reply: dict[str, Any]) -> bool:
    """Whether the reply says the gateway took nothing: an error status, or an error message.

    The document marks an error with a ``message``; a status it does not name and no message
    (``"SUCCESS"``) may be a success spelled otherwise, so its outcome stays unknown.
    """
    if not isinstance(status, str) or status.lower() == "success":
        return False
    return status.lower() in ("error", "failed") or isinstance(reply.get("message"), str)


def _error_for(status: str, message: str) -> errors.GatewayError:
    """Turn an error reply's status and message (credentials masked) into the gateway error
    they name. The reply's own words become the error's code.
    """
    if status == "credits.error":
        return errors.InsufficientCreditsError(status)
    lowered = message.lower()
    if "unauthenticated" in lowered or "unauthorized" in lowered or "api key" in lowered:
        return errors.AuthenticationError(message)
    if "sendname" in lowered or "sender" in lowered:
        return errors.InvalidSenderError(message)
    if "number" in lowered:
        return errors.InvalidRecipientError(message)
    return errors.GatewayUnavailableError(message or status)
