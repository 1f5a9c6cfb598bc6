"""Tool calls through the generated client on the proto API, on each provider's translator.

Forced and parallel calls, the same call assembled from StreamComplete's argument deltas, and
results sent back. Only the ids and the fragmenting of streamed arguments may differ between
providers (docs/providers.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from builders import (
    WEATHER_SCHEMA,
    assert_valid,
    complete_request,
    force,
    stream_request,
    text_of,
    tool,
    tool_result,
    user,
    weather_tool,
)
from gateway_process import Gateway
from providers import (
    PARALLEL_PROMPT,
    TIME_SCHEMA,
    TOOL_CALL_ID_PREFIX,
    assert_quotes,
    streams_tool_arguments_whole,
)

from switchboard import SwitchboardClient
from switchboard.v1 import completion_pb2, types_pb2

AUTO = types_pb2.ToolChoice(mode=types_pb2.ToolChoice.MODE_AUTO)


@pytest.fixture
def sb(gateway: Gateway) -> Iterator[SwitchboardClient]:
    # gRPC: its streams are the ones most clients of the proto API consume.
    with SwitchboardClient(gateway.base_url, gateway.secret, "grpc") as client:
        yield client


def time_tool() -> types_pb2.Tool:
    return tool("get_time", "The time now.", TIME_SCHEMA)


def forced_fields() -> dict[str, Any]:
    return {"tools": [weather_tool()], "tool_choice": force("get_weather")}


def parallel_fields() -> dict[str, Any]:
    return {"tools": [weather_tool(), time_tool()], "tool_choice": AUTO}


def calls_of(resp: completion_pb2.CompleteResponse) -> list[dict[str, str]]:
    return [
        {"id": c.id, "name": c.name, "arguments": c.arguments, "signature": c.signature}
        for c in resp.choices[0].message.tool_calls
    ]


@dataclass
class Streamed:
    calls: list[dict[str, str]]
    # Non-empty argument deltas per call.
    argument_deltas: list[int]
    finish_reason: int
    usage: types_pb2.Usage | None


def assemble(chunks: Iterable[completion_pb2.StreamCompleteResponse]) -> Streamed:
    """Folds tool-call deltas by index: the first names the call, each appends arguments."""
    calls: dict[int, dict[str, str]] = {}
    deltas: dict[int, int] = {}
    finish, usage = 0, None
    for chunk in chunks:
        finish = chunk.finish_reason or finish
        if chunk.HasField("usage"):
            usage = chunk.usage
        for delta in chunk.tool_calls:
            if delta.index not in calls:
                assert delta.id and delta.name, "the first delta of a call names it"
                calls[delta.index] = {"id": delta.id, "name": delta.name, "arguments": "", "signature": ""}
            call = calls[delta.index]
            call["arguments"] += delta.arguments_delta
            call["signature"] = call["signature"] or delta.signature
            if delta.arguments_delta:
                deltas[delta.index] = deltas.get(delta.index, 0) + 1
    order = sorted(calls)
    return Streamed([calls[i] for i in order], [deltas.get(i, 0) for i in order], finish, usage)


def test_forced_tool_call_is_schema_valid_and_the_same_as_on_demo(sb: SwitchboardClient, model: str) -> None:
    resp = sb.completion.complete(complete_request("What is the weather in Lyon?", model=model, **forced_fields()))
    baseline = sb.completion.complete(complete_request("What is the weather in Lyon?", **forced_fields()))

    assert resp.choices[0].finish_reason == types_pb2.FINISH_REASON_TOOL_CALLS
    calls = calls_of(resp)
    assert len(calls) == 1
    assert calls[0]["id"].startswith(TOOL_CALL_ID_PREFIX[model])
    assert calls[0]["name"] == "get_weather"
    assert_valid(json.loads(calls[0]["arguments"]), WEATHER_SCHEMA)
    demo_call = calls_of(baseline)[0]
    assert (calls[0]["name"], calls[0]["arguments"]) == (demo_call["name"], demo_call["arguments"])


def test_streamed_forced_call_assembles_into_the_unary_call(sb: SwitchboardClient, model: str) -> None:
    prompt = "What is the weather in Lyon?"
    unary = sb.completion.complete(complete_request(prompt, model=model, **forced_fields()))
    streamed = assemble(sb.completion.stream_complete(stream_request(prompt, model=model, **forced_fields())))

    assert streamed.calls == calls_of(unary), "same id, name and arguments"
    assert streamed.finish_reason == types_pb2.FINISH_REASON_TOOL_CALLS
    if streams_tool_arguments_whole(model):
        assert streamed.argument_deltas == [1], "Gemini sends the call whole"
    else:
        assert streamed.argument_deltas[0] > 1, "arguments stream in fragments"
    assert streamed.usage == unary.usage


def test_parallel_tool_calls_one_without_parameters(sb: SwitchboardClient, model: str) -> None:
    resp = sb.completion.complete(complete_request(PARALLEL_PROMPT, model=model, **parallel_fields()))

    assert resp.choices[0].finish_reason == types_pb2.FINISH_REASON_TOOL_CALLS
    calls = calls_of(resp)
    assert [c["name"] for c in calls] == ["get_weather", "get_time"]
    assert calls[0]["id"] != calls[1]["id"]
    assert all(c["id"].startswith(TOOL_CALL_ID_PREFIX[model]) for c in calls)
    assert_valid(json.loads(calls[0]["arguments"]), WEATHER_SCHEMA)
    assert calls[1]["arguments"] == "{}", "a call without parameters has the empty object as arguments"


def test_streamed_parallel_calls_assemble_into_the_unary_ones(sb: SwitchboardClient, model: str) -> None:
    unary = sb.completion.complete(complete_request(PARALLEL_PROMPT, model=model, **parallel_fields()))
    request = stream_request(PARALLEL_PROMPT, model=model, **parallel_fields())
    streamed = assemble(sb.completion.stream_complete(request))

    assert streamed.calls == calls_of(unary), "same ids, names and arguments, the parameterless call included"
    if streams_tool_arguments_whole(model):
        assert streamed.argument_deltas == [1, 1], "Gemini sends each call whole"


def test_tool_result_goes_back_and_the_answer_is_text_quoting_it(sb: SwitchboardClient, model: str) -> None:
    first = sb.completion.complete(complete_request("Weather in Rome?", model=model, **forced_fields()))
    assistant = first.choices[0].message

    second = sb.completion.complete(
        completion_pb2.CompleteRequest(
            model=model,
            messages=[user("Weather in Rome?"), assistant, tool_result(assistant.tool_calls[0].id, '{"temp_c": 21}')],
            tools=[weather_tool()],
        )
    )

    assert second.choices[0].finish_reason == types_pb2.FINISH_REASON_STOP
    assert not second.choices[0].message.tool_calls
    assert_quotes(text_of(second.choices[0].message), ["get_weather returned", "21"])


def test_both_parallel_results_go_back_in_one_turn(sb: SwitchboardClient, model: str) -> None:
    first = sb.completion.complete(complete_request(PARALLEL_PROMPT, model=model, **parallel_fields()))
    assistant = first.choices[0].message
    weather, time = assistant.tool_calls

    second = sb.completion.complete(
        completion_pb2.CompleteRequest(
            model=model,
            messages=[
                user(PARALLEL_PROMPT),
                assistant,
                tool_result(weather.id, '{"temp_c": 18}'),
                tool_result(time.id, "noon"),
            ],
            tools=[weather_tool(), time_tool()],
        )
    )

    assert second.choices[0].finish_reason == types_pb2.FINISH_REASON_STOP
    assert not second.choices[0].message.tool_calls
    assert_quotes(text_of(second.choices[0].message), ["get_weather returned", "18", "get_time returned noon"])
