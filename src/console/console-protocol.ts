/**
 * What the console page receives: call summaries, each call's event lines (its
 * conversation log, redacted), audio levels. Only these shapes go to a browser.
 */

export type CallSource = "phone" | "softphone";

/** How a softphone call's parties are shown (it has no phone numbers). */
export const SOFTPHONE_CALLER = "browser softphone";
export const SOFTPHONE_DIALED = "the bot";

export interface CallSummary {
  /** The call's correlation id (an ACS id, or softphone-<uuid>): not a credential. */
  readonly id: string;
  readonly source: CallSource;
  readonly caller: string | undefined;
  readonly callerName: string | undefined;
  readonly dialed: string | undefined;
  /** ISO time the call reached this replica. */
  readonly startedAt: string;
  /** answering, connected, transferring, transferred, ended … */
  readonly state: string;
  readonly live: boolean;
  readonly endedAt?: string;
  readonly endReason?: string;
  /** Where the call's record lives: this process's memory, or a conversation log file (its name). */
  readonly logFile?: string;
}

/** One conversation log line: `ms` since the call started here, `type`, then its own fields. */
export interface CallEvent {
  readonly ms: number;
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface CallView extends CallSummary {
  readonly events: readonly CallEvent[];
}

export interface LevelReading {
  readonly id: string;
  /** Loudest 20 ms frame since the last reading, dBFS (−100: nothing). */
  readonly callerDb: number;
  readonly botDb: number;
  readonly callerSpeaking: boolean;
  readonly botSpeaking: boolean;
}

export type ConsoleMessage =
  | { readonly type: "hello"; readonly now: string; readonly calls: readonly CallView[]; readonly ended: readonly CallView[] }
  | { readonly type: "call"; readonly call: CallSummary }
  | { readonly type: "event"; readonly id: string; readonly event: CallEvent }
  | { readonly type: "levels"; readonly calls: readonly LevelReading[] };
