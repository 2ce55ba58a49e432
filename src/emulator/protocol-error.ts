/**
 * An `error` server event in the making. The service answers a bad client event
 * with `{"type":"error","error":{type,code,message,param,event_id}}` and keeps the
 * session open; handlers throw this and the connection turns it into that event.
 */
export class ProtocolError extends Error {
  readonly code: string;
  readonly param: string | null;
  readonly errorType: "invalid_request_error" | "server_error";

  constructor(
    code: string,
    message: string,
    param: string | null = null,
    errorType: "invalid_request_error" | "server_error" = "invalid_request_error",
  ) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
    this.param = param;
    this.errorType = errorType;
  }
}

/** Codes the emulator emits; tests and the bot key on these, never on messages. */
export const ErrorCodes = {
  invalidJson: "invalid_json",
  invalidValue: "invalid_value",
  missingRequiredParameter: "missing_required_parameter",
  unsupportedParameter: "unsupported_parameter",
  activeResponse: "conversation_already_has_active_response",
  cancelNotActive: "response_cancel_not_active",
  commitEmpty: "input_audio_buffer_commit_empty",
  truncateInvalidItemId: "item_truncate_invalid_item_id",
  alreadyTruncated: "item_already_truncated",
  itemNotFound: "item_not_found",
  sessionExpired: "session_expired",
  unknownParameter: "unknown_parameter",
} as const;

export function invalidValue(param: string, value: unknown, allowed?: readonly (string | number)[]): ProtocolError {
  const shown = typeof value === "string" ? `'${value}'` : JSON.stringify(value);
  const supported = allowed === undefined ? "" : ` Supported values are: ${allowed.map((v) => `'${v}'`).join(", ")}.`;
  return new ProtocolError(ErrorCodes.invalidValue, `Invalid value: ${shown}.${supported}`, param);
}

export function missingParameter(param: string): ProtocolError {
  return new ProtocolError(ErrorCodes.missingRequiredParameter, `Missing required parameter: '${param}'.`, param);
}
