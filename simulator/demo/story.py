"""The demo's story, first half: an account and a recipient per gateway, a send, the sensors.

For each gateway of ``accounts.GATEWAYS`` that both the integration (its config-flow menu) and
the simulator (``/_sim/gateways``) offer: add the account and a recipient through the
config-flow REST API (1601SMS: paste the report URL its options show into the simulated
portal), send one ``benelux_sms.send_sms`` (and, for the first gateway, one
``notify.send_message``), and show the reply and the account's sensors. Then show what the
simulator received per gateway and its credits before and after.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .accounts import GATEWAYS, PORTAL_URL, GatewaySpec
from .client import HassClient
from .common import DOMAIN, DemoError, compact, say, wait_for
from .control import SimulatorControl
from .websocket import HassSocket

SENDER = "HomeAlarm"
RECIPIENT = "Alice"
ENTITY_TIMEOUT = 30.0
SENSOR_TIMEOUT = 20.0


@dataclass(frozen=True)
class Account:
    """A gateway's account the demo added."""

    spec: GatewaySpec
    entry_id: str
    title: str


async def onboard(hass: HassClient) -> None:
    """Create the owner through onboarding and get an access token."""
    steps = await hass.onboarding_steps()
    say(f"demo: onboarding steps: {', '.join(f'{s["step"]}={s["done"]}' for s in steps)}")
    await hass.onboard()
    say("demo: onboarded user 'demo' and got an access token")


async def start_flow(hass: HassClient) -> dict[str, Any]:
    """Start the account config flow; return its gateway menu."""
    flow = await hass.start_flow(DOMAIN)
    if flow.get("type") != "menu" or flow.get("step_id") != "user":
        raise DemoError(f"config flow: expected the gateway menu, got {flow}")
    return flow


async def pick_gateways(hass: HassClient, simulated: Mapping[str, int]) -> list[GatewaySpec]:
    """The demo's gateways that the integration's menu and the simulator both have."""
    flow = await start_flow(hass)
    await hass.abort_flow(flow["flow_id"], "config flow: drop the menu")
    menu = list(flow.get("menu_options", []))
    say(f"demo: config flow menu {menu}; simulator gateways {sorted(simulated)}")
    chosen: list[GatewaySpec] = []
    for spec in GATEWAYS:
        missing = [
            name
            for name, known in (("integration", menu), ("simulator", simulated))
            if spec.provider not in known
        ]
        if missing:
            say(f"demo: {spec.provider}: skipped: not registered ({' or '.join(missing)})")
        else:
            chosen.append(spec)
    if unknown := set(menu) & set(simulated) - {spec.provider for spec in GATEWAYS}:
        say(f"demo: note: the demo has no table entry for {sorted(unknown)}")
    if not chosen:
        raise DemoError("no gateway is registered in both the integration and the simulator")
    return chosen


async def add_account(hass: HassClient, sim: SimulatorControl, spec: GatewaySpec) -> Account:
    """Run the account config flow for one gateway; return the entry."""
    flow_id = (await start_flow(hass))["flow_id"]
    what = f"config flow ({spec.provider})"
    form = await hass.flow_step(flow_id, f"{what}: pick gateway", {"next_step_id": spec.provider})
    fields = [field["name"] for field in form.get("data_schema", [])]
    # The gateway's address is in the form's collapsed "advanced" section.
    wanted = {*spec.credentials, "sender", "advanced"}
    if form.get("type") != "form" or not wanted <= set(fields):
        raise DemoError(f"{what}: expected a form with {sorted(wanted)}: {form}")
    base_url = spec.base_url(sim.url)
    result = await hass.flow_step(
        flow_id,
        f"{what}: submit credentials",
        {**spec.credentials, "sender": SENDER, "advanced": {"base_url": base_url}},
    )
    if result.get("type") != "create_entry" or result["result"].get("state") != "loaded":
        raise DemoError(f"{what}: expected a loaded entry, got {result}")
    entry = result["result"]
    say(
        f"demo: {spec.provider}: form fields {fields}; created entry {entry['entry_id']} "
        f"'{result['title']}' (state {entry['state']}) on {base_url}"
    )
    return Account(spec, str(entry["entry_id"]), str(result["title"]))


async def add_recipient(hass: HassClient, entry_id: str, spec: GatewaySpec) -> None:
    """Add the recipient through the subentry flow."""
    flow = await hass.start_subentry_flow(entry_id, "recipient")
    fields = [field["name"] for field in flow.get("data_schema", [])]
    if flow.get("type") != "form" or not {"name", "phone_number"} <= set(fields):
        raise DemoError(f"subentry flow: expected a form with name, phone_number: {flow}")
    result = await hass.subentry_step(
        flow["flow_id"],
        "subentry flow: submit recipient",
        {"name": RECIPIENT, "phone_number": spec.recipient},
    )
    if result.get("type") != "create_entry":
        raise DemoError(f"subentry flow: expected create_entry, got {result}")
    say(f"demo: {spec.provider}: added recipient '{result['title']}' ({spec.recipient})")


async def wait_for_recipient(hass: HassClient, entry_id: str) -> str:
    """Wait until the entry has reloaded with the recipient; return its notify entity.

    Adding a recipient reloads the account, which refuses sends until it is loaded again.
    """

    async def probe() -> str | None:
        notify = [e for e in await hass.entry_states(entry_id) if e.startswith("notify.")]
        if not notify:  # looked at first: once it is there, the reload has begun
            return None
        entries = await hass.config_entries(DOMAIN)
        loaded = any(e["entry_id"] == entry_id and e["state"] == "loaded" for e in entries)
        return notify[0] if loaded else None

    entity = await wait_for(f"a notify entity for {RECIPIENT}", ENTITY_TIMEOUT, probe)
    say(f"demo: {entity} is there and the account is loaded again")
    return entity


async def paste_portal_url(hass: HassClient, sim: SimulatorControl, account: Account) -> None:
    """Read the report URL the account's options show; set it in the simulated portal."""
    provider = account.spec.provider
    flow = await hass.start_options_flow(account.entry_id, f"{provider}: options flow")
    await hass.abort_options_flow(flow["flow_id"], f"{provider}: close the options")
    url = (flow.get("description_placeholders") or {}).get("webhook_url")
    if not isinstance(url, str) or not url.startswith(f"{hass.url}/api/webhook/"):
        raise DemoError(f"{provider}: expected the webhook URL in the options form: {flow}")
    await sim.set_portal_url(provider, url)
    say(f"demo: {provider}: pasted the report URL the options show into the portal: {url}")


async def send_notify(hass: HassClient, entity: str) -> None:
    """Send through ``notify.send_message``."""
    data = {"entity_id": entity, "title": "Alarm", "message": "Front door opened"}
    await hass.call_service("notify", "send_message", data)
    say(f"demo: notify.send_message to {entity} returned")


async def send_sms(hass: HassClient, entry_id: str, spec: GatewaySpec) -> None:
    """Call ``benelux_sms.send_sms`` with ``return_response`` and show the receipt."""
    data = {"recipients": [spec.recipient], "message": spec.message, **spec.options}
    response = await hass.call_service_for_response(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry_id, **data},
        what=f"{spec.provider}: {DOMAIN}.send_sms",
    )
    say(f"demo: {spec.provider}: {DOMAIN}.send_sms {compact(data)}")
    say(f"  receipt: {compact(response)}")
    if response.get("text_changed") is not spec.text_changed:
        raise DemoError(f"{spec.provider}: expected text_changed {spec.text_changed}: {response}")


def credits_match(sensor: dict[str, Any], expected: float) -> bool:
    """Whether a credits sensor shows ``expected``."""
    try:
        return math.isclose(float(sensor["state"]), expected, abs_tol=1e-6)
    except ValueError:
        return False


async def wait_for_sensors(
    hass: HassClient, entry_id: str, expected: float | None
) -> list[dict[str, Any]]:
    """Wait until the last delivery status is known and the credits sensor shows ``expected``.

    Asks the credits sensor to update once if it lags.
    """
    asked = False
    started = time.monotonic()

    async def probe() -> list[dict[str, Any]] | None:
        nonlocal asked
        sensors = [
            s for e, s in (await hass.entry_states(entry_id)).items() if e.startswith("sensor.")
        ]
        delivery = [s for s in sensors if s["entity_id"].endswith("_last_delivery_status")]
        # KPN Vonage's is a euro balance: sensor.<account>_balance.
        credits = [s for s in sensors if s["entity_id"].endswith(("_credits", "_balance"))]
        if not delivery or delivery[0]["state"] in ("unknown", "unavailable"):
            return None
        if expected is None or (credits and credits_match(credits[0], expected)):
            return sensors
        if credits and not asked and time.monotonic() - started > 5:
            asked = True
            say(f"demo: {credits[0]['entity_id']} shows {credits[0]['state']}; updating it")
            await hass.call_service(
                "homeassistant",
                "update_entity",
                {"entity_id": credits[0]["entity_id"]},
                what="update the credits sensor",
            )
        return None

    what = "the sensors" + ("" if expected is None else f" (credits {expected:g})")
    return await wait_for(what, SENSOR_TIMEOUT, probe)


def show_sensors(spec: GatewaySpec, sensors: list[dict[str, Any]]) -> None:
    """One line per sensor: state, unit and the last delivery's details."""
    if spec.credit_value is None:
        say("  (no credits sensor: the gateway tells no balance)")
    for sensor in sorted(sensors, key=lambda s: str(s["entity_id"])):
        attributes = sensor["attributes"]
        unit = attributes.get("unit_of_measurement") or ""
        details = {k: attributes[k] for k in ("message_id", "recipient") if attributes.get(k)}
        text = f"  {sensor['entity_id']}: {sensor['state']} {unit}".rstrip()
        say(f"{text} {compact(details)}" if details else text)
        # A report may already have come: the simulator reports after REPORT_DELAY seconds.
        allowed = ("accepted", "delivered") if spec.reports_delivered else ("accepted",)
        if sensor["entity_id"].endswith("_last_delivery_status") and sensor["state"] not in allowed:
            raise DemoError(f"{spec.provider}: expected the last delivery status {allowed}")


async def demo_gateway(
    hass: HassClient, sim: SimulatorControl, spec: GatewaySpec, *, first: bool
) -> Account:
    """Add one gateway's account and recipient, send, and show the receipt and sensors."""
    say(f"demo: --- {spec.provider} ---")
    account = await add_account(hass, sim, spec)
    entry_id = account.entry_id
    await add_recipient(hass, entry_id, spec)
    notify_entity = await wait_for_recipient(hass, entry_id)
    if spec.reports == PORTAL_URL:
        await paste_portal_url(hass, sim, account)
    if first:
        await send_notify(hass, notify_entity)
    await send_sms(hass, entry_id, spec)
    expected = None
    if spec.credit_value is not None:
        expected = (await sim.credits())[spec.provider] * spec.credit_value
    show_sensors(spec, await wait_for_sensors(hass, entry_id, expected))
    return account


async def show_received(
    sim: SimulatorControl, specs: list[GatewaySpec], before: dict[str, int]
) -> None:
    """Print what the simulator received per gateway; check each got what was sent."""
    after = await sim.credits()
    say("demo: the simulator received:")
    for index, spec in enumerate(specs):
        name = spec.provider
        received = await sim.messages(name)
        balance = f"credits {before[name]} -> {after[name]}" if spec.credit_value else "no credits"
        say(f"  {name} ({balance}):")
        for message in received:
            say(
                f"    {', '.join(message['numbers'])} <- {compact(message['message'])} "
                f"from {message['sender']}: {message['segments']} segment(s), "
                f"{message['credits_used']} credit(s), id {message['message_id']}"
            )
        if len(received) != (wanted := 2 if index == 0 else 1):
            raise DemoError(f"{name}: expected {wanted} sends at the simulator, got {received}")


async def show_devices(socket: HassSocket, accounts: list[Account]) -> None:
    """Each account is a device, and each recipient one below it, in its own subentry."""
    say("demo: devices:")
    for account in accounts:
        devices = await socket.devices(account.entry_id)
        mains = [device for device in devices if device["via_device_id"] is None]
        if len(mains) != 1:
            raise DemoError(f"{account.title}: expected one account device, got {devices}")
        main = mains[0]
        below = [device for device in devices if device["via_device_id"] == main["id"]]
        subentries = {
            device["name"]: device["config_entries_subentries"][account.entry_id]
            for device in devices
        }
        say(f"  {main['name']} (by {main['manufacturer']}): {', '.join(d['name'] for d in below)}")
        if not below or len(below) + 1 != len(devices):
            raise DemoError(f"{account.title}: expected recipients' devices below it: {devices}")
        if any(len(ids) != 1 for ids in subentries.values()) or subentries[main["name"]] != [None]:
            raise DemoError(f"{account.title}: a device in several subentries: {subentries}")
