"""The demo's story, second half: the delivery reports (README "Delivery reports").

Wait until the last delivery status of every gateway that reports to a plain-http URL turns
``delivered`` (each replayed report changing nothing), show KPN Vonage staying ``accepted``
with its repair issue, and have the simulator forward a reply to KPN Vonage's webhook.
"""

from __future__ import annotations

import time
from typing import Any

from .accounts import HTTPS_ONLY, NO_REPORTS, SEND_URL
from .client import HassClient
from .common import DOMAIN, DemoError, compact, say, wait_for
from .control import SimulatorControl
from .story import Account
from .websocket import EVENT_TIMEOUT, HassSocket

EVENT_REPORT = f"{DOMAIN}_delivery_report"
EVENT_RECEIVED = f"{DOMAIN}_received"
REPORT_DELAY = 0.5
"""Seconds the simulated gateways wait before reporting (``POST /_sim/reports``)."""
REPORT_TIMEOUT = 20.0
REPLY_FROM = "+31612345678"
REPLY_TEXT = "Yes, armed"
LAST_STATUS = "_last_delivery_status"


async def wait_for_delivered(hass: HassClient, accounts: list[Account]) -> None:
    """Wait until every account's last delivery status is ``delivered``."""
    entities = [
        (await hass.entity_of(account.entry_id, LAST_STATUS))["entity_id"] for account in accounts
    ]
    seen: dict[str, str] = {}

    async def probe() -> bool | None:
        states = {state["entity_id"]: state["state"] for state in await hass.states()}
        seen.update({entity: states.get(entity, "missing") for entity in entities})
        return True if all(state == "delivered" for state in seen.values()) else None

    try:
        await wait_for("the delivery reports", REPORT_TIMEOUT, probe)
    except DemoError:
        raise DemoError(
            f"not every report arrived within {REPORT_TIMEOUT:.0f} s: {compact(seen)}"
        ) from None


async def webhook_urls(socket: HassSocket, hass: HassClient) -> dict[str, str]:
    """Each account's webhook URL, by the entry's title (the name it registers the webhook by)."""
    return {
        webhook["name"]: hass.webhook_url(webhook["webhook_id"])
        for webhook in await socket.webhooks(DOMAIN)
    }


def calls_to(made: list[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    """The simulator's calls to one webhook (``GET /_sim/reports``)."""
    return [call for call in made if str(call["url"]).split("?", 1)[0] == url]


def describe_calls(calls: list[dict[str, Any]]) -> str:
    """How often the simulator called, and how it was answered."""
    return f"{len(calls)}x (HTTP {', '.join(str(call['status']) for call in calls) or '-'})"


def check_calls(provider: str, calls: list[dict[str, Any]]) -> None:
    """The simulator called and Home Assistant answered every call 200."""
    if not calls or any(call["status"] != 200 for call in calls):
        raise DemoError(f"{provider}: expected the simulator's calls answered 200: {calls}")


def since_send(states: list[str]) -> list[str]:
    """The states from the last ``accepted`` on (before it: loading and reloading)."""
    if "accepted" not in states:
        return states
    return states[len(states) - 1 - states[::-1].index("accepted") :]


async def show_delivered(
    hass: HassClient, socket: HassSocket, account: Account, made: list[dict[str, Any]], url: str
) -> None:
    """A reported send: the sensor's way to ``delivered``, the calls and the bus events."""
    provider = account.spec.provider
    sensor = await hass.entity_of(account.entry_id, LAST_STATUS)
    how = "each send names" if account.spec.reports == SEND_URL else "pasted in the portal"
    say(f"  {provider}: reports to the webhook URL {how}")
    entity = sensor["entity_id"]
    say(f"    {entity}: {' -> '.join(since_send(socket.states_of(entity)))}")
    calls = calls_to(made, url)
    reports = socket.fired(EVENT_REPORT, account.entry_id)
    statuses = [str(report["status"]) for report in reports]
    say(
        f"    the simulator called the webhook {describe_calls(calls)}; "
        f"{EVENT_REPORT} fired {len(reports)}x: {', '.join(statuses) or '-'}"
    )
    check_calls(provider, calls)
    if sensor["state"] != "delivered" or statuses != ["delivered"]:
        raise DemoError(f"{provider}: expected one report, delivered: {sensor}, {reports}")
    if (reference := account.spec.options.get("reference")) is not None:
        if [report.get("reference") for report in reports] != [reference]:
            raise DemoError(f"{provider}: expected the reference {reference!r}: {reports}")
        say(f"    the event carries the send's reference {reference!r}")


async def show_https_only(
    hass: HassClient, socket: HassSocket, account: Account, made: list[dict[str, Any]], url: str
) -> None:
    """A gateway that calls only https URLs: nothing reported, and a repair issue says why."""
    provider = account.spec.provider
    sensor = await hass.entity_of(account.entry_id, LAST_STATUS)
    say(
        f"  {provider}: stays {sensor['state']}: it calls only https URLs and this Home "
        f"Assistant's external URL is {hass.url}, so the send named no report URL"
    )
    calls = calls_to(made, url)
    if sensor["state"] != "accepted" or calls or socket.fired(EVENT_REPORT, account.entry_id):
        raise DemoError(f"{provider}: expected no report: {sensor}, calls {calls}")
    issues = await socket.repair_issues(DOMAIN)
    mine = [issue for issue in issues if account.entry_id in issue["issue_id"]]
    if not mine:
        raise DemoError(f"{provider}: expected a repair issue: {issues}")
    for issue in mine:
        say(
            f"    repair issue {issue['issue_id']}: {issue['translation_key']} "
            f"({issue['severity']}) {compact(issue['translation_placeholders'])}"
        )


async def show_reply(
    hass: HassClient, sim: SimulatorControl, socket: HassSocket, account: Account, url: str
) -> None:
    """Have the simulator forward a reply to the account's webhook; show the event entity."""
    provider = account.spec.provider
    await sim.post_inbound(provider, url, REPLY_FROM, REPLY_TEXT)

    async def probe() -> dict[str, Any] | None:
        state = await hass.entity_of(account.entry_id, "_incoming_sms")
        return state if state["attributes"].get("text") == REPLY_TEXT else None

    state = await wait_for(f"the reply on {provider}'s event entity", EVENT_TIMEOUT, probe)
    calls = calls_to(await sim.reports_made(), url)
    await socket.catch_up()
    received = socket.fired(EVENT_RECEIVED, account.entry_id)
    attributes = state["attributes"]
    shown = {key: attributes.get(key) for key in ("event_type", "from", "to", "text")}
    say(
        f"  {provider}: the simulator forwarded a reply {REPLY_FROM} {REPLY_TEXT!r} to the "
        f"account's webhook {describe_calls(calls)}"
    )
    say(f"    {state['entity_id']}: {state['state']} {compact(shown)}")
    say(f"    {EVENT_RECEIVED} fired {len(received)}x")
    check_calls(provider, calls)
    if len(received) != 1:
        raise DemoError(f"{provider}: expected one {EVENT_RECEIVED} event: {received}")


async def show_reports(
    hass: HassClient, sim: SimulatorControl, socket: HassSocket, accounts: list[Account]
) -> None:
    """Wait for the reports the gateways send; show what each account made of them."""
    say(f"demo: delivery reports (each sent twice, after {REPORT_DELAY:g} s):")
    started = time.monotonic()
    await wait_for_delivered(hass, [a for a in accounts if a.spec.reports_delivered])
    made = await sim.reports_made()  # once every call is made
    await socket.catch_up()
    say(f"  (all in {time.monotonic() - started:.1f} s after the last step above)")
    urls = await webhook_urls(socket, hass)
    for account in accounts:
        spec = account.spec
        if spec.reports == NO_REPORTS:
            say(f"  {spec.provider}: the gateway reports no delivery")
            continue
        if (url := urls.get(account.title)) is None:
            raise DemoError(f"{spec.provider}: no webhook named {account.title!r}: {sorted(urls)}")
        if spec.reports_delivered:
            await show_delivered(hass, socket, account, made, url)
        elif spec.reports == HTTPS_ONLY:
            await show_https_only(hass, socket, account, made, url)
        if spec.inbound:
            await show_reply(hass, sim, socket, account, url)
