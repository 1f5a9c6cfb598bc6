from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
ERROR_REASON_BUDGET_EXCEEDED: ErrorReason
ERROR_REASON_CANCELED: ErrorReason
ERROR_REASON_CONTENT_FILTERED: ErrorReason
ERROR_REASON_CONTEXT_TOO_LONG: ErrorReason
ERROR_REASON_IDEMPOTENCY_CONFLICT: ErrorReason
ERROR_REASON_IDEMPOTENCY_IN_PROGRESS: ErrorReason
ERROR_REASON_INTERNAL: ErrorReason
ERROR_REASON_INVALID_REQUEST: ErrorReason
ERROR_REASON_MAX_COST_EXCEEDED: ErrorReason
ERROR_REASON_NOT_FOUND: ErrorReason
ERROR_REASON_OVERLOADED: ErrorReason
ERROR_REASON_PAYLOAD_TOO_LARGE: ErrorReason
ERROR_REASON_PERMISSION_DENIED: ErrorReason
ERROR_REASON_RATE_LIMITED: ErrorReason
ERROR_REASON_TIMEOUT: ErrorReason
ERROR_REASON_UNAUTHENTICATED: ErrorReason
ERROR_REASON_UNAVAILABLE: ErrorReason
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_UPSTREAM: ErrorReason

class ErrorDetail(_message.Message):
    __slots__ = ["code", "param", "provider", "reason", "retry_after", "upstream_status"]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PARAM_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_STATUS_FIELD_NUMBER: _ClassVar[int]
    code: str
    param: str
    provider: str
    reason: ErrorReason
    retry_after: _duration_pb2.Duration
    upstream_status: int
    def __init__(self, reason: _Optional[_Union[ErrorReason, str]] = ..., provider: _Optional[str] = ..., upstream_status: _Optional[int] = ..., retry_after: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., code: _Optional[str] = ..., param: _Optional[str] = ...) -> None: ...

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
