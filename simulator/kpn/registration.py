"""Where KPN Vonage forwards replies, registered through the API (kpn-vonage-sms.txt).

- ``POST /kpn/communication/nexmo/sms/register`` (a test app), form ``to`` (the tester's own
  number) and ``callback_url``: ``{"message": "Your callback url is registered."}``; HTTP 400
  with KPN's ``errorResponse`` when either is missing or ``to`` is no number.
- ``POST /kpn/communication/nexmo/phone-numbers/number/update`` (production, the Phone Numbers
  API), form ``country``, ``msisdn`` and ``moHttpUrl``: ``{"error-code": "200",
  "error-code-label": "success"}``; ``error-code`` 420 when ``msisdn`` is not the account's
  virtual number (``VIRTUAL_NUMBER``) or ``country`` is not its (NL), 400 without a
  ``moHttpUrl``. It is mounted on the main app (``API_ROUTES``), behind the same token check.

Both keep the URL in the ``kpn_vonage`` state's ``registered_urls``, by number (``GET
/_sim/kpn_vonage/registered`` lists them); ``POST /_sim/kpn_vonage/inbound`` without a ``url``
posts the reply to the URL registered for its ``to``.
"""

from __future__ import annotations

from aiohttp import web

from ..state import STATE_KEY, GatewayState, json_response
from .shared import invalid_token, issued_tokens

VONAGE = "kpn_vonage"
VIRTUAL_NUMBER = "3197010000001"
"""The number replies are written to (a Dutch 097 number, as Vonage rents them)."""
VIRTUAL_NUMBER_COUNTRY = "NL"
NUMBER_UPDATE_PATH = "/kpn/communication/nexmo/phone-numbers/number/update"


def _vonage(request: web.Request) -> GatewayState:
    return request.config_dict[STATE_KEY].gateway(VONAGE)


def _bad_request(message: str) -> web.Response:
    return json_response({"errorResponse": {"code": "400", "message": message}}, status=400)


async def register_callback(request: web.Request) -> web.Response:
    """``POST register`` of a test app."""
    form = {key: str(value) for key, value in (await request.post()).items()}
    to, url = form.get("to", "").removeprefix("+"), form.get("callback_url", "")
    if not (to.isascii() and to.isdigit() and 7 <= len(to) <= 15) or not url:
        return _bad_request("to and callback_url are required")
    _vonage(request).registered_urls[to] = url
    return json_response({"message": "Your callback url is registered."})


async def update_number(request: web.Request) -> web.Response:
    """``POST number/update`` of the Phone Numbers API (production)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or token not in issued_tokens(request):
        return invalid_token()
    form = {key: str(value) for key, value in (await request.post()).items()}
    url = form.get("moHttpUrl", "")
    if not url:
        return _bad_request("moHttpUrl is required")
    if (form.get("msisdn"), form.get("country")) != (VIRTUAL_NUMBER, VIRTUAL_NUMBER_COUNTRY):
        return json_response({"error-code": "420", "error-code-label": "Number not found"})
    _vonage(request).registered_urls[VIRTUAL_NUMBER] = url
    return json_response({"error-code": "200", "error-code-label": "success"})


async def registered(request: web.Request) -> web.Response:
    """``GET /_sim/kpn_vonage/registered``: where replies to each number go."""
    return json_response(dict(_vonage(request).registered_urls))


API_ROUTES = (web.post(NUMBER_UPDATE_PATH, update_number),)
CONTROL_ROUTES = (web.get("/_sim/kpn_vonage/registered", registered),)
