"""The demo's scheduled send and heartbeat, on the 1601SMS account (its gateway holds them).

Schedules a message two hours ahead with ``send_at``: the simulated outbox holds it and the
account's calendar lists it; ``benelux_sms.cancel_scheduled`` removes it from both. Then sets
the heartbeat in the account's options: one message waits in the outbox and the heartbeat
sensor is on. Reloading the account (as a restart does) moves it on: a new message, then the old
one cancelled, and the balance unchanged (the simulator charges at sending).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .client import ENTRIES, HassClient
from .common import DOMAIN, DemoError, compact, say, wait_for
from .control import SimulatorControl
from .story import Account

OUTBOX = "/_sim/sms1601/outbox"
STATE_TIMEOUT = 20.0
HEARTBEAT = {
    "heartbeat_recipients": ["+31623456789"],
    "heartbeat_minutes": 30,
    "heartbeat_message": "Home Assistant is not answering: check the house",
}


async def show_scheduled(hass: HassClient, sim: SimulatorControl, accounts: list[Account]) -> None:
    """Schedule and cancel a message, then set and move the heartbeat, on 1601SMS."""
    account = next((a for a in accounts if a.spec.provider == "sms1601"), None)
    if account is None:
        say("demo: scheduled sends: skipped: no 1601SMS account")
        return
    say("demo: --- a scheduled send and the heartbeat (1601SMS holds both) ---")
    await _schedule_and_cancel(hass, sim, account)
    await _heartbeat(hass, sim, account)


async def _outbox(sim: SimulatorControl) -> list[dict[str, Any]]:
    held: list[dict[str, Any]] = await sim.get(OUTBOX)
    return held


async def _schedule_and_cancel(hass: HassClient, sim: SimulatorControl, account: Account) -> None:
    send_at = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    data = {
        "config_entry_id": account.entry_id,
        "recipients": [account.spec.recipient],
        "message": "Take the bins out",
        "send_at": send_at.isoformat(),
        "reference": "bins",
    }
    response = await hass.call_service_for_response(DOMAIN, "send_sms", data)
    say(f"demo: {DOMAIN}.send_sms with send_at {send_at.isoformat()}: {compact(response)}")
    [message] = response["messages"]
    if message.get("status") != "scheduled" or not message.get("schedule_id"):
        raise DemoError(f"expected a scheduled message with a schedule_id: {response}")
    held = await _outbox(sim)
    say(f"  the 1601SMS outbox holds: {compact(held)}")
    if [(h["message"], h["referentie"]) for h in held] != [("Take the bins out", "bins")]:
        raise DemoError(f"expected the message in the outbox: {held}")
    calendar = await _wait_calendar(hass, account, "Take the bins out")
    next_message = calendar["attributes"]["message"]
    say(f"  {calendar['entity_id']}: {calendar['state']}, next {next_message!r}")

    cancel = {"config_entry_id": account.entry_id, "schedule_id": message["schedule_id"]}
    await hass.call_service(DOMAIN, "cancel_scheduled", cancel)
    say(f"demo: {DOMAIN}.cancel_scheduled {compact(cancel)}")
    if held := await _outbox(sim):
        raise DemoError(f"expected an empty outbox after the cancel: {held}")
    await _wait_calendar(hass, account, None)
    say("  the outbox is empty and the calendar lists nothing")


async def _heartbeat(hass: HassClient, sim: SimulatorControl, account: Account) -> None:
    before = (await sim.credits())["sms1601"]
    flow = await hass.start_options_flow(account.entry_id, "1601SMS: options flow")
    result = await hass.options_step(flow["flow_id"], "1601SMS: heartbeat options", HEARTBEAT)
    if result.get("type") != "create_entry":
        raise DemoError(f"1601SMS: expected the options saved: {result}")
    say(f"demo: 1601SMS options: {compact(HEARTBEAT)}")
    first = await _wait_heartbeat(hass, sim, account, None)
    say(f"  the outbox holds the heartbeat {first['outboxid']}, due {first['due']}")

    await hass.post(f"{ENTRIES}/{account.entry_id}/reload", "reload the 1601SMS account", {})
    second = await _wait_heartbeat(hass, sim, account, first["outboxid"])
    say(
        f"demo: reloaded (as at a restart): the heartbeat moved on to {second['outboxid']}, "
        f"due {second['due']}; {first['outboxid']} was cancelled"
    )
    if (after := (await sim.credits())["sms1601"]) != before:
        raise DemoError(f"1601SMS: the heartbeat moves cost credits: {before} -> {after}")
    say(f"  credits {before} -> {after}: scheduling costs nothing here")


async def _entity(hass: HassClient, account: Account, suffix: str) -> dict[str, Any] | None:
    """The state of the account's entity ending in ``suffix``; None while it reloads."""
    states = await hass.entry_states(account.entry_id)
    return next((s for entity, s in states.items() if entity.endswith(suffix)), None)


async def _wait_calendar(hass: HassClient, account: Account, summary: str | None) -> Any:
    async def probe() -> dict[str, Any] | None:
        state = await _entity(hass, account, "_scheduled_messages")
        if state is None or state["attributes"].get("message") != summary:
            return None
        return state

    return await wait_for(f"the calendar to show {summary!r}", STATE_TIMEOUT, probe)


async def _wait_heartbeat(
    hass: HassClient, sim: SimulatorControl, account: Account, replaced: str | None
) -> dict[str, Any]:
    """Wait for one heartbeat in the outbox (not ``replaced``) and the sensor on."""

    async def probe() -> dict[str, Any] | None:
        held = await _outbox(sim)
        sensor = await _entity(hass, account, "_heartbeat")
        if len(held) != 1 or held[0]["outboxid"] == replaced or sensor is None:
            return None
        if sensor["state"] != "on":
            return None
        say(f"  {sensor['entity_id']}: on, goes out at {sensor['attributes']['goes_out_at']}")
        return held[0]

    return await wait_for("one heartbeat waiting at 1601SMS", STATE_TIMEOUT, probe)
