"""KPN API Store authentication: an OAuth client-credentials token, shared by both KPN gateways.

``POST {origin}/oauth/client_credential/accesstoken?grant_type=client_credentials`` with the
form fields ``client_id`` and ``client_secret`` answers ``access_token`` and ``expires_in``
(seconds, as a string). The token is fetched once and kept in the gateway's ``TokenStore``
until shortly before it runs out, shared by every gateway given that store for the same app
(token URL, client id and secret: a wrong secret never rides on a token a right one fetched).
A 401 from the API drops the token; the request is repeated once with a fresh one. A token
request that fails leaves the SMS certainly unsent, however it failed.

The token URL follows the base URL: it is whatever precedes ``/communication/`` in the base URL
(the origin when there is no ``/communication/``) plus ``/oauth/client_credential/accesstoken``.
``https://api-prd.kpn.com/communication/kpn/sms/`` gives KPN's own token URL; the simulator's
``http://127.0.0.1:P/kpn/communication/kpn/sms/`` gives ``http://127.0.0.1:P/kpn/oauth/...``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from yarl import URL

from . import errors
from .base import (
    Gateway,
    OutboundSms,
    finite_number,
    parse_json_object,
)
from .tokens import AccessToken, TokenKey

CONF_CLIENT_ID = "client_id"
CONF_CLIENT_SECRET = "client_secret"  # noqa: S105 - a field name
TOKEN_PATH = "oauth/client_credential/accesstoken"  # noqa: S105 - a path

_API_MARKER = "/communication/"
_AUTH_ERRORS = frozenset({"invalid_client", "unauthorized_client", "invalid_grant"})
_MAX_CODE_LENGTH = 80


def token_url(base_url: str) -> str:
    """Return the token URL that belongs to a KPN API base URL (see the module docstring)."""
    url = URL(base_url)
    path = url.path
    prefix = path[: path.index(_API_MARKER)] if _API_MARKER in path else ""
    return str(url.origin()) + f"{prefix}/{TOKEN_PATH}"


class KpnGateway(Gateway):
    """What both KPN API Store gateways share: the app's token and KPN's error replies."""

    credential_fields: ClassVar[tuple[str, ...]] = (CONF_CLIENT_ID, CONF_CLIENT_SECRET)
    secret_fields: ClassVar[frozenset[str]] = frozenset({CONF_CLIENT_SECRET})
    _token_used: str | None = None
    """The token this gateway last sent, kept to mask it even after the store let it go."""
    _key: TokenKey | None = None

    @classmethod
    def account_id(cls, credentials: Mapping[str, str]) -> str:
        """The client id: it names the app and is no secret."""
        return credentials[CONF_CLIENT_ID]

    async def validate_credentials(self) -> None:
        """Ask KPN for a new token: only the app's right id and secret get one."""
        await self._token_store.token(self._token_key(), self._fetch_token, fresh=True)

    def check(self, sms: OutboundSms) -> None:
        """Both APIs need a sender; then the usual checks."""
        if not sms.sender:
            raise errors.InvalidSenderError("sender_required")
        super().check(sms)

    async def _authorised_request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """Make a request with the app's token; on a 401 fetch a new one and repeat once.

        A 401 means the request was refused unread, so repeating it cannot send twice.
        """
        key = self._token_key()
        token = await self._token(key)
        try:
            return await self._request(
                method, path, headers=_bearer(token, headers), json_body=json_body, form=form
            )
        except errors.AuthenticationError as err:
            if err.code != "401":
                raise
        token = await self._token(key, refused=token)
        return await self._request(
            method, path, headers=_bearer(token, headers), json_body=json_body, form=form
        )

    async def _token(self, key: TokenKey, *, refused: str | None = None) -> str:
        """The app's token for a request to the API; its failure means the SMS never left."""
        try:
            token = await self._token_store.token(key, self._fetch_token, refused=refused)
        except errors.GatewayUnavailableError as err:
            if err.not_sent:
                raise
            raise errors.GatewayUnavailableError(err.code, not_sent=True) from None
        self._token_used = token
        return token

    async def _fetch_token(self) -> AccessToken:
        status, body = await self._request(
            "POST",
            token_url(self._base_url),
            headers={"Accept": "application/json"},
            params={"grant_type": "client_credentials"},
            form={
                "client_id": self._credentials[CONF_CLIENT_ID],
                "client_secret": self._credentials[CONF_CLIENT_SECRET],
            },
        )
        if status != 200:
            raise self._token_error(status, body)
        reply = parse_json_object(body)
        value = reply.get("access_token")
        if not isinstance(value, str) or not value:
            raise errors.GatewayUnavailableError("unexpected_token_reply")
        return AccessToken(value, _lifetime(reply.get("expires_in")))

    def _token_error(self, status: int, body: str) -> errors.GatewayError:
        code = self._error_code(body)
        if code is not None and code.lower() in _AUTH_ERRORS:
            return errors.AuthenticationError(code)
        return errors.GatewayUnavailableError(code or str(status))

    def _token_key(self) -> TokenKey:
        """The app's key in the token store, worked out once: the URL and app never change."""
        if self._key is None:
            secret = self._credentials[CONF_CLIENT_SECRET].encode()
            self._key = (
                token_url(self._base_url),
                self._credentials[CONF_CLIENT_ID],
                hashlib.sha256(secret).hexdigest(),
            )
        return self._key

    def _retry_after(self, headers: Mapping[str, str]) -> float | None:
        """KPN tells when the quota resets (``quota-reset-UTC``), not how long to wait."""
        reset = _seconds_until(headers.get("quota-reset-UTC"), self._token_store.wall_clock())
        return reset if reset is not None else super()._retry_after(headers)

    def _secrets(self) -> Iterable[str]:
        """The credentials and every token the app uses: replies can echo them."""
        tokens = (self._token_used, self._token_store.cached(self._token_key()))
        return (*super()._secrets(), *(token for token in tokens if token))

    def _api_error(self, status: int, body: str) -> errors.GatewayError:
        """Turn a 4xx reply of the API into the error its code and message name.

        KPN answers ``{"errorResponse": {"code", "message", "info"}}``; the gateway in front
        of it (Apigee) ``{"fault": {...}}`` or HTML. The doc only says "400 Bad request", so
        the message decides: credit (the doc names no such reply; a message about credit or
        balance is the only sign an exhausted bundle could give), a number, a sender, a too
        long text; anything else is ours to fix and reads as the gateway being unusable (a
        4xx refused the request, so nothing went out).
        """
        code = self._error_code(body) or str(status)
        words = self._masked(_message_of(body)).lower()
        if "credit" in words or "balance" in words:
            return errors.InsufficientCreditsError(code)
        if "mobile_number" in words or "number" in words or "recipient" in words:
            return errors.InvalidRecipientError(code)
        if "sender" in words or "originator" in words:
            return errors.InvalidSenderError(code)
        if "too long" in words or "length" in words:
            return errors.MessageTooLongError(code)
        return errors.GatewayUnavailableError(code, not_sent=400 <= status < 500)

    def _reply_error(self, status: int, body: str, path: str) -> errors.GatewayError | None:
        """A 5xx of KPN's own (``errorResponse``) that names a reason, or one of the token
        endpoint's OAuth errors.
        """
        if path == token_url(self._base_url):
            error = self._token_error(status, body)
        elif "errorResponse" in _json_members(body):
            error = self._api_error(status, body)
        else:
            return None
        return None if isinstance(error, errors.GatewayUnavailableError) else error

    def _error_code(self, body: str) -> str | None:
        """Return the code of a KPN, Apigee or OAuth error body (secrets masked), if any."""
        code = _code_of(body)
        return self._masked(code)[:_MAX_CODE_LENGTH] if code else None


def _bearer(token: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**(extra or {}), "Accept": "application/json", "Authorization": f"Bearer {token}"}


def _json_members(body: str) -> dict[str, Any]:
    try:
        return parse_json_object(body)
    except errors.GatewayUnavailableError:
        return {}


def _error_object(body: str) -> dict[str, Any]:
    reply = _json_members(body)
    for wrapper in ("errorResponse", "fault", "error"):
        inner = reply.get(wrapper)
        if isinstance(inner, dict):
            return inner
    return reply


def _code_of(body: str) -> str | None:
    error = _error_object(body)
    detail = error.get("detail")
    candidates = (
        error.get("code"),
        detail.get("errorcode") if isinstance(detail, dict) else None,
        error.get("ErrorCode"),
        error.get("error"),
    )
    for candidate in candidates:
        if isinstance(candidate, str | int) and not isinstance(candidate, bool) and candidate != "":
            return str(candidate)
    return None


def _message_of(body: str) -> str:
    error = _error_object(body)
    parts = (error.get(key) for key in ("message", "info", "faultstring", "Error"))
    return " ".join(part for part in parts if isinstance(part, str))


def _lifetime(value: object) -> float:
    """``expires_in`` as KPN sends it (a string of seconds); 0 when it makes no sense."""
    seconds = finite_number(value)
    return seconds if seconds is not None and seconds > 0 else 0.0


def _seconds_until(reset: str | None, now: float) -> float | None:
    """Seconds from ``now`` (epoch) to a reset time given as epoch (s or ms) or ISO 8601."""
    if not reset:
        return None
    try:
        number = float(reset)
    except ValueError:
        try:
            moment = datetime.fromisoformat(reset.strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        number = moment.timestamp()
    else:
        if number > 1e11:  # milliseconds, as KPN gives ``issued_at``
            number /= 1000
    return max(0.0, number - now)
