"""The official OpenAI Python SDK against the gateway's OpenAI-compatible shim, on each alias.

Each alias reaches the simulator through one provider's translator (providers.py); tool calls are
in test_openai_sdk_tools.py.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from builders import ANSWER_SCHEMA, assert_valid
from gateway_process import Gateway
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from providers import ALIASES, CONVERSATIONS, refuses_several_choices


@pytest.fixture
def client(gateway: Gateway) -> Iterator[openai.OpenAI]:
    # max_retries=0: each test sees exactly what the gateway answered, once.
    with openai.OpenAI(base_url=gateway.openai_base_url, api_key=gateway.secret, max_retries=0) as c:
        yield c


def assert_usage_consistent(usage: CompletionUsage | None) -> None:
    assert usage is not None
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def outcome(resp: ChatCompletion) -> dict[str, Any]:
    """What must match across providers for the same request: answer, finish, token counts."""
    assert resp.usage is not None
    details = resp.usage.prompt_tokens_details
    return {
        "content": resp.choices[0].message.content,
        "finish": resp.choices[0].finish_reason,
        "prompt_tokens": resp.usage.prompt_tokens,
        "completion_tokens": resp.usage.completion_tokens,
        "cached_tokens": details.cached_tokens if details else None,
    }


def stream_chunks(client: openai.OpenAI, **params: Any) -> list[ChatCompletionChunk]:
    return list(
        client.chat.completions.create(**params, stream=True, stream_options={"include_usage": True})
    )


def streamed_text(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def test_chat_completion(client: openai.OpenAI, model: str) -> None:
    resp = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": 'Greet me. [[sim reply="Hello from the SDK"]]'},
        ],
    )

    assert resp.object == "chat.completion"
    assert resp.id
    # Anthropic and Gemini answers carry no timestamp: the gateway must supply one.
    assert resp.created > 0, f"created {resp.created} is a Unix time"
    choice = resp.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "Hello from the SDK"
    assert choice.finish_reason == "stop"
    assert_usage_consistent(resp.usage)


def test_chat_streaming_with_include_usage(client: openai.OpenAI, model: str) -> None:
    chunks = stream_chunks(
        client, model=model, messages=[{"role": "user", "content": 'Greet me. [[sim reply="Hello, streamed SDK"]]'}]
    )

    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert streamed_text(chunks) == "Hello, streamed SDK"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    # include_usage: one last chunk with empty choices carries the usage; none before it does.
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None and last.usage.total_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def test_chat_streaming_without_include_usage_has_no_usage_chunk(client: openai.OpenAI, model: str) -> None:
    chunks = list(
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "Hi."}], stream=True
        )
    )

    assert chunks and all(c.usage is None for c in chunks)
    assert all(c.choices for c in chunks)


@pytest.mark.parametrize("conversation", CONVERSATIONS.values(), ids=CONVERSATIONS.keys())
def test_same_answer_and_token_counts_as_on_demo(
    client: openai.OpenAI, model: str, conversation: list[dict[str, str]]
) -> None:
    resp = client.chat.completions.create(model=model, messages=conversation)
    baseline = client.chat.completions.create(model="demo", messages=conversation)

    assert resp.choices[0].message.content, "the simulator answers"
    assert resp.choices[0].finish_reason == "stop"
    assert_usage_consistent(resp.usage)
    assert outcome(resp) == outcome(baseline)


def test_usage_counts_cached_input_unary_and_streamed(client: openai.OpenAI, model: str) -> None:
    messages = [{"role": "user", "content": "A long prompt [[sim cached=4]]"}]
    resp = client.chat.completions.create(model=model, messages=messages)
    baseline = client.chat.completions.create(model="demo", messages=messages)
    chunks = stream_chunks(client, model=model, messages=messages)

    assert resp.usage is not None and resp.usage.prompt_tokens_details is not None
    assert resp.usage.prompt_tokens_details.cached_tokens == 4
    assert resp.usage.prompt_tokens >= 4, "cached input is part of the prompt"
    assert outcome(resp) == outcome(baseline)
    assert chunks[-1].usage == resp.usage, "the streamed usage is the unary one"


def test_streamed_answer_is_the_unary_one(client: openai.OpenAI, model: str) -> None:
    messages = [{"role": "user", "content": "Tell me about streams."}]
    resp = client.chat.completions.create(model=model, messages=messages)
    chunks = stream_chunks(client, model=model, messages=messages)

    assert streamed_text(chunks) == resp.choices[0].message.content


def test_two_choices_unless_the_provider_refuses_them(client: openai.OpenAI, model: str) -> None:
    messages = [{"role": "user", "content": "Hi."}]
    if refuses_several_choices(model):
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model=model, messages=messages, n=2)
        return
    resp = client.chat.completions.create(model=model, messages=messages, n=2)

    assert [c.index for c in resp.choices] == [0, 1]
    assert all(c.message.content for c in resp.choices)


def test_response_format_json_schema(client: openai.OpenAI, model: str) -> None:
    resp = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Answer in JSON."}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": ANSWER_SCHEMA, "strict": True},
        },
    )

    assert resp.choices[0].finish_reason == "stop"
    assert not resp.choices[0].message.tool_calls, "the answer is text, not a tool call"
    assert_valid(json.loads(resp.choices[0].message.content), ANSWER_SCHEMA)


def test_streamed_response_format_json_schema(client: openai.OpenAI, model: str) -> None:
    chunks = stream_chunks(
        client,
        model=model,
        messages=[{"role": "user", "content": "Answer in JSON, streamed."}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": ANSWER_SCHEMA, "strict": True},
        },
    )

    assert_valid(json.loads(streamed_text(chunks)), ANSWER_SCHEMA)


def test_response_format_json_object(client: openai.OpenAI, model: str) -> None:
    resp = client.chat.completions.create(
        model=model,
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


def test_models_list_has_every_alias(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]

    assert set(ALIASES) <= set(ids)
