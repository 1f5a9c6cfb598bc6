"""Bearer-token authentication for the generated Connect clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectrpc.request import RequestContext


class BearerAuth:
    """Adds ``Authorization: Bearer <token>`` to every call, unary and streaming.

    It is a connectrpc metadata interceptor, so one object serves the sync and the async
    clients and every kind of RPC: headers are set before the request is written.
    """

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("api_key must not be empty")
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        # The token is a secret: never let it reach a log through repr().
        return "BearerAuth(<redacted>)"

    def on_start_sync(self, ctx: RequestContext, /) -> None:
        ctx.request_headers["authorization"] = self._header

    def on_end_sync(self, token: None, ctx: RequestContext, error: Exception | None, /) -> None:
        return None

    async def on_start(self, ctx: RequestContext, /) -> None:
        ctx.request_headers["authorization"] = self._header

    async def on_end(self, token: None, ctx: RequestContext, error: Exception | None, /) -> None:
        return None
