// Small constructors and readers for the message types that every caller
// writes by hand otherwise: a text turn, a tool result, the answer's text.
import { create } from "@bufbuild/protobuf";
import type { CompleteResponse } from "./gen/switchboard/v1/completion_pb.js";
import { MessageSchema, Role, type Message } from "./gen/switchboard/v1/types_pb.js";

/** A role by its OpenAI-style name, for callers who prefer strings to the enum. */
export type RoleName = "system" | "user" | "assistant" | "tool";

const rolesByName: Record<RoleName, Role> = {
  system: Role.SYSTEM,
  user: Role.USER,
  assistant: Role.ASSISTANT,
  tool: Role.TOOL,
};

function roleOf(role: Role | RoleName): Role {
  if (typeof role === "number") {
    return role;
  }
  const found = rolesByName[role];
  if (found === undefined) {
    throw new Error(`switchboard: unknown role ${JSON.stringify(role)}`);
  }
  return found;
}

/** A message with one text part: textMessage("user", "Hello"). */
export function textMessage(role: Role | RoleName, text: string): Message {
  return create(MessageSchema, {
    role: roleOf(role),
    content: [{ kind: { case: "text", value: text } }],
  });
}

/** The answer to a tool call, to send back on the next turn. */
export function toolResultMessage(toolCallId: string, result: string): Message {
  return create(MessageSchema, {
    role: Role.TOOL,
    toolCallId,
    content: [{ kind: { case: "text", value: result } }],
  });
}

/** The concatenated text parts of a message. */
export function messageText(message: Message | undefined): string {
  if (!message) {
    return "";
  }
  let text = "";
  for (const part of message.content) {
    if (part.kind.case === "text") {
      text += part.kind.value;
    }
  }
  return text;
}

/** The text of one choice of a response (the first by default); "" when absent. */
export function responseText(response: CompleteResponse, choiceIndex = 0): string {
  const choice = response.choices.find((c) => c.index === choiceIndex);
  return messageText(choice?.message);
}
