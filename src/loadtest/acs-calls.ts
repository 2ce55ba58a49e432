/**
 * The ACS side of load-test calls, kept light so one driver process can hold
 * hundreds: Event Grid rings the bot, the bot's answer (seen at the REST stub)
 * gives the media URL, the media socket streams marked 20 ms caller frames at
 * the call's own phase and plays the bot's frames through a minimal ACS
 * playback model (queue, real-time drain, underrun when it runs dry). Hanging
 * up closes the socket and posts CallDisconnected, as ACS does.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { callbackEvent, identifierModel, incomingCallEvent, newIncomingCallIds, RESULTS, type IncomingCallIds } from "../acs-sim/acs-events.js";
import { legSpec } from "../acs-sim/leg.js";
import { encodeAudioData, encodeAudioMetadata } from "../acs-sim/media-wire.js";
import { framesSkipped, MARK_MODULO, markedFrames, readMarks, VOICE_LIVE_RATE_HZ, type LoadLeg } from "./marks.js";
import type { FrameScheduler, PeriodicTask } from "./scheduler.js";
import type { WindowStats } from "./window-stats.js";

export interface AcsCallDeps {
  readonly botBaseUrl: string;
  readonly leg: LoadLeg;
  readonly scheduler: FrameScheduler;
  readonly stats: WindowStats;
  readonly topic: string;
  mintToken(expiresInS: number): Promise<string>;
  /** The rate Voice Live answers this call at (what its session asked for), once its answers started. */
  voiceLiveRateHz(callIndex: number): number | undefined;
}

const FRAME_MS = 20;
const SEND_TIMES = 512;
const DATA_KEY = Buffer.from('"data":"');
const KIND_STOP = Buffer.from('"kind":"stopAudio"');
/** A queue that ran dry by less than this is timer noise, not a gap the caller hears. */
const UNDERRUN_SLACK_MS = 0.5;

export class AcsCall implements PeriodicTask {
  readonly ids: IncomingCallIds = newIncomingCallIds();
  state: "ringing" | "connecting" | "open" | "ended" = "ringing";
  callConnectionId: string | undefined;
  nextDueMs = 0;
  /** Caller audio has reached Voice Live and bot audio has reached the caller. */
  flowing = false;
  private socket: WebSocket | undefined;
  private readonly frames: string[];
  private readonly legRateHz: number;
  private sentSeq = -1;
  private readonly sendTimes = new Float64Array(SEND_TIMES);
  private startMs = 0;
  private startDateMs = 0;
  private relayedSeq = -1;
  private relayedAny = false;
  private heardSeq = -1;
  private lastArrivalMs = -1;
  private queueEndMs = 0;
  private playing = false;

  constructor(
    readonly index: number,
    private readonly deps: AcsCallDeps,
  ) {
    this.legRateHz = legSpec(deps.leg).format.sampleRateHz;
    this.frames = markedFrames(this.legRateHz, index);
  }

  /** Posts IncomingCall to the webhook; the answer arrives at the REST stub. */
  async ring(): Promise<void> {
    const event = incomingCallEvent({
      ids: this.ids,
      from: identifierModel("+12065551212"),
      to: identifierModel("+14255551212"),
      callerDisplayName: "Load Test",
      topic: this.deps.topic,
    });
    const response = await fetch(`${this.deps.botBaseUrl}/api/incoming-call`, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify([event]),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
  }

  /** The bot answered: connect the media socket it asked for. */
  async connect(transportUrl: string, callConnectionId: string): Promise<void> {
    this.callConnectionId = callConnectionId;
    this.state = "connecting";
    const token = await this.deps.mintToken(24 * 3600);
    const socket = new WebSocket(transportUrl, {
      headers: { authorization: `Bearer ${token}`, "x-ms-call-connection-id": callConnectionId, "x-ms-call-correlation-id": this.ids.correlationId },
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    socket.on("message", (data: Buffer) => this.received(data));
    socket.on("error", () => undefined);
    socket.on("close", () => this.stopSending());
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) => reject(new Error(`media upgrade refused: HTTP ${response.statusCode}`)));
    });
    if (this.state !== "connecting") return;
    this.state = "open";
    socket.send(encodeAudioMetadata(legSpec(this.deps.leg), randomUUID()));
    this.startMs = performance.now();
    this.startDateMs = Date.now();
    this.nextDueMs = this.startMs;
    this.deps.scheduler.add(this);
  }

  fire(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return this.stopSending();
    const seq = ++this.sentSeq;
    const at = this.startDateMs + seq * FRAME_MS;
    this.sendTimes[seq % SEND_TIMES] = performance.now();
    socket.send(encodeAudioData(this.frames[seq % MARK_MODULO]!, new Date(at).toISOString(), "4:+12065551212", false));
    this.deps.stats.framesSent += 1;
    this.nextDueMs = this.startMs + (seq + 1) * FRAME_MS;
  }

  /** Voice Live received this call's frame with sequence mark `mark` at `atMs`. */
  relayed(mark: number, atMs: number): void {
    const stats = this.deps.stats;
    let seq: number;
    if (!this.relayedAny) {
      // The first frame forwarded (earlier ones were held until the greeting): the latest sent with this mark.
      seq = this.sentSeq - ((this.sentSeq - mark + MARK_MODULO) % MARK_MODULO);
      this.relayedAny = true;
    } else {
      const skipped = framesSkipped(this.relayedSeq % MARK_MODULO, mark);
      seq = this.relayedSeq + 1 + skipped;
      stats.lostInbound += skipped;
    }
    this.relayedSeq = seq;
    stats.framesRelayed += 1;
    if (seq < 0 || seq > this.sentSeq || this.sentSeq - seq >= SEND_TIMES) {
      stats.unreadable += 1;
      return;
    }
    stats.relay.record(atMs - this.sendTimes[seq % SEND_TIMES]!);
    this.flowing ||= this.heardSeq >= 0;
  }

  private received(data: Buffer): void {
    const atMs = performance.now();
    const stats = this.deps.stats;
    const key = data.indexOf(DATA_KEY);
    if (key < 0) {
      if (data.indexOf(KIND_STOP) >= 0) {
        stats.stopAudio += 1;
        this.playing = false;
        this.heardSeq = -1;
      }
      return;
    }
    const start = key + DATA_KEY.length;
    readMarks(data, start, data.indexOf(34, start), this.deps.voiceLiveRateHz(this.index) ?? VOICE_LIVE_RATE_HZ, this.legRateHz, (seq, index) => {
      stats.framesHeard += 1;
      if (seq < 0 || index < 0) {
        stats.unreadable += 1;
        return;
      }
      if (index !== this.index) stats.misrouted += 1;
      if (this.heardSeq >= 0) stats.lostOutbound += framesSkipped(this.heardSeq, seq);
      this.heardSeq = seq;
    });
    if (this.lastArrivalMs >= 0) stats.outboundGaps.record(atMs - this.lastArrivalMs);
    this.lastArrivalMs = atMs;
    if (this.playing && atMs > this.queueEndMs + UNDERRUN_SLACK_MS) {
      stats.underruns += 1;
      stats.underrunMs += atMs - this.queueEndMs;
    }
    this.queueEndMs = Math.max(atMs, this.queueEndMs) + FRAME_MS;
    this.playing = true;
    this.flowing ||= this.relayedAny;
  }

  private stopSending(): void {
    this.deps.scheduler.remove(this);
  }

  /** The caller hangs up: socket closed, then ACS tells the bot the call is over. */
  async hangUp(): Promise<void> {
    if (this.state === "ended") return;
    const wasConnected = this.callConnectionId !== undefined;
    this.state = "ended";
    this.stopSending();
    this.socket?.close(1000, "caller hung up");
    if (!wasConnected) return;
    const event = callbackEvent("CallDisconnected", { callConnectionId: this.callConnectionId!, serverCallId: this.ids.serverCallId, correlationId: this.ids.correlationId }, { resultInformation: RESULTS.callEnded });
    try {
      const response = await fetch(`${this.deps.botBaseUrl}/api/callbacks`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await this.deps.mintToken(300)}` },
        body: JSON.stringify([event]),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
    } catch {
      // The bot also ends the call when the media socket stays closed.
    }
  }
}
