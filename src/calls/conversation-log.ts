/**
 * Per-call conversation log (JSONL, one file per call under CALL_LOG_DIR): who
 * called, which model/agent and voice, the greeting, every transcript with its
 * time, barge-ins, tool calls and errors. For support and QA, not for metrics.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";

export interface ConversationLog {
  write(type: string, fields?: Record<string, unknown>): void;
  close(): void;
}

const NOOP_LOG: ConversationLog = { write() {}, close() {} };

export function openConversationLog(options: {
  dir: string | undefined;
  correlationId: string;
  startedAt: Date;
  nowMs: () => number;
  logger: Logger;
}): ConversationLog {
  if (!options.dir) return NOOP_LOG;
  const startedMs = options.nowMs();
  const safeId = options.correlationId.replace(/[^\w.-]/g, "_");
  const stamp = options.startedAt.toISOString().replace(/[:.]/g, "-");
  let stream: WriteStream | undefined;
  try {
    // The directory is made once at start-up (createBot); opening and writing are asynchronous.
    stream = createWriteStream(join(options.dir, `${stamp}_${safeId}.jsonl`), { flags: "a" });
    stream.on("error", (error) => {
      options.logger.error({ err: error }, "conversation log write failed; log disabled for this call");
      stream = undefined;
    });
  } catch (error) {
    options.logger.error({ err: error }, "conversation log could not be opened");
    return NOOP_LOG;
  }
  return {
    write(type, fields = {}) {
      if (!stream) return;
      const offsetMs = Math.round(options.nowMs() - startedMs);
      stream.write(`${JSON.stringify({ at: new Date(options.startedAt.getTime() + offsetMs).toISOString(), ms: offsetMs, type, ...fields })}\n`);
    },
    close() {
      stream?.end();
      stream = undefined;
    },
  };
}
