"""What the benchmark sees on the wire: every request the simulator received, and what it was.

The oracle for the count bounds. It reads requests as the gateways' documents describe them
(``/work/shared/gateway-docs``), never through the integration's code: a token request, a
credits request, a send, or something else.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qs

from aiohttp import web
from aiohttp.typedefs import Handler

TOKEN_PATH = "/kpn/oauth/client_credential/accesstoken"


class Kind(StrEnum):
    """What a request asks the gateway for."""

    TOKEN = "token"
    CREDITS = "credits"
    SEND = "send"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class GatewayUnderTest:
    """One simulated gateway account the benchmark sends through."""

    provider: str
    credentials: Mapping[str, str]
    path: str
    """The account's base URL below the simulator's address."""
    recipients_per_request: int
    """How many recipients one send request may carry (the gateway's document)."""
    credits_request: tuple[str, str] | None
    """``(method, last path segment)`` of its credits call; None where there is none."""
    send_request: tuple[str, str]

    def kind(self, method: str, path: str, fields: Mapping[str, list[str]]) -> Kind:
        """Classify one request to this gateway."""
        if path == TOKEN_PATH:
            return Kind.TOKEN
        if not path.startswith("/" + self.path):
            return Kind.OTHER
        endpoint = path.rsplit("/", 1)[-1]
        if self.provider == "sms1601" and endpoint == "gateway.php":
            # One endpoint, any method, for everything; ``action=credits`` asks the balance.
            return Kind.CREDITS if fields.get("action") == ["credits"] else Kind.SEND
        if (method, endpoint) == self.credits_request:
            return Kind.CREDITS
        if (method, endpoint) == self.send_request:
            return Kind.SEND
        return Kind.OTHER

    @property
    def has_credits_call(self) -> bool:
        """Whether the gateway can be asked for its balance."""
        return self.credits_request is not None

    @property
    def takes_token(self) -> bool:
        """Whether the gateway's API wants an OAuth token (KPN's API Store)."""
        return self.path.startswith("kpn/")


KPN_APP = {"client_id": "sim-client", "client_secret": "sim-secret"}

GATEWAYS: tuple[GatewayUnderTest, ...] = (
    # smsservicecenter.txt / NOTES.md: "numbers ... at most 50".
    GatewayUnderTest(
        "smsservicecenter",
        {"api_key": "sim-good-key"},
        "smsservicecenter/api/v2/",
        50,
        ("GET", "credits"),
        ("POST", "send"),
    ),
    # smsbox.txt error 11: "Max 500 number allowed".
    GatewayUnderTest(
        "smsbox",
        {"api_key": "sim-smsbox-key"},
        "smsbox/api/v1/",
        500,
        ("GET", "balance"),
        ("POST", "sendsms"),
    ),
    # 1601sms.txt allows a comma-separated list and names no maximum; 100 per request is the
    # limit this project chose for it.
    GatewayUnderTest(
        "sms1601",
        {"username": "sim-user", "password": "sim-password"},
        "sms1601/module/",
        100,
        ("GET", "gateway.php"),
        ("GET", "gateway.php"),
    ),
    # NOTES.md: "messages[] up to 200 message x recipient pairs per call".
    GatewayUnderTest(
        "kpn_sms",
        KPN_APP,
        "kpn/communication/kpn/sms/",
        200,
        None,
        ("POST", "send"),
    ),
    # Vonage's /send takes one ``to``.
    GatewayUnderTest(
        "kpn_vonage",
        KPN_APP,
        "kpn/communication/nexmo/sms/",
        1,
        None,
        ("POST", "send"),
    ),
)


@dataclass(frozen=True, slots=True)
class WireRequest:
    """One request as the simulator received it."""

    source: str
    """Who the benchmark was running when it arrived: ``integration`` or ``bare``."""
    method: str
    raw_path: str
    """Path and query as they came, still encoded."""
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fields: Mapping[str, list[str]]
    at: float

    @property
    def path(self) -> str:
        """The path without the query."""
        return self.raw_path.partition("?")[0]

    def shape(self) -> tuple[str, str, tuple[tuple[str, str], ...], bytes]:
        """Method, URL, headers (names folded, sorted) and body: what two sends must share."""
        headers = tuple(sorted((name.lower(), value) for name, value in self.headers))
        return self.method, self.raw_path, headers, self.body


@dataclass(slots=True)
class Recorder:
    """An aiohttp middleware for the simulator's top application that keeps every request."""

    source: str = "integration"
    requests: list[WireRequest] = field(default_factory=list)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer the request, then keep it.

        The body is read after the handler: aiohttp caches what the handler read (and a
        handler that asks ``can_read_body`` would see none if it were read first).
        """
        source, at = self.source, time.perf_counter()
        response = await handler(request)
        body = await request.read()
        fields = parse_qs(request.query_string)
        if request.content_type == "application/x-www-form-urlencoded":
            for name, values in parse_qs(body.decode(errors="replace")).items():
                fields.setdefault(name, []).extend(values)
        self.requests.append(
            WireRequest(
                source=source,
                method=request.method,
                raw_path=request.raw_path,
                headers=tuple(request.headers.items()),
                body=body,
                fields=fields,
                at=at,
            )
        )
        return response

    def mark(self) -> int:
        """Where the requests from now on start."""
        return len(self.requests)

    def since(self, mark: int) -> list[WireRequest]:
        """The requests received after ``mark``."""
        return self.requests[mark:]


def count(
    gateway: GatewayUnderTest,
    requests: Iterable[WireRequest],
    kind: Kind,
    source: str | None = None,
) -> int:
    """How many of the requests are of that kind (and came while that side ran)."""
    return sum(
        1
        for request in requests
        if gateway.kind(request.method, request.path, request.fields) is kind
        and (source is None or request.source == source)
    )
