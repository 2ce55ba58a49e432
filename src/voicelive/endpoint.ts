/**
 * Where and how to connect: the realtime URL (model or agent mode query) and the
 * auth header (api-key, or a fresh Entra token on every connect so a reconnect
 * late in a long call never reuses an expired one).
 */
import type { TokenCredential } from "@azure/identity";
import type { VoiceLiveConfig } from "../config/voicelive.js";
import { AppError } from "../errors.js";

export const VOICE_LIVE_SCOPE = "https://ai.azure.com/.default";

export type VoiceLiveAuth =
  | { readonly kind: "apiKey"; readonly apiKey: string }
  | { readonly kind: "token"; getToken(signal?: AbortSignal): Promise<string> };

export interface VoiceLiveTarget {
  /** Origin of the service (or the embedded emulator). */
  readonly endpoint: URL;
  readonly config: VoiceLiveConfig;
  readonly auth: VoiceLiveAuth;
}

export function buildRealtimeUrl(target: VoiceLiveTarget, options: { conversationId?: string } = {}): string {
  const url = new URL("/voice-live/realtime", target.endpoint);
  url.protocol = url.protocol === "http:" || url.protocol === "ws:" ? "ws:" : "wss:";
  const query = url.searchParams;
  query.set("api-version", target.config.apiVersion);
  const mode = target.config.mode;
  if (mode.kind === "model") {
    query.set("model", mode.model);
  } else {
    query.set("agent-name", mode.agentName);
    query.set("agent-project-name", mode.projectName);
    if (mode.agentVersion) query.set("agent-version", mode.agentVersion);
    if (mode.foundryResourceOverride) query.set("foundry-resource-override", mode.foundryResourceOverride);
    if (mode.authenticationIdentityClientId) query.set("agent-authentication-identity-client-id", mode.authenticationIdentityClientId);
    if (options.conversationId) query.set("conversation-id", options.conversationId);
  }
  return url.toString();
}

export async function buildAuthHeaders(auth: VoiceLiveAuth, signal?: AbortSignal): Promise<Record<string, string>> {
  if (auth.kind === "apiKey") return { "api-key": auth.apiKey };
  return { authorization: `Bearer ${await auth.getToken(signal)}` };
}

export function entraAuth(credential: () => TokenCredential): VoiceLiveAuth {
  return {
    kind: "token",
    async getToken(signal) {
      const token = await credential().getToken(VOICE_LIVE_SCOPE, signal ? { abortSignal: signal } : undefined);
      if (!token) throw new AppError("voicelive_auth_failed", `no Entra token for ${VOICE_LIVE_SCOPE}`, { retryable: true });
      return token.token;
    },
  };
}
