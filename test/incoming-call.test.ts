import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyCallContext } from "../src/calls/call-context-token.js";
import { incomingCallEvent, postJson, startHarness, type Harness, scrapeMetrics } from "./support/bot-harness.js";

const answerRequests = (h: Harness) => h.acs.requests.filter((r) => r.path === "/calling/callConnections:answer");

describe("Event Grid → IncomingCall webhook", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ EVENTGRID_SECRETS: "old-secret,new-secret" });
  });
  afterEach(async () => {
    await h.close();
  });

  it("answers an incoming call through the real SDK with media streaming to our socket", async () => {
    const event = incomingCallEvent();
    const response = await postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [event]);
    expect(response.status).toBe(200);
    const [answer] = await h.acs.waitFor((r) => r.path === "/calling/callConnections:answer");
    await h.bot.calls.settle();
    expect(answerRequests(h)).toHaveLength(1);
    const body = answer!.body as Record<string, any>;
    expect(body.incomingCallContext).toBe(event.data.incomingCallContext);
    expect(body.callbackUri).toBe("https://bot.example.test/api/callbacks");
    expect(body.operationContext).toBe("answer");
    const media = body.mediaStreamingOptions;
    expect(media).toMatchObject({
      transportType: "websocket",
      contentType: "audio",
      audioChannelType: "mixed",
      startMediaStreaming: true,
      enableBidirectional: true,
      audioFormat: "pcm24KMono",
    });
    // The media socket can be served by any replica: the call context rides on the URL, signed.
    const transportUrl = new URL(media.transportUrl);
    expect(`${transportUrl.origin}${transportUrl.pathname}`).toBe("wss://bot.example.test/media");
    const context = verifyCallContext(transportUrl.searchParams.get("ctx")!, h.bot.calls["deps"].config.acs.mediaContextSecret, Date.now());
    expect(context).toMatchObject({
      correlationId: event.data.correlationId,
      callerNumber: "+12065551212",
      calleeNumber: "+14255551212",
    });
    const record = h.bot.calls.registry.byCorrelationId(event.data.correlationId)!;
    expect(record.callConnectionId).toBe(answer!.callConnectionId);
    expect(record.state).toBe("answered");
  });

  it("replies 200 to Event Grid before a slow ACS has answered", async () => {
    h.acs.delay("answer", 1500);
    let acsRepliedAt = Number.POSITIVE_INFINITY;
    h.acs.onRequest((request) => {
      if (request.path.endsWith(":answer")) acsRepliedAt = performance.now();
    });
    const response = await postJson(`${h.baseUrl}/api/incoming-call?code=old-secret`, [incomingCallEvent()]);
    const webhookRepliedAt = performance.now();
    expect(response.status).toBe(200);
    expect(webhookRepliedAt).toBeLessThan(acsRepliedAt);
    await h.bot.calls.settle();
    expect(acsRepliedAt).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(answerRequests(h)).toHaveLength(1);
  });

  it("answers a call once when Event Grid delivers it again (same correlationId or serverCallId)", async () => {
    const event = incomingCallEvent();
    const again = { ...event, id: crypto.randomUUID() };
    const sameServerCall = incomingCallEvent({ serverCallId: event.data.serverCallId });
    const replies = await Promise.all([
      postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [event]),
      postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [again]),
      postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [sameServerCall]),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.bot.calls.settle();
    // A late retry after the answer completed is still a duplicate.
    expect((await postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [event])).status).toBe(200);
    await h.bot.calls.settle();
    expect(answerRequests(h)).toHaveLength(1);
  });

  it("refuses a delivery with a wrong or missing secret and makes no ACS request", async () => {
    for (const query of ["?code=wrong", "", "?code=", "?code=new-secretX"]) {
      const response = await postJson(`${h.baseUrl}/api/incoming-call${query}`, [incomingCallEvent()]);
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error.code).toBe("eventgrid_secret_invalid");
    }
    await h.bot.calls.settle();
    expect(h.acs.requests).toHaveLength(0);
    expect(h.bot.calls.registry.size).toBe(0);
  });

  it("echoes the subscription validation code", async () => {
    const response = await postJson(`${h.baseUrl}/api/incoming-call?code=old-secret`, [
      {
        id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
        topic: "/subscriptions/x",
        subject: "",
        data: { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://rp-eastus2.eventgrid.azure.net/..." },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: "2018-01-25T22:12:19.4556811Z",
        metadataVersion: "1",
        dataVersion: "1",
      },
    ]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
  });

  it("answers CloudEvents-schema validation (OPTIONS) with the allowed origin", async () => {
    const response = await fetch(`${h.baseUrl}/api/incoming-call?code=new-secret`, {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
  });

  it("ignores unknown event types with 200", async () => {
    const response = await postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [
      { id: "1", eventType: "Microsoft.Communication.RecordingFileStatusUpdated", data: {}, subject: "", eventTime: "" },
    ]);
    expect(response.status).toBe(200);
    await h.bot.calls.settle();
    expect(h.acs.requests).toHaveLength(0);
  });

  it("refuses malformed bodies with a clear 400 and keeps serving", async () => {
    const cases: Array<[unknown, RegExp]> = [
      ["{not json", /JSON/i],
      ["\"a string\"", /array/],
      [[], /empty/],
      [[42], /must be an object/],
      [[{ data: {} }], /no eventType/],
      [[{ eventType: "Microsoft.EventGrid.SubscriptionValidationEvent", data: {} }], /validationCode/],
      [[{ ...incomingCallEvent(), data: { ...incomingCallEvent().data, incomingCallContext: undefined } }], /incomingCallContext/],
      [[{ ...incomingCallEvent(), data: { ...incomingCallEvent().data, from: "nobody" } }], /data\.from/],
    ];
    for (const [body, message] of cases) {
      const response = await postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const payload = (await response.json()) as any;
      expect(payload.error.message).toMatch(message);
    }
    await h.bot.calls.settle();
    expect(h.acs.requests).toHaveLength(0);
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });

  it("releases the call record when ACS refuses the answer", async () => {
    h.acs.fail("answer", 400);
    const event = incomingCallEvent();
    expect((await postJson(`${h.baseUrl}/api/incoming-call?code=new-secret`, [event])).status).toBe(200);
    await h.bot.calls.settle();
    expect(answerRequests(h)).toHaveLength(1);
    expect(h.bot.calls.registry.size).toBe(0);
    const metrics = await scrapeMetrics(h.baseUrl);
    expect(metrics).toMatch(/bot_incoming_calls_total\{outcome="answer_failed",profile="default"\} 1/);
  });
});

describe("IncomingCall without EVENTGRID_SECRETS", () => {
  it("accepts deliveries without ?code=", async () => {
    const h = await startHarness();
    try {
      expect((await postJson(`${h.baseUrl}/api/incoming-call`, [incomingCallEvent()])).status).toBe(200);
      await h.bot.calls.settle();
      expect(answerRequests(h)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
