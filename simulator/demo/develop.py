"""``python -m simulator.demo.develop``: Home Assistant and the simulator, to click through the UI.

Run with ``./scripts/develop``. Starts the simulator (port 8124) and ``hass -c config``
(port 8123) with the frontend and this repository's integration linked into
``config/custom_components/``, both on 127.0.0.1 only, then prints where to go and what to
enter for each simulated gateway. ``config/`` (not in git) keeps the user, the accounts and
their entities between runs; ``configuration.yaml`` is written at every start, so add your
own YAML as files in ``config/packages/``. The simulator's state (credits, messages) starts
fresh each run; its fixed port keeps the accounts' gateway addresses valid. Home Assistant's
output goes to the terminal. Ctrl+C stops both.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from .accounts import GATEWAYS, SIGNATURE_SECRET
from .common import REPO, DemoError, say
from .processes import Stack, skip_core_config_step

HASS_PORT = 8123
SIMULATOR_PORT = 8124
LABEL = "develop"


def _how_to(stack: Stack) -> list[str]:
    """What to print once Home Assistant answers."""
    portal = f"{stack.simulator_url}/_sim/portal/sms1601"
    lines = [
        f"{LABEL}: Home Assistant: {stack.hass_url} (127.0.0.1 only); config in {stack.config}",
        f"{LABEL}: first visit: create a user. To enter a gateway's address, turn on Advanced "
        "mode in your profile.",
        f"{LABEL}: Settings -> Devices & services -> Add integration -> Benelux SMS, then per "
        "gateway:",
    ]
    for spec in GATEWAYS:
        credentials = ", ".join(f"{key}={value}" for key, value in spec.credentials.items())
        lines.append(
            f"  {spec.provider}: {credentials}; address {spec.base_url(stack.simulator_url)}"
        )
    lines += [
        f"  KPN webhook signature secret (Options): {SIGNATURE_SECRET}",
        f'  1601SMS reports: POST {{"url": <the URL its Options show>}} to {portal}',
        f"{LABEL}: what the gateways received: {stack.simulator_url}/_sim/messages; faults and "
        "the rest of the control API: simulator/app.py",
        f"{LABEL}: Ctrl+C stops Home Assistant and the simulator.",
    ]
    return lines


async def develop(hass_port: int, simulator_port: int) -> int:
    """Run until Home Assistant exits or this task is cancelled; return the exit code."""
    config = REPO / "config"
    stack = Stack(
        config,
        config=config,
        hass_port=hass_port,
        simulator_port=simulator_port,
        frontend=True,
        packages=True,
        name="Benelux SMS develop",
        console=True,
        label=LABEL,
    )
    try:
        if skip_core_config_step(config):
            say(f"{LABEL}: onboarding keeps the country and time zone of configuration.yaml")
        await stack.start()
        for line in _how_to(stack):
            say(line)
        _, hass = stack.processes[-1]
        return await hass.wait()
    except DemoError as err:
        print(f"{LABEL}: FAILED: {err}", file=sys.stderr)
        return 1
    finally:
        await stack.stop()
        say(f"{LABEL}: Home Assistant and the simulator stopped")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m simulator.demo.develop``."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description="Home Assistant with this integration and the gateway simulator, on "
        "127.0.0.1, for clicking through the UI.",
    )
    parser.add_argument("--port", type=int, default=HASS_PORT, help="Home Assistant's port")
    parser.add_argument(
        "--simulator-port", type=int, default=SIMULATOR_PORT, help="the simulator's port"
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(develop(args.port, args.simulator_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
