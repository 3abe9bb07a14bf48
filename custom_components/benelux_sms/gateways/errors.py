"""What a gateway client raises, and which of it means "definitely not sent".

A send has three outcomes: accepted (a receipt), definitely not sent (any error below except
OutcomeUnknownError and PartialSendError), or unknown: the gateway may have sent it.
"""

from __future__ import annotations

from .models import SendReceipt


class InvalidWebhookError(ValueError):
    """A webhook call that is not a well-formed, authentic message from the gateway."""


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


class InvalidScheduleError(GatewayError):
    """The gateway refused the time to send at (in the past, or not a time it takes)."""


class ScheduleNotFoundError(GatewayError):
    """The gateway holds no scheduled message with that id (sent already, or cancelled)."""


class RateLimitedError(GatewayError):
    """Too many requests; ``retry_after`` seconds when the gateway says."""

    def __init__(self, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(code)
        self.retry_after = retry_after


class GatewayUnavailableError(GatewayError):
    """The gateway could not be reached or gave an answer that makes no sense.

    ``not_sent`` is True only where the request certainly never reached the gateway, or the
    gateway certainly did not take it (a refusal, HTTP 503).
    """

    def __init__(self, code: str | None = None, *, not_sent: bool = False) -> None:
        super().__init__(code)
        self.not_sent = not_sent


class OutcomeUnknownError(GatewayUnavailableError):
    """A send whose fate is unknown: the gateway may have sent it. Never send it again."""

    def __init__(self, code: str | None = None) -> None:
        super().__init__(code, not_sent=False)


class PartialSendError(GatewayError):
    """Some recipients were accepted, then a batch, part or recipient failed.

    ``receipt`` holds only what was accepted; ``not_sent`` the recipients definitely not sent;
    ``unknown`` those whose fate is unknown; ``cause`` the first failure (its code is ours).
    """

    def __init__(
        self,
        receipt: SendReceipt,
        *,
        not_sent: tuple[str, ...],
        unknown: tuple[str, ...],
        cause: GatewayError,
    ) -> None:
        super().__init__(cause.code)
        self.receipt = receipt
        self.not_sent = not_sent
        self.unknown = unknown
        self.cause = cause


def definitely_not_sent(err: GatewayError) -> bool:
    """Whether the message certainly did not go out, so that sending it again is safe."""
    if isinstance(err, OutcomeUnknownError | PartialSendError):
        return False
    if isinstance(err, GatewayUnavailableError):
        return err.not_sent
    return True


def as_outcome(err: GatewayError) -> GatewayError:
    """The error a send reports: an unavailability that may have sent is OutcomeUnknownError."""
    if isinstance(err, GatewayUnavailableError) and not definitely_not_sent(err):
        return err if isinstance(err, OutcomeUnknownError) else OutcomeUnknownError(err.code)
    return err
