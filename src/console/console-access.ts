/**
 * Who may use the console and the softphone — the rule of GET /metrics:
 *
 * - CONSOLE_TOKEN set: `Authorization: Bearer <token>` (scripts), or the
 *   session cookie the page gets by posting the token once. Browsers cannot
 *   put headers on a WebSocket, but they send same-site cookies with it: the
 *   cookie is a signed ticket (expiry + HMAC keyed by the token, so rotating the
 *   token signs everyone out), HttpOnly, SameSite=Strict, Secure on https.
 * - unset, local run (PUBLIC_BASE_URL on loopback): open to clients on this
 *   machine only (HOST may be 0.0.0.0; the LAN gets nothing without a token).
 * - unset, public deployment: off (every /console route is 404).
 *
 * Every state-changing request and every WebSocket upgrade that carries an
 * Origin must come from this very origin: another site open in the same
 * browser cannot read calls or dial the bot.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Clock } from "../clock.js";

export type ConsoleMode = "token" | "local" | "off";

export interface ConsoleAccessConfig {
  readonly token: string | undefined;
  readonly local: boolean;
  /** The public origin is https: the cookie is Secure. */
  readonly secure: boolean;
}

export type AccessDecision = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly code: string; readonly message: string };

export const SESSION_COOKIE = "console_session";
/** A working day; the token is asked for again after that. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export class ConsoleAccess {
  readonly mode: ConsoleMode;
  private readonly tokenDigest: Buffer | undefined;
  private readonly ticketKey: Buffer | undefined;

  constructor(private readonly config: ConsoleAccessConfig, private readonly clock: Clock) {
    this.mode = config.token !== undefined ? "token" : config.local ? "local" : "off";
    if (config.token !== undefined) {
      this.tokenDigest = digest(config.token);
      this.ticketKey = createHmac("sha256", config.token).update("console-session-v1").digest();
    }
  }

  /** May this request read calls or open the softphone? */
  check(request: FastifyRequest): AccessDecision {
    if (!this.sameOrigin(request)) return deny(403, "console_origin_mismatch", "the request comes from another site");
    if (this.mode === "local") {
      return isLoopbackAddress(request.socket.remoteAddress)
        ? { ok: true }
        : deny(403, "console_loopback_only", "this local run serves the console to this machine only; set CONSOLE_TOKEN to use it from elsewhere");
    }
    if (this.mode === "off") return deny(403, "console_off", "the console is off");
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      return this.tokenMatches(authorization.replace(/^Bearer\s+/i, ""))
        ? { ok: true }
        : deny(401, "console_token_invalid", "wrong console token");
    }
    const ticket = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (ticket !== undefined && this.ticketValid(ticket)) return { ok: true };
    return deny(401, "console_sign_in_required", "sign in with the console token");
  }

  tokenMatches(candidate: string): boolean {
    return this.tokenDigest !== undefined && timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  /** Set-Cookie value for a fresh session. */
  sessionCookie(): string {
    const expires = Math.floor((this.clock.date().getTime() + SESSION_TTL_MS) / 1000);
    const body = `v1.${expires}.${randomBytes(12).toString("base64url")}`;
    return this.cookie(`${body}.${this.sign(body)}`, SESSION_TTL_MS / 1000);
  }

  clearedCookie(): string {
    return this.cookie("", 0);
  }

  /** No Origin (curl, scripts) is fine; a browser's Origin must name this host. */
  sameOrigin(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  private ticketValid(ticket: string): boolean {
    const parts = ticket.split(".");
    if (parts.length !== 4 || parts[0] !== "v1" || this.ticketKey === undefined) return false;
    const body = parts.slice(0, 3).join(".");
    const given = Buffer.from(parts[3]!, "base64url");
    const expected = Buffer.from(this.sign(body), "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Number(parts[1]) * 1000 > this.clock.date().getTime();
  }

  private sign(body: string): string {
    return createHmac("sha256", this.ticketKey!).update(body).digest("base64url");
  }

  private cookie(value: string, maxAgeSeconds: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/console; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${this.config.secure ? "; Secure" : ""}`;
  }
}

function deny(status: 401 | 403, code: string, message: string): AccessDecision {
  return { ok: false, status, code, message };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
