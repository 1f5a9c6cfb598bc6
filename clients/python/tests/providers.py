"""What the cross-provider tests share.

The gateway's embedded defaults expose three aliases that reach the in-process simulator, each
through the real translator of one provider: OpenAI, Anthropic Messages and Gemini. The same
request must give the same result on all three, except for the differences docs/providers.md
documents; those few are spelled out here so that the tests state them once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALIASES = ["demo", "demo-anthropic", "demo-gemini"]

# How tool-call ids begin: OpenAI issues call_..., Anthropic toolu_...; Gemini issues none, so
# the gateway gives each call a stable gcall_... id.
TOOL_CALL_ID_PREFIX = {"demo": "call_", "demo-anthropic": "toolu_", "demo-gemini": "gcall_"}


def streams_tool_arguments_whole(alias: str) -> bool:
    """Gemini sends each tool call whole (one argument delta); the others stream fragments."""
    return alias == "demo-gemini"


def refuses_several_choices(alias: str) -> bool:
    """Anthropic returns one choice per request and refuses n > 1."""
    return alias == "demo-anthropic"


# Conversations whose answer must be identical on every alias: the simulator answers from a
# hash of what it receives, so equal answers and token counts show that each translator carried
# the system prompt and every turn across unchanged.
CONVERSATIONS: dict[str, list[dict[str, str]]] = {
    "plain-text": [{"role": "user", "content": "Tell me about gateways."}],
    "system-prompt": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Tell me about gateways."},
    ],
    "multi-turn": [
        {"role": "user", "content": "Hi."},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Tell me more."},
    ],
}

# Names two tools: with tool_choice auto the simulator calls both, in the order named.
PARALLEL_PROMPT = "Call get_weather for Paris and get_time."

# A tool without parameters: Anthropic streams its input as one empty partial_json, and the
# caller must still see arguments "{}".
TIME_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}

PERSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "languages": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "age", "languages"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ErrorClass:
    """An upstream failure the simulator provokes, and how each front door must report it."""

    id: str
    directive: str
    # The shim: HTTP status, OpenAI error type and code.
    status: int
    type: str
    code: str | None
    # The proto API: Connect code name and ErrorReason name.
    connect_code: str
    reason: str
    retry_after_seconds: int | None = None


ERROR_CLASSES = [
    ErrorClass(
        id="rate-limited",
        directive="[[sim status=429 retry_after=2]]",
        status=429,
        type="rate_limit_error",
        code=None,
        connect_code="RESOURCE_EXHAUSTED",
        reason="ERROR_REASON_RATE_LIMITED",
        retry_after_seconds=2,
    ),
    ErrorClass(
        id="overloaded",
        directive="[[sim status=503]]",
        status=503,
        type="server_error",
        code=None,
        connect_code="UNAVAILABLE",
        reason="ERROR_REASON_OVERLOADED",
    ),
    ErrorClass(
        id="context-too-long",
        directive="[[sim status=400 code=context_length_exceeded]]",
        status=400,
        type="invalid_request_error",
        code="context_length_exceeded",
        connect_code="INVALID_ARGUMENT",
        reason="ERROR_REASON_CONTEXT_TOO_LONG",
    ),
]

# The key the gateway's embedded defaults give the simulator: it must never reach a caller.
SIMULATOR_KEY = "sim-no-key-needed"


def assert_quotes(text: str, quoted: list[str]) -> None:
    """The answer after tool results quotes each result under its function's name.

    The simulator quotes what it received, so this shows every result reached the provider
    attached to the right call (for Gemini, mapped back from the gateway's id to the name).
    """
    for q in quoted:
        assert q in text, f"the answer {text!r} does not quote {q!r}"
