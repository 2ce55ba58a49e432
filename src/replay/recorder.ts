/**
 * Record mode (RECORD_DIR): writes each live call as a replayable fixture
 * (fixtures/README.md): the caller's audio as G.711 μ-law 8 kHz, the call's
 * details, what Voice Live said and when as an emulator scenario, and starter
 * expectations. Off by default: it stores the caller's voice.
 *
 * Interim responses carry no marker on the wire; a response the service starts
 * on its own while a tool is pending is taken as one and left out (the
 * emulator makes its own).
 */
import { mkdir, open, rename, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { createOutboundConverter, createResampler, wavHeader, type OutboundConverter, type Resampler } from "../audio/index.js";
import type { CallContext } from "../calls/call-context-token.js";
import type { Config } from "../config/index.js";
import type { CallSession, CallSessionExtension } from "../media/call-session.js";
import type { ServerEvent } from "../voicelive/protocol.js";
import type { Expectation } from "./expectations.js";

type Step = { say: string } | { tool: string; arguments: Record<string, unknown>; answer?: string } | { delayMs: number };

interface Turn {
  user: string;
  assistant: Step[];
  /** Media ms when the caller stopped speaking (or typed): the answer's latency is measured from here. */
  endedAtMs: number;
}

/** Settings that change what the caller hears, so a replay of the recording behaves the same. */
export function behaviourSettings(config: Config): Record<string, string> {
  const { greeting } = config.call;
  const tools = config.tools;
  const settings: Record<string, string> = {
    GREETING_MODE: greeting.mode,
    GREETING_TEXT: greeting.text,
    GREETING_INSTRUCTIONS: greeting.llmInstructions,
    GREETING_INTERRUPTIBLE: String(greeting.interruptible),
    TRANSFER_TEXT: tools.transferText,
    TRANSFER_FAILED_TEXT: tools.transferFailedText,
    GOODBYE_TEXT: tools.goodbyeText,
    END_CALL_ENABLED: String(tools.endCallEnabled),
    DTMF_INTER_DIGIT_MS: String(tools.dtmfInterDigitMs),
    INTERIM_MODE: tools.interim.mode,
    INTERIM_TEXTS: tools.interim.texts.join("|"),
    INTERIM_TRIGGERS: tools.interim.triggers.join(","),
    INTERIM_LATENCY_MS: String(tools.interim.latencyThresholdMs),
    INTERIM_TOOL_MS: String(tools.interim.toolAfterMs),
    VOICELIVE_AUTO_TRUNCATE: String(config.voiceLive.autoTruncate),
  };
  if (tools.transferTarget) settings.TRANSFER_TARGET = tools.transferTarget;
  if (tools.dtmfTransferDigit) settings.DTMF_TRANSFER_DIGIT = tools.dtmfTransferDigit;
  return settings;
}

/** Caller audio is written in chunks (asynchronously, in order), not per 20 ms frame. */
const WRITE_CHUNK_BYTES = 16 * 1024;

/** A response slower than this gets a delay step, so the replay is as slow (and triggers the same interim). */
const SLOW_RESPONSE_MS = 1200;

export class CallRecorder implements CallSessionExtension {
  private readonly dir: string;
  /** Every write, in order, off the event loop's critical path; the first failure ends the recording. */
  private writes: Promise<FileHandle | undefined>;
  private readonly toMulaw: OutboundConverter;
  private callerBytes = 0;
  /** Caller audio recorded so far, in ms. */
  private callerMs = 0;
  /** 16 kHz caller audio (Voice Live at the leg's rate) is brought to 24 kHz, then to μ-law 8 kHz. */
  private from16k: Resampler | undefined;
  private readonly turns: Turn[] = [];
  private readonly greeting: Step[] = [];
  private readonly dtmf: Array<{ atMs: number; digit: string }> = [];
  private readonly tools = new Map<string, { description: string; parameters: Record<string, unknown>; delayMs: number; output: unknown }>();
  private readonly kinds = new Map<string, "pregenerated" | "plain" | "service" | "interim">();
  private readonly pendingToolCalls = new Set<string>();
  private readonly toolNames = new Map<string, string>();
  private readonly answerStarted = new Set<string>();
  private readonly chunk = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
  private chunkBytes = 0;
  /** The bot ended the call (end_call, or a transfer ACS accepted): no caller hang-up to replay. */
  private botEnded = false;
  private closed = false;
  private failed = false;

  constructor(
    rootDir: string,
    private readonly context: CallContext,
    private readonly config: Config,
    private readonly describeTool: (name: string) => { description: string; parameters: Record<string, unknown> } | undefined,
    private readonly log: Logger,
    startedAt: Date,
  ) {
    const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
    const dir = join(rootDir, `${stamp}_${context.correlationId.replace(/[^\w.-]/g, "_")}`);
    this.dir = dir;
    this.writes = (async () => {
      await mkdir(dir, { recursive: true });
      const file = await open(join(dir, "caller.wav"), "w");
      await file.write(wavHeader("mulaw", 8000, 0));
      return file;
    })().catch((error: unknown) => this.writeFailed(error));
    this.toMulaw = createOutboundConverter({ encoding: "mulaw", sampleRateHz: 8000 });
    log.info({ dir: this.dir }, "recording the call as a fixture (caller audio is stored)");
  }

  /** Media ms: the caller's audio is continuous from media connect, so its length is the call's clock. */
  private get nowMs(): number {
    return this.callerMs;
  }

  onCallerAudio(samples: Int16Array, sampleRateHz: number): void {
    if (this.closed) return;
    this.callerMs += (samples.length * 1000) / sampleRateHz;
    const samples24k = sampleRateHz === 16000 ? (this.from16k ??= createResampler(16000, 24000)).process(samples) : samples;
    const bytes = this.toMulaw.push(samples24k);
    if (this.chunkBytes + bytes.length > WRITE_CHUNK_BYTES) this.flushAudio();
    this.chunk.set(bytes, this.chunkBytes);
    this.chunkBytes += bytes.length;
    this.callerBytes += bytes.length;
  }

  private flushAudio(): void {
    if (this.chunkBytes === 0) return;
    const bytes = Buffer.from(this.chunk.subarray(0, this.chunkBytes));
    this.chunkBytes = 0;
    this.enqueue(async (file) => {
      await file.write(bytes);
    });
  }

  private enqueue(write: (file: FileHandle) => Promise<void>): void {
    this.writes = this.writes.then(async (file) => {
      if (!file) return undefined;
      await write(file);
      return file;
    }).catch((error: unknown) => this.writeFailed(error));
  }

  private writeFailed(error: unknown): undefined {
    if (!this.failed) this.log.error({ err: error, dir: this.dir }, "writing the recorded fixture failed; recording stopped");
    this.failed = true;
    return undefined;
  }

  /** Resolves when everything recorded so far is on disk. */
  async flushed(): Promise<void> {
    await this.writes;
  }

  onDtmf(digit: string): void {
    this.dtmf.push({ atMs: Math.round(this.nowMs / 20) * 20, digit });
  }

  onCallEvent(type: string, fields: Readonly<Record<string, unknown>>): void {
    if (type === "transfer_accepted") this.botEnded = true;
    if (type === "tool_call" && typeof fields.tool === "string" && !["transfer_to_agent", "end_call"].includes(fields.tool)) {
      const declared = this.describeTool(fields.tool);
      if (declared) {
        this.tools.set(fields.tool, { ...declared, delayMs: Number(fields.durationMs ?? 0), output: fields.output });
      }
    }
  }

  onVoiceLiveEvent(event: ServerEvent, call: CallSession): void {
    switch (event.type) {
      case "input_audio_buffer.speech_stopped":
        this.turns.push({ user: "", assistant: [], endedAtMs: this.nowMs });
        return;
      case "conversation.item.input_audio_transcription.completed": {
        const turn = [...this.turns].reverse().find((t) => t.user === "");
        if (turn) turn.user = event.transcript;
        return;
      }
      case "conversation.item.created": {
        // A typed user turn (key presses): the bot created it.
        const item = event.item as { role?: string; type?: string; content?: Array<{ type?: string; text?: string }> };
        const text = item.type === "message" && item.role === "user" ? item.content?.find((p) => p.type === "input_text")?.text : undefined;
        if (text) this.turns.push({ user: text, assistant: [], endedAtMs: this.nowMs });
        return;
      }
      case "response.created": {
        const kind = call.session?.requestedKind(event.response.id);
        this.kinds.set(event.response.id, kind ?? (this.pendingToolCalls.size > 0 ? "interim" : "service"));
        return;
      }
      case "response.output_item.added":
        if (event.item.type === "function_call" && event.item.call_id) {
          this.pendingToolCalls.add(event.item.call_id);
          this.toolNames.set(event.item.call_id, event.item.name ?? "");
        }
        return;
      case "response.function_call_arguments.done": {
        const name = event.name ?? this.toolNames.get(event.call_id) ?? "";
        let args: Record<string, unknown> = {};
        try {
          args = JSON.parse(event.arguments || "{}") as Record<string, unknown>;
        } catch {
          // Recorded as called: the replay's emulator sends the same (empty) arguments.
        }
        (this.turns.at(-1)?.assistant ?? this.greeting).push({ tool: name, arguments: args });
        return;
      }
      case "response.audio.delta":
        if (!this.answerStarted.has(event.response_id)) {
          this.answerStarted.add(event.response_id);
          this.noteLatency(event.response_id);
        }
        return;
      case "response.audio_transcript.done":
        this.recordSpeech(event.response_id, event.transcript);
        return;
      case "response.done":
        if (this.kinds.get(event.response.id) === "plain") this.pendingToolCalls.clear();
        this.kinds.delete(event.response.id);
        this.answerStarted.delete(event.response.id);
        return;
      default:
        return;
    }
  }

  /** Our own pregenerated lines and interims are not in the scenario: the replay makes them again. */
  private recordSpeech(responseId: string, transcript: string): void {
    const kind = this.kinds.get(responseId);
    if (kind === "pregenerated" || kind === "interim" || transcript === "") return;
    const turn = this.turns.at(-1);
    const lastStep = turn?.assistant.at(-1);
    if (kind === "plain" && lastStep && "tool" in lastStep && lastStep.answer === undefined) {
      // The answer after a tool's output.
      lastStep.answer = transcript;
      return;
    }
    if (!turn) {
      // Before any caller turn: an LLM-generated greeting.
      if (this.config.call.greeting.mode === "llm") this.greeting.push({ say: transcript });
      return;
    }
    turn.assistant.push({ say: transcript });
  }

  private noteLatency(responseId: string): void {
    const kind = this.kinds.get(responseId);
    const turn = this.turns.at(-1);
    if (kind !== "service" || !turn || turn.assistant.length > 0) return;
    const latencyMs = this.nowMs - turn.endedAtMs;
    if (latencyMs > SLOW_RESPONSE_MS) turn.assistant.push({ delayMs: Math.round(latencyMs - 500) });
  }

  onClosed(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason === "end_call") this.botEnded = true;
    this.flushAudio();
    const callerBytes = this.callerBytes;
    const files = this.fixtureFiles(reason);
    this.enqueue(async (file) => {
      await file.write(wavHeader("mulaw", 8000, callerBytes), 0, 44, 0);
      await file.close();
      // Each file appears whole (written aside, then renamed): a reader never sees half a fixture.
      for (const [name, text] of files) {
        await writeFile(join(this.dir, `.${name}.part`), text);
        await rename(join(this.dir, `.${name}.part`), join(this.dir, name));
      }
      this.log.info({ dir: this.dir, callerAudioMs: Math.round(callerBytes / 8) }, "call recorded as a fixture");
    });
  }

  private fixtureFiles(reason: string): Array<[string, string]> {
    const durationMs = Math.round(this.nowMs);
    const env = behaviourSettings(this.config);
    const callerHungUp = !this.botEnded;
    const call = {
      description: `Recorded ${new Date().toISOString()} (${reason})`,
      from: this.context.callerNumber ?? this.context.callerRawId,
      to: this.context.calleeNumber ?? this.context.calleeRawId,
      ...(this.context.callerDisplayName ? { callerName: this.context.callerDisplayName } : {}),
      env,
      dtmf: this.dtmf,
      ...(callerHungUp ? { hangUpAtMs: durationMs } : {}),
      tailMs: 3000,
      tools: [...this.tools].map(([name, tool]) => ({ name, ...tool })),
    };
    const turns = this.turns.filter((turn) => turn.user !== "").map((turn) => ({ user: turn.user, assistant: turn.assistant }));
    const scenario = {
      version: 1,
      name: `recorded-${this.context.correlationId}`,
      ...(this.greeting.length > 0 ? { greeting: this.greeting } : {}),
      turns,
    };
    const expectations: Expectation[] = [
      { type: "greeting_starts_within", ms: 2000 },
      { type: "no_malformed_frames" },
      ...turns.map((turn): Expectation => ({ type: "transcript_includes", role: "user", text: turn.user })),
      ...turns.flatMap((turn) => turn.assistant.filter((s): s is { say: string } => "say" in s).map((s): Expectation => ({ type: "transcript_includes", role: "assistant", text: s.say }))),
    ];
    return [
      ["call.json", `${JSON.stringify(call, null, 2)}\n`],
      ["scenario.json", `${JSON.stringify(scenario, null, 2)}\n`],
      ["expect.json", `${JSON.stringify({ expectations }, null, 2)}\n`],
    ];
  }
}
