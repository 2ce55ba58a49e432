/** What each call gets besides its audio loop: the tools layer, latency tracking and, in record mode, the recorder. */
import type { Logger } from "pino";
import type { CallContext } from "./calls/call-context-token.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config/index.js";
import type { CallSessionExtension } from "./media/call-session.js";
import { TurnLatencyTracker } from "./media/turn-latency.js";
import type { Metrics } from "./metrics.js";
import { CallRecorder } from "./replay/recorder.js";
import { toolExtensions, type ToolRegistry } from "./tools/index.js";
import type { TelephonyDeps } from "./tools/telephony.js";

export function callExtensions(deps: {
  config: Config;
  tools: ToolRegistry;
  telephony: TelephonyDeps;
  metrics: Metrics;
  clock: Clock;
}): (call: { context: CallContext; log: Logger }) => CallSessionExtension[] {
  const { config, tools, clock } = deps;
  const forTools = toolExtensions({ config, registry: tools, telephony: deps.telephony, metrics: deps.metrics, clock });
  const describe = (name: string) => {
    const tool = tools.get(name);
    return tool ? { description: tool.description, parameters: tool.parameters } : undefined;
  };
  return (call) => {
    const extensions = forTools(call);
    extensions.push(new TurnLatencyTracker({ clock, metrics: deps.metrics }));
    const recordDir = config.call.recordDir;
    if (recordDir) extensions.push(new CallRecorder(recordDir, call.context, config, describe, call.log, clock.date()));
    return extensions;
  };
}
