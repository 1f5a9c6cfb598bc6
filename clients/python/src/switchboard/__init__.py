"""Python client for the Switchboard LLM gateway.

``SwitchboardClient`` (sync) and ``AsyncSwitchboardClient`` wrap the generated Connect clients
in ``switchboard.v1`` with bearer authentication and a choice of protocol (Connect, gRPC,
gRPC-Web). ``error_detail`` reads the gateway's typed ``ErrorDetail`` from a ``ConnectError``.
Request and response messages live in ``switchboard.v1.completion_pb2``, ``types_pb2``,
``admin_pb2`` and ``error_pb2``.
"""

from switchboard.client import AsyncSwitchboardClient, ProtocolName, SwitchboardClient
from switchboard.errors import error_detail

__all__ = ["AsyncSwitchboardClient", "ProtocolName", "SwitchboardClient", "error_detail"]
