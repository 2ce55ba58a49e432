/**
 * Input audio events: append (decode + VAD), commit, clear; and what VAD
 * decisions cause: speech_started (barge-in: interrupt_response cancels the
 * response, auto_truncate cuts the assistant item to what was estimated heard),
 * speech_stopped (commit the user item, transcript, maybe a response).
 */
import type { ClientEvent, EmulatorConnection } from "./connection.js";
import { estimatePlayedMs, heardText, type StoredItem } from "./conversation.js";
import { callerTurn } from "./planner.js";
import { ErrorCodes, ProtocolError, missingParameter } from "./protocol-error.js";
import type { Recorder } from "./recorder.js";
import { requestResponse, sessionResponseRequest } from "./response-events.js";

/** The service refuses to commit less than this. */
export const MIN_COMMIT_MS = 100;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_REUSED_BASE64_CHARS = 64 * 1024;

export function onInputAppend(conn: EmulatorConnection, event: ClientEvent, recorder: Recorder): void {
  const audio = event.audio;
  if (typeof audio !== "string") {
    recorder.record(conn.id, { type: event.type, event_id: event.event_id, audio: typeof audio }, 64);
    throw missingParameter("audio");
  }
  // Cheap shape check; Buffer.from would silently skip bad characters.
  if (audio.length % 4 !== 0 || !BASE64.test(audio.slice(-8))) {
    recorder.recordAppend(conn.id, 0, event.event_id);
    throw new ProtocolError(ErrorCodes.invalidValue, "Invalid 'audio': expected base64-encoded audio bytes.", "audio");
  }
  // Frames reuse one buffer; an unusually big append gets its own so the buffer stays small.
  const bytes = audio.length <= MAX_REUSED_BASE64_CHARS ? conn.base64.decode(audio) : Buffer.from(audio, "base64");
  recorder.recordAppend(conn.id, bytes.length, event.event_id);
  conn.counters.audioBytesReceived += bytes.length;
  const events = conn.input.append(bytes);
  for (const vad of events) {
    if (vad.kind === "speech_started") onSpeechStarted(conn, vad.audioStartMs);
    else onSpeechStopped(conn, vad.audioEndMs);
  }
}

export function onInputCommit(conn: EmulatorConnection): void {
  const bufferedMs = conn.input.bufferedMs;
  if (bufferedMs < MIN_COMMIT_MS) {
    throw new ProtocolError(
      ErrorCodes.commitEmpty,
      `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${bufferedMs.toFixed(2)}ms of audio.`,
    );
  }
  const itemId = conn.speechItemId ?? conn.ids.next("item");
  conn.speechItemId = null;
  conn.input.clear(); // a manual commit ends any speech the VAD was tracking
  commitUserAudio(conn, itemId);
}

export function onInputClear(conn: EmulatorConnection): void {
  conn.input.clear();
  conn.speechItemId = null;
  conn.send({ type: "input_audio_buffer.cleared" });
}

function onSpeechStarted(conn: EmulatorConnection, audioStartMs: number): void {
  const itemId = conn.ids.next("item");
  conn.speechItemId = itemId;
  conn.send({ type: "input_audio_buffer.speech_started", audio_start_ms: Math.round(audioStartMs), item_id: itemId });
  const turnDetection = conn.session.turn_detection;
  if (turnDetection === null || !turnDetection.interrupt_response) return;
  conn.active?.cancel("turn_detected");
  conn.interim?.cancel("turn_detected");
  if (turnDetection.auto_truncate) {
    const appended = turnDetection.appended_text_after_truncation;
    autoTruncate(conn, typeof appended === "string" ? appended : "");
  }
}

function onSpeechStopped(conn: EmulatorConnection, audioEndMs: number): void {
  const itemId = conn.speechItemId ?? conn.ids.next("item");
  conn.speechItemId = null;
  conn.send({ type: "input_audio_buffer.speech_stopped", audio_end_ms: Math.round(audioEndMs), item_id: itemId });
  commitUserAudio(conn, itemId);
  if (conn.session.turn_detection?.create_response) requestResponse(conn, sessionResponseRequest(conn, "turn_detection"));
}

/** Commits the input buffer as the caller's next turn: committed, item created, transcript. */
function commitUserAudio(conn: EmulatorConnection, itemId: string): void {
  conn.input.resetBuffer();
  const turn = callerTurn(conn.scenario, conn.turnsTaken, conn.replyRandom);
  conn.turnsTaken += 1;
  conn.program = turn.program;
  conn.lastUserText = turn.user;
  const wire: Record<string, unknown> = {
    id: itemId,
    object: "realtime.item",
    type: "message",
    status: "completed",
    role: "user",
    // The SDK types `audio` as a required string; the service never echoes the caller's audio: empty.
    content: [{ type: "input_audio", audio: "", transcript: null }],
  };
  const previous = conn.conversation.add({ id: itemId, wire, text: turn.user });
  conn.send({ type: "input_audio_buffer.committed", previous_item_id: previous, item_id: itemId });
  conn.send({ type: "conversation.item.created", previous_item_id: previous, item: { ...wire } });
  // Like the service, transcripts only come when input_audio_transcription is configured.
  if (conn.session.input_audio_transcription !== null) {
    wire.content = [{ type: "input_audio", audio: "", transcript: turn.user }];
    conn.send({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: itemId,
      content_index: 0,
      transcript: turn.user,
    });
  }
}

/** auto_truncate: the last assistant audio item, if still playing, is cut to the estimated heard audio. */
function autoTruncate(conn: EmulatorConnection, appendedText: string): void {
  const item = conn.conversation.lastAssistantAudio();
  if (item?.audio === undefined || item.audio.truncatedAtMs !== null) return;
  const playedMs = Math.floor(estimatePlayedMs(item.audio, conn.clock.nowMs()));
  if (item.audio.complete && playedMs >= Math.floor(item.audio.totalMs)) return; // the caller heard it all
  applyTruncation(item, playedMs, appendedText);
  conn.send({ type: "conversation.item.truncated", item_id: item.id, content_index: 0, audio_end_ms: playedMs });
}

/** Cuts an assistant audio item's text to what `audioEndMs` of its audio says. */
export function applyTruncation(item: StoredItem, audioEndMs: number, appendedText = ""): void {
  const track = item.audio!;
  track.truncatedAtMs = audioEndMs;
  const text = heardText(item.plannedText ?? item.text, track, audioEndMs) + appendedText;
  item.text = text;
  item.wire.content = [{ type: "audio", transcript: text }];
}
