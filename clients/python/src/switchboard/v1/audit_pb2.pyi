from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from switchboard.v1 import admin_keys_pb2 as _admin_keys_pb2
from switchboard.v1 import tenancy_pb2 as _tenancy_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AuditEvent(_message.Message):
    __slots__ = ["action", "actor", "actor_role", "after", "before", "client_address", "id", "outcome", "request_id", "target_id", "target_type", "team_id", "time"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    AFTER_FIELD_NUMBER: _ClassVar[int]
    BEFORE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor: str
    actor_role: _admin_keys_pb2.AdminRole
    after: _struct_pb2.Struct
    before: _struct_pb2.Struct
    client_address: str
    id: str
    outcome: str
    request_id: str
    target_id: str
    target_type: str
    team_id: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., actor_role: _Optional[_Union[_admin_keys_pb2.AdminRole, str]] = ..., action: _Optional[str] = ..., target_type: _Optional[str] = ..., target_id: _Optional[str] = ..., team_id: _Optional[str] = ..., before: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., after: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., client_address: _Optional[str] = ..., request_id: _Optional[str] = ..., outcome: _Optional[str] = ...) -> None: ...

class CapturedPayload(_message.Message):
    __slots__ = ["key_id", "request_id", "request_json", "response_json", "team_id", "time", "user_id"]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_JSON_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_JSON_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    request_id: str
    request_json: str
    response_json: str
    team_id: str
    time: _timestamp_pb2.Timestamp
    user_id: str
    def __init__(self, request_id: _Optional[str] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., key_id: _Optional[str] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., request_json: _Optional[str] = ..., response_json: _Optional[str] = ...) -> None: ...

class DeleteUserDataRequest(_message.Message):
    __slots__ = ["user_id"]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class DeleteUserDataResponse(_message.Message):
    __slots__ = ["audit_events_erased", "keys_deleted", "keys_revoked", "payloads_deleted", "request_records_deleted", "spend_pseudonym", "spend_pseudonymized", "spend_records_pseudonymized", "user"]
    AUDIT_EVENTS_ERASED_FIELD_NUMBER: _ClassVar[int]
    KEYS_DELETED_FIELD_NUMBER: _ClassVar[int]
    KEYS_REVOKED_FIELD_NUMBER: _ClassVar[int]
    PAYLOADS_DELETED_FIELD_NUMBER: _ClassVar[int]
    REQUEST_RECORDS_DELETED_FIELD_NUMBER: _ClassVar[int]
    SPEND_PSEUDONYMIZED_FIELD_NUMBER: _ClassVar[int]
    SPEND_PSEUDONYM_FIELD_NUMBER: _ClassVar[int]
    SPEND_RECORDS_PSEUDONYMIZED_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    audit_events_erased: int
    keys_deleted: int
    keys_revoked: int
    payloads_deleted: int
    request_records_deleted: int
    spend_pseudonym: str
    spend_pseudonymized: bool
    spend_records_pseudonymized: int
    user: _tenancy_pb2.User
    def __init__(self, user: _Optional[_Union[_tenancy_pb2.User, _Mapping]] = ..., keys_revoked: _Optional[int] = ..., keys_deleted: _Optional[int] = ..., request_records_deleted: _Optional[int] = ..., payloads_deleted: _Optional[int] = ..., audit_events_erased: _Optional[int] = ..., spend_pseudonymized: bool = ..., spend_records_pseudonymized: _Optional[int] = ..., spend_pseudonym: _Optional[str] = ...) -> None: ...

class ListAuditEventsRequest(_message.Message):
    __slots__ = ["action", "actor", "end_time", "page_size", "page_token", "start_time", "target_id", "target_type", "team_id"]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_TYPE_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    action: str
    actor: str
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    start_time: _timestamp_pb2.Timestamp
    target_id: str
    target_type: str
    team_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., action: _Optional[str] = ..., target_type: _Optional[str] = ..., target_id: _Optional[str] = ..., team_id: _Optional[str] = ...) -> None: ...

class ListAuditEventsResponse(_message.Message):
    __slots__ = ["events", "next_page_token"]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[AuditEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[AuditEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListRequestRecordsRequest(_message.Message):
    __slots__ = ["alias", "end_time", "key_id", "page_size", "page_token", "start_time", "team_id", "user_id"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    alias: str
    end_time: _timestamp_pb2.Timestamp
    key_id: str
    page_size: int
    page_token: str
    start_time: _timestamp_pb2.Timestamp
    team_id: str
    user_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., key_id: _Optional[str] = ..., alias: _Optional[str] = ...) -> None: ...

class ListRequestRecordsResponse(_message.Message):
    __slots__ = ["next_page_token", "records"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    records: _containers.RepeatedCompositeFieldContainer[RequestRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[RequestRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RequestRecord(_message.Message):
    __slots__ = ["alias", "client_address", "cost_nano_usd", "deployment", "end_user", "input_bytes", "input_images", "input_messages", "input_tokens", "input_tools", "key_id", "latency", "model", "operation", "output_bytes", "output_tokens", "payload_captured", "prompt_sha256", "provider", "request_id", "status", "stream", "team_id", "time", "transport", "user_agent", "user_id"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COST_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    END_USER_FIELD_NUMBER: _ClassVar[int]
    INPUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    INPUT_IMAGES_FIELD_NUMBER: _ClassVar[int]
    INPUT_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOOLS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    LATENCY_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_CAPTURED_FIELD_NUMBER: _ClassVar[int]
    PROMPT_SHA256_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSPORT_FIELD_NUMBER: _ClassVar[int]
    USER_AGENT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    alias: str
    client_address: str
    cost_nano_usd: int
    deployment: str
    end_user: str
    input_bytes: int
    input_images: int
    input_messages: int
    input_tokens: int
    input_tools: int
    key_id: str
    latency: _duration_pb2.Duration
    model: str
    operation: str
    output_bytes: int
    output_tokens: int
    payload_captured: bool
    prompt_sha256: str
    provider: str
    request_id: str
    status: str
    stream: bool
    team_id: str
    time: _timestamp_pb2.Timestamp
    transport: str
    user_agent: str
    user_id: str
    def __init__(self, request_id: _Optional[str] = ..., time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., key_id: _Optional[str] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., end_user: _Optional[str] = ..., operation: _Optional[str] = ..., alias: _Optional[str] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., deployment: _Optional[str] = ..., transport: _Optional[str] = ..., stream: bool = ..., status: _Optional[str] = ..., prompt_sha256: _Optional[str] = ..., input_bytes: _Optional[int] = ..., input_messages: _Optional[int] = ..., input_tools: _Optional[int] = ..., input_images: _Optional[int] = ..., output_bytes: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_nano_usd: _Optional[int] = ..., client_address: _Optional[str] = ..., user_agent: _Optional[str] = ..., latency: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ..., payload_captured: bool = ...) -> None: ...

class UserSpend(_message.Message):
    __slots__ = ["cost_nano_usd", "day", "input_tokens", "key_id", "model", "output_tokens", "requests"]
    COST_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    cost_nano_usd: int
    day: _timestamp_pb2.Timestamp
    input_tokens: int
    key_id: str
    model: str
    output_tokens: int
    requests: int
    def __init__(self, day: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., key_id: _Optional[str] = ..., model: _Optional[str] = ..., requests: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., cost_nano_usd: _Optional[int] = ...) -> None: ...
