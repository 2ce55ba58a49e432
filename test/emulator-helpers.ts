/**
 * Test-side helpers for the Voice Live emulator tests: a raw `ws` client that
 * keeps every server event and reads them in order, and audio builders.
 */
import pino from "pino";
import WebSocket from "ws";
import { loadDefaultVoice, splitSentences, synthesizeSpeech } from "../src/emulator/index.js";
import type { VoiceLiveEmulator } from "../src/emulator/index.js";

export type ServerEvent = Record<string, any> & { type: string };

export interface ConnectOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export const DEFAULT_QUERY = { "api-version": "2026-01-01-preview", model: "gpt-4.1" };

/** PCM16 24 kHz of `text` as the emulator's default voice speaks it (one sentence at a time, like a response). */
export async function emulatorSpeech(text: string, voice?: unknown): Promise<Int16Array> {
  const speaker = await loadDefaultVoice(pino({ level: "silent" }));
  const pieces = await Promise.all(splitSentences(text).map((piece) => speaker.synthesize(piece, voice)));
  return concat(...pieces.map((piece) => piece.samples));
}

export function realtimeUrl(emulator: VoiceLiveEmulator, query: Record<string, string>): string {
  return `${emulator.url}/voice-live/realtime?${new URLSearchParams(query).toString()}`;
}

export class TestClient {
  readonly events: ServerEvent[] = [];
  /** performance.now() at which each event arrived (same index as events). */
  readonly times: number[] = [];
  private cursor = 0;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.events.push(JSON.parse(data.toString()) as ServerEvent);
      this.times.push(performance.now());
      for (const listener of this.listeners) listener();
    });
    ws.on("error", () => {});
  }

  static async connect(emulator: VoiceLiveEmulator, options: ConnectOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(realtimeUrl(emulator, options.query ?? DEFAULT_QUERY), {
      headers: options.headers ?? { "api-key": "test-key" },
    });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade rejected: ${res.statusCode}`)));
    });
    await client.next("session.created");
    return client;
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  /** The next event (after those already read) matching type or predicate; advances the read cursor past it. */
  next(match: string | ((e: ServerEvent) => boolean), timeoutMs = 5000): Promise<ServerEvent> {
    const predicate = typeof match === "string" ? (e: ServerEvent) => e.type === match : match;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = this.cursor; i < this.events.length; i++) {
          if (predicate(this.events[i])) {
            this.cursor = i + 1;
            resolve(this.events[i]);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const listener = () => {
        if (check()) {
          this.listeners.delete(listener);
          clearTimeout(timer);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        const seen = this.events.slice(this.cursor).map((e) => e.type).join(", ");
        reject(new Error(`timed out waiting for ${typeof match === "string" ? match : "a matching event"}; unread: [${seen}]`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Sends an event and returns the next `error` event. */
  async expectError(event: Record<string, unknown>): Promise<Record<string, any>> {
    this.send(event);
    const error = await this.next("error");
    return error.error;
  }

  /** Every event received so far of this type. */
  all(type: string): ServerEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /**
   * Events of one response, in order, from response.created to response.done (waits for the done);
   * the read cursor moves past the response.done if it was before it.
   */
  async responseEvents(responseId: string, timeoutMs = 10_000): Promise<ServerEvent[]> {
    await this.waitUntil(() => this.events.some((e) => e.type === "response.done" && e.response.id === responseId), timeoutMs);
    const doneIndex = this.events.findIndex((e) => e.type === "response.done" && e.response.id === responseId);
    this.cursor = Math.max(this.cursor, doneIndex + 1);
    return this.events.filter((e) => e.response_id === responseId || e.response?.id === responseId);
  }

  async waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error("condition not met in time");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async updateSession(session: Record<string, unknown>): Promise<ServerEvent> {
    this.send({ type: "session.update", session });
    return this.next((e) => e.type === "session.updated" || e.type === "error");
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}

/** Tries an upgrade; resolves with the HTTP status and JSON body of a rejection (or 101). */
export function tryUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("error", () => {});
    ws.once("open", () => {
      ws.close();
      resolve({ status: 101, body: null });
    });
    ws.once("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text === "" ? null : JSON.parse(text) }));
      res.on("error", reject);
    });
  });
}

/** PCM16 little-endian bytes of samples. */
export function pcmBytes(samples: Int16Array): Buffer {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
}

/** Base64 20 ms appends of speech-like audio at 24 kHz for `text`. */
export function speech24k(text: string): Int16Array {
  return synthesizeSpeech(text).samples;
}

/** Splits PCM bytes into 20 ms chunks (base64) for `sampleRateHz` PCM16 or 8 kHz one-byte codecs. */
export function chunks20ms(bytes: Uint8Array, bytesPer20ms: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += bytesPer20ms) {
    out.push(Buffer.from(bytes.subarray(i, Math.min(bytes.length, i + bytesPer20ms))).toString("base64"));
  }
  return out;
}

/** Sends audio as 20 ms input_audio_buffer.append events. */
export function sendAudio(client: TestClient, bytes: Uint8Array, bytesPer20ms: number): void {
  for (const chunk of chunks20ms(bytes, bytesPer20ms)) client.send({ type: "input_audio_buffer.append", audio: chunk });
}

export function silence24k(ms: number): Int16Array {
  return new Int16Array((24000 * ms) / 1000);
}

/** Concatenates sample arrays. */
export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Total milliseconds of PCM16 24 kHz audio in a list of base64 deltas. */
export function pcm24kMs(deltas: string[]): number {
  return deltas.reduce((ms, d) => ms + Buffer.from(d, "base64").length / 48, 0);
}
