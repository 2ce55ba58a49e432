/**
 * Replays one fixture as ACS would: Event Grid IncomingCall, the ACS answer
 * handled by the local ACS simulator, callbacks and the media socket with JWTs
 * from a local issuer, the caller's audio streamed in real time (or faster).
 * The bot runs in-process (or is a running one, reached by URL); Voice Live is
 * the emulator playing the fixture's scenario.
 */
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import pino, { type Logger } from "pino";
import { encodeG711CallerAudio, legForAudioFormat, legSpec, startAcsSimulator, tunnelTo, type AcsSimulator, type CallEnd, type LegName, type MediaCaller, type SimulatedCall } from "../acs-sim/index.js";
import { createBot, type Bot } from "../app.js";
import type { Clock } from "../clock.js";
import { loadConfig } from "../config/index.js";
import { errorMessage } from "../errors.js";
import { parseScenario, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../emulator/index.js";
import type { CallSession, CallSessionExtension } from "../media/call-session.js";
import type { ToolDefinition } from "../tools/index.js";
import type { CallContext } from "../calls/call-context-token.js";
import { renderTemplate } from "../voicelive/greeting.js";
import { buildSessionSettings } from "../voicelive/session-config.js";
import { createCallTimeClocks } from "./call-time.js";
import { collectEvidence, ReplayCallError, type ReplayEvidence } from "./evidence.js";
import { checkExpectation, type ExpectationResult } from "./expectations.js";
import type { Fixture } from "./fixture.js";
import { speechSegments, type CallObservation, type Span } from "./observation.js";
import { conversationTranscript, type TranscriptLine } from "./transcript.js";

export { ReplayCallError, type ReplayEvidence } from "./evidence.js";

export interface ReplayOptions {
  /** 1 = real time; 4 = four times faster (the bot, the emulator and the caller all run on the faster clock). */
  readonly speed: number;
  /** Overrides the fixture's leg: ACS's PCM 16/24 kHz (the bot's ACS_AUDIO_FORMAT by default), or μ-law 8 kHz (a G.711 source). */
  readonly leg?: LegName;
  /** Extra bot settings on top of the fixture's (in-process only). */
  readonly env?: Readonly<Record<string, string>>;
  /** A running bot instead of an in-process one (see peers.ts). */
  readonly target?: ReplayTarget;
  readonly logger?: Logger;
  /** Called with each timeline line as it happens. */
  readonly onTimeline?: (entry: TimelineEntry) => void;
}

export interface ReplayTarget {
  readonly botUrl: string;
  readonly publicBaseUrl: string;
  readonly sim: AcsSimulator;
  /** The emulator the running bot talks to; the runner loads each fixture's scenario into a fresh one. */
  startEmulator(scenario: unknown, clock: Clock): Promise<VoiceLiveEmulator>;
}

export interface TimelineEntry {
  readonly atMs: number;
  readonly who: "acs" | "caller" | "bot" | "tool" | "voicelive";
  readonly text: string;
}

export interface ReplayResult {
  readonly fixture: Fixture;
  readonly passed: boolean;
  readonly results: readonly ExpectationResult[];
  readonly observation: CallObservation;
  readonly heard: { readonly samples: Int16Array; readonly sampleRateHz: number };
  readonly transcript: readonly TranscriptLine[];
  readonly timeline: readonly TimelineEntry[];
  readonly leg: LegName;
  readonly speed: number;
  /** Wall ms the host starved the replay, left out of call time. */
  readonly hostStallsExcludedMs: number;
  readonly evidence: ReplayEvidence;
}

const PUBLIC_BASE_URL = "https://bot.replay.invalid";

export async function replayFixture(fixture: Fixture, options: ReplayOptions): Promise<ReplayResult> {
  const speed = options.speed;
  // Call time: spans the host starves this process do not exist for the bot, the emulator or the caller.
  const clocks = createCallTimeClocks(speed);
  const clock = clocks.scaled;
  const logger = options.logger ?? pino({ level: "silent" });
  const requestedLeg = options.leg ?? fixture.leg;
  // A PCM leg is ACS streaming what the answer asked for: the bot is configured for that format.
  const legEnv: Record<string, string> =
    requestedLeg === "pcm16k" ? { ACS_AUDIO_FORMAT: "pcm16KMono" } : requestedLeg === "pcm24k" ? { ACS_AUDIO_FORMAT: "pcm24KMono" } : {};
  const timeline: TimelineEntry[] = [];
  let media: MediaCaller | undefined;
  const mediaMs = (): number => media?.mediaNowMs() ?? 0;
  const record = (entry: TimelineEntry): void => {
    timeline.push(entry);
    options.onTimeline?.(entry);
  };
  let emitNote: (entry: TimelineEntry) => void = record;
  const note = (who: TimelineEntry["who"], text: string, atMs = mediaMs()): void => emitNote({ atMs, who, text });

  const heard = heardTranscript();
  const toolRuns: Array<Span & { name: string }> = [];
  const tools = fixture.tools.map((tool): ToolDefinition => ({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    async execute(args, context) {
      const startMs = mediaMs();
      note("tool", `${tool.name}(${JSON.stringify(args)}) started`);
      await sleep(tool.delayMs / speed, undefined, { signal: context.signal });
      toolRuns.push({ name: tool.name, startMs, endMs: mediaMs() });
      note("tool", `${tool.name} answered after ${Math.round(mediaMs() - startMs)} ms`);
      return { output: tool.output };
    },
  }));

  // Peers: Voice Live (the fixture's scenario, or the bot's embedded default) and ACS.
  let emulator: VoiceLiveEmulator | undefined;
  let bot: Bot | undefined;
  let sim: AcsSimulator;
  let botUrl = "";
  let botAudioFormat: string | undefined;
  let botGreeting: { text: string; voice: unknown } | undefined;
  let publicBaseUrl = PUBLIC_BASE_URL;
  const owned: Array<() => Promise<void>> = [async () => clocks.stop()];
  try {
    if (options.target) {
      sim = options.target.sim;
      botUrl = options.target.botUrl;
      publicBaseUrl = options.target.publicBaseUrl;
      emulator = await options.target.startEmulator(fixture.scenario, clock);
      owned.push(() => emulator!.close());
    } else {
      if (fixture.scenario !== undefined) {
        emulator = await startVoiceLiveEmulator({ port: 0, clock, scenario: parseScenario(fixture.scenario), logger: logger.child({ peer: "voicelive-emulator" }) });
        owned.push(() => emulator!.close());
      }
      sim = await startAcsSimulator({ speed, clock: clocks.unscaled, tunnel: (url) => tunnelTo(botUrl)(url) });
      owned.push(() => sim.close());
      const config = loadConfig({
        PUBLIC_BASE_URL,
        ACS_CONNECTION_STRING: sim.connectionString,
        ACS_RESOURCE_ID: sim.resourceId,
        ACS_JWKS_URL: sim.jwksUrl,
        ...(emulator ? { VOICELIVE_ENDPOINT: emulator.url, VOICELIVE_API_KEY: "replay" } : {}),
        ...fastReplayLead(speed, { ...fixture.env, ...options.env }),
        ...fixture.env,
        ...options.env,
        ...legEnv,
      });
      botAudioFormat = config.acs.audioFormat;
      const profile = config.profiles?.forNumber(fixture.to).config ?? config;
      if (profile.call.greeting.mode === "pregenerated") botGreeting = { text: profile.call.greeting.text, voice: buildSessionSettings(profile.voiceLive).voice };
      bot = await createBot({ config, logger: logger.child({ peer: "bot" }), clock, tools, extensions: () => [heard.extension] });
      owned.unshift(() => bot!.shutdown(0));
      await bot.server.listen({ host: "127.0.0.1", port: 0 });
      botUrl = `http://127.0.0.1:${(bot.server.server.address() as AddressInfo).port}`;
      emulator ??= bot.emulator;
    }

    // The caller's audio as the leg will carry it, converted before the call (whole-recording
    // filtering takes tens of milliseconds: not while the greeting should be starting).
    const expectedLeg = requestedLeg === "mulaw8k" ? legSpec("mulaw8k") : botAudioFormat ? legForAudioFormat(botAudioFormat) : undefined;
    const prepared = expectedLeg ? { leg: expectedLeg.name, bytes: encodeG711CallerAudio(fixture.callerMulaw, expectedLeg) } : undefined;

    // The greeting's words are known before the call: their speech is ready when the call starts, as a
    // real TTS would be (the emulator's synthesizer otherwise starts only when asked).
    if (emulator && bot && botGreeting) emulator.prefetch(renderTemplate(botGreeting.text, greetingContext(fixture)), botGreeting.voice);

    // The call.
    const refusalsBefore = sim.restStub.refusals.length;
    const evidenceOf = (call: SimulatedCall, end: CallEnd | undefined): ReplayEvidence => collectEvidence({ call, end, sim, refusalsBefore, emulator });
    const call: SimulatedCall = await sim.placeCall({
      webhookUrl: `${publicBaseUrl}/api/incoming-call${fixture.env.EVENTGRID_SECRETS ? `?code=${encodeURIComponent(fixture.env.EVENTGRID_SECRETS.split(",")[0]!)}` : ""}`,
      from: fixture.from,
      to: fixture.to,
      callerDisplayName: fixture.callerName,
      leg: requestedLeg === "mulaw8k" ? "mulaw8k" : "acs",
      speed,
    });
    try {
      media = await call.mediaConnected;
    } catch (error) {
      // hangUp() returns the existing end when the call is already over.
      throw new ReplayCallError(errorMessage(error), evidenceOf(call, await call.hangUp()));
    }
    const leg = media.leg.name;
    const mediaStartCall = clocks.unscaled.nowMs() - media.mediaNowMs() / speed;
    /** Media ms of a call-time instant (the simulator's clock). */
    const fromCallMs = (callMs: number): number => (callMs - mediaStartCall) * speed;
    /** Media ms of a performance.now() instant just past (recorded outside call time). */
    const toMediaMs = (perfMs: number): number => fromCallMs(clocks.unscaled.nowMs() - (performance.now() - perfMs));
    const callerSpeech = speechSegments(fixture.callerSamples, 8000);
    const fromWallMs = (wallMs: number): number => toMediaMs(performance.now() - (Date.now() - wallMs));
    const watcher = watch(media, call, emulator, callerSpeech, fromWallMs, toMediaMs, record);
    // From here on, notes go through the watcher so the timeline stays in time order.
    emitNote = (entry) => watcher.add(entry);
    const delivery = call.deliveries[0];
    note("acs", `IncomingCall ${fixture.from} → ${fixture.to} delivered (HTTP ${delivery?.status ?? "?"} in ${Math.round(delivery?.durationMs ?? 0)} ms)`, delivery ? toMediaMs(delivery.atMs) : 0);
    const answer = call.restRequests.find((r) => r.operation === "answer");
    if (answer) note("acs", "the bot answered (answerCall)", options.target ? toMediaMs(answer.atMs) : fromCallMs(answer.atMs));
    note("acs", `media connected (${leg}, ${speed === 1 ? "real time" : `${speed}× real time`})`, 0);

    // The caller: audio with key presses interleaved at their times; hang-up if scripted.
    queueCaller(media, fixture, prepared?.leg === leg ? prepared.bytes : encodeG711CallerAudio(fixture.callerMulaw, media.leg));
    const audioEndMs = fixture.callerDurationMs;
    const deadlineMs = fixture.hangUpAtMs ?? audioEndMs + fixture.tailMs;
    const ended = await Promise.race([
      call.ended.then(() => true),
      media.waitUntil(() => (media!.mediaNowMs() >= deadlineMs ? true : undefined), (deadlineMs / speed) + 30_000, "the end of the fixture").then(() => false),
    ]);
    if (!ended) {
      note("caller", fixture.hangUpAtMs !== undefined ? "hangs up (scripted)" : "hangs up (caller audio over)");
      await call.hangUp();
    }
    const end = await call.ended;
    const endAtMs = options.target ? toMediaMs(end.atMs) : fromCallMs(end.atMs);
    note("acs", `call ended: ${end.reason}${end.transferTarget ? ` → ${end.transferTarget}` : ""}`, endAtMs);

    // Voice Live must let go of the call too.
    const closedPerf = await voiceLiveClosed(emulator, 3000 / Math.min(speed, 3));
    watcher.stop();

    const received = media.received;
    const firstAppend = emulator?.events.list().find((e) => e.type === "input_audio_buffer.append");
    const observation: CallObservation = {
      heardRuns: media.heardRuns(),
      stopAudioAtMs: received.filter((m) => m.kind === "stopAudio").map((m) => m.atMs),
      audioFrameAtMs: received.filter((m) => m.kind === "audio").map((m) => m.atMs),
      malformedFrames: media.stats().malformed,
      callerSpeech,
      end: { reason: end.reason, atMs: endAtMs, ...(end.transferTarget ? { transferTarget: end.transferTarget } : {}) },
      transferTargets: call.restRequests
        .filter((r) => r.operation === "transfer")
        .map((r) => String((r.body as { targetParticipant?: { rawId?: string } }).targetParticipant?.rawId ?? "")),
      toolRuns,
      transcript: [],
      voiceLiveEvents: emulator ? emulator.events.list().map((e) => e.type) : [],
      firstCallerAudioAtVoiceLiveMs: firstAppend ? fromWallMs(Date.parse(firstAppend.receivedAt)) : undefined,
      sessionUpdates: emulator ? emulator.events.list().filter((e) => e.type === "session.update").map((e) => (e.event as { session?: unknown }).session) : [],
      voiceLiveClosedAtMs: closedPerf === undefined ? undefined : toMediaMs(closedPerf),
      inProcess: !options.target,
    };
    // In-process: the conversation as the caller experienced it (answers cut where a barge-in cut them).
    // Against a running bot: as Voice Live kept it.
    const transcript = heard.lines() ?? (emulator ? conversationTranscript(emulator.connections()) : []);
    const withTranscript: CallObservation = { ...observation, transcript };
    const results = fixture.expectations.map((expectation) => checkExpectation(expectation, withTranscript));
    return {
      fixture,
      passed: results.every((r) => r.passed),
      results,
      observation: withTranscript,
      heard: media.heardAudio(),
      transcript,
      timeline: [...timeline].sort((a, b) => a.atMs - b.atMs),
      leg,
      speed,
      hostStallsExcludedMs: clocks.excludedMs(),
      evidence: evidenceOf(call, end),
    };
  } finally {
    for (const close of owned) await close().catch(() => undefined);
  }
}

/**
 * OUTBOUND_LEAD_MS is a margin against timer jitter in wall time (100 ms by
 * default). A replay at 4× would shrink it to 25 ms of wall time, so any short
 * hiccup of the test process would show as a gap in what the caller hears: fast
 * replays keep the same wall-time margin instead (unless the fixture sets one).
 */
function fastReplayLead(speed: number, env: Readonly<Record<string, string>>): Record<string, string> {
  if (speed <= 1 || env.OUTBOUND_LEAD_MS !== undefined) return {};
  return { OUTBOUND_LEAD_MS: String(Math.min(2000, Math.round(100 * speed))) };
}

/** The greeting's placeholders as the bot will fill them for this fixture's call. */
function greetingContext(fixture: Fixture): CallContext {
  return {
    correlationId: "",
    serverCallId: "",
    callerRawId: fixture.from,
    callerNumber: fixture.from,
    calleeRawId: fixture.to,
    calleeNumber: fixture.to,
    callerDisplayName: fixture.callerName,
  };
}

/** Collects the in-process bot's transcript of the call (what was said and heard) when the call closes. */
function heardTranscript(): { extension: CallSessionExtension; lines(): TranscriptLine[] | undefined } {
  let lines: TranscriptLine[] | undefined;
  let session: CallSession | undefined;
  return {
    extension: {
      onVoiceLiveEvent: (_event, call) => void (session ??= call),
      onClosed: () => void (lines = session?.transcriptLines().map(({ role, text }) => ({ role, text }))),
    },
    lines: () => lines,
  };
}

/**
 * Caller audio in order, split at each key press (DTMF goes between frames at
 * its time). The G.711 recording goes out as ACS would stream it: unchanged on
 * a μ-law leg, decoded and resampled by the simulator's media-server model on a
 * PCM leg (the whole recording at once, so no edges at the key presses).
 */
function queueCaller(media: MediaCaller, fixture: Fixture, bytes: Uint8Array): void {
  const frameBytes = media.leg.frameBytes;
  const events = [...fixture.dtmf].sort((a, b) => a.atMs - b.atMs);
  let from = 0;
  const playUntil = (offset: number): void => {
    const end = Math.min(Math.max(offset, from), bytes.length);
    if (end > from) media.playEncoded(bytes.subarray(from, end));
    from = end;
  };
  for (const event of events) {
    // Whole 20 ms frames, so the timeline stays exact.
    playUntil(Math.round(event.atMs / 20) * frameBytes);
    media.pressDigit(event.digit);
  }
  playUntil(bytes.length);
}

/**
 * Turns what the peers observe into timeline entries as the call goes: caller
 * speech, bot speech (start and end), StopAudio, callbacks, what Voice Live
 * received. Entries are released in time order, a little behind real time.
 */
function watch(
  media: MediaCaller,
  call: SimulatedCall,
  emulator: VoiceLiveEmulator | undefined,
  callerSpeech: readonly Span[],
  toMediaMsFromWall: (wallMs: number) => number,
  toMediaMsFromPerf: (perfMs: number) => number,
  emit: (entry: TimelineEntry) => void,
): { add(entry: TimelineEntry): void; stop(): void } {
  const pending: TimelineEntry[] = [];
  const add = (who: TimelineEntry["who"], text: string, atMs: number): void => void pending.push({ who, text, atMs });
  let runsStarted = 0;
  let runsEnded = 0;
  let stops = 0;
  let callbacks = 0;
  let events = 0;
  let utterances = 0;
  const poll = (final: boolean): void => {
    const nowMs = media.mediaNowMs();
    for (; utterances < callerSpeech.length && (final || callerSpeech[utterances]!.startMs <= nowMs); utterances += 1) {
      const u = callerSpeech[utterances]!;
      add("caller", `speaks (${((u.endMs - u.startMs) / 1000).toFixed(1)} s)`, u.startMs);
    }
    const heard = media.heardRuns();
    for (; runsStarted < heard.length; runsStarted += 1) add("bot", "starts speaking", heard[runsStarted]!.startMs);
    // A run is over once another began, or nothing has played for a while.
    for (; runsEnded < heard.length && (runsEnded < heard.length - 1 || final || nowMs - heard[runsEnded]!.endMs > 200); runsEnded += 1) {
      const run = heard[runsEnded]!;
      add("bot", `stops speaking (${((run.endMs - run.startMs) / 1000).toFixed(1)} s heard)`, run.endMs);
    }
    const stopAt = media.received.filter((m) => m.kind === "stopAudio");
    for (; stops < stopAt.length; stops += 1) add("bot", "StopAudio: the caller barged in, ACS flushes its queue", stopAt[stops]!.atMs);
    for (; callbacks < call.callbacks.length; callbacks += 1) {
      const callback = call.callbacks[callbacks]!;
      add("acs", `callback ${callback.type} → HTTP ${callback.status ?? `error (${callback.error})`}`, toMediaMsFromPerf(callback.atMs));
    }
    if (emulator) {
      const list = emulator.events.list();
      for (; events < list.length; events += 1) {
        const event = list[events]!;
        if (event.type === "input_audio_buffer.append") continue;
        add("voicelive", `← ${event.type}${describeClientEvent(event.event)}`, toMediaMsFromWall(Date.parse(event.receivedAt)));
      }
    }
    pending.sort((a, b) => a.atMs - b.atMs);
    while (pending.length > 0 && (final || pending[0]!.atMs <= nowMs - 300)) emit(pending.shift()!);
  };
  const timer = setInterval(() => poll(false), 50);
  return {
    add: (entry) => void pending.push(entry),
    stop: () => {
      clearInterval(timer);
      poll(true);
    },
  };
}

function describeClientEvent(event: unknown): string {
  const e = event as { response?: { pre_generated_assistant_message?: { content?: Array<{ text?: string }> } }; item?: { type?: string; role?: string; output?: string; content?: Array<{ text?: string }> } };
  const said = e.response?.pre_generated_assistant_message?.content?.[0]?.text;
  if (said) return ` (say "${said}")`;
  if (e.item?.type === "function_call_output") return ` (tool output ${truncate(e.item.output ?? "", 60)})`;
  if (e.item?.type === "message") return ` (${e.item.role}: "${truncate(e.item.content?.[0]?.text ?? "", 60)}")`;
  return "";
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

async function voiceLiveClosed(emulator: VoiceLiveEmulator | undefined, timeoutMs: number): Promise<number | undefined> {
  if (!emulator) return undefined;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const connections = emulator.connections();
    if (connections.length > 0 && connections.every((c) => c.closedAt !== null)) {
      const lastClosedWall = Math.max(...connections.map((c) => Date.parse(c.closedAt!)));
      return performance.now() - (Date.now() - lastClosedWall);
    }
    await sleep(10);
  }
  return undefined;
}
