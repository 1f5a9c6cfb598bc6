"""Reading Switchboard's typed error detail out of a Connect error."""

from __future__ import annotations

from connectrpc.errors import ConnectError

from switchboard.v1.error_pb2 import ErrorDetail

_ERROR_DETAIL_TYPE = ErrorDetail.DESCRIPTOR.full_name


def error_detail(exc: BaseException) -> ErrorDetail | None:
    """Return the ``switchboard.v1.ErrorDetail`` attached to a Connect error, or None.

    The gateway attaches one to every error it returns, so callers branch on
    ``error_detail(e).reason`` (an ``ErrorReason``) instead of parsing messages. connectrpc
    keeps details as packed ``Any`` values of its own protobuf runtime, so the detail is
    decoded here from its bytes with Google's runtime, which the generated messages use.
    Returns None when ``exc`` is not a ConnectError or carries no such detail (for example
    a connection failure raised by the client itself).
    """
    if not isinstance(exc, ConnectError):
        return None
    for detail in exc.details:
        if detail.type_name == _ERROR_DETAIL_TYPE:
            return ErrorDetail.FromString(detail.message_bytes)
    return None
