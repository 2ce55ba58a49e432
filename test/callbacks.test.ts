import { generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CallRecord } from "../src/calls/call-record.js";
import { callbackEvent, incomingCallEvent, postJson, startHarness, TEST_RESOURCE_ID, type Harness, scrapeMetrics } from "./support/bot-harness.js";

describe("ACS callbacks", () => {
  let h: Harness;
  let record: CallRecord;
  let ids: { callConnectionId: string; serverCallId: string; correlationId: string };

  beforeEach(async () => {
    h = await startHarness();
    const event = incomingCallEvent();
    await postJson(`${h.baseUrl}/api/incoming-call`, [event]);
    await h.bot.calls.settle();
    record = h.bot.calls.registry.byCorrelationId(event.data.correlationId)!;
    ids = { callConnectionId: record.callConnectionId!, serverCallId: event.data.serverCallId, correlationId: event.data.correlationId };
  });
  afterEach(async () => {
    await h.close();
  });

  const post = async (events: unknown, token?: string) =>
    postJson(`${h.baseUrl}/api/callbacks`, events, {
      authorization: `Bearer ${token ?? (await h.issuer.mint())}`,
    });

  it("applies every event of one delivery, in order", async () => {
    const response = await post([
      callbackEvent("CallConnected", { ...ids, operationContext: "answer" }),
      callbackEvent("MediaStreamingStarted", {
        ...ids,
        mediaStreamingUpdate: { contentType: "Audio", mediaStreamingStatus: "mediaStreamingStarted", mediaStreamingStatusDetails: "subscriptionStarted" },
      }),
      callbackEvent("ParticipantsUpdated", {
        ...ids,
        participants: [{ identifier: { rawId: "4:+12065551212", kind: "phoneNumber" }, isMuted: false }],
        sequenceNumber: 1,
      }),
      callbackEvent("RecognizeCompleted", { ...ids }),
    ]);
    expect(response.status).toBe(200);
    expect(record.state).toBe("connected");
    expect(record.mediaStreaming).toBe("started");
    expect(record.participants).toEqual(["4:+12065551212"]);
    const metrics = await scrapeMetrics(h.baseUrl);
    expect(metrics).toMatch(/bot_callback_events_total\{type="unknown"\} 1/);
  });

  it("releases everything the call holds on CallDisconnected", async () => {
    let disposed = 0;
    record.addDisposer(() => void (disposed += 1));
    expect((await post([callbackEvent("CallDisconnected", ids)])).status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    expect(disposed).toBe(1);
    expect(h.bot.calls.registry.size).toBe(0);
    // A repeated disconnect is harmless and releases nothing twice.
    expect((await post([callbackEvent("CallDisconnected", ids)])).status).toBe(200);
    expect(disposed).toBe(1);
  });

  it("hangs up when media streaming fails, so the caller is not left in silence", async () => {
    const response = await post([
      callbackEvent("MediaStreamingFailed", {
        ...ids,
        mediaStreamingUpdate: { mediaStreamingStatus: "mediaStreamingFailed", mediaStreamingStatusDetails: "streamConnectionUnsuccessful" },
        resultInformation: { code: 500, subCode: 8581, message: "Action failed, the WebSocket connection failed." },
      }),
    ]);
    expect(response.status).toBe(200);
    const [hangUp] = await h.acs.waitFor((r) => r.path === `/calling/callConnections/${ids.callConnectionId}:terminate`);
    expect(hangUp!.method).toBe("POST");
    await h.bot.calls.settle();
    // The release follows the hang-up's reply: wait for it, not for a guessed time.
    const deadline = Date.now() + 5000;
    while (h.bot.calls.registry.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(h.bot.calls.registry.size).toBe(0);
  });

  it("records transfer outcomes", async () => {
    const failures: string[] = [];
    record.on("transferFailed", (reason) => failures.push(reason));
    await h.bot.calls.transfer(record, "+14255550100", "transfer");
    await post([callbackEvent("CallTransferFailed", { ...ids, resultInformation: { code: 500, subCode: 7504, message: "Transfer target busy" } })]);
    expect(record.transfer).toMatchObject({ state: "failed", target: "+14255550100", detail: "Transfer target busy" });
    expect(failures).toEqual(["Transfer target busy"]);
    await post([callbackEvent("CallTransferAccepted", ids)]);
    expect(record.transfer?.state).toBe("accepted");
  });

  describe("refuses tokens ACS did not sign for us, with no side effects", () => {
    const cases: Array<[string, (h: Harness) => Promise<string | undefined>]> = [
      ["a token signed by another key", async (h) => {
        const { privateKey } = await generateKeyPair("RS256");
        return new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "acs-sim-1" }).setIssuer(h.issuer.issuer)
          .setAudience(TEST_RESOURCE_ID).setIssuedAt().setExpirationTime("5m").sign(privateKey);
      }],
      ["an expired token", (h) => h.issuer.mint({ expiresInS: -120 })],
      ["a token for another ACS resource", (h) => h.issuer.mint({ audience: "11111111-2222-3333-4444-555555555555" })],
      ["a token from another issuer", (h) => h.issuer.mint({ issuer: "https://evil.example" })],
      ["an unsigned token (alg none)", async () => {
        const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
        const payload = Buffer.from(JSON.stringify({ iss: "https://acscallautomation.communication.azure.com", aud: TEST_RESOURCE_ID, exp: Math.floor(Date.now() / 1000) + 300 })).toString("base64url");
        return `${header}.${payload}.`;
      }],
      ["no token at all", async () => undefined],
    ];
    for (const [name, makeToken] of cases) {
      it(name, async () => {
        const token = await makeToken(h);
        const response = await postJson(
          `${h.baseUrl}/api/callbacks`,
          [callbackEvent("CallDisconnected", ids)],
          token === undefined ? {} : { authorization: `Bearer ${token}` },
        );
        expect(response.status).toBe(401);
        expect(((await response.json()) as any).error.code).toBe("acs_jwt_invalid");
        expect(h.bot.calls.registry.size).toBe(1);
        expect(record.released).toBe(false);
      });
    }
  });

  it("fetches the ACS key set once and reuses it", async () => {
    for (let i = 0; i < 3; i += 1) expect((await post([callbackEvent("CallConnected", ids)])).status).toBe(200);
    expect(h.issuer.jwksFetches).toBe(1);
  });

  it("refuses malformed callback bodies with a clear 400", async () => {
    for (const [body, message] of [["{", /JSON/i], ["7", /array/], ["[1]", /object/], ["[{\"data\":{}}]", /no type/]] as const) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.message).toMatch(message);
    }
    expect(record.released).toBe(false);
  });

  it("ignores callbacks for calls it does not hold", async () => {
    const response = await post([callbackEvent("CallConnected", { callConnectionId: "someone-else", correlationId: "x" })]);
    expect(response.status).toBe(200);
    expect(record.state).toBe("answered");
  });
});
