/**
 * One timer for every periodic sender in the load driver (callers' frames,
 * Voice Live's deltas): each task is due at its own phase and catches up from
 * its own start, so timer jitter never accumulates and the driver does not
 * need one timer per call.
 */
export interface PeriodicTask {
  /** performance.now() of the next frame due. */
  nextDueMs: number;
  /** Sends one frame and moves nextDueMs on (or removes itself). */
  fire(nowMs: number): void;
}

/** A driver that falls this far behind sends no more than this many frames per task per wake-up. */
const MAX_CATCH_UP = 10;

export class FrameScheduler {
  private readonly tasks = new Set<PeriodicTask>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Largest lateness of a frame behind its due time (the driver's own lag), reset per window. */
  maxLateMs = 0;

  add(task: PeriodicTask): void {
    this.tasks.add(task);
    if (this.timer === undefined) this.loop();
  }

  remove(task: PeriodicTask): void {
    this.tasks.delete(task);
  }

  stop(): void {
    this.tasks.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly loop = (): void => {
    this.timer = undefined;
    if (this.tasks.size === 0) return;
    const nowMs = performance.now();
    for (const task of this.tasks) {
      for (let n = 0; task.nextDueMs <= nowMs && n < MAX_CATCH_UP && this.tasks.has(task); n++) {
        const lateMs = nowMs - task.nextDueMs;
        if (lateMs > this.maxLateMs) this.maxLateMs = lateMs;
        task.fire(nowMs);
      }
    }
    this.timer = setTimeout(this.loop, 1);
  };
}
