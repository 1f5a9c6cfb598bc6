from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from switchboard.v1 import admin_keys_pb2 as _admin_keys_pb2
from switchboard.v1 import audit_pb2 as _audit_pb2
from switchboard.v1 import limits_pb2 as _limits_pb2
from switchboard.v1 import routing_pb2 as _routing_pb2
from switchboard.v1 import spend_pb2 as _spend_pb2
from switchboard.v1 import tenancy_pb2 as _tenancy_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

BUDGET_PERIOD_DAILY: BudgetPeriod
BUDGET_PERIOD_LIFETIME: BudgetPeriod
BUDGET_PERIOD_MONTHLY: BudgetPeriod
BUDGET_PERIOD_UNSPECIFIED: BudgetPeriod
DESCRIPTOR: _descriptor.FileDescriptor

class CreateKeyRequest(_message.Message):
    __slots__ = ["allowed_models", "expire_time", "limits", "name", "tags", "team_id", "user_id"]
    ALLOWED_MODELS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    allowed_models: _containers.RepeatedScalarFieldContainer[str]
    expire_time: _timestamp_pb2.Timestamp
    limits: KeyLimits
    name: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    team_id: str
    user_id: str
    def __init__(self, name: _Optional[str] = ..., allowed_models: _Optional[_Iterable[str]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., limits: _Optional[_Union[KeyLimits, _Mapping]] = ...) -> None: ...

class CreateKeyResponse(_message.Message):
    __slots__ = ["key", "secret"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    key: Key
    secret: str
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class ExportUserDataRequest(_message.Message):
    __slots__ = ["user_id"]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class ExportUserDataResponse(_message.Message):
    __slots__ = ["audit_events", "keys", "payloads", "request_records", "spend", "user"]
    AUDIT_EVENTS_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    PAYLOADS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_RECORDS_FIELD_NUMBER: _ClassVar[int]
    SPEND_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    audit_events: _containers.RepeatedCompositeFieldContainer[_audit_pb2.AuditEvent]
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    payloads: _containers.RepeatedCompositeFieldContainer[_audit_pb2.CapturedPayload]
    request_records: _containers.RepeatedCompositeFieldContainer[_audit_pb2.RequestRecord]
    spend: _containers.RepeatedCompositeFieldContainer[_audit_pb2.UserSpend]
    user: _tenancy_pb2.User
    def __init__(self, user: _Optional[_Union[_tenancy_pb2.User, _Mapping]] = ..., keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., request_records: _Optional[_Iterable[_Union[_audit_pb2.RequestRecord, _Mapping]]] = ..., payloads: _Optional[_Iterable[_Union[_audit_pb2.CapturedPayload, _Mapping]]] = ..., audit_events: _Optional[_Iterable[_Union[_audit_pb2.AuditEvent, _Mapping]]] = ..., spend: _Optional[_Iterable[_Union[_audit_pb2.UserSpend, _Mapping]]] = ...) -> None: ...

class GetCallerRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetCallerResponse(_message.Message):
    __slots__ = ["admin_key_id", "name", "role", "team_id"]
    ADMIN_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    admin_key_id: str
    name: str
    role: _admin_keys_pb2.AdminRole
    team_id: str
    def __init__(self, role: _Optional[_Union[_admin_keys_pb2.AdminRole, str]] = ..., team_id: _Optional[str] = ..., admin_key_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class GetKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: Key
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ...) -> None: ...

class Key(_message.Message):
    __slots__ = ["allowed_models", "create_time", "expire_time", "id", "last_used_time", "limits", "name", "revoke_time", "rotate_time", "secret_prefix", "tags", "team_id", "update_time", "user_id"]
    ALLOWED_MODELS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_TIME_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    ROTATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SECRET_PREFIX_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    allowed_models: _containers.RepeatedScalarFieldContainer[str]
    create_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    id: str
    last_used_time: _timestamp_pb2.Timestamp
    limits: KeyLimits
    name: str
    revoke_time: _timestamp_pb2.Timestamp
    rotate_time: _timestamp_pb2.Timestamp
    secret_prefix: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    team_id: str
    update_time: _timestamp_pb2.Timestamp
    user_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., allowed_models: _Optional[_Iterable[str]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., revoke_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., secret_prefix: _Optional[str] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., limits: _Optional[_Union[KeyLimits, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., rotate_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class KeyLimits(_message.Message):
    __slots__ = ["budget_nano_usd", "budget_period", "requests_per_minute", "tokens_per_minute"]
    BUDGET_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    BUDGET_PERIOD_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    budget_nano_usd: int
    budget_period: BudgetPeriod
    requests_per_minute: int
    tokens_per_minute: int
    def __init__(self, requests_per_minute: _Optional[int] = ..., tokens_per_minute: _Optional[int] = ..., budget_nano_usd: _Optional[int] = ..., budget_period: _Optional[_Union[BudgetPeriod, str]] = ...) -> None: ...

class ListKeysRequest(_message.Message):
    __slots__ = ["include_revoked", "page_size", "page_token", "tag", "team_id", "user_id"]
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    include_revoked: bool
    page_size: int
    page_token: str
    tag: str
    team_id: str
    user_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., include_revoked: bool = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., tag: _Optional[str] = ...) -> None: ...

class ListKeysResponse(_message.Message):
    __slots__ = ["keys", "next_page_token"]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    next_page_token: str
    def __init__(self, keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RevokeKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class RevokeKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: Key
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ...) -> None: ...

class RotateKeyRequest(_message.Message):
    __slots__ = ["grace_period", "id"]
    GRACE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    grace_period: _duration_pb2.Duration
    id: str
    def __init__(self, id: _Optional[str] = ..., grace_period: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RotateKeyResponse(_message.Message):
    __slots__ = ["key", "secret"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    key: Key
    secret: str
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class UpdateKeyRequest(_message.Message):
    __slots__ = ["key", "update_mask"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    key: Key
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateKeyResponse(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: Key
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ...) -> None: ...

class BudgetPeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
