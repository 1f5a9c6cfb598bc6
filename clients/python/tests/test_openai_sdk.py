"""The official OpenAI Python SDK against the gateway's OpenAI-compatible shim."""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator

import openai
import pytest
from builders import ANSWER_SCHEMA, WEATHER_SCHEMA, assert_valid
from gateway_process import Gateway

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": WEATHER_SCHEMA,
    },
}
FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}


@pytest.fixture
def client(gateway: Gateway) -> Iterator[openai.OpenAI]:
    # max_retries=0: each test sees exactly what the gateway answered, once.
    with openai.OpenAI(base_url=gateway.openai_base_url, api_key=gateway.secret, max_retries=0) as c:
        yield c


def test_chat_completion(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(
        model="demo",
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": 'Greet me. [[sim reply="Hello from the SDK"]]'},
        ],
    )

    assert resp.object == "chat.completion"
    assert resp.id
    choice = resp.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "Hello from the SDK"
    assert choice.finish_reason == "stop"
    assert resp.usage is not None
    assert resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


def test_chat_streaming_with_include_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": 'Greet me. [[sim reply="Hello, streamed SDK"]]'}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    assert all(c.object == "chat.completion.chunk" for c in chunks)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == "Hello, streamed SDK"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    # include_usage: one last chunk with empty choices carries the usage; none before it does.
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None and last.usage.total_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def test_chat_streaming_without_include_usage_has_no_usage_chunk(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "Hi."}], stream=True
        )
    )

    assert chunks and all(c.usage is None for c in chunks)
    assert all(c.choices for c in chunks)


def test_forced_tool_call(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "What is the weather in Lyon?"}],
        tools=[WEATHER_TOOL],
        tool_choice=FORCE_WEATHER,
    )

    calls = resp.choices[0].message.tool_calls
    assert calls is not None and len(calls) == 1
    assert calls[0].type == "function" and calls[0].id
    assert calls[0].function.name == "get_weather"
    assert_valid(json.loads(calls[0].function.arguments), WEATHER_SCHEMA)


def test_tool_result_round_trip(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "What is the weather in Lyon?"}],
        tools=[WEATHER_TOOL],
        tool_choice=FORCE_WEATHER,
    )
    call = first.choices[0].message.tool_calls[0]

    second = client.chat.completions.create(
        model="demo",
        messages=[
            {"role": "user", "content": "What is the weather in Lyon?"},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call.id, "content": '{"temp_c": 21}'},
            {"role": "user", "content": 'Summarize. [[sim reply="21 degrees in Lyon"]]'},
        ],
        tools=[WEATHER_TOOL],
    )

    assert second.choices[0].message.content == "21 degrees in Lyon"


def test_streamed_forced_tool_call(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "What is the weather in Lyon?"}],
        tools=[WEATHER_TOOL],
        tool_choice=FORCE_WEATHER,
        stream=True,
        stream_options={"include_usage": True},
    )

    name, arguments = "", ""
    for chunk in stream:
        for choice in chunk.choices:
            for delta in choice.delta.tool_calls or []:
                assert delta.index == 0
                if delta.function and delta.function.name:
                    name += delta.function.name
                if delta.function and delta.function.arguments:
                    arguments += delta.function.arguments
    assert name == "get_weather"
    assert_valid(json.loads(arguments), WEATHER_SCHEMA)


def test_response_format_json_schema(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "Answer in JSON."}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": ANSWER_SCHEMA, "strict": True},
        },
    )

    assert_valid(json.loads(resp.choices[0].message.content), ANSWER_SCHEMA)


def test_response_format_json_object(client: openai.OpenAI) -> None:
    resp = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "Answer in JSON."}],
        response_format={"type": "json_object"},
    )

    assert isinstance(json.loads(resp.choices[0].message.content), dict)


def test_embeddings(client: openai.OpenAI) -> None:
    resp = client.embeddings.create(model="demo", input=["alpha", "beta"], encoding_format="float")

    assert resp.object == "list"
    assert [d.index for d in resp.data] == [0, 1]
    vectors = [d.embedding for d in resp.data]
    assert len(vectors[0]) == len(vectors[1]) > 0
    assert all(isinstance(x, float) for x in vectors[0])
    assert vectors[0] != vectors[1]
    assert resp.usage.prompt_tokens > 0


def test_embeddings_in_the_sdk_default_base64_match_float(client: openai.OpenAI) -> None:
    # Unless told otherwise the SDK asks for base64 (little-endian float32) and decodes it
    # itself; asked explicitly, it hands the string over as is.
    floats = client.embeddings.create(model="demo", input="alpha", encoding_format="float")
    default = client.embeddings.create(model="demo", input="alpha")
    explicit = client.embeddings.create(model="demo", input="alpha", encoding_format="base64")

    expected = floats.data[0].embedding
    assert default.data[0].embedding == pytest.approx(expected, rel=1e-6)
    raw = base64.b64decode(explicit.data[0].embedding)
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert list(decoded) == pytest.approx(expected, rel=1e-6)


def test_models_list_has_demo(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]

    assert "demo" in ids
