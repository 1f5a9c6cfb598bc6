from google.protobuf import struct_pb2 as _struct_pb2
from switchboard.v1 import routing_pb2 as _routing_pb2
from switchboard.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Choice(_message.Message):
    __slots__ = ["finish_reason", "index", "message", "raw_finish_reason"]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    RAW_FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    finish_reason: _types_pb2.FinishReason
    index: int
    message: _types_pb2.Message
    raw_finish_reason: str
    def __init__(self, index: _Optional[int] = ..., message: _Optional[_Union[_types_pb2.Message, _Mapping]] = ..., finish_reason: _Optional[_Union[_types_pb2.FinishReason, str]] = ..., raw_finish_reason: _Optional[str] = ...) -> None: ...

class CompleteRequest(_message.Message):
    __slots__ = ["frequency_penalty", "idempotency_key", "max_cost_nano_usd", "max_tokens", "messages", "metadata", "model", "n", "parallel_tool_calls", "presence_penalty", "provider_options", "reasoning", "response_format", "seed", "stop", "temperature", "tool_choice", "tools", "top_p", "user"]
    class MetadataEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ProviderOptionsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Struct
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
    FREQUENCY_PENALTY_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    PARALLEL_TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    frequency_penalty: float
    idempotency_key: str
    max_cost_nano_usd: int
    max_tokens: int
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    metadata: _containers.ScalarMap[str, str]
    model: str
    n: int
    parallel_tool_calls: bool
    presence_penalty: float
    provider_options: _containers.MessageMap[str, _struct_pb2.Struct]
    reasoning: _types_pb2.ReasoningConfig
    response_format: _types_pb2.ResponseFormat
    seed: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    temperature: float
    tool_choice: _types_pb2.ToolChoice
    tools: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tool]
    top_p: float
    user: str
    def __init__(self, model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ..., tools: _Optional[_Iterable[_Union[_types_pb2.Tool, _Mapping]]] = ..., tool_choice: _Optional[_Union[_types_pb2.ToolChoice, _Mapping]] = ..., parallel_tool_calls: bool = ..., response_format: _Optional[_Union[_types_pb2.ResponseFormat, _Mapping]] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., max_tokens: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., presence_penalty: _Optional[float] = ..., frequency_penalty: _Optional[float] = ..., n: _Optional[int] = ..., user: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., reasoning: _Optional[_Union[_types_pb2.ReasoningConfig, _Mapping]] = ..., provider_options: _Optional[_Mapping[str, _struct_pb2.Struct]] = ..., max_cost_nano_usd: _Optional[int] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CompleteResponse(_message.Message):
    __slots__ = ["choices", "cost", "created", "deployment", "id", "model", "provider", "route", "system_fingerprint", "usage"]
    CHOICES_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    choices: _containers.RepeatedCompositeFieldContainer[Choice]
    cost: _types_pb2.Cost
    created: int
    deployment: str
    id: str
    model: str
    provider: str
    route: _routing_pb2.Route
    system_fingerprint: str
    usage: _types_pb2.Usage
    def __init__(self, id: _Optional[str] = ..., model: _Optional[str] = ..., created: _Optional[int] = ..., choices: _Optional[_Iterable[_Union[Choice, _Mapping]]] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., provider: _Optional[str] = ..., deployment: _Optional[str] = ..., system_fingerprint: _Optional[str] = ..., route: _Optional[_Union[_routing_pb2.Route, _Mapping]] = ..., cost: _Optional[_Union[_types_pb2.Cost, _Mapping]] = ...) -> None: ...

class EmbedRequest(_message.Message):
    __slots__ = ["dimensions", "inputs", "model", "user"]
    DIMENSIONS_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    dimensions: int
    inputs: _containers.RepeatedScalarFieldContainer[str]
    model: str
    user: str
    def __init__(self, model: _Optional[str] = ..., inputs: _Optional[_Iterable[str]] = ..., dimensions: _Optional[int] = ..., user: _Optional[str] = ...) -> None: ...

class EmbedResponse(_message.Message):
    __slots__ = ["cost", "deployment", "embeddings", "model", "provider", "usage"]
    COST_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    EMBEDDINGS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    cost: _types_pb2.Cost
    deployment: str
    embeddings: _containers.RepeatedCompositeFieldContainer[Embedding]
    model: str
    provider: str
    usage: _types_pb2.Usage
    def __init__(self, model: _Optional[str] = ..., embeddings: _Optional[_Iterable[_Union[Embedding, _Mapping]]] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., provider: _Optional[str] = ..., deployment: _Optional[str] = ..., cost: _Optional[_Union[_types_pb2.Cost, _Mapping]] = ...) -> None: ...

class Embedding(_message.Message):
    __slots__ = ["index", "values"]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    index: int
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, index: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ["models"]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    def __init__(self, models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ...) -> None: ...

class Model(_message.Message):
    __slots__ = ["created", "id", "owned_by"]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNED_BY_FIELD_NUMBER: _ClassVar[int]
    created: int
    id: str
    owned_by: str
    def __init__(self, id: _Optional[str] = ..., owned_by: _Optional[str] = ..., created: _Optional[int] = ...) -> None: ...

class StreamCompleteRequest(_message.Message):
    __slots__ = ["frequency_penalty", "idempotency_key", "max_cost_nano_usd", "max_tokens", "messages", "metadata", "model", "n", "parallel_tool_calls", "presence_penalty", "provider_options", "reasoning", "response_format", "seed", "stop", "temperature", "tool_choice", "tools", "top_p", "user"]
    class MetadataEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ProviderOptionsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _struct_pb2.Struct
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
    FREQUENCY_PENALTY_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    MAX_COST_NANO_USD_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    PARALLEL_TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_PENALTY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_OPTIONS_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOOLS_FIELD_NUMBER: _ClassVar[int]
    TOOL_CHOICE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    frequency_penalty: float
    idempotency_key: str
    max_cost_nano_usd: int
    max_tokens: int
    messages: _containers.RepeatedCompositeFieldContainer[_types_pb2.Message]
    metadata: _containers.ScalarMap[str, str]
    model: str
    n: int
    parallel_tool_calls: bool
    presence_penalty: float
    provider_options: _containers.MessageMap[str, _struct_pb2.Struct]
    reasoning: _types_pb2.ReasoningConfig
    response_format: _types_pb2.ResponseFormat
    seed: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    temperature: float
    tool_choice: _types_pb2.ToolChoice
    tools: _containers.RepeatedCompositeFieldContainer[_types_pb2.Tool]
    top_p: float
    user: str
    def __init__(self, model: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[_types_pb2.Message, _Mapping]]] = ..., tools: _Optional[_Iterable[_Union[_types_pb2.Tool, _Mapping]]] = ..., tool_choice: _Optional[_Union[_types_pb2.ToolChoice, _Mapping]] = ..., parallel_tool_calls: bool = ..., response_format: _Optional[_Union[_types_pb2.ResponseFormat, _Mapping]] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., max_tokens: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., presence_penalty: _Optional[float] = ..., frequency_penalty: _Optional[float] = ..., n: _Optional[int] = ..., user: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., reasoning: _Optional[_Union[_types_pb2.ReasoningConfig, _Mapping]] = ..., provider_options: _Optional[_Mapping[str, _struct_pb2.Struct]] = ..., max_cost_nano_usd: _Optional[int] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class StreamCompleteResponse(_message.Message):
    __slots__ = ["choice_index", "cost", "created", "deployment", "finish_reason", "id", "model", "provider", "raw_finish_reason", "reasoning", "refusal", "role", "route", "text", "text_signature", "tool_calls", "usage"]
    CHOICE_INDEX_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    RAW_FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    REASONING_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TEXT_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    TOOL_CALLS_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    choice_index: int
    cost: _types_pb2.Cost
    created: int
    deployment: str
    finish_reason: _types_pb2.FinishReason
    id: str
    model: str
    provider: str
    raw_finish_reason: str
    reasoning: _types_pb2.Reasoning
    refusal: str
    role: _types_pb2.Role
    route: _routing_pb2.Route
    text: str
    text_signature: str
    tool_calls: _containers.RepeatedCompositeFieldContainer[ToolCallDelta]
    usage: _types_pb2.Usage
    def __init__(self, id: _Optional[str] = ..., model: _Optional[str] = ..., created: _Optional[int] = ..., choice_index: _Optional[int] = ..., role: _Optional[_Union[_types_pb2.Role, str]] = ..., text: _Optional[str] = ..., reasoning: _Optional[_Union[_types_pb2.Reasoning, _Mapping]] = ..., tool_calls: _Optional[_Iterable[_Union[ToolCallDelta, _Mapping]]] = ..., refusal: _Optional[str] = ..., finish_reason: _Optional[_Union[_types_pb2.FinishReason, str]] = ..., raw_finish_reason: _Optional[str] = ..., usage: _Optional[_Union[_types_pb2.Usage, _Mapping]] = ..., provider: _Optional[str] = ..., deployment: _Optional[str] = ..., text_signature: _Optional[str] = ..., route: _Optional[_Union[_routing_pb2.Route, _Mapping]] = ..., cost: _Optional[_Union[_types_pb2.Cost, _Mapping]] = ...) -> None: ...

class ToolCallDelta(_message.Message):
    __slots__ = ["arguments_delta", "id", "index", "name", "signature"]
    ARGUMENTS_DELTA_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    arguments_delta: str
    id: str
    index: int
    name: str
    signature: str
    def __init__(self, index: _Optional[int] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., arguments_delta: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...
