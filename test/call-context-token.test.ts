import { describe, expect, it } from "vitest";
import { signCallContext, verifyCallContext } from "../src/calls/call-context-token.js";

const secret = Buffer.alloc(32, 7);
const TTL_MS = 2 * 3600_000;
const context = {
  correlationId: "c-1",
  serverCallId: "s-1",
  callerRawId: "4:+12065551212",
  callerNumber: "+12065551212",
  calleeRawId: "4:+14255551212",
  calleeNumber: "+14255551212",
  callerDisplayName: "Jane",
};

describe("signed call context on the media transportUrl", () => {
  it("round-trips what the media socket needs", () => {
    const now = Date.now();
    expect(verifyCallContext(signCallContext(context, secret, now, TTL_MS), secret, now)).toEqual(context);
  });

  it("detects tampering, a foreign key and expiry", () => {
    const now = Date.now();
    const token = signCallContext(context, secret, now, TTL_MS);
    const [body, mac] = token.split(".");
    const forged = Buffer.from(Buffer.from(body!, "base64url").toString().replace("+12065551212", "+19995550000")).toString("base64url");
    expect(() => verifyCallContext(`${forged}.${mac}`, secret, now)).toThrow(/bad signature/);
    expect(() => verifyCallContext(token, Buffer.alloc(32, 8), now)).toThrow(/bad signature/);
    expect(() => verifyCallContext(token, secret, now + TTL_MS + 1000)).toThrow(/expired/);
    expect(() => verifyCallContext("garbage", secret, now)).toThrow(/payload/);
  });
});
