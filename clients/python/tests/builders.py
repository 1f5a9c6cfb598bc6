"""Request builders and checks shared by the generated-client tests."""

from __future__ import annotations

from typing import Any

from google.protobuf.struct_pb2 import Struct

from switchboard.v1 import completion_pb2, types_pb2

# A tool whose schema leaves the simulator real choices to make: a required string, a
# required enum and an optional integer, with nothing else allowed.
WEATHER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer"},
    },
    "required": ["city", "unit"],
    "additionalProperties": False,
}

# A response schema with a nested object and an array.
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "confidence": {"type": "number"},
        "sources": {"type": "array", "items": {"type": "string"}},
        "meta": {
            "type": "object",
            "properties": {"lang": {"type": "string"}},
            "required": ["lang"],
            "additionalProperties": False,
        },
    },
    "required": ["answer", "confidence", "sources", "meta"],
    "additionalProperties": False,
}


def struct(value: dict[str, Any]) -> Struct:
    s = Struct()
    s.update(value)
    return s


def message(role: str, text: str) -> types_pb2.Message:
    """A text turn from an OpenAI-style role name ("system", "user", "assistant")."""
    return types_pb2.Message(role=types_pb2.Role.Value(f"ROLE_{role.upper()}"), content=[types_pb2.Part(text=text)])


def user(text: str) -> types_pb2.Message:
    return message("user", text)


def tool_result(call_id: str, result: str) -> types_pb2.Message:
    return types_pb2.Message(role=types_pb2.ROLE_TOOL, tool_call_id=call_id, content=[types_pb2.Part(text=result)])


def complete_request(text: str, model: str = "demo", **fields: Any) -> completion_pb2.CompleteRequest:
    return completion_pb2.CompleteRequest(model=model, messages=[user(text)], **fields)


def stream_request(text: str, model: str = "demo", **fields: Any) -> completion_pb2.StreamCompleteRequest:
    return completion_pb2.StreamCompleteRequest(model=model, messages=[user(text)], **fields)


def tool(name: str, description: str, schema: dict[str, Any]) -> types_pb2.Tool:
    return types_pb2.Tool(name=name, description=description, parameters=struct(schema))


def weather_tool() -> types_pb2.Tool:
    return tool("get_weather", "Current weather in a city.", WEATHER_SCHEMA)


def force(tool_name: str) -> types_pb2.ToolChoice:
    return types_pb2.ToolChoice(mode=types_pb2.ToolChoice.MODE_FUNCTION, function_name=tool_name)


def answer_format() -> types_pb2.ResponseFormat:
    return types_pb2.ResponseFormat(
        type=types_pb2.ResponseFormat.TYPE_JSON_SCHEMA,
        name="answer",
        schema=struct(ANSWER_SCHEMA),
        strict=True,
    )


def text_of(message: types_pb2.Message) -> str:
    return "".join(part.text for part in message.content)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def assert_valid(value: Any, schema: dict[str, Any], path: str = "$") -> None:
    """Check value against the small JSON Schema subset these tests use.

    Enough for type, properties, required, additionalProperties: false, items, enum and minimum;
    written out here so the check needs no extra dependency and says where it failed.
    """
    expected = schema.get("type")
    if expected is not None:
        ok = isinstance(value, _JSON_TYPES[expected])
        # bool is an int in Python but never a JSON integer or number.
        if expected in ("integer", "number") and isinstance(value, bool):
            ok = False
        assert ok, f"{path}: expected {expected}, got {value!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if "minimum" in schema and isinstance(value, (int, float)) and not isinstance(value, bool):
        assert value >= schema["minimum"], f"{path}: {value!r} is below the minimum {schema['minimum']}"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            assert name in value, f"{path}: required property {name!r} missing"
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(properties)
            assert not extra, f"{path}: unexpected properties {sorted(extra)}"
        for name, item in value.items():
            if name in properties:
                assert_valid(item, properties[name], f"{path}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            assert_valid(item, schema["items"], f"{path}[{i}]")
