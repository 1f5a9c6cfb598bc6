from google.protobuf import timestamp_pb2 as _timestamp_pb2
from switchboard.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
SPEND_DIMENSION_ALIAS: SpendDimension
SPEND_DIMENSION_DAY: SpendDimension
SPEND_DIMENSION_DEPLOYMENT: SpendDimension
SPEND_DIMENSION_KEY: SpendDimension
SPEND_DIMENSION_MODEL: SpendDimension
SPEND_DIMENSION_PROVIDER: SpendDimension
SPEND_DIMENSION_TEAM: SpendDimension
SPEND_DIMENSION_UNSPECIFIED: SpendDimension
SPEND_DIMENSION_USER: SpendDimension

class QuerySpendRequest(_message.Message):
    __slots__ = ["end_time", "group_by", "key_id", "start_time", "team_id", "user_id"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    group_by: _containers.RepeatedScalarFieldContainer[SpendDimension]
    key_id: str
    start_time: _timestamp_pb2.Timestamp
    team_id: str
    user_id: str
    def __init__(self, start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., group_by: _Optional[_Iterable[_Union[SpendDimension, str]]] = ..., key_id: _Optional[str] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class QuerySpendResponse(_message.Message):
    __slots__ = ["rows"]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[SpendRow]
    def __init__(self, rows: _Optional[_Iterable[_Union[SpendRow, _Mapping]]] = ...) -> None: ...

class SpendRow(_message.Message):
    __slots__ = ["alias", "attempts", "cost", "day", "deployment", "estimated_attempts", "key_id", "model", "provider", "requests", "team_id", "unpriced_attempts", "usage", "user_id"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    UNPRICED_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    alias: str
    attempts: int
    cost: _types_pb2.Cost
    day: _timestamp_pb2.Timestamp
    deployment: str
    estimated_attempts: int
    key_id: str
    model: str
    provider: str
    requests: int
    team_id: str
    unpriced_attempts: int
    usage: _types_pb2.Usage
    user_id: str
    def __init__(self, key_id: _Optional[str] = ..., team_id: _Optional[str] = ..., user_id: _Optional[str] = ..., model: _Optional[str] = ..., provider: _Optional[str] = ..., deployment: _Optional[str] = ..., alias: _Optional[str] = ..., day: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., requests: _Optional[int] = ..., attempts: _Optional[int] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., cost: _Optional[_Union[_types_pb2.Cost, _Mapping]] = ..., estimated_attempts: _Optional[int] = ..., unpriced_attempts: _Optional[int] = ...) -> None: ...

class SpendDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
