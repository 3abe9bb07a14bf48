"""The ``kpn_oauth`` part: KPN API Store's client-credentials token endpoint."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from aiohttp import web

from ..faults import Fault, FaultReplies, fault_reply, json_response
from ..state import GatewayState
from .shared import APIGEE_REPLIES, issued_tokens

GOOD_CLIENT_ID = "sim-client"
GOOD_CLIENT_SECRET = "sim-secret"
TOKEN_LIFETIME = "3599"


class KpnTokenSimulator:
    """``POST client_credential/accesstoken?grant_type=client_credentials``."""

    name = "kpn_oauth"
    prefix = "/kpn/oauth"
    initial_credits = 0
    default_sender: str | None = None
    extra_faults: frozenset[Fault] = frozenset()

    def create_app(self) -> web.Application:
        """Return the token route."""
        app = web.Application()
        app.router.add_post("/client_credential/accesstoken", self._token)
        return app

    def fault_response(self, fault: Fault, state: GatewayState) -> web.Response:
        """The token endpoint's answer under a fault."""
        return fault_reply(fault, state, _FAULT_REPLIES)

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if request.query.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != GOOD_CLIENT_ID or form.get("client_secret") != (
            GOOD_CLIENT_SECRET
        ):
            return json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(20)
        issued_tokens(request).add(token)
        return json_response(
            {
                "token_type": "Bearer",
                "issued_at": str(int(datetime.now(UTC).timestamp() * 1000)),
                "client_id": GOOD_CLIENT_ID,
                "access_token": token,
                "scope": "",
                "expires_in": TOKEN_LIFETIME,
                "refresh_count": "0",
                "status": "approved",
            }
        )


_FAULT_REPLIES: FaultReplies = {
    **APIGEE_REPLIES,
    Fault.UNAUTHORIZED: lambda _: json_response({"error": "invalid_client"}, status=401),
    Fault.MISSING_FIELDS: lambda _: json_response({"token_type": "Bearer", "status": "approved"}),
}

TOKEN_SIMULATOR = KpnTokenSimulator()
