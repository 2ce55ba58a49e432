/**
 * What the media socket needs to serve a call, carried on the ACS transportUrl so
 * any replica can serve it: base64url(JSON) "." base64url(HMAC-SHA256). Tamper-evident,
 * not secret (the numbers are the caller's own); expiry bounds replay.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.js";

export interface CallContext {
  readonly correlationId: string;
  readonly serverCallId: string;
  readonly callerRawId: string;
  readonly callerNumber: string | undefined;
  readonly calleeRawId: string;
  readonly calleeNumber: string | undefined;
  readonly callerDisplayName: string | undefined;
}

interface WirePayload {
  v: 1;
  cid: string;
  sid: string;
  fr: string;
  fn?: string;
  to: string;
  tn?: string;
  dn?: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export const CALL_CONTEXT_PARAM = "ctx";
/** Time from the answer request to the first media connection, at most (ACS connects within seconds). */
const ANSWER_SLACK_MS = 5 * 60 * 1000;

/**
 * A media URL is valid as long as the longest call the bot allows (plus the time
 * ACS takes to connect): long enough for ACS to re-establish a dropped media
 * socket late in a long call, no longer.
 */
export function callContextTtlMs(config: { readonly call: { readonly limits: { readonly maxCallDurationMs: number } } }): number {
  return config.call.limits.maxCallDurationMs + ANSWER_SLACK_MS;
}

export function signCallContext(context: CallContext, secret: Buffer, nowMs: number, ttlMs: number): string {
  const payload: WirePayload = {
    v: 1,
    cid: context.correlationId,
    sid: context.serverCallId,
    fr: context.callerRawId,
    to: context.calleeRawId,
    exp: Math.floor((nowMs + ttlMs) / 1000),
  };
  if (context.callerNumber !== undefined) payload.fn = context.callerNumber;
  if (context.calleeNumber !== undefined) payload.tn = context.calleeNumber;
  if (context.callerDisplayName !== undefined) payload.dn = context.callerDisplayName;
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${body}.${mac(body, secret)}`;
}

export function verifyCallContext(token: string, secret: Buffer, nowMs: number): CallContext {
  const dot = token.indexOf(".");
  if (dot <= 0 || dot === token.length - 1) throw invalid("is not <payload>.<signature>");
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = Buffer.from(mac(body, secret), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid("has a bad signature");
  let payload: Partial<WirePayload>;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<WirePayload>;
  } catch {
    throw invalid("payload is not JSON");
  }
  if (payload.v !== 1 || typeof payload.cid !== "string" || typeof payload.sid !== "string" ||
      typeof payload.fr !== "string" || typeof payload.to !== "string" || typeof payload.exp !== "number") {
    throw invalid("payload is incomplete");
  }
  if (payload.exp * 1000 <= nowMs) throw invalid("has expired");
  return {
    correlationId: payload.cid,
    serverCallId: payload.sid,
    callerRawId: payload.fr,
    callerNumber: payload.fn,
    calleeRawId: payload.to,
    calleeNumber: payload.tn,
    callerDisplayName: payload.dn,
  };
}

function mac(body: string, secret: Buffer): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}

function invalid(what: string): AppError {
  return new AppError("call_context_invalid", `call context ${what}`);
}
