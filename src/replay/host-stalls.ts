/**
 * Time the replaying process was not allowed to run. On a busy machine the OS
 * can deschedule the whole process (bot, emulator and caller alike) for tens of
 * milliseconds — 4× that in a fast replay's media time — which is no latency of
 * the bot's. A watchdog timer notices it: a tick that comes late while the
 * process used little CPU meanwhile was starved; a tick that comes late because
 * the process itself was busy (its own slow code) is not excused.
 */
import type { Span } from "./observation.js";

export interface HostStallMonitor {
  /** Starved spans so far, in media ms. */
  stalls(): readonly Span[];
  stop(): void;
}

const TICK_MS = 5;
/** Lateness below this is scheduling noise, not a stall. */
const MIN_STALL_MS = 3;

export function monitorHostStalls(mediaNowMs: () => number, speed: number): HostStallMonitor {
  const stalls: Span[] = [];
  let lastWall = performance.now();
  let lastCpu = cpuMs();
  const timer = setInterval(() => {
    const wall = performance.now();
    const cpu = cpuMs();
    const lateMs = wall - lastWall - TICK_MS;
    const busyMs = cpu - lastCpu;
    const starvedMs = lateMs - Math.max(0, busyMs - TICK_MS);
    if (starvedMs >= MIN_STALL_MS) {
      const endMs = mediaNowMs();
      stalls.push({ startMs: endMs - starvedMs * speed, endMs });
    }
    lastWall = wall;
    lastCpu = cpu;
  }, TICK_MS);
  return {
    stalls: () => stalls,
    stop: () => clearInterval(timer),
  };
}

/** How much of [fromMs, toMs] the process was starved (media ms). */
export function stalledWithin(stalls: readonly Span[], fromMs: number, toMs: number): number {
  let total = 0;
  for (const stall of stalls) total += Math.max(0, Math.min(toMs, stall.endMs) - Math.max(fromMs, stall.startMs));
  return total;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
