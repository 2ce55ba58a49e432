/**
 * The built-in telephony tools: hand the caller to a human (ACS 1:1 transfer)
 * and end the call. Both speak first and act once the words have played.
 */
import type { CallControl } from "../calls/call-control.js";
import type { CallService } from "../calls/call-service.js";
import type { ToolsConfig } from "../config/tools.js";
import { errorMessage } from "../errors.js";
import type { CallSession } from "../media/call-session.js";
import type { ToolDefinition } from "./types.js";

export interface TelephonyDeps {
  readonly config: ToolsConfig;
  readonly calls: CallService;
  readonly callControl: CallControl;
}

/**
 * Asks ACS to transfer the caller. If ACS refuses, or later reports
 * CallTransferFailed, the caller is told and the conversation goes on.
 */
export async function transferCaller(call: CallSession, deps: TelephonyDeps, via: string): Promise<void> {
  const target = deps.config.transferTarget;
  if (!target || call.closed) return;
  const record = deps.calls.registry.byCorrelationId(call.context.correlationId);
  const tellCaller = (detail: string): void => {
    call.log.warn({ target, detail }, "transfer failed; telling the caller");
    call.logEvent("transfer_failed", { target, detail });
    void call.say(deps.config.transferFailedText);
  };
  try {
    if (record) {
      const offFailed = record.on("transferFailed", (detail) => {
        offFailed();
        offAccepted();
        tellCaller(detail);
      });
      const offAccepted = record.on("transferAccepted", () => {
        offFailed();
        offAccepted();
        call.logEvent("transfer_accepted", { target });
      });
      await deps.calls.transfer(record, target, `transfer:${via}`);
    } else if (call.callConnectionId) {
      // The call's record lives on another replica (callbacks are load-balanced).
      await deps.callControl.transferToParticipant(call.callConnectionId, target, `transfer:${via}`);
    } else {
      throw new Error("no call connection id to transfer");
    }
    call.logEvent("transfer_requested", { target, via });
  } catch (error) {
    tellCaller(errorMessage(error));
  }
}

export function transferToAgentTool(deps: TelephonyDeps): ToolDefinition {
  return {
    name: "transfer_to_agent",
    description:
      "Transfer the caller to a human colleague. Use when the caller asks for a person, or when you cannot help. " +
      "A short hand-over sentence is spoken automatically; do not say goodbye yourself.",
    parameters: {
      type: "object",
      properties: { reason: { type: "string", description: "Why the caller needs a person, in a few words." } },
      additionalProperties: false,
    },
    interim: false,
    async execute(args, context) {
      const call = context.call;
      return {
        output: { status: "transferring", reason: typeof args.reason === "string" ? args.reason : undefined },
        followUp: { say: deps.config.transferText },
        afterPlayed: () => transferCaller(call, deps, "tool"),
      };
    },
  };
}

export function endCallTool(deps: TelephonyDeps): ToolDefinition {
  return {
    name: "end_call",
    description:
      "End the phone call. Use only when the caller has said goodbye or asked to hang up and nothing else is needed. " +
      "The call ends after the goodbye has played.",
    parameters: { type: "object", properties: {}, additionalProperties: false },
    interim: false,
    async execute(_args, context) {
      const call = context.call;
      return {
        output: { status: "ending_call" },
        // If the model already said goodbye in the same response, just let it play out.
        followUp: context.responseHadAudio ? "none" : { say: deps.config.goodbyeText },
        afterPlayed: () => call.endCall("end_call"),
      };
    },
  };
}
