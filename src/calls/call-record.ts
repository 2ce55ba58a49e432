/**
 * One call's lifecycle as call control sees it, and the things it holds.
 * Everything the call acquires registers a disposer; release runs them once.
 */
import type { Logger } from "pino";
import type { CallContext } from "./call-context-token.js";

export type CallState = "answering" | "answered" | "connected" | "disconnected" | "failed";
export type MediaStreamingState = "pending" | "started" | "stopped" | "failed";
export type TransferState = "requested" | "accepted" | "failed";

export interface CallRecordEvents {
  connected: [];
  transferAccepted: [];
  transferFailed: [reason: string];
  mediaStreamingFailed: [reason: string];
  released: [reason: string];
}

type Listener<A extends unknown[]> = (...args: A) => void;

export class CallRecord {
  readonly correlationId: string;
  readonly context: CallContext;
  readonly startedAtMs: number;
  log: Logger;
  callConnectionId: string | undefined;
  state: CallState = "answering";
  mediaStreaming: MediaStreamingState = "pending";
  participants: readonly string[] = [];
  transfer: { state: TransferState; target: string; detail?: string } | undefined;
  endReason: string | undefined;
  /** A media session for this call started on this replica. */
  mediaConnected = false;
  /** The call's profile (PROFILES_FILE; "default" without one). */
  readonly profile: string;

  private readonly disposers: Array<() => void | Promise<void>> = [];
  private readonly listeners = new Map<keyof CallRecordEvents, Set<Listener<never[]>>>();
  private releasedFlag = false;

  constructor(context: CallContext, log: Logger, startedAtMs: number, profile = "default") {
    this.correlationId = context.correlationId;
    this.profile = profile;
    this.context = context;
    this.log = log;
    this.startedAtMs = startedAtMs;
  }

  get released(): boolean {
    return this.releasedFlag;
  }

  on<E extends keyof CallRecordEvents>(event: E, listener: Listener<CallRecordEvents[E]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never[]>);
    return () => set.delete(listener as Listener<never[]>);
  }

  emit<E extends keyof CallRecordEvents>(event: E, ...args: CallRecordEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<CallRecordEvents[E]>)(...args);
      } catch (error) {
        this.log.error({ err: error, event }, "call event listener failed");
      }
    }
  }

  /** Registers cleanup for something the call holds; runs at once if already released. */
  addDisposer(dispose: () => void | Promise<void>): void {
    if (this.releasedFlag) {
      void this.runDisposer(dispose);
      return;
    }
    this.disposers.push(dispose);
  }

  /** Releases everything the call holds, exactly once. */
  async release(reason: string): Promise<void> {
    if (this.releasedFlag) return;
    this.releasedFlag = true;
    this.endReason ??= reason;
    if (this.state !== "failed") this.state = "disconnected";
    this.emit("released", reason);
    const disposers = this.disposers.splice(0).reverse();
    await Promise.all(disposers.map((dispose) => this.runDisposer(dispose)));
    this.listeners.clear();
  }

  private async runDisposer(dispose: () => void | Promise<void>): Promise<void> {
    try {
      await dispose();
    } catch (error) {
      this.log.error({ err: error }, "releasing a call resource failed");
    }
  }
}
