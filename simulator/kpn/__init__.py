"""KPN API Store, simulated: its OAuth token and the two SMS APIs behind it.

Three mounted parts share one package, because both SMS APIs take the same app's token
(gateway-docs/kpn-sms.txt, kpn-vonage-sms.txt and NOTES.md): ``oauth.py``, ``sms.py`` and
``vonage.py``, with Apigee's token check and faults in ``shared.py``:

- ``kpn_oauth`` at ``/kpn/oauth``: ``POST client_credential/accesstoken?grant_type=
  client_credentials`` with the form ``client_id=sim-client``, ``client_secret=sim-secret``
  answers a token living ``expires_in`` = "3599" seconds; any other id or secret gets HTTP 401
  ``{"error": "invalid_client"}``. Faulting ``kpn_oauth`` makes only the token requests fail.
- ``kpn_sms`` at ``/kpn/communication/kpn/sms`` (integration base URL
  ``http://127.0.0.1:PORT/kpn/communication/kpn/sms/``): ``POST send``, JSON. Numbers must be
  Dutch mobile (``+316…`` but not 060/067/069-like ranges, ``+31970…``); up to 200 messages,
  content up to 1000 characters, sender up to 11. Refusals are HTTP 400
  ``{"errorResponse": {"code", "message", "info"}}``. KPN SMS keeps no balance.
- ``kpn_vonage`` at ``/kpn/communication/nexmo/sms``: ``POST send``, form. One reply entry per
  part with its own ``message-id``; every part costs 0.07 EUR from 10.00 EUR. The balance is
  kept in euro cents, so ``/_sim/credits/kpn_vonage`` says 1000. Refusals are Vonage statuses
  in an HTTP 200 reply (2 missing, 3 invalid parameters, 9 no credit, 15 bad sender); a part
  the balance no longer covers is refused with 9 after the parts before it went out.

Both SMS APIs want ``Authorization: Bearer <token the token endpoint issued>``; anything else
gets HTTP 401 as Apigee answers. The integration's token URL rule (what precedes
``/communication/`` + ``/oauth/...``) finds ``/kpn/oauth/client_credential/accesstoken``.

Delivery reports and replies, through the shared ``ReportSender`` (loopback URLs only), always
signed with ``SIGNATURE_SECRET`` = ``sim-signature-secret`` (give the integration that secret to
have them checked):

- KPN SMS: a send with ``webhook_url`` gets one JSON POST per recipient,
  ``{"document_id", "mobile_number", "status": "DELIVERED" | "UNDELIVERED", "timestamp"}``,
  with the hex HMAC-SHA256 of the body in ``X-KPN-Signature`` (the format is our assumption,
  as in the integration's module: KPN does not publish it).
- KPN Vonage: a send with ``status-report-req=true`` and a ``callback`` gets one GET receipt per
  part (``messageId`` of that part, ``msisdn``, ``to``, ``network-code``, ``price``, ``status``
  ``delivered`` | ``failed``, ``err-code`` 0 | 1, ``scts``, ``message-timestamp``,
  ``timestamp``, ``nonce``) signed with ``sig`` (Vonage's MD5-hash method). The real Vonage
  refuses a callback that is not https (status 23); the simulator takes any, because the demo's
  Home Assistant runs on plain-http loopback (the integration itself still names only https).
- ``POST /_sim/kpn_vonage/inbound`` (``inbound.py``; ``CONTROL_ROUTES``, for ``simulator.app``
  to add) posts a reply, as Vonage forwards one to a number's ``moHttpUrl``.
- Registering where replies go (``registration.py``): ``POST register`` (test apps) and the
  Phone Numbers API's ``number/update`` with ``moHttpUrl`` (production); a send's ``ttl``,
  ``client-ref`` and ``inbound`` header are recorded, ``client-ref`` comes back in receipts.
"""

from __future__ import annotations

from aiohttp import web

from . import registration
from .inbound import post_inbound
from .oauth import GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, TOKEN_SIMULATOR, KpnTokenSimulator
from .registration import VIRTUAL_NUMBER
from .shared import SIGNATURE_SECRET, revoke_tokens
from .sms import SMS_SIMULATOR, KpnSmsSimulator
from .vonage import VONAGE_SIMULATOR, KpnVonageSimulator

__all__ = [
    "CONTROL_ROUTES",
    "GOOD_CLIENT_ID",
    "GOOD_CLIENT_SECRET",
    "SIGNATURE_SECRET",
    "SIMULATORS",
    "SMS_SIMULATOR",
    "TOKEN_SIMULATOR",
    "VIRTUAL_NUMBER",
    "VONAGE_SIMULATOR",
    "KpnSmsSimulator",
    "KpnTokenSimulator",
    "KpnVonageSimulator",
]

SIMULATORS = (TOKEN_SIMULATOR, SMS_SIMULATOR, VONAGE_SIMULATOR)
"""All three, in the order ``simulator.app.GATEWAYS`` mounts them."""

CONTROL_ROUTES = (
    web.post("/_sim/kpn_vonage/inbound", post_inbound),
    web.post("/_sim/kpn_oauth/revoke", revoke_tokens),
    *registration.CONTROL_ROUTES,
    *registration.API_ROUTES,
)
"""Control API routes of this package, and the Phone Numbers API's ``number/update``
(``registration``), for ``simulator.app`` to add to the main app."""
