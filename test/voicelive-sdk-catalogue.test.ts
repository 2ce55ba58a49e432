/**
 * The emulator's whole event catalogue through the official SDK's
 * deserializers: sessions that make the emulator send every server event type
 * it has (SERVER_EVENT_TYPES), with and without their optional parts; every
 * event must be a type the SDK knows (it silently drops others), deserialize
 * without throwing, have what the SDK's types require, and lose no field.
 */
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScenario, SERVER_EVENT_TYPES, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { TestClient, concat, pcmBytes, sendAudio, silence24k, speech24k, type ServerEvent } from "./emulator-helpers.js";
import { checkSdkShape, droppedFields, interfaceForEventType, loadSdkModel } from "./voicelive-sdk-shapes.js";

/**
 * Wire fields the SDK does not model, each kept on purpose: the Voice Live /
 * OpenAI realtime reference sends them, and a raw `ws` client (like the bot) reads them.
 */
const FIELDS_THE_SDK_DROPS: ReadonlyArray<{ readonly why: string; readonly matches: (path: string, raw: ServerEvent) => boolean }> = [
  { why: "reference: the session object is tagged realtime.session", matches: (path) => path === "session.object" },
  {
    why: "the agent query parameters, echoed for clients that read them",
    matches: (path) => /^session\.agent\.(project_name|version|conversation_id)$/.test(path),
  },
  {
    why: "reference: every item has a status; the SDK models none on function_call_output items",
    matches: (path, raw) => path === "item.status" && raw.item?.type === "function_call_output",
  },
];

const LONG = "Our premium plan includes unlimited calls, a dedicated account manager and priority support around the clock, every day of the year.";

const scenario = parseScenario({
  version: 1,
  greeting: [{ say: "Welcome to Contoso. How can I help?" }],
  turns: [
    { user: "Where is my order?", assistant: [{ say: "Let me check." }, { tool: "lookup_order", arguments: { order_id: "7" }, answer: "It is {{output}}." }] },
    { user: "Tell me about the premium plan.", assistant: [{ delayMs: 700 }, { say: LONG }] },
    { user: "Stop. What does it cost?", assistant: [{ say: "Twenty dollars a month." }] },
  ],
  fallback: { user: "(unscripted)", replies: ["Okay."] },
});

const QUERY = { "api-version": "2026-07-15", model: "gpt-4.1" };
const caller = (text: string) => pcmBytes(concat(speech24k(text), silence24k(800)));

let emulator: VoiceLiveEmulator;
let expiring: VoiceLiveEmulator;
const events: ServerEvent[] = [];

async function modelSession(): Promise<void> {
  const c = await TestClient.connect(emulator, { query: QUERY });
  const update = await c.updateSession({
    voice: { type: "azure-standard", name: "en-US-Andrew:DragonHDLatestNeural", temperature: 0.8 },
    instructions: "Be brief.",
    turn_detection: { type: "azure_semantic_vad", interrupt_response: true, auto_truncate: true, end_of_utterance_detection: { model: "semantic_detection_v1" } },
    input_audio_transcription: { model: "azure-speech", language: "en-US" },
    input_audio_noise_reduction: { type: "azure_deep_noise_suppression" },
    interim_response: { type: "static_interim_response", triggers: ["tool", "latency"], latency_threshold_ms: 300, texts: ["One moment."] },
    output_audio_timestamp_types: ["word"],
    tools: [{ type: "function", name: "lookup_order", parameters: { type: "object", properties: {} } }],
    metadata: { tenant: "contoso" },
  });
  expect(update.type).toBe("session.updated");
  // An error that names its parameter and the client event.
  await c.expectError({ type: "session.update", event_id: "evt_bad", session: { input_audio_format: "mp3" } });
  // The scripted greeting: a whole spoken response with word timestamps.
  c.send({ type: "response.create" });
  await c.next("response.done", 20_000);
  // A caller turn that calls a tool (message + function_call), the tool interim, the output, the answer.
  sendAudio(c, caller("Where is my order?"), 960);
  await c.next((e) => e.type === "response.function_call_arguments.done", 20_000);
  const call = await c.next((e) => e.type === "response.done", 20_000);
  const callId = call.response.output.find((o: any) => o.type === "function_call").call_id;
  await c.next((e) => e.type === "response.done", 20_000); // the interim
  c.send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: callId, output: '{"status":"shipped"}' } });
  c.send({ type: "response.create" });
  await c.next((e) => e.type === "response.done", 20_000);
  // A slow answer (latency interim), interrupted by the caller (auto_truncate).
  sendAudio(c, caller("Tell me about the premium plan."), 960);
  await c.next((e) => e.type === "response.audio.delta" && c.events.filter((x) => x.type === "response.done").length >= 5, 20_000);
  await c.waitUntil(() => c.all("response.audio_timestamp.delta").length >= 30, 20_000);
  sendAudio(c, caller("Stop. What does it cost?"), 960);
  await c.next("conversation.item.truncated", 20_000);
  await c.waitUntil(() => c.all("response.done").some((d) => d.response.output.some((o: any) => o.content?.[0]?.transcript === "Twenty dollars a month.")), 20_000);
  // Text only, out of band, with metadata.
  c.send({ type: "response.create", response: { modalities: ["text"], conversation: "none", metadata: { topic: "summary" } } });
  await c.next((e) => e.type === "response.text.done", 20_000);
  await c.next("response.done");
  // Items: a system message, a user message; retrieve one, delete one.
  c.send({ type: "conversation.item.create", item: { type: "message", role: "system", content: [{ type: "input_text", text: "Be kind." }] } });
  const system = await c.next("conversation.item.created");
  c.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "Hello there" }] } });
  await c.next("conversation.item.created");
  c.send({ type: "conversation.item.retrieve", item_id: system.item.id });
  await c.next("conversation.item.retrieved");
  c.send({ type: "conversation.item.delete", item_id: system.item.id });
  await c.next("conversation.item.deleted");
  // A client-cancelled response, then an error without param or client event id.
  c.send({ type: "response.create" });
  await c.next("response.audio.delta", 20_000);
  c.send({ type: "response.cancel" });
  await c.next((e) => e.type === "response.done" && e.response.status === "cancelled");
  await c.expectError({ type: "response.cancel" });
  // Manual turns: no VAD, clear, commit.
  const off = await c.updateSession({ turn_detection: null, interim_response: null });
  expect(off.session.turn_detection).toBeNull();
  sendAudio(c, pcmBytes(silence24k(100)), 960);
  c.send({ type: "input_audio_buffer.clear" });
  await c.next("input_audio_buffer.cleared");
  sendAudio(c, pcmBytes(speech24k("Hi")), 960);
  c.send({ type: "input_audio_buffer.commit" });
  await c.next("input_audio_buffer.committed");
  await c.next("conversation.item.created");
  events.push(...c.events);
  await c.close();
}

async function agentSession(): Promise<void> {
  const c = await TestClient.connect(emulator, {
    query: { "api-version": "2026-07-15", "agent-name": "support", "agent-project-name": "contoso", "agent-version": "2", "conversation-id": "conv_42" },
    headers: { authorization: "Bearer entra" },
  });
  events.push(...c.events);
  await c.close();
}

async function expiredSession(): Promise<void> {
  const c = await TestClient.connect(expiring, { query: QUERY });
  await c.next("error", 10_000);
  events.push(...c.events);
}

beforeAll(async () => {
  emulator = await startVoiceLiveEmulator({ port: 0, scenario });
  expiring = await startVoiceLiveEmulator({ port: 0, scenario, sessionLifetimeMs: 1000 });
  await modelSession();
  await agentSession();
  await expiredSession();
}, 120_000);

afterAll(async () => {
  await emulator?.close();
  await expiring?.close();
});

async function sdkModels(): Promise<{ serverEventUnionDeserializer: (raw: unknown) => any; KnownServerEventType: Record<string, string> }> {
  // The deserializers are not exported by the package entry: load the module file itself.
  const entry = createRequire(import.meta.url).resolve("@azure/ai-voicelive");
  return import(pathToFileURL(join(dirname(entry), "..", "esm", "models", "models.js")).href);
}

describe("the emulator's server events through the official SDK's deserializers", () => {
  it("sends every type in its catalogue, and only those", () => {
    const seen = new Set(events.map((e) => e.type));
    expect([...seen].sort()).toEqual([...SERVER_EVENT_TYPES].sort());
  });

  it("every event is a type the SDK knows, deserializes, has what the SDK requires and loses no field", async () => {
    const { serverEventUnionDeserializer, KnownServerEventType } = await sdkModels();
    const model = loadSdkModel();
    const known = new Set(Object.values(KnownServerEventType));
    const problems = new Map<string, Set<string>>();
    const note = (type: string, problem: string) => (problems.get(type) ?? problems.set(type, new Set()).get(type)!).add(problem);
    for (const raw of events) {
      if (!known.has(raw.type)) note(raw.type, "unknown to the SDK (its parser drops it)");
      let parsed: unknown;
      try {
        parsed = serverEventUnionDeserializer(raw);
      } catch (error) {
        note(raw.type, `deserializer threw: ${(error as Error).message}`);
        continue;
      }
      const sdkType = interfaceForEventType(model, raw.type);
      if (sdkType === undefined) note(raw.type, "no SDK interface declares this type");
      else for (const problem of checkSdkShape(model, parsed, sdkType)) note(raw.type, problem.replace(/\[\d+\]/g, "[]"));
      for (const path of droppedFields(raw, parsed)) {
        if (!FIELDS_THE_SDK_DROPS.some((allowed) => allowed.matches(path, raw))) note(raw.type, `dropped by the SDK: ${path.replace(/\[\d+\]/g, "[]")}`);
      }
    }
    expect(Object.fromEntries([...problems].map(([type, set]) => [type, [...set]]))).toEqual({});
  });

  it("walks each type with and without its optional parts", () => {
    const some = (type: string, predicate: (e: ServerEvent) => boolean) => events.some((e) => e.type === type && predicate(e));
    const variants: Array<[string, boolean]> = [
      ["session.created in model mode", some("session.created", (e) => e.session.model === "gpt-4.1" && e.session.turn_detection !== null)],
      ["session.created in agent mode", some("session.created", (e) => e.session.agent?.agent_id === "support:2" && e.session.agent?.thread_id === "conv_42")],
      ["session.updated with every option", some("session.updated", (e) => e.session.interim_response !== null && e.session.output_audio_timestamp_types.length === 1)],
      ["session.updated without turn detection or interim", some("session.updated", (e) => e.session.turn_detection === null && e.session.interim_response === null)],
      ["error naming its parameter and client event", some("error", (e) => e.error.param !== null && e.error.event_id === "evt_bad")],
      ["error without parameter or client event", some("error", (e) => e.error.param === null && e.error.event_id === null)],
      ["error: session expired", some("error", (e) => e.error.code === "session_expired")],
      ["first item (no previous_item_id)", some("conversation.item.created", (e) => e.previous_item_id === null)],
      ["user audio item", some("conversation.item.created", (e) => e.item.role === "user" && e.item.content[0].type === "input_audio")],
      ["user text item", some("conversation.item.created", (e) => e.item.role === "user" && e.item.content[0].type === "input_text")],
      ["system item", some("conversation.item.created", (e) => e.item.role === "system")],
      ["function_call item", some("conversation.item.created", (e) => e.item.type === "function_call")],
      ["function_call_output item", some("conversation.item.created", (e) => e.item.type === "function_call_output")],
      ["response completed with a function call", some("response.done", (e) => e.response.status === "completed" && e.response.output.some((o: any) => o.type === "function_call"))],
      ["response cancelled by turn detection", some("response.done", (e) => e.response.status_details?.reason === "turn_detected")],
      ["response cancelled by the client", some("response.done", (e) => e.response.status_details?.reason === "client_cancelled")],
      ["out-of-band text response with metadata", some("response.done", (e) => e.response.conversation_id === null && e.response.metadata?.topic === "summary")],
      ["text content part", some("response.content_part.added", (e) => e.part.type === "text")],
      ["audio content part", some("response.content_part.added", (e) => e.part.type === "audio")],
      ["incomplete item", some("response.output_item.done", (e) => e.item.status === "incomplete")],
      ["retrieved item", some("conversation.item.retrieved", (e) => e.item.role === "system")],
    ];
    expect(variants.filter(([, ok]) => !ok).map(([name]) => name)).toEqual([]);
  });
});
