"""Failures through the generated client: the right Connect code and a typed ErrorDetail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from builders import complete_request, stream_request
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from gateway_process import Gateway
from providers import ERROR_CLASSES, SIMULATOR_KEY, ErrorClass

from switchboard import SwitchboardClient, error_detail
from switchboard.v1 import completion_pb2, error_pb2

PROTOCOLS = ["connect", "grpc", "grpc-web"]


def mistype_checksum(secret: str) -> str:
    """The same key with its last character changed, as a typo would."""
    last = secret[-1]
    return secret[:-1] + ("A" if last != "A" else "B")


def call_unary(client: SwitchboardClient, text: str, model: str = "demo") -> None:
    client.completion.complete(complete_request(text, model=model))


def call_stream(client: SwitchboardClient, text: str, model: str = "demo") -> None:
    for _ in client.completion.stream_complete(stream_request(text, model=model)):
        pass


CALLS = [pytest.param(call_unary, id="unary"), pytest.param(call_stream, id="stream")]


def expect_error(call: Callable[[], None]) -> tuple[ConnectError, error_pb2.ErrorDetail]:
    with pytest.raises(ConnectError) as caught:
        call()
    detail = error_detail(caught.value)
    assert detail is not None, f"no switchboard.v1.ErrorDetail on {caught.value.code}: {caught.value.message}"
    return caught.value, detail


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize(
    "key",
    [
        pytest.param(lambda gw: "not-a-key", id="malformed"),
        pytest.param(lambda gw: mistype_checksum(gw.secret), id="bad-checksum"),
        pytest.param(lambda gw: gw.admin_key, id="admin-key"),
    ],
)
def test_bad_key_is_unauthenticated(gateway: Gateway, protocol: str, call, key) -> None:
    with SwitchboardClient(gateway.base_url, key(gateway), protocol) as client:
        err, detail = expect_error(lambda: call(client, "Hi."))

    assert err.code == Code.UNAUTHENTICATED
    assert detail.reason == error_pb2.ERROR_REASON_UNAUTHENTICATED
    assert gateway.secret not in err.message and gateway.admin_key not in err.message


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("call", CALLS)
def test_unknown_model_is_not_found(gateway: Gateway, protocol: str, call) -> None:
    with SwitchboardClient(gateway.base_url, gateway.secret, protocol) as client:
        err, detail = expect_error(lambda: call(client, "Hi.", model="no-such-model"))

    assert err.code == Code.NOT_FOUND
    assert detail.reason == error_pb2.ERROR_REASON_NOT_FOUND
    assert "no-such-model" in err.message


def test_empty_conversation_is_invalid(gateway: Gateway) -> None:
    with SwitchboardClient(gateway.base_url, gateway.secret) as client:
        unary_err, unary_detail = expect_error(
            lambda: client.completion.complete(completion_pb2.CompleteRequest(model="demo"))
        )
        stream_err, stream_detail = expect_error(
            lambda: list(client.completion.stream_complete(completion_pb2.StreamCompleteRequest(model="demo")))
        )

    assert unary_err.code == stream_err.code == Code.INVALID_ARGUMENT
    assert unary_detail.reason == stream_detail.reason == error_pb2.ERROR_REASON_INVALID_REQUEST


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("error", ERROR_CLASSES, ids=[e.id for e in ERROR_CLASSES])
def test_upstream_error_class_is_the_same_on_every_provider(
    gateway: Gateway, model: str, error: ErrorClass, call
) -> None:
    with SwitchboardClient(gateway.base_url, gateway.secret, "grpc") as client:
        err, detail = expect_error(lambda: call(client, f"Hi. {error.directive}", model=model))

    assert err.code == Code[error.connect_code]
    assert error_pb2.ErrorReason.Name(detail.reason) == error.reason
    assert detail.provider
    assert detail.upstream_status == error.status
    if error.code is not None:
        assert detail.code == error.code
    if error.retry_after_seconds is not None:
        assert detail.retry_after.ToSeconds() == error.retry_after_seconds
    assert SIMULATOR_KEY not in err.message


def test_stream_cut_midway_ends_with_an_error_after_the_text_so_far(gateway: Gateway) -> None:
    received: list[str] = []
    with SwitchboardClient(gateway.base_url, gateway.secret) as client:

        def consume() -> None:
            for chunk in client.completion.stream_complete(
                stream_request("Tell me a long story. [[sim disconnect_after=2]]")
            ):
                received.append(chunk.text)

        err, detail = expect_error(consume)

    assert "".join(received), "the chunks sent before the cut reach the caller"
    assert err.code == Code.UNAVAILABLE
    assert detail.reason == error_pb2.ERROR_REASON_UPSTREAM
    assert detail.provider


def test_gateway_keeps_serving_after_errors(gateway: Gateway) -> None:
    with SwitchboardClient(gateway.base_url, gateway.secret) as client:
        with pytest.raises(ConnectError):
            call_unary(client, "Hi. [[sim status=503]]")
        resp = client.completion.complete(complete_request('Hi. [[sim reply="fine"]]'))

    assert resp.choices[0].message.content[0].text == "fine"
