/**
 * The Voice Live API versions the emulator accepts, and the features the public
 * docs tie to a version. Anything else is refused at the upgrade, before a
 * socket exists, the way Azure AI services refuse an unknown `api-version`:
 * HTTP 400 `{"error":{"code":"BadRequest","message":"API version not supported"}}`.
 */

/** Oldest first. `2026-07-15` is the GA version the official SDK (1.1.0) defaults to. */
export const SUPPORTED_API_VERSIONS = ["2025-10-01", "2026-01-01-preview", "2026-04-10", "2026-06-01-preview", "2026-07-15"] as const;

export type ApiVersion = (typeof SUPPORTED_API_VERSIONS)[number];

/** Features that only exist from a given version on (docs: protocols.md §4–5, the Voice Live reference). */
export const VERSIONED_FEATURES = {
  /** `response.create.response.pre_generated_assistant_message`. */
  preGeneratedAssistantMessage: "2026-01-01-preview",
  /** `session.interim_response` and the per-response `response.interim_response`. */
  interimResponse: "2026-01-01-preview",
  /** Client events `input_text.delta` / `input_text.done` (streaming text input). */
  inputTextStreaming: "2026-06-01-preview",
} as const satisfies Record<string, ApiVersion>;

export type VersionedFeature = keyof typeof VERSIONED_FEATURES;

export function isSupportedApiVersion(value: string): value is ApiVersion {
  return (SUPPORTED_API_VERSIONS as readonly string[]).includes(value);
}

/** Versions are dates (with an optional `-preview` suffix): a later date has every earlier feature. */
export function supportsFeature(apiVersion: ApiVersion, feature: VersionedFeature): boolean {
  return apiVersion.slice(0, 10) >= VERSIONED_FEATURES[feature].slice(0, 10);
}
