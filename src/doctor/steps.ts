/** One doctor step's outcome, and how the doctor prints a list of them. */

export type StepStatus = "ok" | "warn" | "fail" | "skip";

export interface StepResult {
  /** What is checked: "Configuration", "Voice Live", "ACS", "Public URL". */
  readonly area: string;
  readonly step: string;
  readonly status: StepStatus;
  readonly detail: string;
  /** What to change, for a failure (or a warning) with a known cause. */
  readonly fix?: string;
  /** A stable key for the cause (tests and scripts key on it, not on the words). */
  readonly cause?: string;
}

const MARK: Record<StepStatus, string> = { ok: "✓", warn: "!", fail: "✗", skip: "–" };

export function formatSteps(steps: readonly StepResult[]): string[] {
  const lines: string[] = [];
  let area = "";
  for (const step of steps) {
    const label = step.area === area ? "" : step.area;
    area = step.area;
    lines.push(`${label.padEnd(15)}${MARK[step.status]} ${step.step}: ${step.detail}`);
    if (step.fix) for (const [i, line] of step.fix.split("\n").entries()) lines.push(`${"".padEnd(17)}${i === 0 ? "fix: " : "     "}${line}`);
  }
  return lines;
}

export function summaryLine(steps: readonly StepResult[]): string {
  const failed = steps.filter((s) => s.status === "fail").length;
  const warned = steps.filter((s) => s.status === "warn").length;
  if (failed === 0 && warned === 0) return "Everything the doctor can reach works.";
  return `${failed} problem(s), ${warned} warning(s).`;
}

/** Resolves with the promise, or rejects with a DeadlineError after `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineError(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class DeadlineError extends Error {
  readonly code = "DEADLINE";
}
