import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { startAcsSimulator, tunnelTo, type AcsSimulator, type AcsSimulatorOptions } from "../src/acs-sim/index.js";
import { defaultMediaOptions, PUBLIC_BOT, startFakeBot, type FakeBot } from "./acs-sim-fake-bot.js";

const RESOURCE_ID = "5f6c3a2e-8a41-4d5b-9c1e-2b7d0e4f1a93";
const CALLER = { webhookUrl: `${PUBLIC_BOT}/api/incoming-call?code=s3cret`, from: "+12065551212", to: "+14255551212" };

describe("simulated ACS around a bot", () => {
  let sim: AcsSimulator | undefined;
  let bot: FakeBot;

  /** A simulator and a stand-in bot; the bot's public https/wss URLs reach it on loopback, as through a dev tunnel. */
  const setup = async (options: AcsSimulatorOptions = {}): Promise<AcsSimulator> => {
    sim = await startAcsSimulator({ resourceId: RESOURCE_ID, tunnel: (url) => tunnelTo(bot.baseUrl)(url), ...options });
    bot = await startFakeBot(sim.connectionString);
    return sim;
  };
  afterEach(async () => {
    await sim?.close();
    await bot?.close();
    sim = undefined;
  });

  it("rings the bot through Event Grid, then connects like ACS: CallConnected, ParticipantsUpdated, media socket, MediaStreamingStarted", async () => {
    const sim = await setup();
    const call = await sim.placeCall({ ...CALLER, callerDisplayName: "Jane Caller" });

    // Event Grid: one Notification delivery to the subscription URL, query kept.
    expect(bot.webhooks).toHaveLength(1);
    const [delivery] = bot.webhooks;
    expect(delivery!.path).toBe("/api/incoming-call?code=s3cret");
    expect(delivery!.headers["aeg-event-type"]).toBe("Notification");
    expect(call.deliveries.map((d) => d.status)).toEqual([200]);
    const [event] = delivery!.body;
    expect(event).toMatchObject({
      eventType: "Microsoft.Communication.IncomingCall",
      subject: "/caller/4:+12065551212/recipient/4:+14255551212",
      dataVersion: "1.0",
      metadataVersion: "1",
      data: {
        to: { kind: "phoneNumber", rawId: "4:+14255551212", phoneNumber: { value: "+14255551212" } },
        from: { kind: "phoneNumber", rawId: "4:+12065551212", phoneNumber: { value: "+12065551212" } },
        callerDisplayName: "Jane Caller",
        customContext: { sipHeaders: {}, voipHeaders: {} },
        correlationId: call.correlationId,
        serverCallId: call.serverCallId,
        incomingCallContext: call.incomingCallContext,
      },
    });

    const answered = await call.answered;
    expect(answered.callConnectionId).toBe(call.callConnectionId);
    expect(answered.mediaStreaming).toMatchObject({ transportUrl: "wss://bot.example.test/media?ctx=signed-context", audioFormat: "pcm16KMono" });
    await expect.poll(() => bot.answers).toEqual([{ callConnectionId: call.callConnectionId }]);

    const media = await call.mediaConnected;
    expect(media.leg.name).toBe("pcm16k"); // "acs" leg: the rate the answer asked for
    const connection = await bot.media.nextConnection();
    expect(connection.url).toBe("/media?ctx=signed-context");
    expect(connection.headers["x-ms-call-connection-id"]).toBe(call.callConnectionId);
    expect(connection.headers["x-ms-call-correlation-id"]).toBe(call.correlationId);
    await connection.waitForFrames((frame) => frame.json.kind === "AudioData");
    expect(connection.frames[0]!.json.audioMetadata).toMatchObject({ encoding: "PCM", sampleRate: 16000, length: 640 });
    expect(connection.frames[1]!.json.audioData.participantRawID).toBe("4:+12065551212");

    await call.waitForCallback("MediaStreamingStarted");
    expect(bot.callbackTypes()).toEqual(["CallConnected", "ParticipantsUpdated", "MediaStreamingStarted"]);
    expect(call.callbacks.map((c) => [c.type, c.status])).toEqual([
      ["CallConnected", 200],
      ["ParticipantsUpdated", 200],
      ["MediaStreamingStarted", 200],
    ]);
    const events = bot.callbacks.map((posted) => posted.body[0]);
    for (const callback of events) {
      expect(callback).toMatchObject({
        specversion: "1.0",
        source: `calling/callConnections/${call.callConnectionId}`,
        data: { callConnectionId: call.callConnectionId, serverCallId: call.serverCallId, correlationId: call.correlationId },
      });
    }
    expect(events[0].data.operationContext).toBe("answer");
    expect(events[1].data.participants).toEqual([
      { identifier: { kind: "phoneNumber", rawId: "4:+12065551212", phoneNumber: { value: "+12065551212" } }, isMuted: false, isOnHold: false },
    ]);
    expect(events[2].data.mediaStreamingUpdate).toEqual({ contentType: "Audio", mediaStreamingStatus: "mediaStreamingStarted", mediaStreamingStatusDetails: "subscriptionStarted" });

    // Every callback and the media upgrade carry an ACS-signed token: 5 min for callbacks, 24 h for media.
    const keys = createRemoteJWKSet(new URL(sim.jwksUrl));
    const verify = async (authorization: string | undefined) =>
      (await jwtVerify(/^Bearer (.+)$/.exec(authorization ?? "")![1]!, keys, { audience: RESOURCE_ID, issuer: "https://acscallautomation.communication.azure.com" })).payload;
    for (const posted of bot.callbacks) {
      const claims = await verify(posted.headers.authorization);
      expect(claims.exp! - claims.iat!).toBe(300);
    }
    const mediaClaims = await verify(connection.headers.authorization);
    expect(mediaClaims.exp! - mediaClaims.iat!).toBe(24 * 3600);
  });

  it("ends the call when the bot hangs up: socket closed, CallDisconnected, and later operations get 404", async () => {
    const sim = await setup();
    const call = await sim.placeCall(CALLER);
    await call.mediaConnected;
    const connection = await bot.media.nextConnection();
    await call.waitForCallback("MediaStreamingStarted");

    await bot.client.getCallConnection(call.callConnectionId!).hangUp(true);
    const end = await call.ended;
    expect(end).toMatchObject({ reason: "botHungUp", by: "bot" });
    expect(await connection.closed).toMatchObject({ code: 1000 });
    expect(bot.callbackTypes().at(-1)).toBe("CallDisconnected");
    expect(bot.callbacks.at(-1)!.body[0].data.resultInformation).toMatchObject({ code: 200 });
    expect(call.restRequests.map((r) => r.operation)).toEqual(["answer", "terminate"]);

    const again = await bot.client.getCallConnection(call.callConnectionId!).hangUp(false).then(() => undefined, (e: { statusCode?: number }) => e);
    expect(again).toMatchObject({ statusCode: 404 });
  });

  it("a bot leaving with hangUp(false) (DELETE) ends the 1:1 call too", async () => {
    const sim = await setup();
    const call = await sim.placeCall(CALLER);
    await call.waitForCallback("MediaStreamingStarted");
    await bot.client.getCallConnection(call.callConnectionId!).hangUp(false);
    expect(await call.ended).toMatchObject({ reason: "botHungUp" });
    expect(call.restRequests.map((r) => r.operation)).toEqual(["answer", "hangUp"]);
  });

  it("transfers: CallTransferAccepted to the operation's callback, then the bot is out of the call", async () => {
    const sim = await setup();
    const call = await sim.placeCall(CALLER);
    await call.waitForCallback("MediaStreamingStarted");
    const connection = await bot.media.nextConnection();
    await bot.client.getCallConnection(call.callConnectionId!).transferCallToParticipant({ phoneNumber: "+14255550100" }, { operationContext: "transfer-1" });
    const end = await call.ended;
    expect(end).toMatchObject({ reason: "transferred", transferTarget: "4:+14255550100" });
    expect(bot.callbackTypes().slice(-2)).toEqual(["CallTransferAccepted", "CallDisconnected"]);
    const accepted = bot.callbacks.at(-2)!.body[0].data;
    expect(accepted).toMatchObject({ operationContext: "transfer-1", transferTarget: { rawId: "4:+14255550100" }, transferee: { rawId: "4:+12065551212" } });
    expect((await connection.closed).code).toBe(1000);
  });

  it("refuses transfers when told to: CallTransferFailed with code, subCode and message; the call stays up until the caller hangs up", async () => {
    const sim = await setup();
    sim.failTransfers("Transfer target busy");
    const call = await sim.placeCall(CALLER);
    await call.waitForCallback("MediaStreamingStarted");
    const connection = await bot.media.nextConnection();
    await bot.client.getCallConnection(call.callConnectionId!).transferCallToParticipant({ phoneNumber: "+14255550100" }, { operationContext: "transfer-1" });
    await call.waitForCallback("CallTransferFailed");
    expect(bot.callbacks.at(-1)!.body[0].data).toMatchObject({
      operationContext: "transfer-1",
      resultInformation: { code: 500, subCode: 7504, message: "Transfer target busy" },
    });
    expect(call.state).toBe("connected");
    expect(call.media!.state).toBe("open");

    const end = await call.hangUp();
    expect(end).toMatchObject({ reason: "callerHungUp", by: "caller" });
    expect(await connection.closed).toMatchObject({ code: 1000 });
    expect(bot.callbackTypes().at(-1)).toBe("CallDisconnected");
  });

  it("reports a media socket the bot refuses: MediaStreamingFailed, and the call ends as a media failure", async () => {
    const sim = await setup();
    bot.media.refuseWith = 401;
    const call = await sim.placeCall(CALLER);
    await expect(call.mediaConnected).rejects.toMatchObject({ code: "acs_sim_upgrade_refused", status: 401 });
    await call.waitForCallback("MediaStreamingFailed");
    expect(bot.callbacks.at(-1)!.body[0].data).toMatchObject({
      mediaStreamingUpdate: { mediaStreamingStatus: "mediaStreamingFailed", mediaStreamingStatusDetails: "streamConnectionUnsuccessful" },
      resultInformation: { code: 500, subCode: 8581 },
    });
    await bot.client.getCallConnection(call.callConnectionId!).hangUp(true);
    expect(await call.ended).toMatchObject({ reason: "mediaFailed", by: "bot", mediaFailure: "streamConnectionUnsuccessful" });
  });

  it("a bot closing its media socket mid-call gets MediaStreamingFailed (streamConnectionInterrupted); the caller gives up", async () => {
    const sim = await setup({ mediaCloseGraceMs: 50, hangUpAfterMediaFailureMs: 200 });
    const call = await sim.placeCall(CALLER);
    await call.waitForCallback("MediaStreamingStarted");
    const connection = await bot.media.nextConnection();
    connection.ws.close(1011, "bot crashed");
    await call.waitForCallback("MediaStreamingFailed");
    expect(bot.callbacks.at(-1)!.body[0].data.mediaStreamingUpdate.mediaStreamingStatusDetails).toBe("streamConnectionInterrupted");
    expect(await call.waitForEnd(3000)).toMatchObject({ reason: "mediaFailed", by: "caller" });
    expect(bot.callbackTypes().at(-1)).toBe("CallDisconnected");
  });

  it("streams the leg the answer asked for, or a fixed leg for G.711 tests, at the requested speed", async () => {
    const sim = await setup();
    bot.answerWith = { mediaStreamingOptions: defaultMediaOptions({ audioFormat: "pcm24KMono" }) };
    const acsLeg = await sim.placeCall(CALLER);
    expect((await acsLeg.mediaConnected).leg.name).toBe("pcm24k");
    const fixed = await sim.placeCall({ ...CALLER, leg: "mulaw8k", speed: 4 });
    const media = await fixed.mediaConnected;
    expect(media.leg.name).toBe("mulaw8k");
    expect(media.speed).toBe(4);
    await bot.media.nextConnection();
    const connection = await bot.media.nextConnection();
    await connection.waitForFrames((frame) => frame.json.kind === "AudioData");
    expect(connection.frames[0]!.json.audioMetadata).toMatchObject({ encoding: "mulaw", sampleRate: 8000, length: 160 });
  });

  it("key presses reach the bot as DtmfData only when the answer enabled DTMF tones", async () => {
    const sim = await setup();
    bot.answerWith = { mediaStreamingOptions: defaultMediaOptions({ enableDtmfTones: true }) };
    const withDtmf = await sim.placeCall(CALLER);
    const withConnection = await bot.media.nextConnection();
    bot.answerWith = { mediaStreamingOptions: defaultMediaOptions() };
    const withoutDtmf = await sim.placeCall(CALLER);
    const withoutConnection = await bot.media.nextConnection();
    for (const call of [withDtmf, withoutDtmf]) (await call.mediaConnected).pressDigit("5");
    await withConnection.waitForFrames((frame) => frame.json.kind === "DtmfData");
    await withoutDtmf.media!.waitForAudioSent(2000);
    await withoutConnection.waitForFrames((frame) => frame.json.kind === "AudioData", 5);
    expect(withoutConnection.frames.filter((frame) => frame.json.kind === "DtmfData")).toHaveLength(0);
    expect(withoutDtmf.media!.callerTimeline().digits).toEqual([expect.objectContaining({ digit: "5", delivered: false })]);
  });

  it("refuses answers ACS would refuse: http callback, a second answer; an unanswered call rings out", async () => {
    const sim = await setup({ answerTimeoutMs: 300 });
    bot.answerWith = { callbackUri: "http://bot.example.test/api/callbacks", mediaStreamingOptions: defaultMediaOptions() };
    const insecure = await sim.placeCall(CALLER);
    await expect(insecure.answered).rejects.toMatchObject({ code: "acs_sim_not_answered" });
    expect(bot.answers[0]!.error).toMatchObject({ statusCode: 400 });
    expect(insecure.restRequests[0]!.refused).toMatchObject({ status: 400, message: "The field CallbackUri is invalid." });
    expect(await insecure.ended).toMatchObject({ reason: "notAnswered", by: "caller" });
    expect(insecure.callbacks).toHaveLength(0);

    // Event Grid delivers twice; a bot without de-duplication answers twice and ACS refuses the second.
    bot.answerWith = { mediaStreamingOptions: defaultMediaOptions() };
    const twice = await sim.placeCall({ ...CALLER, deliveries: 2 });
    expect(bot.webhooks.slice(-2).map((posted) => posted.headers["aeg-delivery-count"])).toEqual(["0", "1"]);
    await twice.answered;
    await expect.poll(() => bot.answers.length, { timeout: 3000 }).toBe(3);
    expect(bot.answers.slice(1).filter((a) => a.error).map((a) => a.error!.statusCode)).toEqual([400]);
    expect(twice.state).toBe("connected");
  });

  it("without a tunnel, unreachable public URLs show up as failed deliveries, not crashes", async () => {
    const sim = await setup({ tunnel: undefined });
    const call = await sim.placeCall({ ...CALLER, webhookUrl: "http://127.0.0.1:1/api/incoming-call" });
    expect(call.deliveries).toHaveLength(1);
    expect(call.deliveries[0]!.status).toBeUndefined();
    expect(call.deliveries[0]!.error).toMatch(/fetch failed|ECONNREFUSED/);
    await sim.close();
    expect(await call.ended).toMatchObject({ reason: "simulatorClosed" });
  });
});
