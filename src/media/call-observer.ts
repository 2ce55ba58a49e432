/**
 * Something that watches calls as they happen (the operations console): it sees
 * every line a call writes to its conversation log — the same record support
 * reads back later — and may add hooks to the call. Optional: without an
 * observer nothing here runs.
 */
import type { Logger } from "pino";
import type { CallContext } from "../calls/call-context-token.js";
import type { ConversationLog } from "../calls/conversation-log.js";
import type { CallSessionExtension } from "./call-session.js";

export interface CallWatch {
  /** One conversation log line, as it is written (not per frame). */
  logged(type: string, fields: Readonly<Record<string, unknown>>): void;
  readonly extension: CallSessionExtension;
}

export interface CallObserver {
  callStarted(call: { context: CallContext; callConnectionId: string | undefined; log: Logger }): CallWatch;
}

/** The call's conversation log, with every line also shown to `watch`; a watcher that throws never breaks the call. */
export function watchConversationLog(inner: ConversationLog, watch: CallWatch, log: Logger): ConversationLog {
  let failed = false;
  return {
    write(type, fields = {}) {
      inner.write(type, fields);
      if (failed) return;
      try {
        watch.logged(type, fields);
      } catch (error) {
        failed = true;
        log.error({ err: error, type }, "call observer failed; it no longer sees this call");
      }
    },
    close() {
      inner.close();
    },
  };
}
