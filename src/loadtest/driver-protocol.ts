/** Messages between the load test's orchestrator and its driver process (ACS callers + Voice Live peer). */
import type { LoadLeg } from "./marks.js";
import type { WindowSummary } from "./window-stats.js";

export type DriverCommand =
  | { readonly cmd: "init"; readonly leg: LoadLeg; readonly responseMs: number; readonly headStartMs: number; readonly deltaMs: number }
  | { readonly cmd: "bot"; readonly baseUrl: string }
  /** Ramp to `target` concurrent calls; with churnCallMs, calls end after about that long and are replaced. */
  | { readonly cmd: "calls"; readonly target: number; readonly perSecond: number; readonly timeoutMs: number; readonly churnCallMs?: number }
  | { readonly cmd: "window-start" }
  | { readonly cmd: "window-end" }
  | { readonly cmd: "stop" };

export interface DriverInit {
  readonly voiceLiveUrl: string;
  readonly acsConnectionString: string;
  readonly resourceId: string;
  readonly jwksUrl: string;
}

export interface CallCounts {
  /** Calls up now (ringing, connecting or open). */
  readonly active: number;
  /** Calls whose audio flows both ways. */
  readonly flowing: number;
  readonly started: number;
  readonly ended: number;
  /** Calls that never got their media flowing (refused, timed out). */
  readonly failed: number;
  readonly lastError: string | undefined;
}

export interface DriverWindow {
  readonly stats: WindowSummary;
  readonly calls: CallCounts;
  readonly voiceLive: { readonly sessionsOpened: number; readonly sessionsOpen: number; readonly sessionsUnused: number };
  /** The driver's own health: if it lags, its figures are not the bot's. */
  readonly driver: { readonly eventLoopP99Ms: number; readonly eventLoopMaxMs: number; readonly sendLateMaxMs: number; readonly cpuPercent: number };
  readonly windowMs: number;
}

export type DriverRequest = DriverCommand & { readonly id: number };
export type DriverReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };
