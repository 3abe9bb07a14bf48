"""What a failed request or an HTTP status says about whether the gateway got the request."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

import aiohttp

from .errors import AuthenticationError, GatewayError, GatewayUnavailableError

_NEVER_SENT: tuple[type[Exception], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.ServerFingerprintMismatch,
    aiohttp.InvalidURL,
)
"""Failures before a byte of the request went out: no connection, DNS, TLS, a bad URL."""


def transport_error(
    err: aiohttp.ClientError | TimeoutError | UnicodeDecodeError | LookupError,
) -> GatewayUnavailableError:
    """The unavailability a failed request means; ``not_sent`` only where nothing went out.

    A timeout, a dropped connection or an unreadable reply after the request was written
    leaves its fate unknown.
    """
    code = "timeout" if isinstance(err, TimeoutError) else type(err).__name__
    return GatewayUnavailableError(code, not_sent=isinstance(err, _NEVER_SENT))


def status_error(status: int) -> GatewayError | None:
    """The error an HTTP status is by itself (401/403, 3xx, 5xx); None for the gateway to read.

    Only 503 says the gateway did not take the request; 500, 504 and the other 5xx and
    redirects leave it unknown.
    """
    if status in (401, 403):
        return AuthenticationError(str(status))
    if status >= 500 or 300 <= status < 400:
        return GatewayUnavailableError(str(status), not_sent=status == 503)
    return None


def retry_after(value: str | None, now: float) -> float | None:
    """The seconds a ``Retry-After`` value (seconds, or an HTTP date) asks to wait from ``now``."""
    if value is None or not (value := value.strip()):
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return _decimal_seconds(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def _decimal_seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds != float("inf") else None
