"""What every gateway's every call does on the wire, whatever its document: ``Gateway._request``.

One request per call (no retry: a send that timed out may have gone out), no redirect followed
(a redirected POST could send twice or lose its body), 401/403 refuse the credentials, 429 is a
rate limit, 5xx and transport failures make the gateway unavailable, and no error is chained to
aiohttp's (its texts can hold the URL, and with it a credential) or holds a secret.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from yarl import URL

from custom_components.benelux_sms.gateways import GATEWAYS, errors
from custom_components.benelux_sms.gateways.base import (
    Gateway,
)

from .conftest import CREDENTIALS, KPN_CREDENTIALS, OPS, Op, all_calls, assert_raised, calls, ops

SMS1601_PASSWORD = CREDENTIALS["sms1601"]["password"]
SECRETS: dict[str, tuple[str, ...]] = {
    "smsbox": (CREDENTIALS["smsbox"]["api_key"],),
    # 1601SMS sends the password's SHA-1, which opens the account as well.
    "sms1601": (
        SMS1601_PASSWORD,
        hashlib.sha1(SMS1601_PASSWORD.encode(), usedforsecurity=False).hexdigest(),
    ),
    "smsservicecenter": (CREDENTIALS["smsservicecenter"]["api_key"],),
    "kpn_sms": (KPN_CREDENTIALS["client_secret"],),
    "kpn_vonage": (KPN_CREDENTIALS["client_secret"],),
}


@pytest.fixture(params=ops())
def op(request: pytest.FixtureRequest) -> Op:
    """Each call of each gateway."""
    result: Op = request.param
    return result


def _gateway(session: aiohttp.ClientSession, op: Op, **kwargs: Any) -> Gateway:
    return GATEWAYS[op.provider](session, CREDENTIALS[op.provider], **kwargs)


@pytest.fixture
def gateway(session: aiohttp.ClientSession, op: Op) -> Gateway:
    return _gateway(session, op)


@pytest.fixture
def mock(mock: aioresponses, op: Op) -> aioresponses:
    """Every request around the call's own is answered."""
    op.prepare(mock)
    return mock


def _assert_asked_once(mock: aioresponses, op: Op, times: int = 1, *, done: bool = False) -> None:
    """The call made its own request ``times`` times, the requests before it as often, and no
    other request (no retry, no redirect followed); those after it only when it is ``done``."""
    around = op.before + op.after if done else op.before
    expected = Counter({(method, URL(url)): times for method, url in around})
    expected[(op.method, URL(op.url))] = times
    assert Counter(all_calls(mock)) == expected


def _assert_not_chained(err: BaseException) -> None:
    assert err.__cause__ is None
    assert err.__context__ is None or err.__suppress_context__


@pytest.mark.parametrize(
    ("options", "seconds"), [({}, 30), ({"timeout": 5}, 5)], ids=["default-30", "custom-5"]
)
async def test_a_good_reply_is_taken(
    session: aiohttp.ClientSession,
    mock: aioresponses,
    op: Op,
    options: dict[str, Any],
    seconds: int,
) -> None:
    # The suite's requests are the calls' real ones: each is answered here and taken.
    gateway = _gateway(session, op, **options)
    mock.add(op.url, op.method, **op.ok)

    await op.run(gateway)

    _assert_asked_once(mock, op, done=True)
    (call,) = calls(mock, op.method, op.url)
    assert call.kwargs["allow_redirects"] is False
    assert call.kwargs["timeout"] == aiohttp.ClientTimeout(total=seconds)


STATUS_REPLIES = [
    (401, ""),
    (401, "Unauthorized"),
    (403, ""),
    (403, "Forbidden"),
    (403, "<html/>"),
    (500, ""),
    (502, "<html>Bad Gateway</html>"),
    (503, ""),
    (503, "down"),
    (503, "<html/>"),
    (504, ""),
]


@pytest.mark.parametrize(
    ("status", "body"), STATUS_REPLIES, ids=[f"{s}-{b or 'empty'}" for s, b in STATUS_REPLIES]
)
async def test_refusing_status(
    gateway: Gateway, mock: aioresponses, op: Op, status: int, body: str
) -> None:
    mock.add(op.url, op.method, status=status, body=body, repeat=True)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    refused = status in (401, 403) and op.credentials_sent
    expected: errors.GatewayError = (
        errors.AuthenticationError(str(status))
        if refused
        # A 503 says the gateway took nothing; a 401/403 from a host that got no credentials
        # (1601SMS's report URL) and the other 5xx leave it open.
        else errors.GatewayUnavailableError(str(status), not_sent=status == 503)
    )
    assert_raised(raised, expected, send=op.name == "send")
    # A 401 to a KPN call means the token was refused unread: one new token, one repeat.
    _assert_asked_once(mock, op, times=2 if status == 401 and op.renews_token else 1)


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        pytest.param({"Retry-After": "30"}, 30.0, id="30"),
        pytest.param({"Retry-After": "120"}, 120.0, id="120"),
        pytest.param({"Retry-After": "1.5"}, 1.5, id="fraction"),
        pytest.param({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0, id="http-date-past"),
        pytest.param({}, None, id="absent"),
    ],
)
async def test_rate_limited(
    gateway: Gateway,
    mock: aioresponses,
    op: Op,
    headers: dict[str, str],
    retry_after: float | None,
) -> None:
    mock.add(op.url, op.method, status=429, headers=headers, body="Too Many Requests")

    with pytest.raises(errors.RateLimitedError) as raised:
        await op.run(gateway)

    assert type(raised.value) is errors.RateLimitedError
    assert (raised.value.code, str(raised.value)) == ("429", "429")
    assert raised.value.retry_after == retry_after
    _assert_asked_once(mock, op)


TRANSPORT_ERRORS: list[tuple[str, Callable[[str], Exception], str]] = [
    ("timeout", lambda url: TimeoutError(), "timeout"),
    ("server-timeout", lambda url: aiohttp.ServerTimeoutError("read timed out"), "timeout"),
    (
        "connection",
        lambda url: aiohttp.ClientConnectionError(f"refused {url}"),
        "ClientConnectionError",
    ),
    ("disconnected", lambda url: aiohttp.ServerDisconnectedError(), "ServerDisconnectedError"),
    ("payload", lambda url: aiohttp.ClientPayloadError("cut"), "ClientPayloadError"),
]


@pytest.mark.parametrize(
    ("exception", "code"),
    [pytest.param(make, code, id=name) for name, make, code in TRANSPORT_ERRORS],
)
async def test_transport_errors(
    gateway: Gateway,
    mock: aioresponses,
    op: Op,
    exception: Callable[[str], Exception],
    code: str,
) -> None:
    mock.add(op.url, op.method, exception=exception(op.url), repeat=True)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, errors.GatewayUnavailableError(code), send=op.name == "send")
    # Raised "from None": aiohttp's text (which can hold the URL) does not ride along.
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__ is True
    # A send that timed out is not repeated: it may have gone out.
    _assert_asked_once(mock, op)


async def test_unmatched_request_is_a_connection_error(
    gateway: Gateway, mock: aioresponses, op: Op
) -> None:
    # aioresponses refuses any request nobody registered: no other URL is tried.
    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(
        raised, errors.GatewayUnavailableError("ClientConnectionError"), send=op.name == "send"
    )
    _assert_asked_once(mock, op)


@pytest.mark.parametrize("redirect", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    "body", ["", "<html><body>Redirecting…</body></html>"], ids=["empty", "html"]
)
async def test_redirect_not_followed(
    gateway: Gateway, mock: aioresponses, op: Op, redirect: int, body: str
) -> None:
    target = str(URL(op.url).with_host("elsewhere.example.test"))
    location = {"Location": target}
    mock.add(
        op.url, op.method, status=redirect, headers=location, body=body, content_type="text/html"
    )
    mock.add(target, op.method, repeat=True, **op.ok)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, errors.GatewayUnavailableError(str(redirect)), send=op.name == "send")
    _assert_asked_once(mock, op)
    assert calls(mock, op.method, op.url)[0].kwargs["allow_redirects"] is False


async def test_body_not_utf8(gateway: Gateway, mock: aioresponses, op: Op) -> None:
    mock.add(op.url, op.method, body=b'{"status":"\xff\xfe"}', content_type="application/json")

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(
        raised, errors.GatewayUnavailableError("UnicodeDecodeError"), send=op.name == "send"
    )
    _assert_asked_once(mock, op)


NOT_JSON_OBJECTS = [
    pytest.param("", id="empty"),
    pytest.param("<html><body>Maintenance</body></html>", id="html"),
    pytest.param("<html><body>Server Error</body></html>", id="html-error"),
    pytest.param("<html>portal</html>", id="html-portal"),
    pytest.param("<html/>", id="html-empty"),
    pytest.param('{"code":100,"message":', id="truncated"),
    pytest.param('{"status": "success", "details": ', id="truncated-spaced"),
    pytest.param("[]", id="list"),
    pytest.param('[{"code":100}]', id="list-of-object"),
    pytest.param('[{"status": "success", "details": 3}]', id="list-of-reply"),
    pytest.param('"success"', id="string"),
    pytest.param("null", id="null"),
    pytest.param("3", id="number"),
    pytest.param("100", id="code"),
]


@pytest.mark.parametrize("body", NOT_JSON_OBJECTS)
@pytest.mark.parametrize("op", [op.param for op in OPS if op.json], indirect=True)
async def test_not_a_json_object(gateway: Gateway, mock: aioresponses, op: Op, body: str) -> None:
    mock.add(op.url, op.method, body=body)

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    assert_raised(raised, errors.GatewayUnavailableError("invalid_json"), send=op.name == "send")


def _echoing(case: str, secrets: tuple[str, ...]) -> dict[str, Any]:
    """A reply or failure whose text holds the secrets."""
    text = " / ".join(secrets)
    return {
        "401": {"status": 401, "body": text},
        "429": {"status": 429, "body": text},
        "500": {"status": 500, "body": text},
        "not-json": {"body": f"bad key {text}"},
        "connection": {"exception": aiohttp.ClientConnectionError(text)},
        "timeout": {"exception": TimeoutError(text)},
    }[case]


ECHOES = ("401", "429", "500", "not-json", "connection", "timeout")


@pytest.mark.parametrize(
    ("op", "case"),
    [
        pytest.param(op, case, id=f"{op.provider}-{op.name}-{case}")
        for op in OPS
        for case in ECHOES
        # A report the poll cannot read is skipped, not an error.
        if not (case == "not-json" and op.name == "reports")
    ],
    indirect=["op"],
)
async def test_errors_never_hold_a_secret(
    gateway: Gateway, mock: aioresponses, op: Op, case: str
) -> None:
    secrets = SECRETS[op.provider]
    mock.add(op.url, op.method, repeat=True, **_echoing(case, secrets))

    with pytest.raises(errors.GatewayError) as raised:
        await op.run(gateway)

    err = raised.value
    _assert_not_chained(err)
    for text in (str(err), repr(err), str(err.code), *map(str, err.args)):
        for secret in secrets:
            # Not even a fragment of it, as a cut message could leave.
            assert secret[:12] not in text
