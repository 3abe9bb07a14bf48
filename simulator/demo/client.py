"""A small client of Home Assistant's REST API, for the demo, end-to-end and browser tests.

``HassClient(session, url)`` makes the calls a new user's clicks make: onboarding (the owner
and an access token), config flows (account, recipient subentry, options), states, actions
(with their response) and webhooks. Every failure is a ``DemoError`` naming the step
(``what``). The websocket API is ``websocket.HassSocket``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import aiohttp

from .common import DOMAIN, DemoError, request_json

FLOW = "/api/config/config_entries/flow"
SUBENTRY_FLOW = "/api/config/config_entries/subentries/flow"
OPTIONS_FLOW = "/api/config/config_entries/options/flow"
ENTRIES = "/api/config/config_entries/entry"


def entities_template(domain: str) -> str:
    """A template rendering ``{entity_id: config_entry_id}`` of the domain's entities."""
    return (
        f"{{% set ids = integration_entities('{domain}') %}}"
        "{{ dict(zip(ids, ids | map('config_entry_id'))) | tojson }}"
    )


@dataclass(frozen=True, slots=True)
class Owner:
    """The user onboarding created: what a browser logs in with, and the API token."""

    username: str
    password: str
    token: str


class HassClient:
    """Home Assistant's REST API at ``url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str = "") -> None:
        """Use ``session``; ``token`` is set by ``onboard`` if not given."""
        self.session = session
        self.url = url
        self.token = token

    async def request(
        self, method: str, path: str, what: str, *, auth: bool = True, **kwargs: Any
    ) -> Any:
        """One call (``expect=`` another status than 200); its JSON body."""
        token = self.token if auth else None
        return await request_json(
            self.session, method, self.url + path, what, token=token, **kwargs
        )

    async def get(self, path: str, what: str) -> Any:
        """GET with the token."""
        return await self.request("GET", path, what)

    async def post(self, path: str, what: str, body: Any) -> Any:
        """POST JSON with the token."""
        return await self.request("POST", path, what, json=body)

    async def delete(self, path: str, what: str) -> Any:
        """DELETE with the token."""
        return await self.request("DELETE", path, what)

    # --- onboarding -------------------------------------------------------------------------

    async def onboarding_steps(self) -> list[dict[str, Any]]:
        """``[{"step", "done"}]`` (no token needed)."""
        steps: list[dict[str, Any]] = await self.request(
            "GET", "/api/onboarding", "onboarding status", auth=False
        )
        return steps

    async def onboard(
        self, username: str = "demo", password: str | None = None, *, name: str = "Demo Owner"
    ) -> Owner:
        """Create the owner, trade the auth code for a token (kept), see the analytics step.

        The core_config step is left undone on purpose: it starts met, radio_browser,
        google_translate and shopping_list flows that go online (``finish_onboarding``).
        The analytics step only records that it was seen (analytics stays off).
        """
        password = password or secrets.token_urlsafe(16)
        client_id = f"{self.url}/"
        body = {
            "client_id": client_id,
            "name": name,
            "username": username,
            "password": password,
            "language": "en",
        }
        reply = await self.request(
            "POST", "/api/onboarding/users", "onboarding: create user", auth=False, json=body
        )
        grant = {"grant_type": "authorization_code", "code": reply["auth_code"]}
        token = await self.request(
            "POST",
            "/auth/token",
            "auth: exchange code for token",
            auth=False,
            data=grant | {"client_id": client_id},
        )
        self.token = token["access_token"]
        await self.post("/api/onboarding/analytics", "onboarding: analytics step", {})
        return Owner(username, password, self.token)

    async def finish_onboarding(self) -> None:
        """Mark the remaining steps done (core_config, integration), as the web UI does.

        Needed before a browser is shown anything but the onboarding pages; it lets Home
        Assistant try to set up the integrations it suggests (they fail without network).
        """
        await self.post("/api/onboarding/core_config", "onboarding: core config step", {})
        body = {"client_id": f"{self.url}/", "redirect_uri": f"{self.url}/?auth_callback=1"}
        await self.post("/api/onboarding/integration", "onboarding: integration step", body)

    # --- config entries and flows -----------------------------------------------------------

    async def start_flow(self, handler: str = DOMAIN) -> dict[str, Any]:
        """Start an integration's config flow (as a user without advanced mode)."""
        body = {"handler": handler, "show_advanced_options": False}
        flow: dict[str, Any] = await self.post(FLOW, "config flow: start", body)
        return flow

    async def flow_step(self, flow_id: str, what: str, data: dict[str, Any]) -> dict[str, Any]:
        """Submit a config flow's step (a menu choice is ``{"next_step_id": ...}``)."""
        result: dict[str, Any] = await self.post(f"{FLOW}/{flow_id}", what, data)
        return result

    async def abort_flow(self, flow_id: str, what: str = "config flow: abort") -> None:
        """Drop a config flow, as closing its dialog does."""
        await self.delete(f"{FLOW}/{flow_id}", what)

    async def start_subentry_flow(self, entry_id: str, subentry_type: str) -> dict[str, Any]:
        """Start adding a subentry (``recipient``) to an entry."""
        body = {"handler": [entry_id, subentry_type]}
        flow: dict[str, Any] = await self.post(SUBENTRY_FLOW, "subentry flow: start", body)
        return flow

    async def subentry_step(self, flow_id: str, what: str, data: dict[str, Any]) -> dict[str, Any]:
        """Submit a subentry flow's step."""
        result: dict[str, Any] = await self.post(f"{SUBENTRY_FLOW}/{flow_id}", what, data)
        return result

    async def start_options_flow(self, entry_id: str, what: str) -> dict[str, Any]:
        """Open an entry's options (its first form)."""
        flow: dict[str, Any] = await self.post(OPTIONS_FLOW, what, {"handler": entry_id})
        return flow

    async def options_step(self, flow_id: str, what: str, data: dict[str, Any]) -> dict[str, Any]:
        """Submit an options flow's step."""
        result: dict[str, Any] = await self.post(f"{OPTIONS_FLOW}/{flow_id}", what, data)
        return result

    async def abort_options_flow(self, flow_id: str, what: str) -> None:
        """Close an entry's options without saving."""
        await self.delete(f"{OPTIONS_FLOW}/{flow_id}", what)

    async def config_entries(self, domain: str = DOMAIN) -> list[dict[str, Any]]:
        """The domain's config entries (``entry_id``, ``title``, ``state``, ...)."""
        path = f"{ENTRIES}?domain={domain}"
        entries: list[dict[str, Any]] = await self.get(path, "entries")
        return entries

    async def remove_entry(self, entry_id: str) -> None:
        """Delete a config entry."""
        await self.delete(f"{ENTRIES}/{entry_id}", "remove the entry")

    # --- states, actions, webhooks ----------------------------------------------------------

    async def states(self) -> list[dict[str, Any]]:
        """Every entity's state."""
        states: list[dict[str, Any]] = await self.get("/api/states", "list states")
        return states

    async def entry_states(self, entry_id: str, domain: str = DOMAIN) -> dict[str, dict[str, Any]]:
        """The states of one config entry's entities, by entity id."""
        template = {"template": entities_template(domain)}
        owners = await self.post("/api/template", "list the integration's entities", template)
        ids = {entity for entity, owner in owners.items() if owner == entry_id}
        return {
            state["entity_id"]: state for state in await self.states() if state["entity_id"] in ids
        }

    async def entity_of(self, entry_id: str, suffix: str) -> dict[str, Any]:
        """The state of the entry's entity whose id ends with ``suffix``."""
        states = await self.entry_states(entry_id)
        for entity_id, state in states.items():
            if entity_id.endswith(suffix):
                return state
        raise DemoError(f"no entity ending in {suffix} among {sorted(states)}")

    async def call_service(
        self, domain: str, service: str, data: dict[str, Any], *, what: str | None = None
    ) -> list[dict[str, Any]]:
        """Call an action; the states it changed."""
        path = f"/api/services/{domain}/{service}"
        changed: list[dict[str, Any]] = await self.post(path, what or f"{domain}.{service}", data)
        return changed

    async def call_service_for_response(
        self, domain: str, service: str, data: dict[str, Any], *, what: str | None = None
    ) -> dict[str, Any]:
        """Call an action with ``return_response``; its response (``service_response``)."""
        what = what or f"{domain}.{service}"
        path = f"/api/services/{domain}/{service}?return_response"
        reply = await self.post(path, what, data)
        response = reply.get("service_response") if isinstance(reply, dict) else None
        if not isinstance(response, dict):
            raise DemoError(f"{what}: no service_response: {reply}")
        return response

    def webhook_url(self, webhook_id: str) -> str:
        """Where a webhook is called."""
        return f"{self.url}/api/webhook/{webhook_id}"

    async def call_webhook(
        self, webhook_id: str, what: str, *, method: str = "POST", **kwargs: Any
    ) -> int:
        """Call a webhook as a gateway would (``json=``, ``data=``, ``params=``); its status."""
        try:
            async with self.session.request(method, self.webhook_url(webhook_id), **kwargs) as r:
                await r.read()
                return r.status
        except (aiohttp.ClientError, TimeoutError) as err:
            raise DemoError(f"{what}: {method} webhook failed: {err!r}") from None
