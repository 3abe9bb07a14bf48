"""Where KPN Vonage posts replies: registering the webhook (gateway-docs/kpn-vonage-sms.txt).

The document names two ways, and nothing in the API tells which one an app may use; the user
knows whether the app is a test app or taken to production, so the caller says:

- a test app: ``POST {base}/register`` with ``to`` (the user's own phone, the number a test
  app "sends from") and ``callback_url``; the reply is ``{"message": "Your callback url is
  registered."}``. "This is not applicable if you apply for production usage."
- production: the Phone Numbers API, ``POST .../communication/nexmo/phone-numbers/number/update``
  with ``country`` and ``msisdn`` (the app's virtual number) and ``moHttpUrl``; the reply is
  ``{"error-code": "200", "error-code-label": "success"}``.

Either way, a send asks for replies with the ``inbound`` header ("selecting the yes option"),
which the gateway sends while the user has replies on (``receive_replies``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from yarl import URL

from . import errors

INBOUND_HEADER = "inbound"
REGISTER_PATH = "register"
NUMBER_UPDATE_PATH = "../phone-numbers/number/update"
"""Beside the SMS API: ``.../communication/nexmo/sms/`` → ``.../nexmo/phone-numbers/...``."""
REGISTERED_CODE = "200"

_COUNTRIES = {"31": "NL", "32": "BE", "352": "LU", "49": "DE", "33": "FR", "44": "GB"}
"""The country the Phone Numbers API wants beside a virtual number, by calling code."""
_MAX_CODE_LENGTH = 40


def registration(
    base_url: str, callback_url: str, number: str, *, production: bool
) -> tuple[str, dict[str, str]]:
    """Return the URL (or path under the base) and form that register ``callback_url``."""
    msisdn = number.removeprefix("+")
    if not (number.startswith("+") and msisdn.isascii() and msisdn.isdigit()):
        raise errors.InvalidRecipientError("not_a_number")
    if not production:
        return REGISTER_PATH, {"to": msisdn, "callback_url": callback_url}
    country = next((code for prefix, code in _COUNTRIES.items() if msisdn.startswith(prefix)), None)
    if country is None:
        raise errors.InvalidRecipientError("country_not_served")
    url = str(URL(base_url).join(URL(NUMBER_UPDATE_PATH)))
    return url, {"country": country, "msisdn": msisdn, "moHttpUrl": callback_url}


def check_registered(body: str, *, production: bool) -> None:
    """Raise unless the reply says the URL was registered (a 2xx reply, as the document's)."""
    try:
        reply = json.loads(body)
    except (ValueError, RecursionError):
        reply = None
    if not isinstance(reply, Mapping):
        raise errors.GatewayUnavailableError("unexpected_reply")
    if not production:
        return
    code = reply.get("error-code")
    code = str(code) if isinstance(code, str | int) and not isinstance(code, bool) else ""
    if code != REGISTERED_CODE:
        raise errors.GatewayUnavailableError(f"error-code {code[:_MAX_CODE_LENGTH]}".strip())
