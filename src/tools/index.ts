/** The tools layer as the composition root sees it. */
import type { Logger } from "pino";
import type { CallControl } from "../calls/call-control.js";
import type { CallService } from "../calls/call-service.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/index.js";
import type { Metrics } from "../metrics.js";
import type { CallSessionExtension } from "../media/call-session.js";
import { DtmfHandler } from "./dtmf.js";
import { FunctionCallCoordinator } from "./function-calls.js";
import { httpTool } from "./http-tools.js";
import { ToolRegistry } from "./registry.js";
import { SlowToolCover } from "./tool-interim.js";
import { endCallTool, transferToAgentTool, type TelephonyDeps } from "./telephony.js";
import type { ToolDefinition } from "./types.js";

export { interimResponseConfig } from "./interim.js";
export { ToolRegistry } from "./registry.js";
export type { ToolContext, ToolDefinition, ToolResult } from "./types.js";

export function buildToolRegistry(config: Config, telephony: TelephonyDeps, extra: readonly ToolDefinition[]): ToolRegistry {
  const definitions: ToolDefinition[] = [];
  if (config.tools.transferTarget) definitions.push(transferToAgentTool(telephony));
  if (config.tools.endCallEnabled) definitions.push(endCallTool(telephony));
  definitions.push(...config.tools.httpTools.map(httpTool), ...extra);
  return new ToolRegistry(definitions);
}

/** Per-call add-ons: the function-call round trip and key presses. */
export function toolExtensions(deps: {
  config: Config;
  registry: ToolRegistry;
  telephony: TelephonyDeps;
  metrics: Metrics;
  clock: Clock;
}): (call: { log: Logger }) => CallSessionExtension[] {
  return (call) => [
    new FunctionCallCoordinator({
      registry: deps.registry,
      defaultTimeoutMs: deps.config.tools.defaultTimeoutMs,
      cover: new SlowToolCover({ interim: deps.config.tools.interim, clock: deps.clock }),
      metrics: deps.metrics,
      log: call.log,
      clock: deps.clock,
    }),
    new DtmfHandler(deps.config.tools, deps.telephony, deps.clock),
  ];
}

export function telephonyDeps(config: Config, calls: CallService, callControl: CallControl): TelephonyDeps {
  return { config: config.tools, calls, callControl };
}
