"""Failures through the official OpenAI Python SDK: the SDK's own exception classes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import openai
import pytest
from gateway_process import Gateway
from providers import ERROR_CLASSES, SIMULATOR_KEY, ErrorClass

HELLO = [{"role": "user", "content": "Hi."}]


@pytest.fixture
def client(gateway: Gateway) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=gateway.openai_base_url, api_key=gateway.secret, max_retries=0) as c:
        yield c


def sdk_with_key(gateway: Gateway, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.openai_base_url, api_key=key, max_retries=0)


def assert_openai_error_body(err: openai.APIStatusError) -> None:
    # OpenAI-shaped: {"error": {"message": ..., "type": ..., ...}}; the SDK unwraps "error".
    assert isinstance(err.body, dict)
    assert err.body.get("message")
    assert err.body.get("type")


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
def test_bad_key_is_authentication_error(gateway: Gateway, stream: bool) -> None:
    bad = gateway.secret[:-1] + ("A" if gateway.secret[-1] != "A" else "B")
    with sdk_with_key(gateway, bad) as client:
        with pytest.raises(openai.AuthenticationError) as caught:
            client.chat.completions.create(model="demo", messages=HELLO, stream=stream)

    assert caught.value.status_code == 401
    assert_openai_error_body(caught.value)
    assert bad not in str(caught.value.body)


def test_bad_key_on_models_and_embeddings(gateway: Gateway) -> None:
    with sdk_with_key(gateway, "sk-sb-not-a-real-key") as client:
        with pytest.raises(openai.AuthenticationError):
            client.models.list()
        with pytest.raises(openai.AuthenticationError):
            client.embeddings.create(model="demo", input="x")


def test_unknown_model_is_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="no-such-model", messages=HELLO)

    assert_openai_error_body(caught.value)
    assert "no-such-model" in caught.value.body["message"]


def test_messages_of_the_wrong_type_are_bad_request(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="demo", messages=HELLO, extra_body={"messages": "not a list"})

    assert caught.value.status_code == 400
    assert_openai_error_body(caught.value)


def test_malformed_json_is_bad_request(gateway: Gateway) -> None:
    req = urllib.request.Request(
        f"{gateway.openai_base_url}/chat/completions",
        data=b'{"model": "demo", "messages": [',
        headers={"Authorization": f"Bearer {gateway.secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(req, timeout=30)

    assert caught.value.code == 400
    body = json.load(caught.value)
    assert body["error"]["message"] and body["error"]["type"]


# The SDK's class for each status: what applications catch.
SDK_ERROR_CLASS = {400: openai.BadRequestError, 429: openai.RateLimitError, 503: openai.InternalServerError}


@pytest.mark.parametrize("stream", [False, True], ids=["unary", "stream"])
@pytest.mark.parametrize("error", ERROR_CLASSES, ids=[e.id for e in ERROR_CLASSES])
def test_upstream_error_class_reaches_the_sdk_alike_on_every_provider(
    client: openai.OpenAI, model: str, error: ErrorClass, stream: bool
) -> None:
    # Errors come before the first chunk, so a stream request fails at create() as well.
    with pytest.raises(SDK_ERROR_CLASS[error.status]) as caught:
        client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": f"Hi. {error.directive}"}], stream=stream
        )

    err = caught.value
    assert err.status_code == error.status
    assert_openai_error_body(err)
    assert err.type == error.type
    if error.code is not None:
        assert err.code == error.code
    if error.retry_after_seconds is not None:
        assert err.response.headers.get("retry-after") == str(error.retry_after_seconds)
    assert SIMULATOR_KEY not in str(err.body)


def test_stream_cut_midway_raises_after_the_text_so_far(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "Tell me a long story. [[sim disconnect_after=2]]"}],
        stream=True,
    )
    received = []
    # Headers and 200 are long sent: the gateway reports the cut as an SSE error event,
    # which the SDK raises as APIError.
    with pytest.raises(openai.APIError) as caught:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)

    assert received
    assert isinstance(caught.value.body, dict) and caught.value.body.get("message")
