/**
 * Every server event type the emulator can send: its catalogue. `send()` only
 * takes these (a new event type must be added here), and the catalogue test
 * walks each one, with and without its optional parts, through the official
 * SDK's deserializers.
 */
export const SERVER_EVENT_TYPES = [
  "session.created",
  "session.updated",
  "error",
  "input_audio_buffer.speech_started",
  "input_audio_buffer.speech_stopped",
  "input_audio_buffer.committed",
  "input_audio_buffer.cleared",
  "conversation.item.created",
  "conversation.item.input_audio_transcription.completed",
  "conversation.item.truncated",
  "conversation.item.retrieved",
  "conversation.item.deleted",
  "response.created",
  "response.output_item.added",
  "response.content_part.added",
  "response.audio.delta",
  "response.audio_transcript.delta",
  "response.audio_timestamp.delta",
  "response.text.delta",
  "response.audio.done",
  "response.audio_timestamp.done",
  "response.audio_transcript.done",
  "response.text.done",
  "response.content_part.done",
  "response.output_item.done",
  "response.function_call_arguments.delta",
  "response.function_call_arguments.done",
  "response.done",
] as const;

export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

/** A server event before the connection stamps its `event_id`. */
export type OutgoingEvent = { readonly type: ServerEventType } & Record<string, unknown>;
