"""The token store is an object its owner hands in; secrets each gateway declares and masks."""

from __future__ import annotations

import hashlib

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import (
    GATEWAYS,
    Gateway,
    KpnSmsGateway,
    KpnVonageGateway,
    Sms1601Gateway,
    TokenStore,
)
from custom_components.benelux_sms.gateways.base import GatewayError
from custom_components.benelux_sms.gateways.tokens import AccessToken

from .conftest import KPN_CREDENTIALS, KPN_TOKEN_REQUEST
from .send_wire import sms

SEND_URL = "https://api-prd.kpn.com/communication/kpn/sms/send"
SENT = {"document_id": "doc-1", "status": "OK"}
BEARER = "bearer-Zq8wJ3vKp2Lx9RtY"


def _token_requests(mock: aioresponses) -> int:
    return len(mock.requests.get(("POST", URL(KPN_TOKEN_REQUEST)), []))


async def test_gateways_without_a_store_share_no_token(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(KPN_TOKEN_REQUEST, payload={"access_token": "t", "expires_in": "3599"}, repeat=True)
    mock.post(SEND_URL, payload=SENT, repeat=True)

    await KpnSmsGateway(session, KPN_CREDENTIALS).send(sms())
    await KpnSmsGateway(session, KPN_CREDENTIALS).send(sms())

    assert _token_requests(mock) == 2


async def test_gateways_with_one_store_share_its_token(
    session: aiohttp.ClientSession, mock: aioresponses
) -> None:
    mock.post(KPN_TOKEN_REQUEST, payload={"access_token": "t", "expires_in": "3599"}, repeat=True)
    mock.post(SEND_URL, payload=SENT, repeat=True)
    store = TokenStore()

    await KpnSmsGateway(session, KPN_CREDENTIALS, token_store=store).send(sms())
    await KpnSmsGateway(session, KPN_CREDENTIALS, token_store=store).send(sms())

    assert _token_requests(mock) == 1


@pytest.mark.parametrize("gateway_class", GATEWAYS.values(), ids=lambda c: c.provider)
def test_every_gateway_takes_a_token_store(
    session: aiohttp.ClientSession, gateway_class: type[Gateway]
) -> None:
    credentials = dict.fromkeys(gateway_class.credential_fields, "x")
    store = TokenStore()

    gateway = gateway_class(session, credentials, token_store=store)

    assert gateway._token_store is store
    assert isinstance(gateway_class(session, credentials)._token_store, TokenStore)


async def test_store_keeps_its_own_clocks() -> None:
    now = [100.0]
    store = TokenStore(monotonic=lambda: now[0], wall_clock=lambda: 42.0)
    tokens = iter(["tok-1", "tok-2"])

    async def fetch() -> AccessToken:
        return AccessToken(next(tokens), 200)

    key = ("url", "client", "hash")
    assert await store.token(key, fetch) == "tok-1"
    now[0] += 139  # the margin is 60 s
    assert await store.token(key, fetch) == "tok-1"
    now[0] += 1
    assert await store.token(key, fetch) == "tok-2"
    assert store.cached(key) == "tok-2"
    assert store.wall_clock() == 42.0


def test_no_module_level_token_state() -> None:
    from custom_components.benelux_sms.gateways import kpn_oauth  # noqa: PLC0415

    assert not hasattr(kpn_oauth, "TOKENS")
    assert not hasattr(kpn_oauth, "wall_clock")


# --- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "secret_fields", "home_region"),
    [
        ("smsservicecenter", {"api_key"}, None),
        ("smsbox", {"api_key"}, "BE"),
        ("sms1601", {"password"}, None),
        ("kpn_sms", {"client_secret"}, "NL"),
        ("kpn_vonage", {"client_secret"}, None),
    ],
)
def test_secret_fields_and_home_region(
    provider: str, secret_fields: set[str], home_region: str | None
) -> None:
    gateway_class = GATEWAYS[provider]

    assert gateway_class.secret_fields == frozenset(secret_fields)
    assert gateway_class.secret_fields <= set(gateway_class.credential_fields)
    assert gateway_class.home_region == home_region


@pytest.mark.parametrize("gateway_class", [KpnSmsGateway, KpnVonageGateway])
async def test_bearer_token_in_use_is_masked_from_errors(
    session: aiohttp.ClientSession, mock: aioresponses, gateway_class: type[Gateway]
) -> None:
    mock.post(KPN_TOKEN_REQUEST, payload={"access_token": BEARER, "expires_in": "3599"})
    gateway = gateway_class(session, KPN_CREDENTIALS)
    url = gateway._base_url + "send"
    echo = {"errorResponse": {"code": f"token {BEARER}", "message": f"bad {BEARER}"}}
    mock.post(url, status=400, payload=echo)

    with pytest.raises(GatewayError) as raised:
        await gateway.send(sms())

    assert raised.value.code == "token ***"
    for text in (str(raised.value), repr(raised.value)):
        assert BEARER not in text


def test_sms1601_password_hash_is_masked(session: aiohttp.ClientSession) -> None:
    password = "pw-0123456789"
    digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest()
    gateway = Sms1601Gateway(session, {"username": "anna", "password": password})

    masked = gateway._masked(f"klantpwd={digest}&pw={password}")

    assert masked == "klantpwd=***&pw=***"
