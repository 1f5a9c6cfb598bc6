"""The official Anthropic Python SDK against the gateway's Anthropic-shaped front door.

POST /v1/messages and /v1/messages/count_tokens, with the SDK unchanged but for its base URL and a
virtual key: plain and streamed messages, tool use assembled by the SDK from input_json deltas and
answered with tool_result blocks, token counting, and the SDK's typed exceptions. The aliases reach
the simulator through each provider's translator, so an Anthropic client talks to OpenAI- and
Gemini-shaped upstreams here too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest
from anthropic.types import Message, MessageParam, ToolParam, ToolUseBlock
from builders import WEATHER_SCHEMA, assert_valid
from gateway_process import Gateway
from providers import PARALLEL_PROMPT, TIME_SCHEMA

WEATHER_TOOL: ToolParam = {
    "name": "get_weather",
    "description": "Current weather in a city.",
    "input_schema": WEATHER_SCHEMA,  # type: ignore[typeddict-item]
}
TIME_TOOL: ToolParam = {
    "name": "get_time",
    "description": "The time now.",
    "input_schema": TIME_SCHEMA,  # type: ignore[typeddict-item]
}
HELLO: list[MessageParam] = [{"role": "user", "content": "Say hello."}]


def sdk(gateway: Gateway, key: str) -> anthropic.Anthropic:
    # The SDK appends /v1/messages itself; retries off, so every test sees the first answer.
    return anthropic.Anthropic(base_url=gateway.base_url, api_key=key, max_retries=0)


@pytest.fixture
def client(gateway: Gateway) -> Iterator[anthropic.Anthropic]:
    with sdk(gateway, gateway.secret) as c:
        yield c


def text_of(message: Message) -> str:
    return "".join(block.text for block in message.content if block.type == "text")


def tool_uses(message: Message) -> list[ToolUseBlock]:
    return [block for block in message.content if isinstance(block, ToolUseBlock)]


def hello(model: str = "demo", **fields: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 256, "system": "You are terse.", "messages": HELLO, **fields}


def test_message(client: anthropic.Anthropic) -> None:
    raw = client.messages.with_raw_response.create(**hello())
    message = raw.parse()
    assert message.type == "message" and message.role == "assistant"
    assert message.id.startswith("msg_")
    assert text_of(message)
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert raw.headers["request-id"].startswith("req_")
    assert raw.headers["request-id"] == raw.headers["x-request-id"]


def test_stream_final_message_equals_unary(client: anthropic.Anthropic) -> None:
    unary = client.messages.create(**hello())
    with client.messages.stream(**hello()) as stream:
        streamed_text = "".join(stream.text_stream)
        final = stream.get_final_message()
        assert (stream.request_id or "").startswith("req_")
    assert text_of(final) == streamed_text == text_of(unary)
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == unary.usage.output_tokens
    assert final.usage.input_tokens == unary.usage.input_tokens


def test_stream_event_sequence(client: anthropic.Anthropic) -> None:
    with client.messages.create(**hello(), stream=True) as events:
        types = [event.type for event in events]
    assert types[0] == "message_start" and types[-1] == "message_stop"
    assert types[1] == "content_block_start"
    assert types[-2] == "message_delta"
    assert "content_block_delta" in types and "content_block_stop" in types


def test_max_tokens_stop_reason(client: anthropic.Anthropic) -> None:
    capped = client.messages.create(
        model="demo", max_tokens=3, messages=[{"role": "user", "content": "Tell me a long story."}]
    )
    assert capped.stop_reason == "max_tokens"
    assert capped.usage.output_tokens <= 3


def test_count_tokens(client: anthropic.Anthropic) -> None:
    counted = client.messages.count_tokens(
        model="demo-gemini", system="You are terse.", messages=HELLO, tools=[WEATHER_TOOL]
    )
    assert counted.input_tokens > 0


def test_forced_tool_use_round_trip(client: anthropic.Anthropic, model: str) -> None:
    """A forced call streamed (the SDK assembles input_json deltas), then answered with tool_result."""
    messages: list[MessageParam] = [{"role": "user", "content": "What is the weather in Lyon?"}]
    params: dict[str, Any] = {
        "model": model,
        "max_tokens": 256,
        "messages": messages,
        "tools": [WEATHER_TOOL],
        "tool_choice": {"type": "tool", "name": "get_weather"},
    }
    partial = ""
    with client.messages.stream(**params) as stream:
        for event in stream:
            if event.type == "input_json":
                partial += event.partial_json
        streamed = stream.get_final_message()
    calls = tool_uses(streamed)
    assert len(calls) == 1 and streamed.stop_reason == "tool_use"
    call = calls[0]
    assert call.name == "get_weather"
    assert call.id.startswith("toolu_")
    assert_valid(call.input, WEATHER_SCHEMA)
    assert json.loads(partial) == call.input

    unary = client.messages.create(**params)
    assert [(c.id, c.input) for c in tool_uses(unary)] == [(call.id, call.input)]

    answer = client.messages.create(
        model=model,
        max_tokens=256,
        tools=[WEATHER_TOOL],
        messages=[
            *messages,
            {"role": "assistant", "content": streamed.content},  # type: ignore[typeddict-item]
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call.id, "content": '{"temperature": 18}'}],
            },
        ],
    )
    assert answer.stop_reason == "end_turn", answer
    assert text_of(answer) and not tool_uses(answer)


def test_parallel_tool_calls_on_gemini(client: anthropic.Anthropic) -> None:
    messages: list[MessageParam] = [{"role": "user", "content": PARALLEL_PROMPT}]
    tools = [WEATHER_TOOL, TIME_TOOL]
    with client.messages.stream(model="demo-gemini", max_tokens=256, messages=messages, tools=tools) as s:
        message = s.get_final_message()
    calls = tool_uses(message)
    assert [c.name for c in calls] == ["get_weather", "get_time"]
    assert calls[0].id != calls[1].id
    assert_valid(calls[0].input, WEATHER_SCHEMA)
    assert calls[1].input == {}

    answer = client.messages.create(
        model="demo-gemini",
        max_tokens=256,
        tools=tools,
        messages=[
            *messages,
            {"role": "assistant", "content": message.content},  # type: ignore[typeddict-item]
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": calls[0].id, "content": '{"temperature": 18}'},
                    {
                        "type": "tool_result",
                        "tool_use_id": calls[1].id,
                        "content": [{"type": "text", "text": "noon"}],
                    },
                ],
            },
        ],
    )
    assert answer.stop_reason == "end_turn" and text_of(answer)


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
def test_bad_key_is_authentication_error(gateway: Gateway, stream: bool) -> None:
    with sdk(gateway, "sk-sb-not-a-real-key") as c:
        with pytest.raises(anthropic.AuthenticationError) as caught:
            if stream:
                with c.messages.stream(**hello()) as s:
                    s.get_final_message()
            else:
                c.messages.create(**hello())
    err = caught.value
    assert err.status_code == 401 and err.type == "authentication_error"
    assert (err.request_id or "").startswith("req_")


def test_unknown_model_is_not_found(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.messages.create(**hello("no-such-alias"))
    assert caught.value.type == "not_found_error"


def test_missing_max_tokens_is_bad_request(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        # The SDK checks the argument is there; omit leaves it out of the body, so the gateway decides
        # (an explicit timeout, because the SDK derives its default from max_tokens).
        client.messages.create(  # type: ignore[call-overload]
            model="demo", max_tokens=anthropic.omit, messages=HELLO, timeout=60
        )
    assert caught.value.type == "invalid_request_error"
    assert "max_tokens" in (caught.value.api_message or "")


def test_provider_429_is_rate_limit_error(client: anthropic.Anthropic, model: str) -> None:
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(
            model=model,
            max_tokens=64,
            messages=[{"role": "user", "content": "Hi [[sim status=429 retry_after=2]]"}],
        )
    assert caught.value.type == "rate_limit_error"
    assert caught.value.response.headers["retry-after"] == "2"


def test_overloaded_provider_is_overloaded_error(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.OverloadedError) as caught:
        with client.messages.stream(
            model="demo-anthropic",
            max_tokens=64,
            messages=[{"role": "user", "content": "Hi [[sim status=529]]"}],
        ) as s:
            s.get_final_message()
    assert caught.value.status_code == 529 and caught.value.type == "overloaded_error"


def test_cut_stream_raises_the_error_event(client: anthropic.Anthropic) -> None:
    received = ""
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client.messages.stream(
            model="demo",
            max_tokens=256,
            messages=[{"role": "user", "content": "Tell me a story. [[sim disconnect_after=3]]"}],
        ) as s:
            for text in s.text_stream:
                received += text
    # An error event inside the 200 stream, raised with the event's error type.
    assert received, "the stream failed before it started"
    assert caught.value.type == "api_error"
