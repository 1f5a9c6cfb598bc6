from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

ADMIN_ROLE_ADMIN: AdminRole
ADMIN_ROLE_AUDITOR: AdminRole
ADMIN_ROLE_TEAM_ADMIN: AdminRole
ADMIN_ROLE_UNSPECIFIED: AdminRole
DESCRIPTOR: _descriptor.FileDescriptor

class AdminKey(_message.Message):
    __slots__ = ["create_time", "expire_time", "id", "last_used_time", "name", "revoke_time", "role", "rotate_time", "secret_prefix", "team_id"]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_TIME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROTATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SECRET_PREFIX_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    create_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    id: str
    last_used_time: _timestamp_pb2.Timestamp
    name: str
    revoke_time: _timestamp_pb2.Timestamp
    role: AdminRole
    rotate_time: _timestamp_pb2.Timestamp
    secret_prefix: str
    team_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., role: _Optional[_Union[AdminRole, str]] = ..., team_id: _Optional[str] = ..., secret_prefix: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., revoke_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., rotate_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAdminKeyRequest(_message.Message):
    __slots__ = ["expire_time", "name", "role", "team_id"]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    expire_time: _timestamp_pb2.Timestamp
    name: str
    role: AdminRole
    team_id: str
    def __init__(self, name: _Optional[str] = ..., role: _Optional[_Union[AdminRole, str]] = ..., team_id: _Optional[str] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAdminKeyResponse(_message.Message):
    __slots__ = ["admin_key", "secret"]
    ADMIN_KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    admin_key: AdminKey
    secret: str
    def __init__(self, admin_key: _Optional[_Union[AdminKey, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class GetAdminKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetAdminKeyResponse(_message.Message):
    __slots__ = ["admin_key"]
    ADMIN_KEY_FIELD_NUMBER: _ClassVar[int]
    admin_key: AdminKey
    def __init__(self, admin_key: _Optional[_Union[AdminKey, _Mapping]] = ...) -> None: ...

class ListAdminKeysRequest(_message.Message):
    __slots__ = ["include_revoked", "page_size", "page_token", "team_id"]
    INCLUDE_REVOKED_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    include_revoked: bool
    page_size: int
    page_token: str
    team_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., include_revoked: bool = ..., team_id: _Optional[str] = ...) -> None: ...

class ListAdminKeysResponse(_message.Message):
    __slots__ = ["admin_keys", "next_page_token"]
    ADMIN_KEYS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    admin_keys: _containers.RepeatedCompositeFieldContainer[AdminKey]
    next_page_token: str
    def __init__(self, admin_keys: _Optional[_Iterable[_Union[AdminKey, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RevokeAdminKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class RevokeAdminKeyResponse(_message.Message):
    __slots__ = ["admin_key"]
    ADMIN_KEY_FIELD_NUMBER: _ClassVar[int]
    admin_key: AdminKey
    def __init__(self, admin_key: _Optional[_Union[AdminKey, _Mapping]] = ...) -> None: ...

class RotateAdminKeyRequest(_message.Message):
    __slots__ = ["grace_period", "id"]
    GRACE_PERIOD_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    grace_period: _duration_pb2.Duration
    id: str
    def __init__(self, id: _Optional[str] = ..., grace_period: _Optional[_Union[_duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RotateAdminKeyResponse(_message.Message):
    __slots__ = ["admin_key", "secret"]
    ADMIN_KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    admin_key: AdminKey
    secret: str
    def __init__(self, admin_key: _Optional[_Union[AdminKey, _Mapping]] = ..., secret: _Optional[str] = ...) -> None: ...

class AdminRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
