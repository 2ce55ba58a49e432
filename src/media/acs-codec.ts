/**
 * Parsing and encoding of ACS media socket frames. Runs 50 times a second per
 * call each way, so encoding builds strings directly instead of JSON.stringify.
 */
import { base64FromBytes } from "../audio/index.js";
import { AppError } from "../errors.js";
import type { AcsInboundMessage } from "./acs-protocol.js";

export class AcsCodecError extends AppError {
  constructor(message: string) {
    super("acs_media_malformed", message);
  }
}

export function parseAcsMediaMessage(text: string): AcsInboundMessage {
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AcsCodecError("media frame is not JSON");
  }
  if (typeof message !== "object" || message === null) throw new AcsCodecError("media frame is not a JSON object");
  const kind = message.kind ?? message.Kind;
  if (typeof kind !== "string") throw new AcsCodecError("media frame has no kind");
  switch (kind.toLowerCase()) {
    case "audiodata": {
      const body = (message.audioData ?? message.AudioData) as Record<string, unknown> | null | undefined;
      const data = body?.data ?? body?.Data;
      if (typeof data !== "string") throw new AcsCodecError("AudioData frame has no data");
      const silent = body?.silent ?? body?.Silent ?? body?.isSilent;
      const participant = body?.participantRawID ?? body?.participantRawId ?? body?.ParticipantRawID;
      return {
        kind: "audioData",
        data,
        silent: silent === true,
        participantRawId: typeof participant === "string" ? participant : undefined,
      };
    }
    case "audiometadata": {
      const body = (message.audioMetadata ?? message.AudioMetadata) as Record<string, unknown> | null | undefined;
      if (!body || typeof body !== "object") throw new AcsCodecError("AudioMetadata frame has no audioMetadata");
      const encoding = body.encoding ?? body.Encoding;
      const sampleRate = body.sampleRate ?? body.SampleRate;
      const channels = body.channels ?? body.Channels ?? 1;
      const length = body.length ?? body.Length ?? 0;
      const subscriptionId = body.subscriptionId ?? body.SubscriptionId;
      if (typeof encoding !== "string") throw new AcsCodecError("AudioMetadata has no encoding");
      if (typeof sampleRate !== "number") throw new AcsCodecError("AudioMetadata has no sampleRate");
      return {
        kind: "audioMetadata",
        encoding,
        sampleRateHz: sampleRate,
        channels: typeof channels === "number" ? channels : 1,
        frameBytes: typeof length === "number" ? length : 0,
        subscriptionId: typeof subscriptionId === "string" ? subscriptionId : undefined,
      };
    }
    case "dtmfdata": {
      const body = (message.dtmfData ?? message.DtmfData) as Record<string, unknown> | null | undefined;
      const digit = body?.data ?? body?.Data;
      if (typeof digit !== "string" || digit === "") throw new AcsCodecError("DtmfData frame has no data");
      return { kind: "dtmf", digit };
    }
    default:
      return { kind: "unknown", rawKind: kind };
  }
}

/**
 * One outbound audio frame toward the caller (bytes in the leg's format), in
 * exactly the shape the Call Automation SDK's createOutboundAudioData() builds
 * (test/acs-outbound-shape.test.ts compares them), without its object and stringify.
 */
export function encodeAcsAudioData(payload: Uint8Array): string {
  return `{"kind":"audioData","audioData":{"data":"${base64FromBytes(payload)}","isSilent":false},"stopAudio":{}}`;
}
