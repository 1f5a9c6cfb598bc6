// Folding a StreamComplete stream back into the CompleteResponse a unary call
// would have returned, for callers that want to show deltas as they arrive
// and still end up with the whole answer, tool calls and usage.
import { create } from "@bufbuild/protobuf";
import {
  ChoiceSchema,
  CompleteResponseSchema,
  type Choice,
  type CompleteResponse,
  type StreamCompleteResponse,
} from "./gen/switchboard/v1/completion_pb.js";
import {
  FinishReason,
  MessageSchema,
  ReasoningSchema,
  Role,
  ToolCallSchema,
  type Reasoning,
  type ToolCall,
  type Usage,
} from "./gen/switchboard/v1/types_pb.js";

/** One choice's state while its deltas arrive. */
class ChoiceBuilder {
  role = Role.ASSISTANT;
  text = "";
  refusal = "";
  reasoning: Reasoning | undefined;
  // Keyed by the delta's index, not its position: deltas of parallel calls interleave.
  readonly toolCalls = new Map<number, ToolCall>();
  finishReason = FinishReason.UNSPECIFIED;
  rawFinishReason = "";

  constructor(readonly index: number) {}

  add(chunk: StreamCompleteResponse): void {
    if (chunk.role !== Role.UNSPECIFIED) {
      this.role = chunk.role;
    }
    this.text += chunk.text;
    this.refusal += chunk.refusal;
    if (chunk.reasoning) {
      this.reasoning ??= create(ReasoningSchema);
      this.reasoning.text += chunk.reasoning.text;
      // Signatures and redacted blocks arrive whole, not as deltas.
      this.reasoning.signature ||= chunk.reasoning.signature;
      this.reasoning.redacted ||= chunk.reasoning.redacted;
    }
    for (const delta of chunk.toolCalls) {
      let call = this.toolCalls.get(delta.index);
      if (!call) {
        call = create(ToolCallSchema);
        this.toolCalls.set(delta.index, call);
      }
      call.id ||= delta.id;
      call.name ||= delta.name;
      call.signature ||= delta.signature;
      call.arguments += delta.argumentsDelta;
    }
    if (chunk.finishReason !== FinishReason.UNSPECIFIED) {
      this.finishReason = chunk.finishReason;
    }
    this.rawFinishReason ||= chunk.rawFinishReason;
  }

  build(): Choice {
    const toolCalls = [...this.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return create(ChoiceSchema, {
      index: this.index,
      finishReason: this.finishReason,
      rawFinishReason: this.rawFinishReason,
      message: create(MessageSchema, {
        role: this.role,
        content: this.text === "" ? [] : [{ kind: { case: "text", value: this.text } }],
        toolCalls,
        reasoning: this.reasoning ? [this.reasoning] : [],
        refusal: this.refusal,
      }),
    });
  }
}

/**
 * Reads a StreamComplete stream to its end and returns the answer as a
 * CompleteResponse. onChunk, when given, sees every message as it arrives.
 * Errors of the stream (including a cut-off stream) are thrown.
 */
export async function collectStream(
  stream: AsyncIterable<StreamCompleteResponse>,
  onChunk?: (chunk: StreamCompleteResponse) => void,
): Promise<CompleteResponse> {
  const response = create(CompleteResponseSchema);
  const choices = new Map<number, ChoiceBuilder>();
  let usage: Usage | undefined;
  for await (const chunk of stream) {
    onChunk?.(chunk);
    response.id ||= chunk.id;
    response.model ||= chunk.model;
    response.created ||= chunk.created;
    response.provider ||= chunk.provider;
    response.deployment ||= chunk.deployment;
    if (chunk.usage) {
      usage = chunk.usage;
    }
    let choice = choices.get(chunk.choiceIndex);
    if (!choice) {
      choice = new ChoiceBuilder(chunk.choiceIndex);
      choices.set(chunk.choiceIndex, choice);
    }
    choice.add(chunk);
  }
  response.choices = [...choices.values()].sort((a, b) => a.index - b.index).map((c) => c.build());
  response.usage = usage;
  return response;
}
