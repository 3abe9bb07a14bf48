"""The ``kpn_oauth`` part: KPN API Store's client-credentials token endpoint."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from aiohttp import web

from ..faults import Fault, FaultReplies, json_response
from ..state import GatewayModule
from .shared import APIGEE_REPLIES, issued_tokens

GOOD_CLIENT_ID = "sim-client"
GOOD_CLIENT_SECRET = "sim-secret"
TOKEN_LIFETIME = "3599"


_FAULT_REPLIES: FaultReplies = {
    **APIGEE_REPLIES,
    Fault.UNAUTHORIZED: lambda _: json_response({"error": "invalid_client"}, status=401),
    Fault.MISSING_FIELDS: lambda _: json_response({"token_type": "Bearer", "status": "approved"}),
}
"""The token endpoint's answer under a fault."""


class KpnTokenSimulator(GatewayModule):
    """``POST client_credential/accesstoken?grant_type=client_credentials``."""

    name = "kpn_oauth"
    prefix = "/kpn/oauth"
    fault_replies = _FAULT_REPLIES

    def create_app(self) -> web.Application:
        """Return the token route."""
        app = web.Application()
        app.router.add_post("/client_credential/accesstoken", self._token)
        return app

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


TOKEN_SIMULATOR = KpnTokenSimulator()
