"""Webhook calls anyone who learns the URL could make, for fuzzing ``parse_webhook``.

Seeded, so a failure repeats. Values are garbage of every kind (random bytes and code points,
lone surrogates, control characters, very long text, look-alike digits, values that are no text
at all); ids are sometimes well-formed and statuses only unknown, so that the reading gets past
the first check too.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Iterator
from typing import Any

from custom_components.benelux_sms.gateways.base import (
    Gateway,
    InvalidWebhookError,
    WebhookContent,
    WebhookRequest,
)

FIELDS = ("msgid", "status", "smsid", "datum", "referentie", "messageId", "to", "sig")
ID_FIELDS = ("msgid", "smsid", "messageId")
METHODS = ("POST", "GET", "post", "get", "PUT", "DELETE", "HEAD", "", "P\x00ST", "GET POST")
NOT_TEXT: tuple[object, ...] = (None, 11, 3.5, True, b"11", ["11"], {"status": "11"})
LOOK_ALIKES = ("\uff11\uff11", "\u0661\u0661", "1e3", "0x10", "-1", "+11", "1.0", "11 11", "½", "²")
HOSTILE = ("<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd", "${jndi:x}")
# Letters that spell no status any gateway documents, so a made-up word stays unknown.
ODD_LETTERS = "JKQWXZ"


def unknown_status(rng: random.Random) -> str:
    """A status that looks like one but that no gateway documents."""
    if rng.random() < 0.5:
        return str(rng.randint(21, 999))
    return "".join(rng.choice(ODD_LETTERS) for _ in range(rng.randrange(3, 12)))


def garbage_value(rng: random.Random) -> Any:
    """One field value that no gateway would send."""
    makers = (
        lambda: rng.randbytes(rng.randrange(1, 40)).decode("latin-1"),
        lambda: "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 20))),
        lambda: "\ud800" + rng.choice(string.digits),
        lambda: rng.choice(("\x00", "\r\n", "\t", " ", "\u200b", "\ufeff")) * rng.randrange(1, 5),
        lambda: rng.choice(string.printable) * rng.randrange(65, 20_000),
        lambda: unknown_status(rng),
        lambda: "",
        lambda: rng.choice(NOT_TEXT),
        lambda: rng.choice(LOOK_ALIKES),
        lambda: rng.choice(HOSTILE),
    )
    return rng.choice(makers)()


def garbage_requests(seed: int, count: int = 300) -> Iterator[WebhookRequest]:
    """``count`` webhook calls of garbage, the same ones for the same seed."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    for _ in range(count):
        fields = {name: garbage_value(rng) for name in FIELDS if rng.random() < 0.6}
        if rng.random() < 0.5:
            fields.update(dict.fromkeys(ID_FIELDS, str(rng.randrange(1, 10**9))))
        if rng.random() < 0.3:
            fields["status"] = unknown_status(rng)
        if rng.random() < 0.2:
            fields[str(garbage_value(rng))] = garbage_value(rng)
        in_query = {name for name in fields if rng.random() < 0.5}
        yield WebhookRequest(
            method=rng.choice(METHODS) if rng.random() < 0.3 else rng.choice(("GET", "POST")),
            query={name: value for name, value in fields.items() if name in in_query},
            form={name: value for name, value in fields.items() if name not in in_query},
            body=rng.randbytes(rng.randrange(100)),
            headers={"Content-Type": rng.choice(("text/plain", "application/json", "\x00"))},
        )


def read_garbage(gateway: Gateway, requests: Iterable[WebhookRequest]) -> list[WebhookContent]:
    """What the gateway reads from the calls it takes; every other call must raise
    InvalidWebhookError (any other exception fails the test)."""
    contents: list[WebhookContent] = []
    for request in requests:
        try:
            contents.append(gateway.parse_webhook(request))
        except InvalidWebhookError:
            continue
    return contents
