"""Ergonomic entry points: the generated Connect clients, authenticated and ready to call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from connectrpc.compat import google_protobuf_binary_codec, google_protobuf_json_codec
from connectrpc.protocol import ProtocolType
from pyqwest import Client, HTTPTransport, HTTPVersion, SyncClient, SyncHTTPTransport

from switchboard._auth import BearerAuth
from switchboard.v1.admin_connect import AdminServiceClient, AdminServiceClientSync
from switchboard.v1.completion_connect import CompletionServiceClient, CompletionServiceClientSync

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

    from connectrpc.codec import Codec

ProtocolName = Literal["connect", "grpc", "grpc-web"]

_PROTOCOLS: dict[str, ProtocolType] = {
    "connect": ProtocolType.CONNECT,
    "grpc": ProtocolType.GRPC,
    "grpc-web": ProtocolType.GRPC_WEB,
}


def _protocol_type(protocol: ProtocolName | ProtocolType) -> ProtocolType:
    if isinstance(protocol, ProtocolType):
        return protocol
    try:
        return _PROTOCOLS[protocol]
    except KeyError:
        names = ", ".join(repr(p) for p in _PROTOCOLS)
        raise ValueError(f"unknown protocol {protocol!r}: use one of {names}") from None


def _http_version(protocol: ProtocolType) -> HTTPVersion | None:
    # gRPC needs HTTP/2 (trailers). Forcing it also covers plaintext URLs, where the client
    # then speaks h2c with prior knowledge, as the gateway accepts. Connect and gRPC-Web work
    # over HTTP/1.1, the default for plaintext; TLS negotiates the version by ALPN.
    return HTTPVersion.HTTP2 if protocol is ProtocolType.GRPC else None


def _codec(json: bool) -> Codec:
    return google_protobuf_json_codec() if json else google_protobuf_binary_codec()


class SwitchboardClient:
    """Synchronous client for a Switchboard gateway.

    ``completion`` is the generated ``CompletionServiceClientSync`` and ``admin`` the generated
    ``AdminServiceClientSync``; both send ``Authorization: Bearer <api_key>`` on every call.
    CompletionService takes a virtual key (``sk-sb-...``), AdminService the admin key: make one
    client per key.

    Args:
        base_url: The gateway's root URL, e.g. ``http://127.0.0.1:8080``.
        api_key: The secret sent as bearer token.
        protocol: ``"connect"`` (default), ``"grpc"`` or ``"grpc-web"``.
        timeout_ms: Default deadline of each call; None waits as long as the call lasts.
        json: Send protobuf JSON instead of binary (easier to read on the wire).
        http_client: A pyqwest ``SyncClient`` to use (custom TLS, proxies). The caller owns and
            closes it; for ``"grpc"`` its transport must speak HTTP/2.
    """

    completion: CompletionServiceClientSync
    admin: AdminServiceClientSync

    def __init__(
        self,
        base_url: str,
        api_key: str,
        protocol: ProtocolName | ProtocolType = "connect",
        *,
        timeout_ms: int | None = None,
        json: bool = False,
        http_client: SyncClient | None = None,
    ) -> None:
        protocol_type = _protocol_type(protocol)
        self._transport: SyncHTTPTransport | None = None
        if http_client is None:
            self._transport = SyncHTTPTransport(
                http_version=_http_version(protocol_type), tls_include_system_certs=True
            )
            http_client = SyncClient(self._transport)
        address = base_url.rstrip("/")
        options = dict(
            codec=_codec(json),
            protocol=protocol_type,
            timeout_ms=timeout_ms,
            interceptors=(BearerAuth(api_key),),
            http_client=http_client,
        )
        self.completion = CompletionServiceClientSync(address, **options)
        self.admin = AdminServiceClientSync(address, **options)

    def close(self) -> None:
        """Close the connections this client opened. Safe to call more than once."""
        self.completion.close()
        self.admin.close()
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncSwitchboardClient:
    """Asynchronous (asyncio) client for a Switchboard gateway.

    The same as ``SwitchboardClient``, over the generated async clients: ``await
    client.completion.complete(...)`` and ``async for chunk in
    client.completion.stream_complete(...)``. Use it with ``async with`` or call ``aclose()``.
    ``http_client`` is a pyqwest ``Client``.
    """

    completion: CompletionServiceClient
    admin: AdminServiceClient

    def __init__(
        self,
        base_url: str,
        api_key: str,
        protocol: ProtocolName | ProtocolType = "connect",
        *,
        timeout_ms: int | None = None,
        json: bool = False,
        http_client: Client | None = None,
    ) -> None:
        protocol_type = _protocol_type(protocol)
        self._transport: HTTPTransport | None = None
        if http_client is None:
            self._transport = HTTPTransport(
                http_version=_http_version(protocol_type), tls_include_system_certs=True
            )
            http_client = Client(self._transport)
        address = base_url.rstrip("/")
        options = dict(
            codec=_codec(json),
            protocol=protocol_type,
            timeout_ms=timeout_ms,
            interceptors=(BearerAuth(api_key),),
            http_client=http_client,
        )
        self.completion = CompletionServiceClient(address, **options)
        self.admin = AdminServiceClient(address, **options)

    async def aclose(self) -> None:
        """Close the connections this client opened. Safe to call more than once."""
        await self.completion.close()
        await self.admin.close()
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
