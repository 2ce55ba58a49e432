/**
 * Recent calls read back from the conversation logs (CALL_LOG_DIR, one JSONL
 * file per call, newest last by name): the same lines the live console got,
 * so a call looks the same live and afterwards, across restarts and replicas
 * that share the folder. Bounded: newest files only, large files cut.
 */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { SOFTPHONE_CALLER, SOFTPHONE_DIALED, type CallEvent, type CallView } from "./console-protocol.js";
import type { Redactor } from "./redact.js";

/** `<ISO stamp>_<correlation id>.jsonl`, as openConversationLog names them. */
const LOG_FILE = /^[\w.-]{1,200}\.jsonl$/;
// Fifty of these per request at most; a longer call shows its first part (an ordinary call log is a few KiB).
const MAX_FILE_BYTES = 512 * 1024;

export interface CallLogReaderDeps {
  readonly dir: string | undefined;
  readonly redact: Redactor;
}

export class CallLogReader {
  constructor(private readonly deps: CallLogReaderDeps) {}

  get enabled(): boolean {
    return this.deps.dir !== undefined;
  }

  /** The newest `limit` calls, newest first. */
  async recent(limit: number): Promise<CallView[]> {
    const dir = this.deps.dir;
    if (!dir) return [];
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => LOG_FILE.test(name));
    } catch {
      return [];
    }
    names.sort().reverse();
    const views = await Promise.all(names.slice(0, limit).map((name) => this.read(name)));
    return views.filter((view): view is CallView => view !== undefined);
  }

  /** One call by its log file name; undefined for a name that is not a log file here. */
  async read(name: string): Promise<CallView | undefined> {
    const dir = this.deps.dir;
    if (!dir || !LOG_FILE.test(name)) return undefined;
    let text: string;
    try {
      text = await readHead(join(dir, name), MAX_FILE_BYTES);
    } catch {
      return undefined;
    }
    return this.parse(name, text);
  }

  private parse(name: string, text: string): CallView | undefined {
    const events: CallEvent[] = [];
    let startedAt: string | undefined;
    let endedAt: string | undefined;
    let endReason: string | undefined;
    let call: Record<string, unknown> = {};
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // a line cut by the size cap, or a crash mid-write
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) continue;
      const { at, ms, type, ...fields } = parsed as Record<string, unknown>;
      if (typeof type !== "string" || typeof ms !== "number") continue;
      startedAt ??= typeof at === "string" ? at : undefined;
      if (type === "call") call = fields;
      if (type === "call_ended") {
        endedAt = typeof at === "string" ? at : undefined;
        endReason = typeof fields.reason === "string" ? fields.reason : undefined;
      }
      events.push({ ...(this.deps.redact(fields) as Record<string, unknown>), ms, type });
    }
    const id = typeof call.correlationId === "string" ? call.correlationId : name.replace(/\.jsonl$/, "");
    if (!startedAt) return undefined;
    const softphone = id.startsWith("softphone-");
    return {
      id,
      source: softphone ? "softphone" : "phone",
      // The same names the live console gives a call.
      caller: softphone ? SOFTPHONE_CALLER : typeof call.caller === "string" ? (this.deps.redact(call.caller) as string) : undefined,
      callerName: undefined,
      dialed: softphone ? SOFTPHONE_DIALED : typeof call.dialed === "string" ? (this.deps.redact(call.dialed) as string) : undefined,
      startedAt,
      state: endedAt ? "ended" : "unknown",
      live: false,
      ...(endedAt ? { endedAt, endReason } : {}),
      logFile: name,
      events,
    };
  }
}

async function readHead(path: string, maxBytes: number): Promise<string> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min(maxBytes, (await file.stat()).size));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await file.close();
  }
}
