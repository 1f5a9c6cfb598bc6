from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from switchboard.v1 import error_pb2 as _error_pb2
from switchboard.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ATTEMPT_OUTCOME_BROKEN: AttemptOutcome
ATTEMPT_OUTCOME_CANCELED: AttemptOutcome
ATTEMPT_OUTCOME_FAILED: AttemptOutcome
ATTEMPT_OUTCOME_OK: AttemptOutcome
ATTEMPT_OUTCOME_STREAMING: AttemptOutcome
ATTEMPT_OUTCOME_UNSPECIFIED: AttemptOutcome
ATTEMPT_REASON_CONTINUATION: AttemptReason
ATTEMPT_REASON_FAILOVER: AttemptReason
ATTEMPT_REASON_FALLBACK: AttemptReason
ATTEMPT_REASON_FIRST: AttemptReason
ATTEMPT_REASON_HEDGE: AttemptReason
ATTEMPT_REASON_KEY: AttemptReason
ATTEMPT_REASON_RETRY: AttemptReason
ATTEMPT_REASON_UNSPECIFIED: AttemptReason
BREAKER_STATE_CLOSED: BreakerState
BREAKER_STATE_HALF_OPEN: BreakerState
BREAKER_STATE_OPEN: BreakerState
BREAKER_STATE_UNSPECIFIED: BreakerState
DESCRIPTOR: _descriptor.FileDescriptor

class AliasStatus(_message.Message):
    __slots__ = ["available", "deployments", "name", "unavailable"]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    available: int
    deployments: int
    name: str
    unavailable: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., deployments: _Optional[int] = ..., available: _Optional[int] = ..., unavailable: _Optional[_Iterable[str]] = ...) -> None: ...

class Attempt(_message.Message):
    __slots__ = ["alias", "deployment", "error_reason", "key", "latency", "model", "number", "outcome", "provider", "reason", "start_time", "time_to_first_token", "upstream_status", "usage", "usage_estimated"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    ERROR_REASON_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_FIRST_TOKEN_FIELD_NUMBER: _ClassVar[int]
    UPSTREAM_STATUS_FIELD_NUMBER: _ClassVar[int]
    USAGE_ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    alias: str
    deployment: str
    error_reason: _error_pb2.ErrorReason
    key: int
    latency: _duration_pb2.Duration
    model: str
    number: int
    outcome: AttemptOutcome
    provider: str
    reason: AttemptReason
    start_time: _timestamp_pb2.Timestamp
    time_to_first_token: _duration_pb2.Duration
    upstream_status: int
    usage: _types_pb2.Usage
    usage_estimated: bool
    def __init__(self, number: _Optional[int] = ..., alias: _Optional[str] = ..., deployment: _Optional[str] = ..., provider: _Optional[str] = ..., model: _Optional[str] = ..., key: _Optional[int] = ..., reason: _Optional[_Union[AttemptReason, str]] = ..., outcome: _Optional[_Union[AttemptOutcome, str]] = ..., error_reason: _Optional[_Union[_error_pb2.ErrorReason, str]] = ..., upstream_status: _Optional[int] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., latency: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., time_to_first_token: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., usage_estimated: bool = ...) -> None: ...

class DeploymentStatus(_message.Message):
    __slots__ = ["aliases", "attempts", "breaker_opened", "breaker_state", "error_rate", "keys", "latency", "latency_p95", "model", "name", "probe_time", "provider", "requests_last_minute", "requests_per_minute_limit", "retry_after_time", "time_to_first_token", "time_to_first_token_p95", "tokens_last_minute", "tokens_per_minute_limit"]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    BREAKER_OPENED_FIELD_NUMBER: _ClassVar[int]
    BREAKER_STATE_FIELD_NUMBER: _ClassVar[int]
    ERROR_RATE_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    LATENCY_P95_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROBE_TIME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_MINUTE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_FIRST_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TIME_TO_FIRST_TOKEN_P95_FIELD_NUMBER: _ClassVar[int]
    TOKENS_LAST_MINUTE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MINUTE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    aliases: _containers.RepeatedScalarFieldContainer[str]
    attempts: int
    breaker_opened: int
    breaker_state: BreakerState
    error_rate: float
    keys: int
    latency: _duration_pb2.Duration
    latency_p95: _duration_pb2.Duration
    model: str
    name: str
    probe_time: _timestamp_pb2.Timestamp
    provider: str
    requests_last_minute: int
    requests_per_minute_limit: int
    retry_after_time: _timestamp_pb2.Timestamp
    time_to_first_token: _duration_pb2.Duration
    time_to_first_token_p95: _duration_pb2.Duration
    tokens_last_minute: int
    tokens_per_minute_limit: int
    def __init__(self, name: _Optional[str] = ..., provider: _Optional[str] = ..., model: _Optional[str] = ..., aliases: _Optional[_Iterable[str]] = ..., breaker_state: _Optional[_Union[BreakerState, str]] = ..., probe_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., breaker_opened: _Optional[int] = ..., latency: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., latency_p95: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., time_to_first_token: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., time_to_first_token_p95: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., error_rate: _Optional[float] = ..., attempts: _Optional[int] = ..., requests_last_minute: _Optional[int] = ..., tokens_last_minute: _Optional[int] = ..., requests_per_minute_limit: _Optional[int] = ..., tokens_per_minute_limit: _Optional[int] = ..., retry_after_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., keys: _Optional[int] = ...) -> None: ...

class ListDeploymentsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListDeploymentsResponse(_message.Message):
    __slots__ = ["aliases", "deployments"]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    aliases: _containers.RepeatedCompositeFieldContainer[AliasStatus]
    deployments: _containers.RepeatedCompositeFieldContainer[DeploymentStatus]
    def __init__(self, deployments: _Optional[_Iterable[_Union[DeploymentStatus, _Mapping]]] = ..., aliases: _Optional[_Iterable[_Union[AliasStatus, _Mapping]]] = ...) -> None: ...

class Route(_message.Message):
    __slots__ = ["alias", "attempts", "rule"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    alias: str
    attempts: _containers.RepeatedCompositeFieldContainer[Attempt]
    rule: str
    def __init__(self, alias: _Optional[str] = ..., rule: _Optional[str] = ..., attempts: _Optional[_Iterable[_Union[Attempt, _Mapping]]] = ...) -> None: ...

class AttemptReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class AttemptOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class BreakerState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
