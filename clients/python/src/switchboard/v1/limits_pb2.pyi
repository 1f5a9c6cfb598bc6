from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

BUDGET_POLICY_DOWNGRADE: BudgetPolicy
BUDGET_POLICY_HARD: BudgetPolicy
BUDGET_POLICY_SOFT: BudgetPolicy
BUDGET_POLICY_UNSPECIFIED: BudgetPolicy
BUDGET_WINDOW_DAILY: BudgetWindow
BUDGET_WINDOW_LIFETIME: BudgetWindow
BUDGET_WINDOW_MONTHLY: BudgetWindow
BUDGET_WINDOW_UNSPECIFIED: BudgetWindow
DESCRIPTOR: _descriptor.FileDescriptor
RATE_LIMIT_KIND_REQUESTS_PER_MINUTE: RateLimitKind
RATE_LIMIT_KIND_TOKENS_PER_MINUTE: RateLimitKind
RATE_LIMIT_KIND_UNSPECIFIED: RateLimitKind

class Budget(_message.Message):
    __slots__ = ["downgrade_alias", "limit_nano_usd", "policy", "window"]
    DOWNGRADE_ALIAS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    WINDOW_FIELD_NUMBER: _ClassVar[int]
    downgrade_alias: str
    limit_nano_usd: int
    policy: BudgetPolicy
    window: BudgetWindow
    def __init__(self, window: _Optional[_Union[BudgetWindow, str]] = ..., limit_nano_usd: _Optional[int] = ..., policy: _Optional[_Union[BudgetPolicy, str]] = ..., downgrade_alias: _Optional[str] = ...) -> None: ...

class BudgetUsage(_message.Message):
    __slots__ = ["budget", "remaining_nano_usd", "reserved_nano_usd", "reset_time", "spent_nano_usd", "window_start_time"]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    REMAINING_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    RESERVED_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    RESET_TIME_FIELD_NUMBER: _ClassVar[int]
    SPENT_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    budget: Budget
    remaining_nano_usd: int
    reserved_nano_usd: int
    reset_time: _timestamp_pb2.Timestamp
    spent_nano_usd: int
    window_start_time: _timestamp_pb2.Timestamp
    def __init__(self, budget: _Optional[_Union[Budget, _Mapping]] = ..., window_start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reset_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., spent_nano_usd: _Optional[int] = ..., reserved_nano_usd: _Optional[int] = ..., remaining_nano_usd: _Optional[int] = ...) -> None: ...

class GetLimitUsageRequest(_message.Message):
    __slots__ = ["scope"]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: str
    def __init__(self, scope: _Optional[str] = ...) -> None: ...

class GetLimitUsageResponse(_message.Message):
    __slots__ = ["budgets", "limits", "rate_limits", "rate_limits_complete", "scope"]
    BUDGETS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITS_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    budgets: _containers.RepeatedCompositeFieldContainer[BudgetUsage]
    limits: LimitSettings
    rate_limits: _containers.RepeatedCompositeFieldContainer[RateLimitUsage]
    rate_limits_complete: bool
    scope: str
    def __init__(self, scope: _Optional[str] = ..., limits: _Optional[_Union[LimitSettings, _Mapping]] = ..., rate_limits: _Optional[_Iterable[_Union[RateLimitUsage, _Mapping]]] = ..., rate_limits_complete: bool = ..., budgets: _Optional[_Iterable[_Union[BudgetUsage, _Mapping]]] = ...) -> None: ...

class GetLimitsRequest(_message.Message):
    __slots__ = ["scope"]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    scope: str
    def __init__(self, scope: _Optional[str] = ...) -> None: ...

class GetLimitsResponse(_message.Message):
    __slots__ = ["limits"]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    limits: LimitSettings
    def __init__(self, limits: _Optional[_Union[LimitSettings, _Mapping]] = ...) -> None: ...

class LimitSettings(_message.Message):
    __slots__ = ["budgets", "requests_per_minute", "scope", "tokens_per_minute", "update_time"]
    BUDGETS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    budgets: _containers.RepeatedCompositeFieldContainer[Budget]
    requests_per_minute: int
    scope: str
    tokens_per_minute: int
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, scope: _Optional[str] = ..., requests_per_minute: _Optional[int] = ..., tokens_per_minute: _Optional[int] = ..., budgets: _Optional[_Iterable[_Union[Budget, _Mapping]]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RateLimitUsage(_message.Message):
    __slots__ = ["kind", "limit_per_minute", "remaining", "reset_after"]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LIMIT_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    RESET_AFTER_FIELD_NUMBER: _ClassVar[int]
    kind: RateLimitKind
    limit_per_minute: int
    remaining: int
    reset_after: _duration_pb2.Duration
    def __init__(self, kind: _Optional[_Union[RateLimitKind, str]] = ..., limit_per_minute: _Optional[int] = ..., remaining: _Optional[int] = ..., reset_after: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class SetLimitsRequest(_message.Message):
    __slots__ = ["limits"]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    limits: LimitSettings
    def __init__(self, limits: _Optional[_Union[LimitSettings, _Mapping]] = ...) -> None: ...

class SetLimitsResponse(_message.Message):
    __slots__ = ["limits"]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    limits: LimitSettings
    def __init__(self, limits: _Optional[_Union[LimitSettings, _Mapping]] = ...) -> None: ...

class BudgetWindow(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class BudgetPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RateLimitKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
