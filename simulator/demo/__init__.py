"""End-to-end demo: a real Home Assistant sends SMS through every simulated gateway.

Run with ``./scripts/demo`` (which runs ``./scripts/setup`` first) or, in a ready venv,
``.venv/bin/python -m simulator.demo``. Everything listens on 127.0.0.1 only.

The modules, usable on their own by end-to-end and browser tests:

- ``processes``: ``Stack`` starts (and stops) the simulator and a real ``hass`` on loopback.
- ``client``: ``HassClient``, Home Assistant's REST API (onboarding, config flows, states,
  actions, webhooks); ``websocket``: ``HassSocket`` (commands, subscribed events).
- ``control``: ``SimulatorControl``, the simulator's ``/_sim`` control API.
- ``accounts``: the simulated accounts: credentials and base URL path per gateway.
- ``story``, ``delivery``, ``voice`` and ``scheduled``: the demo's steps; ``cli``: its command
  line; ``develop``: ``scripts/develop``.

Every failure is a ``common.DemoError`` whose message names the step.
"""

from .accounts import GATEWAYS, GatewaySpec
from .client import HassClient, Owner
from .common import DOMAIN, DemoError
from .control import SimulatorControl
from .processes import Stack
from .websocket import HassSocket

__all__ = [
    "DOMAIN",
    "GATEWAYS",
    "DemoError",
    "GatewaySpec",
    "HassClient",
    "HassSocket",
    "Owner",
    "SimulatorControl",
    "Stack",
]
