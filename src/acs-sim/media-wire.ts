/**
 * The ACS side of the media socket's wire format (protocols.md §3).
 * What ACS sends is camelCase; what it accepts from the app comes in the JS
 * SDK's camelCase or the .NET/Python samples' PascalCase, and `kind` decides
 * what a message is (the JS SDK puts `"stopAudio":{}` on every audio frame).
 */
import type { LegSpec } from "./leg.js";

export function encodeAudioMetadata(leg: LegSpec, subscriptionId: string): string {
  return JSON.stringify({
    kind: "AudioMetadata",
    audioMetadata: {
      subscriptionId,
      encoding: leg.wireEncoding,
      sampleRate: leg.format.sampleRateHz,
      channels: 1,
      length: leg.frameBytes,
    },
  });
}

/** One 20 ms inbound frame; built as a string, this runs 50 times a second. */
export function encodeAudioData(base64: string, timestampIso: string, participantRawId: string, silent: boolean): string {
  return `{"kind":"AudioData","audioData":{"timestamp":"${timestampIso}","participantRawID":${JSON.stringify(participantRawId)},"data":"${base64}","silent":${silent}}}`;
}

export function encodeDtmfData(digit: string): string {
  return JSON.stringify({ kind: "DtmfData", dtmfData: { data: digit } });
}

export type WireCasing = "camel" | "pascal";

export type BotMessage =
  | { readonly kind: "audio"; readonly casing: WireCasing; readonly payload: Uint8Array }
  | { readonly kind: "stopAudio"; readonly casing: WireCasing }
  | { readonly kind: "unknown"; readonly casing: WireCasing; readonly rawKind: string }
  | { readonly kind: "malformed"; readonly reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses one text frame from the bot. Audio payloads are decoded (strict
 * base64); whether their size is right is the caller's check, since ACS would
 * still play a frame of the wrong length.
 */
export function parseBotMessage(text: string): BotMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { kind: "malformed", reason: "not JSON" };
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return { kind: "malformed", reason: "not a JSON object" };
  }
  const record = message as Record<string, unknown>;
  const casing: WireCasing = "kind" in record ? "camel" : "pascal";
  const kind = record.kind ?? record.Kind;
  if (typeof kind !== "string") return { kind: "malformed", reason: "no kind" };
  switch (kind.toLowerCase()) {
    case "audiodata": {
      const body = record.audioData ?? record.AudioData;
      if (typeof body !== "object" || body === null) return { kind: "malformed", reason: "AudioData without an audioData object" };
      const data = (body as Record<string, unknown>).data ?? (body as Record<string, unknown>).Data;
      if (typeof data !== "string") return { kind: "malformed", reason: "audioData.data is not a string" };
      if (data.length === 0) return { kind: "malformed", reason: "audioData.data is empty" };
      if (data.length % 4 !== 0 || !BASE64.test(data)) return { kind: "malformed", reason: "audioData.data is not valid base64" };
      const bytes = Buffer.from(data, "base64");
      return { kind: "audio", casing, payload: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    }
    case "stopaudio":
      return { kind: "stopAudio", casing };
    default:
      return { kind: "unknown", casing, rawKind: kind };
  }
}
