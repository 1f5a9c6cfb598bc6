"""Tool calls through the official OpenAI Python SDK on the shim, on each provider's translator.

Forced and parallel calls, the same call assembled from a stream, and results sent back. Only the
ids and the fragmenting of streamed arguments may differ between providers (docs/providers.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai
import pytest
from builders import WEATHER_SCHEMA, assert_valid
from gateway_process import Gateway
from openai.types.chat import ChatCompletion
from providers import (
    PARALLEL_PROMPT,
    TIME_SCHEMA,
    TOOL_CALL_ID_PREFIX,
    assert_quotes,
    streams_tool_arguments_whole,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "Current weather in a city.", "parameters": WEATHER_SCHEMA},
}
TIME_TOOL = {
    "type": "function",
    "function": {"name": "get_time", "description": "The time now.", "parameters": TIME_SCHEMA},
}
FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}


@pytest.fixture
def client(gateway: Gateway) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=gateway.openai_base_url, api_key=gateway.secret, max_retries=0) as c:
        yield c


def forced(model: str, text: str = "What is the weather in Lyon?") -> dict[str, Any]:
    return {
        "model": model,
        "messages": [{"role": "user", "content": text}],
        "tools": [WEATHER_TOOL],
        "tool_choice": FORCE_WEATHER,
    }


def parallel(model: str) -> dict[str, Any]:
    return {
        "model": model,
        "messages": [{"role": "user", "content": PARALLEL_PROMPT}],
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "tool_choice": "auto",
    }


def calls_of(resp: ChatCompletion) -> list[dict[str, str]]:
    calls = resp.choices[0].message.tool_calls or []
    assert all(c.type == "function" for c in calls)
    return [{"id": c.id, "name": c.function.name, "arguments": c.function.arguments} for c in calls]


@dataclass
class Streamed:
    calls: list[dict[str, str]]
    # Non-empty argument deltas per call.
    argument_deltas: list[int]
    finish: str | None
    usage: Any


def stream_calls(client: openai.OpenAI, params: dict[str, Any]) -> Streamed:
    """Assembles the tool calls of a stream the way SDK users do: by index, the first delta
    naming the call, every delta appending arguments."""
    calls: dict[int, dict[str, str]] = {}
    deltas: dict[int, int] = {}
    finish, usage = None, None
    for chunk in client.chat.completions.create(**params, stream=True, stream_options={"include_usage": True}):
        usage = chunk.usage or usage
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                if delta.index not in calls:
                    assert delta.id and delta.function and delta.function.name, "the first delta names the call"
                    calls[delta.index] = {"id": delta.id, "name": delta.function.name, "arguments": ""}
                fragment = (delta.function.arguments if delta.function else None) or ""
                calls[delta.index]["arguments"] += fragment
                if fragment:
                    deltas[delta.index] = deltas.get(delta.index, 0) + 1
    order = sorted(calls)
    return Streamed([calls[i] for i in order], [deltas.get(i, 0) for i in order], finish, usage)


def test_forced_tool_call_is_schema_valid_and_the_same_as_on_demo(client: openai.OpenAI, model: str) -> None:
    resp = client.chat.completions.create(**forced(model))
    baseline = client.chat.completions.create(**forced("demo"))

    assert resp.choices[0].finish_reason == "tool_calls"
    calls = calls_of(resp)
    assert len(calls) == 1
    assert calls[0]["id"].startswith(TOOL_CALL_ID_PREFIX[model])
    assert calls[0]["name"] == "get_weather"
    assert_valid(json.loads(calls[0]["arguments"]), WEATHER_SCHEMA)
    demo_call = calls_of(baseline)[0]
    assert (calls[0]["name"], calls[0]["arguments"]) == (demo_call["name"], demo_call["arguments"])


def test_streamed_forced_call_assembles_into_the_unary_call(client: openai.OpenAI, model: str) -> None:
    unary = client.chat.completions.create(**forced(model))
    streamed = stream_calls(client, forced(model))

    assert streamed.calls == calls_of(unary), "same id, name and arguments"
    assert streamed.finish == "tool_calls"
    if streams_tool_arguments_whole(model):
        assert streamed.argument_deltas == [1], "Gemini sends the call whole"
    else:
        assert streamed.argument_deltas[0] > 1, "arguments stream in fragments"
    assert streamed.usage == unary.usage


def test_parallel_tool_calls_one_without_parameters(client: openai.OpenAI, model: str) -> None:
    resp = client.chat.completions.create(**parallel(model))

    assert resp.choices[0].finish_reason == "tool_calls"
    calls = calls_of(resp)
    assert [c["name"] for c in calls] == ["get_weather", "get_time"]
    assert calls[0]["id"] != calls[1]["id"]
    assert all(c["id"].startswith(TOOL_CALL_ID_PREFIX[model]) for c in calls)
    assert_valid(json.loads(calls[0]["arguments"]), WEATHER_SCHEMA)
    assert calls[1]["arguments"] == "{}", "a call without parameters has the empty object as arguments"


def test_streamed_parallel_calls_assemble_into_the_unary_ones(client: openai.OpenAI, model: str) -> None:
    unary = client.chat.completions.create(**parallel(model))
    streamed = stream_calls(client, parallel(model))

    assert streamed.calls == calls_of(unary), "same ids, names and arguments, the parameterless call included"
    assert streamed.finish == "tool_calls"
    if streams_tool_arguments_whole(model):
        assert streamed.argument_deltas == [1, 1], "Gemini sends each call whole"


def test_tool_result_goes_back_and_the_answer_is_text_quoting_it(client: openai.OpenAI, model: str) -> None:
    first = client.chat.completions.create(**forced(model))
    call = calls_of(first)[0]

    second = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "user", "content": "What is the weather in Lyon?"},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call["id"], "content": '{"temp_c": 21}'},
        ],
        tools=[WEATHER_TOOL],
    )

    assert second.choices[0].finish_reason == "stop"
    assert not second.choices[0].message.tool_calls
    assert_quotes(second.choices[0].message.content or "", ["get_weather returned", "21"])


def test_both_parallel_results_go_back_in_one_turn(client: openai.OpenAI, model: str) -> None:
    first = client.chat.completions.create(**parallel(model))
    weather, time = calls_of(first)

    second = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "user", "content": PARALLEL_PROMPT},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": weather["id"], "content": '{"temp_c": 18}'},
            {"role": "tool", "tool_call_id": time["id"], "content": "noon"},
        ],
        tools=[WEATHER_TOOL, TIME_TOOL],
    )

    assert second.choices[0].finish_reason == "stop"
    assert not second.choices[0].message.tool_calls
    assert_quotes(second.choices[0].message.content or "", ["get_weather returned", "18", "get_time returned noon"])


def test_a_later_user_turn_after_a_tool_result_is_answered_as_asked(client: openai.OpenAI, model: str) -> None:
    first = client.chat.completions.create(**forced(model))
    call = calls_of(first)[0]

    second = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "user", "content": "What is the weather in Lyon?"},
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call["id"], "content": '{"temp_c": 21}'},
            {"role": "user", "content": 'Summarize. [[sim reply="21 degrees in Lyon"]]'},
        ],
        tools=[WEATHER_TOOL],
    )

    assert second.choices[0].message.content == "21 degrees in Lyon"
