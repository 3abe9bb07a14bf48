"""Wire tests for KPN's client-credentials token, shared by both KPN gateways (kpn-sms.txt)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from custom_components.benelux_sms.gateways import errors
from custom_components.benelux_sms.gateways.base import (
    Encoding,
    OutboundSms,
)
from custom_components.benelux_sms.gateways.kpn_oauth import KpnGateway, token_url
from custom_components.benelux_sms.gateways.kpn_sms import KpnSmsGateway
from custom_components.benelux_sms.gateways.kpn_vonage import KpnVonageGateway
from custom_components.benelux_sms.gateways.tokens import AccessToken, TokenStore

from .conftest import sent

CLIENT_ID = "AbCdEf0123456789kpnclient"
CLIENT_SECRET = "s3cr3t-Zq8wJ3vKp2Lx9RtY"
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
TOKEN_URL = "https://api-prd.kpn.com/oauth/client_credential/accesstoken"
TOKEN_REQUEST = TOKEN_URL + "?grant_type=client_credentials"
SEND_URL = "https://api-prd.kpn.com/communication/kpn/sms/send"
VONAGE_URL = "https://api-prd.kpn.com/communication/nexmo/sms/send"
SENT = {"document_id": "b4e905d4-774c-4c83-8360-01427e17a33a", "status": "OK"}
VONAGE_SENT = {"message-count": "1", "messages": [{"status": "0", "message-id": "0C00"}]}
WALL_NOW = 1893456000.0
"""2030-01-01 00:00 UTC, the store's wall clock."""


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(clock: Clock) -> TokenStore:
    """The token store the test's gateways share, on clocks the test sets."""
    return TokenStore(monotonic=clock, wall_clock=lambda: WALL_NOW)


@pytest.fixture
def gateway(session: aiohttp.ClientSession, store: TokenStore) -> KpnSmsGateway:
    return KpnSmsGateway(session, CREDENTIALS, token_store=store)


def _token_reply(value: str = "tok-1", expires_in: str = "3599") -> dict[str, Any]:
    """The document's example reply."""
    return {
        "refresh_token_expires_in": "0",
        "api_product_list": "[SMS]",
        "organization_name": "kpn",
        "token_type": "Bearer",
        "issued_at": "1521039195424",
        "client_id": CLIENT_ID,
        "access_token": value,
        "application_name": "6e38ed00000000000000000004065d79c",
        "scope": "",
        "expires_in": expires_in,
        "refresh_count": "0",
        "status": "approved",
    }


def _sms(sender: str | None = "Benelux") -> OutboundSms:
    return OutboundSms(("+31612345678",), "Hallo", sender, Encoding.GSM7, 1)


def _calls(mock: aioresponses, method: str, url: str) -> list[RequestCall]:
    return list(mock.requests.get((method, URL(url)), []))


def _bearers(mock: aioresponses, url: str = SEND_URL) -> list[str]:
    return [call.kwargs["headers"]["Authorization"] for call in _calls(mock, "POST", url)]


# --- the token request ------------------------------------------------------------------------


async def test_token_request_as_the_document_shows(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply())

    await gateway.validate_credentials()

    (call,) = _calls(mock, "POST", TOKEN_REQUEST)
    assert call.kwargs["params"] == {"grant_type": "client_credentials"}
    assert sent(call)["data"] == {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    assert call.kwargs["json"] is None
    assert "Authorization" not in call.kwargs["headers"]
    assert call.kwargs["allow_redirects"] is False
    assert list(mock.requests) == [("POST", URL(TOKEN_REQUEST))]


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        pytest.param("https://api-prd.kpn.com/communication/kpn/sms/", TOKEN_URL, id="kpn-sms"),
        pytest.param("https://api-prd.kpn.com/communication/nexmo/sms", TOKEN_URL, id="vonage"),
        pytest.param(
            "http://127.0.0.1:8123/kpn/communication/kpn/sms/",
            "http://127.0.0.1:8123/kpn/oauth/client_credential/accesstoken",
            id="simulator",
        ),
        pytest.param(
            "https://proxy.example.test/a/b/communication/nexmo/sms/",
            "https://proxy.example.test/a/b/oauth/client_credential/accesstoken",
            id="deep-prefix",
        ),
        pytest.param(
            "https://sms.example.test/somewhere/else/",
            "https://sms.example.test/oauth/client_credential/accesstoken",
            id="no-communication-origin",
        ),
    ],
)
def test_token_url_follows_the_base_url(base_url: str, expected: str) -> None:
    assert token_url(base_url) == expected


async def test_custom_base_url_moves_the_token_url(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    gateway = KpnSmsGateway(
        session, CREDENTIALS, base_url="http://127.0.0.1:8123/kpn/communication/kpn/sms"
    )
    token = "http://127.0.0.1:8123/kpn/oauth/client_credential/accesstoken"
    mock.post(token + "?grant_type=client_credentials", payload=_token_reply())
    mock.post("http://127.0.0.1:8123/kpn/communication/kpn/sms/send", payload=SENT)

    await gateway.send(_sms())

    assert list(mock.requests) == [
        ("POST", URL(token + "?grant_type=client_credentials")),
        ("POST", URL("http://127.0.0.1:8123/kpn/communication/kpn/sms/send")),
    ]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            {"status": 401, "payload": {"error": "invalid_client"}},
            errors.AuthenticationError("401"),
            id="401",
        ),
        pytest.param(
            {"status": 400, "payload": {"error": "invalid_client"}},
            errors.AuthenticationError("invalid_client"),
            id="400-invalid-client",
        ),
        pytest.param(
            {"status": 400, "payload": {"ErrorCode": "invalid_client", "Error": "ClientId"}},
            errors.AuthenticationError("invalid_client"),
            id="400-apigee",
        ),
        pytest.param(
            {"status": 400, "payload": {"error": "unsupported_grant_type"}},
            errors.GatewayUnavailableError("unsupported_grant_type"),
            id="400-other",
        ),
        pytest.param(
            {"status": 400, "body": "<html>Bad</html>"},
            errors.GatewayUnavailableError("400"),
            id="html",
        ),
        pytest.param({"status": 500}, errors.GatewayUnavailableError("500"), id="500"),
        pytest.param(
            {"payload": {"token_type": "Bearer"}},
            errors.GatewayUnavailableError("unexpected_token_reply"),
            id="no-token",
        ),
        pytest.param(
            {"body": "<html>portal</html>"},
            errors.GatewayUnavailableError("invalid_json"),
            id="garbage",
        ),
    ],
)
async def test_token_refusals(
    gateway: KpnSmsGateway, mock: aioresponses, reply: dict[str, Any], expected: errors.GatewayError
) -> None:
    mock.post(TOKEN_REQUEST, **reply)
    mock.post(SEND_URL, payload=SENT)

    for run in (gateway.validate_credentials(), gateway.send(_sms())):
        with pytest.raises(errors.GatewayError) as raised:
            await run
        assert type(raised.value) is type(expected)
        assert raised.value.code == expected.code
        mock.post(TOKEN_REQUEST, **reply)

    assert _calls(mock, "POST", SEND_URL) == []


async def test_errors_never_hold_the_secret(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    mock.post(TOKEN_REQUEST, status=400, payload={"error": f"bad {CLIENT_SECRET}"})

    with pytest.raises(errors.GatewayError) as raised:
        await gateway.validate_credentials()

    for text in (str(raised.value), repr(raised.value), str(raised.value.code)):
        assert CLIENT_SECRET not in text


# --- keeping and sharing the token ------------------------------------------------------------


async def test_token_reused_across_sends_and_instances(
    session: aiohttp.ClientSession, mock: aioresponses, store: TokenStore
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1"))
    mock.post(SEND_URL, payload=SENT, repeat=True)
    mock.post(VONAGE_URL, payload=VONAGE_SENT, repeat=True)
    first = KpnSmsGateway(session, CREDENTIALS, token_store=store)
    second = KpnSmsGateway(session, dict(CREDENTIALS), token_store=store)
    vonage = KpnVonageGateway(session, CREDENTIALS, token_store=store)

    await first.send(_sms())
    await first.send(_sms())
    await second.send(_sms())
    await vonage.send(_sms())

    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 1
    assert _bearers(mock) == ["Bearer tok-1"] * 3
    assert _bearers(mock, VONAGE_URL) == ["Bearer tok-1"]


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"client_id": "another-app", "client_secret": CLIENT_SECRET}, id="id"),
        pytest.param({"client_id": CLIENT_ID, "client_secret": "wrong"}, id="secret"),
    ],
)
async def test_no_token_shared_with_other_credentials(
    session: aiohttp.ClientSession, mock: aioresponses, store: TokenStore, other: dict[str, str]
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-right"))
    mock.post(TOKEN_REQUEST, status=401, payload={"error": "invalid_client"})
    mock.post(SEND_URL, payload=SENT, repeat=True)
    await KpnSmsGateway(session, CREDENTIALS, token_store=store).send(_sms())

    with pytest.raises(errors.AuthenticationError):
        await KpnSmsGateway(session, other, token_store=store).send(_sms())

    (_, wrong) = _calls(mock, "POST", TOKEN_REQUEST)
    assert sent(wrong)["data"] == other
    assert _bearers(mock) == ["Bearer tok-right"]


async def test_validate_always_asks_for_a_fresh_token(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1"))
    mock.post(TOKEN_REQUEST, status=401, payload={"error": "invalid_client"})
    await gateway.validate_credentials()

    # The app's secret was revoked meanwhile: the cached token must not hide that.
    with pytest.raises(errors.AuthenticationError):
        await gateway.validate_credentials()

    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 2


async def test_validated_token_serves_the_sends(gateway: KpnSmsGateway, mock: aioresponses) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1"))
    mock.post(SEND_URL, payload=SENT)

    await gateway.validate_credentials()
    await gateway.send(_sms())

    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 1
    assert _bearers(mock) == ["Bearer tok-1"]


@pytest.mark.parametrize(
    ("expires_in", "later", "fetches"),
    [
        pytest.param("3599", 3500.0, 1, id="well-before"),
        pytest.param("3599", 3538.0, 1, id="just-before-margin"),
        pytest.param("3599", 3540.0, 2, id="within-margin"),
        pytest.param("3599", 4000.0, 2, id="expired"),
        pytest.param("60", 29.0, 1, id="short-lived-half"),
        pytest.param("60", 30.0, 2, id="short-lived-past-half"),
        pytest.param("0", 0.0, 2, id="zero"),
        pytest.param("soon", 0.0, 2, id="garbage-expiry"),
    ],
)
async def test_token_refreshed_shortly_before_expiry(
    gateway: KpnSmsGateway,
    mock: aioresponses,
    clock: Clock,
    expires_in: str,
    later: float,
    fetches: int,
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1", expires_in))
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-2", expires_in))
    mock.post(SEND_URL, payload=SENT, repeat=True)

    await gateway.send(_sms())
    clock.now += later
    await gateway.send(_sms())

    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == fetches
    assert _bearers(mock)[-1] == f"Bearer tok-{fetches}"


# --- a token the API refuses ------------------------------------------------------------------


async def test_401_refreshes_once_and_repeats_once(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1"))
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-2"))
    mock.post(SEND_URL, status=401, body="Unauthorized")
    mock.post(SEND_URL, payload=SENT)

    receipt = await gateway.send(_sms())

    assert receipt.messages[0].message_id == SENT["document_id"]
    assert _bearers(mock) == ["Bearer tok-1", "Bearer tok-2"]
    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 2
    # The same request went out twice, nothing else.
    first, second = _calls(mock, "POST", SEND_URL)
    assert first.kwargs["json"] == second.kwargs["json"]


async def test_second_401_is_an_authentication_error(
    gateway: KpnSmsGateway, mock: aioresponses
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1"), repeat=True)
    mock.post(SEND_URL, status=401, repeat=True)

    with pytest.raises(errors.AuthenticationError) as raised:
        await gateway.send(_sms())

    assert raised.value.code == "401"
    assert len(_calls(mock, "POST", SEND_URL)) == 2
    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 2


@pytest.mark.parametrize("status", [403, 429, 500])
async def test_other_refusals_are_not_repeated(
    gateway: KpnSmsGateway, mock: aioresponses, status: int
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply(), repeat=True)
    mock.post(SEND_URL, status=status, repeat=True)

    with pytest.raises(errors.GatewayError):
        await gateway.send(_sms())

    assert len(_calls(mock, "POST", SEND_URL)) == 1
    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 1


async def test_refused_token_is_replaced_for_every_instance(
    session: aiohttp.ClientSession, mock: aioresponses, store: TokenStore
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-1"))
    mock.post(TOKEN_REQUEST, payload=_token_reply("tok-2"))
    mock.post(SEND_URL, status=401)
    mock.post(SEND_URL, payload=SENT, repeat=True)
    first = KpnSmsGateway(session, CREDENTIALS, token_store=store)

    await first.send(_sms())
    await KpnSmsGateway(session, CREDENTIALS, token_store=store).send(_sms())

    assert _bearers(mock) == ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2"]


# --- many sends at once -----------------------------------------------------------------------


async def test_concurrent_sends_fetch_one_token(
    session: aiohttp.ClientSession, mock: aioresponses, store: TokenStore
) -> None:
    release = asyncio.Event()

    async def slow_token(url: URL, **kwargs: Any) -> CallbackResult:
        await release.wait()
        return CallbackResult(payload=_token_reply("tok-1"))

    mock.post(TOKEN_REQUEST, callback=slow_token, repeat=True)
    mock.post(SEND_URL, payload=SENT, repeat=True)
    gateways = [KpnSmsGateway(session, CREDENTIALS, token_store=store) for _ in range(5)]

    sends = [asyncio.create_task(gateway.send(_sms())) for gateway in gateways]
    await asyncio.sleep(0)  # a yield, not a wait: every send reaches the token
    release.set()
    await asyncio.gather(*sends)

    assert len(_calls(mock, "POST", TOKEN_REQUEST)) == 1
    assert _bearers(mock) == ["Bearer tok-1"] * 5


async def test_store_fetches_once_for_waiting_callers() -> None:
    store = TokenStore()
    release = asyncio.Event()
    fetched: list[int] = []

    async def fetch() -> AccessToken:
        fetched.append(1)
        await release.wait()
        return AccessToken("tok", 3599)

    key = (TOKEN_URL, CLIENT_ID, "hash")
    waiting = [asyncio.create_task(store.token(key, fetch)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()

    assert await asyncio.gather(*waiting) == ["tok"] * 5
    assert fetched == [1]


async def test_store_clear_forgets_tokens() -> None:
    store = TokenStore()
    tokens = iter(["tok-1", "tok-2"])

    async def fetch() -> AccessToken:
        return AccessToken(next(tokens), 3599)

    key = (TOKEN_URL, CLIENT_ID, "hash")
    assert await store.token(key, fetch) == "tok-1"
    assert await store.token(key, fetch) == "tok-1"
    store.clear()
    assert await store.token(key, fetch) == "tok-2"


# --- what both KPN gateways share -------------------------------------------------------------


@pytest.mark.parametrize("gateway_class", [KpnSmsGateway, KpnVonageGateway])
def test_account_id_is_the_client_id(gateway_class: type[KpnGateway]) -> None:
    assert gateway_class.account_id(CREDENTIALS) == CLIENT_ID
    assert CLIENT_SECRET not in gateway_class.account_id(CREDENTIALS)
    assert gateway_class.credential_fields == ("client_id", "client_secret")


@pytest.mark.parametrize("sender", [None, ""])
async def test_sender_required(
    gateway: KpnSmsGateway, mock: aioresponses, sender: str | None
) -> None:
    with pytest.raises(errors.InvalidSenderError, match=r"^sender_required$"):
        await gateway.send(_sms(sender))

    assert not mock.requests


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        pytest.param({"quota-reset-UTC": "2030-01-01T00:01:40Z"}, 100.0, id="iso"),
        pytest.param({"quota-reset-UTC": "2030-01-01T00:01:40"}, 100.0, id="iso-naive"),
        pytest.param({"quota-reset-UTC": "1893456100000"}, 100.0, id="epoch-ms"),
        pytest.param({"quota-reset-UTC": "1893456100"}, 100.0, id="epoch-s"),
        pytest.param({"quota-reset-UTC": "2029-12-31T23:00:00Z"}, 0.0, id="past"),
        pytest.param({"quota-reset-UTC": "soon", "Retry-After": "7"}, 7.0, id="fallback"),
        pytest.param({"Retry-After": "7"}, 7.0, id="retry-after"),
        pytest.param({}, None, id="absent"),
    ],
)
async def test_rate_limited_with_quota_reset(
    gateway: KpnSmsGateway,
    mock: aioresponses,
    headers: dict[str, str],
    retry_after: float | None,
) -> None:
    mock.post(TOKEN_REQUEST, payload=_token_reply())
    mock.post(SEND_URL, status=429, headers=headers, body="<html>Too many</html>")

    with pytest.raises(errors.RateLimitedError) as raised:
        await gateway.send(_sms())

    assert raised.value.code == "429"
    assert raised.value.retry_after == retry_after
