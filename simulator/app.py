"""The simulator application: every gateway module mounted, plus the ``/_sim`` control API.

Control API (no authentication; the simulator binds 127.0.0.1 only):

- ``GET /_sim/messages[?gateway=NAME]`` → every send received, oldest first
- ``GET /_sim/credits/{gateway}`` → ``{"credits": N}``
- ``POST /_sim/credits/{gateway}`` ``{"credits": N}`` → set the balance
- ``POST /_sim/fault`` ``{"gateway": NAME, "fault": FAULT | null}`` → the gateway's requests
  fail that way until cleared (``null``). FAULT is one of ``401``, ``429``, ``500``, ``503``,
  ``504``, ``slow``, ``garbage``, ``html200``, ``drop``, ``lost_reply``, ``missing_fields``,
  and, where the gateway's document has such a reply, ``500_credits`` (SMS Service Center);
  ``simulator/faults.py`` says what each does and whether the request is handled (sent) first.
  Optional members: ``"slow_seconds": S`` (how long ``slow`` holds, for every gateway),
  ``"after": N`` (answer the next N requests normally first: a second batch, a second
  recipient or the send after a token request fails), ``"retry_after": S | "TEXT" | null``
  (what this gateway's ``429`` says: seconds, a header value sent as it is such as an HTTP
  date, or no Retry-After at all; 30 until set). Answers ``{"gateway", "fault",
  "slow_seconds"}`` plus ``after`` and ``retry_after`` when they were given.
- ``POST /_sim/reset`` → every gateway back to full credits, empty history, no fault
- ``GET /_sim/gateways`` → each gateway's name, mount path, credits and fault
- ``GET /_sim/reports`` → every delivery-report call made so far (waits for those due)
- ``POST /_sim/reports`` ``{"delay", "outcome", "duplicates", "garbage"}`` → how reports go
- ``POST /_sim/portal/{gateway}`` ``{"url"}`` → the report URL set in a gateway's portal
- ``POST /_sim/kpn_vonage/inbound`` → a reply to a KPN Vonage number (``simulator/kpn/``)
- ``POST /_sim/kpn_oauth/revoke`` → every KPN token issued so far stops working (expiry)
- ``GET /_sim/sms1601/outbox`` → the 1601SMS messages held for later;
  ``POST /_sim/sms1601/outbox/send_due`` ``{"now"}`` → send those due by then
  (``simulator/sms1601_outbox.py``)

Adding a gateway: write ``simulator/<provider>.py`` exporting ``SIMULATOR`` (see
``state.GatewaySimulator``) and add it to ``GATEWAYS`` below.
"""

from __future__ import annotations

import json
from typing import Any, cast

from aiohttp import web

from . import kpn, sms1601, sms1601_outbox, smsbox, smsservicecenter
from .faults import COMMON_FAULTS, Fault
from .state import (
    DEFAULT_SLOW_SECONDS,
    STATE_KEY,
    GatewaySimulator,
    GatewayState,
    SimulatorState,
    fault_middleware,
)

__all__ = ["GATEWAYS", "SimulatorState", "create_app", "start_simulator"]

GATEWAYS: tuple[GatewaySimulator, ...] = (
    smsservicecenter.SIMULATOR,
    *kpn.SIMULATORS,
    smsbox.SIMULATOR,
    sms1601.SIMULATOR,
)

HOST = "127.0.0.1"


def create_app(
    *,
    slow_seconds: float = DEFAULT_SLOW_SECONDS,
    gateways: tuple[GatewaySimulator, ...] = GATEWAYS,
) -> web.Application:
    """Return the simulator with every gateway mounted under its prefix."""
    state = SimulatorState(
        {
            gateway.name: GatewayState(
                name=gateway.name,
                initial_credits=gateway.initial_credits,
                default_sender=gateway.default_sender,
                prefix=gateway.prefix,
                faults=COMMON_FAULTS | gateway.extra_faults,
            )
            for gateway in gateways
        },
        slow_seconds=slow_seconds,
    )
    app = web.Application()
    app[STATE_KEY] = state
    app.router.add_get("/_sim/messages", _messages)
    app.router.add_get("/_sim/gateways", _gateways)
    app.router.add_get("/_sim/credits/{gateway}", _get_credits)
    app.router.add_post("/_sim/credits/{gateway}", _set_credits)
    app.router.add_post("/_sim/fault", _fault)
    app.router.add_post("/_sim/reset", _reset)
    app.router.add_get("/_sim/reports", _reports_made)
    app.router.add_post("/_sim/reports", _report_settings)
    app.router.add_post("/_sim/portal/{gateway}", _portal_url)
    app.router.add_routes(kpn.CONTROL_ROUTES)
    app.router.add_routes(sms1601_outbox.CONTROL_ROUTES)
    for gateway in gateways:
        sub_app = gateway.create_app()
        sub_app.middlewares.insert(0, fault_middleware(gateway))
        app.add_subapp(gateway.prefix, sub_app)

    async def _release_held_requests(_app: web.Application) -> None:
        state.close()
        await state.reports.close()

    # aiosignal 1.4's Signal typing does not fit aiohttp 3.11's annotation of on_shutdown.
    cast(Any, app.on_shutdown).append(_release_held_requests)
    return app


async def start_simulator(
    port: int = 0, *, slow_seconds: float = DEFAULT_SLOW_SECONDS
) -> tuple[web.AppRunner, str]:
    """Serve the simulator on 127.0.0.1 in this event loop; return the runner and base URL.

    Stop it with ``await runner.cleanup()``. The state is ``runner.app[STATE_KEY]``.
    """
    runner = web.AppRunner(create_app(slow_seconds=slow_seconds), shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    return runner, f"http://{HOST}:{bound_port}"


def _state(request: web.Request) -> SimulatorState:
    return request.app[STATE_KEY]


def _gateway_state(request: web.Request, name: str) -> GatewayState:
    try:
        return _state(request).gateway(name)
    except KeyError:
        raise web.HTTPNotFound(
            text=json.dumps({"error": f"unknown gateway {name!r}"}),
            content_type="application/json",
        ) from None


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _bad_request("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise _bad_request("body must be a JSON object")
    return body


async def _messages(request: web.Request) -> web.Response:
    messages = _state(request).messages
    if gateway := request.query.get("gateway"):
        _gateway_state(request, gateway)
        messages = [message for message in messages if message.gateway == gateway]
    return web.json_response([message.as_json() for message in messages])


async def _gateways(request: web.Request) -> web.Response:
    return web.json_response(
        [
            {
                "gateway": state.name,
                "prefix": state.prefix + "/",
                "credits": state.credits,
                "fault": state.fault,
                "messages": len(state.messages),
                "requests": state.requests,
            }
            for state in _state(request).gateways.values()
        ]
    )


async def _get_credits(request: web.Request) -> web.Response:
    state = _gateway_state(request, request.match_info["gateway"])
    return web.json_response({"credits": state.credits})


async def _set_credits(request: web.Request) -> web.Response:
    state = _gateway_state(request, request.match_info["gateway"])
    credits = (await _json_object(request)).get("credits")
    if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
        raise _bad_request("credits must be a whole number >= 0")
    state.credits = credits
    return web.json_response({"credits": state.credits})


async def _fault(request: web.Request) -> web.Response:
    simulator = _state(request)
    body = await _json_object(request)
    name = body.get("gateway")
    if not isinstance(name, str):
        raise _bad_request("gateway is required")
    state = _gateway_state(request, name)
    fault = _fault_of(state, body.get("fault"))
    after = _number(body, "after", whole=True)
    slow_seconds = _number(body, "slow_seconds")
    retry_after = _retry_after(body)
    if slow_seconds is not None:
        simulator.slow_seconds = slow_seconds
    if "retry_after" in body:
        state.retry_after = retry_after
    simulator.set_fault(name, fault, after=int(after or 0))
    answer: dict[str, Any] = {
        "gateway": name,
        "fault": fault,
        "slow_seconds": simulator.slow_seconds,
    }
    if after is not None:
        answer["after"] = int(after)
    if "retry_after" in body:
        answer["retry_after"] = state.retry_after
    return web.json_response(answer)


def _fault_of(state: GatewayState, raw: Any) -> Fault | None:
    if raw is None:
        return None
    if str(raw) not in state.faults:
        choices = ", ".join(repr(item.value) for item in Fault if item in state.faults)
        raise _bad_request(f"fault for {state.name} must be null or one of {choices}")
    return Fault(str(raw))


def _number(body: dict[str, Any], key: str, *, whole: bool = False) -> float | None:
    """The member as a number >= 0 (a whole one if ``whole``), None when it is absent."""
    if key not in body:
        return None
    value = body[key]
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or value < 0:
        raise _bad_request(f"{key} must be a {'whole ' if whole else ''}number >= 0")
    return float(value)


def _retry_after(body: dict[str, Any]) -> float | str | None:
    value = body.get("retry_after")
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    return _number(body, "retry_after")


async def _reports_made(request: web.Request) -> web.Response:
    reports = _state(request).reports
    await reports.wait()
    return web.json_response(reports.made)


async def _report_settings(request: web.Request) -> web.Response:
    settings = _state(request).reports.settings
    body = await _json_object(request)
    delay = body.get("delay", settings.delay)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise _bad_request("delay must be a number >= 0")
    outcome = body.get("outcome", settings.outcome)
    if outcome not in ("delivered", "undelivered"):
        raise _bad_request("outcome must be 'delivered' or 'undelivered'")
    settings.delay = float(delay)
    settings.outcome = outcome
    settings.duplicates = bool(body.get("duplicates", settings.duplicates))
    settings.garbage = bool(body.get("garbage", settings.garbage))
    return web.json_response(
        {
            "delay": settings.delay,
            "outcome": settings.outcome,
            "duplicates": settings.duplicates,
            "garbage": settings.garbage,
        }
    )


async def _portal_url(request: web.Request) -> web.Response:
    name = request.match_info["gateway"]
    _gateway_state(request, name)
    url = (await _json_object(request)).get("url")
    if not isinstance(url, str):
        raise _bad_request("url is required")
    _state(request).reports.portal_urls[name] = url
    return web.json_response({"gateway": name, "url": url})


async def _reset(request: web.Request) -> web.Response:
    _state(request).reset()
    return web.json_response({"reset": True})
