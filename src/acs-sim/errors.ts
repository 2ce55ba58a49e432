/**
 * Errors the simulated ACS raises toward the test or replay driving it. Tests
 * match on `code`; messages say what happened and what was expected.
 */
import { AppError } from "../errors.js";

export type AcsSimErrorCode =
  /** The media WebSocket upgrade was answered with an HTTP status instead of 101. */
  | "acs_sim_upgrade_refused"
  /** The media WebSocket could not be opened (connection refused, reset, timeout). */
  | "acs_sim_connect_failed"
  /** A waiting helper ran out of time. */
  | "acs_sim_timeout"
  /** The test gave the simulator something it cannot send (bad digit, unsupported rate, …). */
  | "acs_sim_bad_input"
  /** The operation needs an open media socket. */
  | "acs_sim_not_connected"
  /** The bot never answered the call it was offered. */
  | "acs_sim_not_answered"
  /** The simulator was closed while something was still awaited. */
  | "acs_sim_closed";

export class AcsSimError extends AppError {
  override readonly code: AcsSimErrorCode;
  /** HTTP status of a refused upgrade. */
  readonly status: number | undefined;

  constructor(code: AcsSimErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "AcsSimError";
    this.code = code;
    this.status = options.status;
  }
}
