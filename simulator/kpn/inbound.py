"""Replies to a KPN Vonage number, forwarded as Vonage does: ``POST /_sim/kpn_vonage/inbound``.

``{"url", "from": "+316…", "text", "to": optional}`` posts the reply to ``url`` (loopback
only; without a ``url``, to the one registered for ``to``, see ``registration``) as Vonage
forwards one to a number's ``moHttpUrl``: a signed JSON POST, in ``concat`` parts of 153
characters (67 for Unicode) when the text does not fit in one SMS, one call per part, to
``VIRTUAL_NUMBER`` by default.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from aiohttp import web

from ..reports import Callback
from ..segments import GSM7, UCS2, is_gsm7
from ..state import STATE_KEY, json_response
from .registration import VIRTUAL_NUMBER
from .shared import is_loopback
from .vonage import NUMBER, signed

_CONCAT_PART = {GSM7: (160, 153), UCS2: (70, 67)}
"""Characters in a single SMS, and per part of a long one."""


async def post_inbound(request: web.Request) -> web.Response:
    """``POST /_sim/kpn_vonage/inbound``: post a reply to a URL, as Vonage forwards one."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _control_error("body must be a JSON object")
    url, sender, text = body.get("url"), body.get("from"), body.get("text")
    to = body.get("to", VIRTUAL_NUMBER)
    if url is None and isinstance(to, str):
        url = (
            request.config_dict[STATE_KEY]
            .gateway("kpn_vonage")
            .registered_urls.get(to.removeprefix("+"))
        )
    if not isinstance(url, str) or not is_loopback(url):
        return _control_error("url must be a loopback URL")
    if not isinstance(sender, str) or not NUMBER.fullmatch(sender.removeprefix("+")):
        return _control_error("from must be an international number")
    if not isinstance(text, str) or not text or not isinstance(to, str):
        return _control_error("text must be a non-empty string, to a number")
    calls = _parts(url, sender.removeprefix("+"), to.removeprefix("+"), text)
    request.config_dict[STATE_KEY].reports.schedule(calls)
    return json_response({"parts": [call.json_body for call in calls]})


def _parts(url: str, sender: str, to: str, text: str) -> list[Callback]:
    encoding = GSM7 if is_gsm7(text) else UCS2
    single, per_part = _CONCAT_PART[encoding]
    chunks = [text] if len(text) <= single else _chunks(text, per_part)
    base = {
        "msisdn": sender,
        "to": to,
        "type": "text" if encoding == GSM7 else "unicode",
        "keyword": text.split(maxsplit=1)[0].upper() if text.split() else "",
        "message-timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    reference = str(secrets.randbelow(255) + 1)
    calls = []
    for number, chunk in enumerate(chunks, start=1):
        params = base | {"messageId": uuid.uuid4().hex[:16].upper(), "text": chunk}
        if len(chunks) > 1:
            params |= {
                "concat": "true",
                "concat-ref": reference,
                "concat-total": str(len(chunks)),
                "concat-part": str(number),
            }
        calls.append(Callback("POST", url, json_body=signed(params)))
    return calls


def _chunks(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _control_error(message: str) -> web.Response:
    return json_response({"error": message}, status=400)
