"""The generated Python client (connectrpc over Google's protobuf) against the real gateway.

Over each protocol, and on each alias: every alias reaches the simulator through one provider's
translator (providers.py). Tool calls are in test_generated_client_tools.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from builders import (
    ANSWER_SCHEMA,
    answer_format,
    assert_valid,
    complete_request,
    message,
    stream_request,
    text_of,
)
from gateway_process import Gateway
from providers import ALIASES, CONVERSATIONS

from switchboard import AsyncSwitchboardClient, SwitchboardClient
from switchboard.v1 import completion_pb2, types_pb2

PROTOCOLS = ["connect", "grpc", "grpc-web"]


@pytest.fixture(params=PROTOCOLS)
def protocol(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sb(gateway: Gateway, protocol: str) -> Iterator[SwitchboardClient]:
    with SwitchboardClient(gateway.base_url, gateway.secret, protocol) as client:
        yield client


def assert_usage_consistent(usage: types_pb2.Usage) -> None:
    assert usage.input_tokens > 0
    assert usage.output_tokens > 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_complete_returns_the_requested_reply(sb: SwitchboardClient, model: str) -> None:
    resp = sb.completion.complete(complete_request('Greet me. [[sim reply="Hello from Python"]]', model=model))

    assert len(resp.choices) == 1
    choice = resp.choices[0]
    assert choice.message.role == types_pb2.ROLE_ASSISTANT
    assert text_of(choice.message) == "Hello from Python"
    assert choice.finish_reason == types_pb2.FINISH_REASON_STOP
    assert_usage_consistent(resp.usage)
    assert resp.id
    assert resp.provider and resp.deployment


def test_stream_complete_streams_the_reply_and_ends_with_usage(sb: SwitchboardClient, model: str) -> None:
    request = stream_request('Greet me. [[sim reply="Hello from a stream"]]', model=model)
    chunks = list(sb.completion.stream_complete(request))

    assert len(chunks) >= 2, "a stream of one message is not streaming"
    assert "".join(c.text for c in chunks) == "Hello from a stream"
    finishes = [c.finish_reason for c in chunks if c.finish_reason]
    assert finishes == [types_pb2.FINISH_REASON_STOP]
    assert chunks[-1].HasField("usage"), "the last message carries the usage"
    assert_usage_consistent(chunks[-1].usage)
    assert not any(c.HasField("usage") for c in chunks[:-1])


def test_stream_and_unary_give_the_same_answer(sb: SwitchboardClient, model: str) -> None:
    prompt = "Tell me something about switchboards."
    unary = sb.completion.complete(complete_request(prompt, model=model))
    chunks = list(sb.completion.stream_complete(stream_request(prompt, model=model)))

    assert text_of(unary.choices[0].message)
    assert "".join(c.text for c in chunks) == text_of(unary.choices[0].message)
    assert chunks[-1].usage == unary.usage


def test_json_schema_response_format_yields_valid_json(sb: SwitchboardClient, model: str) -> None:
    resp = sb.completion.complete(complete_request("Answer in JSON.", model=model, response_format=answer_format()))
    request = stream_request("Answer in JSON.", model=model, response_format=answer_format())
    chunks = list(sb.completion.stream_complete(request))

    assert resp.choices[0].finish_reason == types_pb2.FINISH_REASON_STOP
    assert not resp.choices[0].message.tool_calls, "the answer is text, not a tool call"
    assert_valid(json.loads(text_of(resp.choices[0].message)), ANSWER_SCHEMA)
    assert "".join(c.text for c in chunks) == text_of(resp.choices[0].message)


@pytest.mark.parametrize("conversation", CONVERSATIONS.values(), ids=CONVERSATIONS.keys())
def test_same_answer_and_usage_as_on_demo(gateway: Gateway, model: str, conversation: list[dict[str, str]]) -> None:
    messages = [message(turn["role"], turn["content"]) for turn in conversation]
    with SwitchboardClient(gateway.base_url, gateway.secret) as client:
        resp = client.completion.complete(completion_pb2.CompleteRequest(model=model, messages=messages))
        baseline = client.completion.complete(completion_pb2.CompleteRequest(model="demo", messages=messages))

    assert text_of(resp.choices[0].message), "the simulator answers"
    assert resp.choices[0].finish_reason == types_pb2.FINISH_REASON_STOP
    assert_usage_consistent(resp.usage)
    assert text_of(resp.choices[0].message) == text_of(baseline.choices[0].message)
    assert resp.choices[0].finish_reason == baseline.choices[0].finish_reason
    assert resp.usage == baseline.usage


def test_usage_counts_cached_input_unary_and_streamed(gateway: Gateway, model: str) -> None:
    prompt = "A long prompt [[sim cached=4]]"
    with SwitchboardClient(gateway.base_url, gateway.secret, "grpc") as client:
        resp = client.completion.complete(complete_request(prompt, model=model))
        baseline = client.completion.complete(complete_request(prompt))
        chunks = list(client.completion.stream_complete(stream_request(prompt, model=model)))

    assert resp.usage.cached_input_tokens == 4
    assert resp.usage.input_tokens >= 4, "cached input is part of the input"
    assert_usage_consistent(resp.usage)
    assert resp.usage == baseline.usage
    assert chunks[-1].usage == resp.usage, "the streamed usage is the unary one"


def test_embed_returns_one_vector_per_input_in_order(sb: SwitchboardClient) -> None:
    resp = sb.completion.embed(completion_pb2.EmbedRequest(model="demo", inputs=["alpha", "beta", "alpha"]))

    assert [e.index for e in resp.embeddings] == [0, 1, 2]
    dims = {len(e.values) for e in resp.embeddings}
    assert len(dims) == 1 and dims.pop() > 0
    # Deterministic: the same input embeds to the same vector, a different one does not.
    assert list(resp.embeddings[0].values) == list(resp.embeddings[2].values)
    assert list(resp.embeddings[0].values) != list(resp.embeddings[1].values)
    assert resp.usage.input_tokens > 0


def test_list_models_includes_every_alias(sb: SwitchboardClient) -> None:
    resp = sb.completion.list_models(completion_pb2.ListModelsRequest())

    assert set(ALIASES) <= {m.id for m in resp.models}


@pytest.mark.parametrize("protocol_name", PROTOCOLS)
def test_async_client_completes_and_streams(gateway: Gateway, protocol_name: str, model: str) -> None:
    async def run() -> tuple[str, list[completion_pb2.StreamCompleteResponse]]:
        async with AsyncSwitchboardClient(gateway.base_url, gateway.secret, protocol_name) as client:
            resp = await client.completion.complete(complete_request('Hi. [[sim reply="async hello"]]', model=model))
            chunks = [
                c
                async for c in client.completion.stream_complete(
                    stream_request('Hi. [[sim reply="async stream"]]', model=model)
                )
            ]
            return text_of(resp.choices[0].message), chunks

    text, chunks = asyncio.run(run())

    assert text == "async hello"
    assert "".join(c.text for c in chunks) == "async stream"
    assert chunks[-1].HasField("usage")


def test_json_codec_works_like_binary(gateway: Gateway) -> None:
    with SwitchboardClient(gateway.base_url, gateway.secret, json=True) as client:
        resp = client.completion.complete(complete_request('Hi. [[sim reply="json on the wire"]]'))

    assert text_of(resp.choices[0].message) == "json on the wire"
