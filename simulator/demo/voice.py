"""The demo's voice call (README "Voice calls (SMSBOX)").

Through the SMSBOX account: ``benelux_sms.send_sms`` with ``voice`` reads the text out in a
call; the simulator's voice API records it (its language, one credit). Then the same call on
another account is refused with ``voice_unsupported`` and nothing reaches that gateway.
"""

from __future__ import annotations

from typing import Any

from .client import HassClient
from .common import DOMAIN, DemoError, compact, say
from .control import SimulatorControl
from .story import Account
from .websocket import HassSocket

VOICE_GATEWAY = "smsbox"
VOICE_TEXT = "De rookmelder in de keuken gaat af."
VOICE_LANGUAGE = "nl"
CALL_CREDITS = 1


async def show_voice_call(
    hass: HassClient, sim: SimulatorControl, socket: HassSocket, accounts: list[Account]
) -> None:
    """Make one call through SMSBOX and show it; show another gateway refusing one."""
    by_provider = {account.spec.provider: account for account in accounts}
    if (account := by_provider.get(VOICE_GATEWAY)) is None:
        say(f"demo: voice call: skipped: no {VOICE_GATEWAY} account")
        return
    say(f"demo: --- voice call ({VOICE_GATEWAY}) ---")
    before = (await sim.credits())[VOICE_GATEWAY]
    calls_before = len(await sim.messages(VOICE_GATEWAY))
    data = _call_data(account)
    response = await hass.call_service_for_response(
        DOMAIN, "send_sms", data, what=f"{VOICE_GATEWAY}: {DOMAIN}.send_sms voice"
    )
    say(f"demo: {VOICE_GATEWAY}: {DOMAIN}.send_sms {compact(_shown(data))}")
    say(f"  response: {compact(response)}")
    statuses = [message.get("status") for message in response.get("messages", [])]
    if response.get("voice") is not True or statuses != ["accepted"]:
        raise DemoError(f"{VOICE_GATEWAY}: expected one accepted call: {response}")
    await _check_simulator(sim, before, calls_before)
    others = [a for a in accounts if a.spec.provider != VOICE_GATEWAY]
    if others:
        await _show_refusal(socket, sim, others[0])


def _call_data(account: Account) -> dict[str, Any]:
    return {
        "config_entry_id": account.entry_id,
        "recipients": [account.spec.recipient],
        "message": VOICE_TEXT,
        "voice": True,
        "voice_language": VOICE_LANGUAGE,
    }


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "config_entry_id"}


async def _check_simulator(sim: SimulatorControl, before: int, calls_before: int) -> None:
    calls = (await sim.messages(VOICE_GATEWAY))[calls_before:]
    after = (await sim.credits())[VOICE_GATEWAY]
    details = calls[0].get("details", {}) if len(calls) == 1 else {}
    if details.get("kind") != "voice" or details.get("lang") != VOICE_LANGUAGE.upper():
        raise DemoError(f"{VOICE_GATEWAY}: expected one call in Dutch at the simulator: {calls}")
    if before - after != CALL_CREDITS:
        raise DemoError(f"{VOICE_GATEWAY}: a call should cost {CALL_CREDITS}: {before} -> {after}")
    call = calls[0]
    say(
        f"  the simulator's voice API called {', '.join(call['numbers'])} in "
        f"{details['lang']}: {compact(call['message'])} (credits {before} -> {after})"
    )


async def _show_refusal(socket: HassSocket, sim: SimulatorControl, account: Account) -> None:
    """The same call on a gateway without voice: refused with its translated error."""
    provider = account.spec.provider
    received_before = len(await sim.messages(provider))
    error = await socket.refused(
        f"{provider}: {DOMAIN}.send_sms voice",
        "call_service",
        domain=DOMAIN,
        service="send_sms",
        service_data=_call_data(account),
        return_response=True,
    )
    if error.get("translation_key") != "voice_unsupported":
        raise DemoError(f"{provider}: expected voice_unsupported: {error}")
    if len(await sim.messages(provider)) != received_before:
        raise DemoError(f"{provider}: a refused call reached the gateway")
    say(f"demo: {provider}: the same call is refused, nothing sent: {error.get('message')}")
