/**
 * Test-side helpers for driving the emulator with the official
 * `@azure/ai-voicelive` SDK: a session that records every event the SDK
 * delivered, the credentials it takes, and the checks every flow ends with
 * (nothing failed the SDK's parser, nothing was dropped).
 */
import { VoiceLiveClient, type ServerEventUnion, type VoiceLiveSession } from "@azure/ai-voicelive";
import type { VoiceLiveEmulator } from "../src/emulator/index.js";

/** What `new AzureKeyCredential(key)` is: the SDK only reads `key`. */
export const keyCredential = (key: string) => ({ key });

/** A Microsoft Entra TokenCredential stand-in (what DefaultAzureCredential returns). */
export function tokenCredential(token: string) {
  const scopes: string[][] = [];
  return {
    scopes,
    async getToken(scope: string | string[]) {
      scopes.push(Array.isArray(scope) ? scope : [scope]);
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

/** The SDK wants `http://host:port` (it upgrades itself); it mangles a ws:// endpoint. */
export function sdkEndpoint(emulator: VoiceLiveEmulator): string {
  return emulator.url.replace(/^ws/, "http");
}

export interface RecordedSdkSession {
  readonly client: VoiceLiveClient;
  readonly session: VoiceLiveSession;
  /** Every server event the SDK handed to onServerEvent, in order (deserialized, camelCase). */
  readonly events: ServerEventUnion[];
  /** Server error events whose code is MessageParsingError: the SDK could not deserialize what it got. */
  parseErrors(): ServerEventUnion[];
  waitFor<T extends ServerEventUnion>(predicate: (event: ServerEventUnion) => boolean, what: string, timeoutMs?: number): Promise<T>;
  all(type: string): ServerEventUnion[];
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Connects a session through the SDK (model name or agent target) and records what it delivers. */
export async function startSdkSession(
  emulator: VoiceLiveEmulator,
  target: string | { agent: { agentName: string; projectName: string; agentVersion?: string; conversationId?: string } },
  credential: { key: string } | ReturnType<typeof tokenCredential>,
  apiVersion?: string,
): Promise<RecordedSdkSession> {
  const client = new VoiceLiveClient(sdkEndpoint(emulator), credential, apiVersion === undefined ? {} : { apiVersion });
  const events: ServerEventUnion[] = [];
  const session = typeof target === "string" ? client.createSession(target) : client.createSession(target);
  session.subscribe({
    onServerEvent: async (event) => {
      events.push(event);
    },
  });
  await session.connect();
  const recorded: RecordedSdkSession = {
    client,
    session,
    events,
    parseErrors: () => events.filter((e) => e.type === "error" && (e as { error?: { code?: string } }).error?.code === "MessageParsingError"),
    async waitFor<T extends ServerEventUnion>(predicate: (event: ServerEventUnion) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
      await waitUntil(() => {
        // A parse failure means the awaited event may never come: say so at once.
        const failed = recorded.parseErrors();
        if (failed.length > 0) throw new Error(`the SDK could not parse an event while waiting for ${what}: ${JSON.stringify(failed[0])}`);
        return events.some(predicate);
      }, what, timeoutMs);
      return events.find(predicate) as T;
    },
    all: (type) => events.filter((e) => e.type === type),
  };
  await recorded.waitFor((e) => e.type === "session.created", "session.created");
  return recorded;
}

/**
 * The end of every flow: the SDK delivered every event the emulator sent for
 * this connection (none was an unknown type it silently drops) and could parse
 * every one of them.
 */
export async function expectEveryEventDelivered(emulator: VoiceLiveEmulator, connectionId: string, recorded: RecordedSdkSession): Promise<void> {
  await waitUntil(() => recorded.events.length >= (emulator.connection(connectionId)?.counters.eventsSent ?? Infinity), "every emulator event to reach the SDK");
  const sent = emulator.connection(connectionId)?.counters.eventsSent;
  if (recorded.events.length !== sent) throw new Error(`the SDK delivered ${recorded.events.length} events, the emulator sent ${sent}`);
  const failed = recorded.parseErrors();
  if (failed.length > 0) throw new Error(`the SDK failed to parse ${failed.length} events: ${JSON.stringify(failed[0])}`);
}
