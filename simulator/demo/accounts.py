"""The simulated gateway accounts: what to enter in the account form for each gateway.

The credentials are the ones the simulator's gateway modules accept; the path is the
gateway's base URL below the simulator's address (the form's advanced ``base_url`` field).
``scripts/develop`` prints them; the demo adds one account of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import kpn, sms1601, smsbox, smsservicecenter
from ..state import GatewaySimulator

SEND_URL = "send_url"
"""Reports go to the webhook URL each send names; it must reach ``delivered``."""
PORTAL_URL = "portal_url"
"""Reports go to the URL pasted in the gateway's portal; it must reach ``delivered``."""
HTTPS_ONLY = "https_only"
"""Reports go only to https URLs, which the demo's Home Assistant has not: stays ``accepted``."""
NO_REPORTS = "none"
"""The gateway reports no delivery."""


@dataclass(frozen=True)
class GatewaySpec:
    """One gateway of the demo: how to add its simulated account and what to send."""

    provider: str
    """The integration's and the simulator's key (``smsservicecenter``)."""
    credentials: Mapping[str, str]
    """The flow's credential fields, with what the simulator accepts (its module docstring)."""
    path: str
    """The base URL below the simulator's address."""
    recipient: str
    credit_value: float | None = 1.0
    """What one simulator credit reads as on the credits sensor; None: there is no sensor."""
    message: str = "Freezer at -5 °C"
    options: Mapping[str, str] = field(default_factory=dict)
    """More ``send_sms`` fields (``encoding``; a ``reference`` must come back in the reports)."""
    text_changed: bool = False
    """Whether ``send_sms`` must report the text as transliterated."""
    reports: str = NO_REPORTS
    """How delivery reports reach Home Assistant: ``SEND_URL``, ``PORTAL_URL``, ... above."""
    inbound: bool = False
    """Whether the gateway forwards replies to the account's webhook."""

    @property
    def reports_delivered(self) -> bool:
        """Whether the demo must see this gateway's last delivery status turn ``delivered``."""
        return self.reports in (SEND_URL, PORTAL_URL)

    def base_url(self, simulator_url: str) -> str:
        """The base URL an account of this gateway is configured with."""
        return f"{simulator_url}/{self.path}"


def _path(simulator: GatewaySimulator) -> str:
    return simulator.prefix.removeprefix("/") + "/"


KPN_APP = {"client_id": kpn.GOOD_CLIENT_ID, "client_secret": kpn.GOOD_CLIENT_SECRET}

GATEWAYS: tuple[GatewaySpec, ...] = (
    GatewaySpec(
        "smsservicecenter",
        {"api_key": smsservicecenter.GOOD_KEY},
        _path(smsservicecenter.SIMULATOR),
        "06 12345678",
    ),
    GatewaySpec(
        "smsbox",
        {"api_key": smsbox.GOOD_KEY},
        _path(smsbox.SIMULATOR),
        "+32 470 12 34 56",
        reports=SEND_URL,
    ),
    GatewaySpec(
        "sms1601",
        {"username": sms1601.GOOD_USER, "password": sms1601.GOOD_PASSWORD},
        _path(sms1601.SIMULATOR),
        "06 23456789",
        message="Alarm \u201cvoordeur\u201d \U0001f6a8",
        options={"encoding": "gsm7", "reference": "voordeur"},
        text_changed=True,
        reports=PORTAL_URL,
    ),
    # The token URL follows the base URL: <sim>/kpn/oauth/client_credential/accesstoken.
    GatewaySpec(
        "kpn_sms",
        KPN_APP,
        _path(kpn.SMS_SIMULATOR),
        "06 34567890",
        credit_value=None,
        reports=SEND_URL,
    ),
    GatewaySpec(
        "kpn_vonage",
        KPN_APP,
        _path(kpn.VONAGE_SIMULATOR),
        "+32 470 98 76 54",
        credit_value=0.01,
        reports=HTTPS_ONLY,
        inbound=True,
    ),
)
"""Every gateway the demo knows; those the integration or simulator lack are skipped."""

SIGNATURE_SECRET = kpn.SIGNATURE_SECRET
"""What the simulated KPN gateways sign reports with (the account's webhook secret option)."""
