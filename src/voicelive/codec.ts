/**
 * Hot-path encoding for Voice Live audio events (50 per second per call): the
 * JSON is built as a string around the base64, no object or stringify per frame.
 * PCM16 is little-endian on the wire; every platform Node supports is too, so
 * typed-array bytes go out as they are.
 */
import { base64FromBytes } from "../audio/index.js";

export function encodeInputAudioAppend(samples: Int16Array): string {
  return `{"type":"input_audio_buffer.append","audio":"${base64FromBytes(samples)}"}`;
}
