"""Whatever comes back, every gateway reads a result or raises its own error, never another.

Replies are read through the real clients, against aioresponses answering with any status,
headers and bytes; webhook calls are any ``WebhookRequest``. The strategies lean towards what
the gateways send (their field names, codes, statuses and date layouts), so the reading gets
past the first check. The tests at the end pin the inputs that found bugs here.
"""

from __future__ import annotations

import encodings.aliases
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.benelux_sms.gateways import GATEWAYS
from custom_components.benelux_sms.gateways.base import (
    Credits,
    DeliveryReport,
    DeliveryStatus,
    GatewayError,
    InboundSms,
    InvalidWebhookError,
    SendReceipt,
    WebhookContent,
    WebhookRequest,
)

from .conftest import CREDENTIALS, NUMBER, OPS, Op, ops

PROPERTY = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Few examples, always the same ones: the file runs in seconds and never flakes."""

EARLIEST = datetime(1, 1, 1)
"""Dates from the calendar's first day (test_1601_times_in_year_one found its first minutes)."""
LARGEST = 10**400
"""Whole numbers past a float's range too (test_numbers_beyond_a_float)."""


def _decodes_text(name: str) -> bool:
    try:
        b"a".decode(name, "replace")
    except LookupError:
        return False
    return True


TEXT_CHARSETS = sorted(
    name for name in set(encodings.aliases.aliases.values()) if _decodes_text(name)
)

# --- replies ---------------------------------------------------------------------------------

REPLY_FIELDS = (
    "code",
    "message",
    "status",
    "details",
    "messageid",
    "testmode",
    "number",
    "msgid",
    "document_id",
    "messages",
    "message-count",
    "message-id",
    "remaining-balance",
    "error-text",
    "to",
    "access_token",
    "expires_in",
    "errorResponse",
    "fault",
    "error",
    "detail",
    "errorcode",
    "ErrorCode",
    "Error",
    "info",
    "faultstring",
)
REPLY_WORDS = (
    "0",
    "4",
    "9",
    "04",
    "10",
    "100",
    "3599",
    "OK",
    "success",
    "credits.error",
    "error",
    "invalid_client",
    "Insufficient credit",
    "Invalid number",
    "sender",
    "too long",
)
SMS1601_WORDS = (
    "OK",
    "ok",
    "ERROR",
    "ERROR:",
    "DELIVERED",
    "NOT DELIVERED",
    "BUFFERED",
    "SUBMITTED",
    "REJECTED",
    "NONE",
    "<html><body>",
    "</body></html>",
    "<br/>",
    "&nbsp;",
)

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-LARGEST, LARGEST),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(REPLY_WORDS),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(REPLY_FIELDS) | st.text(max_size=6), inner, max_size=6),
    ),
    max_leaves=15,
)
"""JSON of the gateways' own fields, nested any way; floats include NaN and infinities."""

dates = st.datetimes(min_value=EARLIEST)
sms1601_text = st.lists(
    st.one_of(
        st.sampled_from(SMS1601_WORDS),
        st.integers(-(10**25), 10**25).map(str),
        dates.map(lambda moment: moment.strftime("%d/%m/") + f"{moment.year:04d}"),
        dates.map(lambda moment: moment.strftime("%H:%M:%S")),
        st.text(max_size=8),
    ),
    max_size=5,
).map(" ".join)
"""1601SMS's replies: words, numbers and dates, in any order."""

bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    sms1601_text.map(str.encode),
    st.text(max_size=50).map(lambda text: text.encode("utf-8", "surrogatepass")),
)
header_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    st.floats().map(str),
    st.integers(-(10**15), 10**15).map(str),
    dates.map(datetime.isoformat),
    dates.map(lambda moment: moment.strftime("%a, %d %b ") + f"{moment:%Y %H:%M:%S} GMT"),
)
charsets = st.one_of(
    st.sampled_from(TEXT_CHARSETS),
    st.sampled_from(("base64", "hex", "zlib", "rot13", "uu")),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", max_size=12),
)
content_types = st.one_of(
    st.sampled_from(("application/json", "text/html", "text/plain", "")),
    st.builds(
        "{}; charset={}".format, st.sampled_from(("application/json", "text/html")), charsets
    ),
)
replies = st.fixed_dictionaries(
    {
        "status": st.one_of(
            st.sampled_from((200, 201, 202, 400, 401, 403, 404, 429, 500, 503)),
            st.integers(100, 599),
        ),
        "body": bodies,
        "content_type": content_types,
        "headers": st.fixed_dictionaries(
            {}, optional={"Retry-After": header_text, "quota-reset-UTC": header_text}
        ),
    }
)
"""Any reply: any status, headers and body."""


def _assert_result(op: Op, result: object) -> None:
    """The call's result is what its method promises."""
    if op.name == "send":
        assert isinstance(result, SendReceipt)
        assert [message.recipient for message in result.messages] == [NUMBER]
        assert all(isinstance(message.message_id, str | None) for message in result.messages)
    elif op.name == "credits":
        assert isinstance(result, Credits)
        assert isinstance(result.remaining, float)
    elif op.name == "reports":
        assert isinstance(result, list)
        assert all(isinstance(report, DeliveryReport) for report in result)
        assert {report.message_id for report in result} <= {"1", "2", "3"}
    else:
        assert result is None


async def _outcome(op: Op, reply: dict[str, Any]) -> object:
    """What the call returns when every request it makes gets this reply (after its own
    requests before, such as KPN's token); a GatewayError is returned, not raised."""
    async with aiohttp.ClientSession() as session:
        with aioresponses() as mock:
            op.prepare(mock)
            mock.add(op.url, op.method, repeat=True, **reply)
            gateway = GATEWAYS[op.provider](session, CREDENTIALS[op.provider])
            try:
                return await op.run(gateway)
            except GatewayError as err:
                return err


@pytest.mark.parametrize("op", ops())
@PROPERTY
@given(reply=replies)
async def test_any_reply_is_a_result_or_a_gateway_error(op: Op, reply: dict[str, Any]) -> None:
    outcome = await _outcome(op, reply)

    if not isinstance(outcome, GatewayError):
        _assert_result(op, outcome)


# --- webhook calls ---------------------------------------------------------------------------

WEBHOOK_FIELDS = (
    "msgid",
    "status",
    "smsid",
    "datum",
    "referentie",
    "document_id",
    "id",
    "mobile_number",
    "msisdn",
    "timestamp",
    "date",
    "messageId",
    "to",
    "text",
    "type",
    "keyword",
    "concat",
    "concat-ref",
    "concat-total",
    "concat-part",
    "err-code",
    "message-timestamp",
    "scts",
    "price",
    "sig",
    "nonce",
)
STATUSES = (
    "10",
    "11",
    "13",
    "01",
    "1",
    "DELIVERED",
    "NOT DELIVERED",
    "UNDELIVERED",
    "BUFFERED",
    "SUBMITTED",
    "EXPIRED",
    "REJECTED",
    "FAILED",
    "ACCEPTED",
    "UNKNOWN",
    "NONE",
    "delivered",
    "failed",
    "accepted",
    "unknown",
    "true",
    "True",
)
DATE_LAYOUTS = ("%m%d%H%M%S", "-%m-%d %H:%M:%S", "-%m-%dT%H:%M:%S", "-%m-%dT%H:%M:%S.%f")

webhook_values = st.one_of(
    st.text(st.characters(exclude_categories=[]), max_size=20),
    st.from_regex(r"\A[0-9]{1,22}\Z"),
    st.integers(-5, 300).map(str),
    st.sampled_from(STATUSES),
    st.builds(
        lambda moment, layout, zone: f"{moment.year:04d}{moment.strftime(layout)}{zone}",
        dates,
        st.sampled_from(DATE_LAYOUTS),
        st.sampled_from(("", "Z", "+02:00", "-23:59")),
    ),
    dates.map(lambda moment: moment.strftime("%y%m%d%H%M")),
)
"""Field values of every kind: any text (lone surrogates too), ids, statuses, dates in each
gateway's layout."""
fields = st.dictionaries(
    st.sampled_from(WEBHOOK_FIELDS) | st.text(max_size=6), webhook_values, max_size=10
)
webhook_bodies = st.one_of(
    st.binary(max_size=100),
    st.one_of(fields, st.lists(fields, max_size=3), json_values).map(
        lambda value: json.dumps(value).encode()
    ),
)
webhook_calls = st.builds(
    WebhookRequest,
    method=st.sampled_from(("GET", "POST", "get", "post", "PUT", "HEAD", "")) | st.text(max_size=5),
    query=fields,
    form=fields,
    body=webhook_bodies,
    headers=st.dictionaries(
        st.sampled_from(("Content-Type", "X-KPN-Signature", "X-Signature")) | st.text(max_size=8),
        st.text(max_size=70),
        max_size=3,
    ),
)
"""Any webhook call."""

SECRET = "webhook-signature-secret"


def _signed(provider: str, call: WebhookRequest) -> WebhookRequest:
    """The call as its gateway signs it, by the gateway's signing rules written out here (KPN:
    HMAC-SHA256 of the body; Vonage: MD5 of the sorted parameters and the secret)."""
    if provider == "kpn_sms":
        signature = hmac.new(SECRET.encode(), call.body, hashlib.sha256).hexdigest()
        headers = {**call.headers, "X-KPN-Signature": signature}
        return WebhookRequest(call.method, call.query, call.form, call.body, headers)
    if provider == "kpn_vonage":
        in_query = call.method.upper() == "GET"
        params = dict(call.query if in_query else call.form)
        text = "".join(
            f"&{key}={value.replace('&', '_').replace('=', '_')}"
            for key, value in sorted(params.items())
            if key != "sig"
        )
        params["sig"] = hashlib.md5(  # noqa: S324 - Vonage's signature
            (text + SECRET).encode("utf-8", "surrogatepass")
        ).hexdigest()
        query, form = (params, call.form) if in_query else (call.query, params)
        return WebhookRequest(call.method, query, form, call.body, call.headers)
    return call


def _assert_content(content: WebhookContent) -> None:
    assert isinstance(content, WebhookContent)
    for report in content.reports:
        assert isinstance(report, DeliveryReport)
        assert isinstance(report.status, DeliveryStatus)
        assert isinstance(report.message_id, str)
        assert report.message_id
        assert report.timestamp is None or report.timestamp.utcoffset() == timedelta(0)
    for sms in content.inbound:
        assert isinstance(sms, InboundSms)
        assert sms.message_id
        assert 1 <= sms.concat_part <= sms.concat_total
        assert sms.timestamp is None or sms.timestamp.utcoffset() == timedelta(0)


@pytest.mark.parametrize("secret", [None, SECRET], ids=["unsigned", "signed"])
@pytest.mark.parametrize("provider", sorted(GATEWAYS))
@PROPERTY
@given(call=webhook_calls, sign=st.booleans())
def test_any_webhook_call_is_content_or_invalid(
    session: aiohttp.ClientSession,
    provider: str,
    secret: str | None,
    call: WebhookRequest,
    sign: bool,
) -> None:
    gateway = GATEWAYS[provider](session, CREDENTIALS[provider], webhook_secret=secret)
    if secret is not None and sign:
        call = _signed(provider, call)

    try:
        content = gateway.parse_webhook(call)
    except InvalidWebhookError:
        return
    _assert_content(content)


@pytest.mark.parametrize(
    ("provider", "call"),
    [
        pytest.param(
            "kpn_sms",
            WebhookRequest("POST", {}, {}, b'{"document_id": "d1", "status": "DELIVERED"}', {}),
            id="kpn_sms",
        ),
        pytest.param(
            "kpn_vonage",
            WebhookRequest("GET", {"messageId": "m1", "status": "delivered"}, {}, b"", {}),
            id="kpn_vonage",
        ),
    ],
)
def test_signed_calls_get_past_the_signature(
    session: aiohttp.ClientSession, provider: str, call: WebhookRequest
) -> None:
    # The property's signed calls reach the reading, not only the signature check.
    gateway = GATEWAYS[provider](session, CREDENTIALS[provider], webhook_secret=SECRET)

    assert len(gateway.parse_webhook(_signed(provider, call)).reports) == 1


# --- bugs these properties found, each with the exact input that showed it --------------------


def _op(provider: str, name: str) -> Op:
    (op,) = (op for op in OPS if (op.provider, op.name) == (provider, name))
    return op


@pytest.mark.parametrize("op", ops())
async def test_charset_that_is_no_text_encoding(op: Op) -> None:
    outcome = await _outcome(op, {"body": b"OK 1", "content_type": "text/plain; charset=base64"})

    assert isinstance(outcome, GatewayError)


@pytest.mark.parametrize(
    ("provider", "name", "body"),
    [
        ("smsbox", "credits", '{"code": 100, "message": 1%s}'),
        ("smsservicecenter", "credits", '{"status": "success", "details": 1%s}'),
        (
            "kpn_vonage",
            "send",
            '{"messages": [{"status": "0", "message-id": "a", "remaining-balance": 1%s}]}',
        ),
        ("kpn_sms", "validate", '{"access_token": "tok", "expires_in": 1%s}'),
    ],
)
async def test_numbers_beyond_a_float(provider: str, name: str, body: str) -> None:
    outcome = await _outcome(_op(provider, name), {"body": body % ("0" * 309)})

    assert isinstance(outcome, GatewayError | SendReceipt | Credits | None)


@pytest.mark.parametrize("where", ["webhook", "poll"])
async def test_1601_times_in_year_one(session: aiohttp.ClientSession, where: str) -> None:
    gateway = GATEWAYS["sms1601"](session, CREDENTIALS["sms1601"])
    if where == "webhook":
        query = {"smsid": "1", "status": "DELIVERED", "datum": "00010101000000"}
        content = gateway.parse_webhook(WebhookRequest("GET", query, {}, b"", {}))
        assert content.reports[0].timestamp is None
        return
    outcome = await _outcome(_op("sms1601", "reports"), {"body": "DELIVERED 01/01/0001 00:00:00"})
    assert isinstance(outcome, list)
