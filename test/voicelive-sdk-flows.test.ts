/**
 * The official `@azure/ai-voicelive` SDK (1.1.0) runs its documented flows
 * against the emulator: every event it gets parses, none is dropped, and each
 * flow does what the SDK's README says it does.
 */
import type {
  ServerEventConversationItemInputAudioTranscriptionCompleted,
  ServerEventError,
  ServerEventResponseAudioTimestampDelta,
  ServerEventResponseAudioTranscriptDone,
  ServerEventResponseDone,
  ServerEventResponseFunctionCallArgumentsDone,
  ServerEventSessionCreated,
  ServerEventSessionUpdated,
} from "@azure/ai-voicelive";
import { afterEach, describe, expect, it } from "vitest";
import { parseScenario, SPEECH_MS_PER_CHAR, startVoiceLiveEmulator, type VoiceLiveEmulator } from "../src/emulator/index.js";
import { concat, silence24k, speech24k } from "./emulator-helpers.js";
import { expectEveryEventDelivered, keyCredential, startSdkSession, tokenCredential, waitUntil, type RecordedSdkSession } from "./voicelive-sdk-helpers.js";

const GREETING = "Thank you for calling Contoso. How can I help you today?";
const LONG_ANSWER =
  "Every Contoso product comes with a two year warranty that covers defects in materials and workmanship. " +
  "If something goes wrong, contact us with your order number and we will arrange a repair or a replacement.";

const scenario = parseScenario({
  version: 1,
  name: "sdk-flows",
  turns: [
    { user: "What are your opening hours?", assistant: [{ say: "We are open Monday to Friday, from nine to five." }] },
    {
      user: "Where is my order?",
      assistant: [{ tool: "lookup_order", arguments: { order_id: "123" }, answer: "Your order is {{output}}." }],
    },
  ],
  fallback: { user: "(unscripted)", replies: ["You said: {{user}}"] },
});

let emulator: VoiceLiveEmulator;
let sdk: RecordedSdkSession | undefined;

afterEach(async () => {
  await sdk?.session.dispose();
  sdk = undefined;
  await emulator?.close();
});

const pcm = (samples: Int16Array): ArrayBuffer => samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength) as ArrayBuffer;

/** Sends speech through session.sendAudio in 20 ms chunks, like a microphone would. */
async function speak(session: RecordedSdkSession, samples: Int16Array): Promise<void> {
  for (let i = 0; i < samples.length; i += 480) await session.session.sendAudio(pcm(samples.subarray(i, i + 480)));
}

const transcriptDone = (s: RecordedSdkSession, responseId: string) =>
  s.waitFor<ServerEventResponseAudioTranscriptDone>((e) => e.type === "response.audio_transcript.done" && (e as ServerEventResponseAudioTranscriptDone).responseId === responseId, "the transcript");

const responseDone = (s: RecordedSdkSession, index = 0) =>
  s.waitFor(() => s.all("response.done").length > index, `response.done #${index + 1}`).then(() => s.all("response.done")[index] as ServerEventResponseDone);

describe("the official @azure/ai-voicelive SDK against the emulator", () => {
  it("connects in model mode with an api key at the SDK's default (GA) api-version and gets a parsed session", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("test-key"));
    const created = sdk.all("session.created")[0] as ServerEventSessionCreated;
    expect(sdk.session.sessionId).toBe(created.session.id);
    expect(created.session).toMatchObject({ model: "gpt-4.1", inputAudioFormat: "pcm16", outputAudioFormat: "pcm16", inputAudioSamplingRate: 24000 });
    expect(created.session.turnDetection).toMatchObject({ type: "server_vad", createResponse: true, interruptResponse: true });
    expect(created.session.expiresAt).toBeInstanceOf(Date);
    expect(created.session.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
    expect(emulator.connection("c1")).toMatchObject({ apiVersion: "2026-07-15", auth: "api-key", mode: { kind: "model", model: "gpt-4.1" } });
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("connects in agent mode with an Entra token; the session names the agent the way the SDK reads it", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario, acceptBearer: (token) => token === "entra-token" });
    const credential = tokenCredential("entra-token");
    sdk = await startSdkSession(emulator, { agent: { agentName: "support-agent", projectName: "contoso", agentVersion: "3" } }, credential);
    expect(credential.scopes[0]).toEqual(["https://ai.azure.com/.default"]);
    const created = sdk.all("session.created")[0] as ServerEventSessionCreated;
    expect(created.session.agent).toMatchObject({ type: "agent", name: "support-agent", agentId: "support-agent:3" });
    expect(created.session.agent?.threadId).toMatch(/^thread_/);
    expect(emulator.connection("c1")).toMatchObject({ auth: "bearer", mode: { kind: "agent", agentName: "support-agent", projectName: "contoso" } });
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("updateSession with every option the emulator supports: VADs with end-of-utterance detection, audio processing, transcription, tools, interim responses, word timestamps", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("k"));
    const updates = [
      {
        modalities: ["text", "audio"],
        instructions: "You are Contoso's phone assistant.",
        voice: { type: "azure-standard", name: "en-US-Ava:DragonHDLatestNeural", temperature: 0.8 },
        inputAudioFormat: "pcm16",
        inputAudioSamplingRate: 16000,
        outputAudioFormat: "pcm16",
        turnDetection: {
          type: "azure_semantic_vad",
          threshold: 0.5,
          prefixPaddingInMs: 300,
          silenceDurationInMs: 500,
          speechDurationInMs: 80,
          removeFillerWords: true,
          languages: ["en-US"],
          endOfUtteranceDetection: { model: "semantic_detection_v1", thresholdLevel: "medium", timeoutInMs: 1000 },
          createResponse: true,
          interruptResponse: true,
          autoTruncate: true,
        },
        inputAudioNoiseReduction: { type: "azure_deep_noise_suppression" },
        inputAudioEchoCancellation: { type: "server_echo_cancellation" },
        inputAudioTranscription: { model: "azure-speech", language: "en-US" },
        tools: [{ type: "function", name: "lookup_order", description: "Finds an order", parameters: { type: "object", properties: { order_id: { type: "string" } } } }],
        toolChoice: "auto",
        interimResponse: { type: "static_interim_response", triggers: ["tool", "latency"], latencyThresholdInMs: 1500, texts: ["One moment please."] },
        outputAudioTimestampTypes: ["word"],
      },
      {
        turnDetection: {
          type: "server_vad",
          threshold: 0.6,
          prefixPaddingInMs: 200,
          silenceDurationInMs: 400,
          endOfUtteranceDetection: { model: "semantic_detection_v1_en", thresholdLevel: "low", timeoutInMs: 800 },
          createResponse: true,
          interruptResponse: true,
        },
        interimResponse: { type: "llm_interim_response", triggers: ["latency"], latencyThresholdInMs: 2000, instructions: "Say you are checking.", maxCompletionTokens: 30 },
      },
    ] as const;
    for (const [i, update] of updates.entries()) {
      await sdk.session.updateSession(update as never);
      await waitUntil(() => sdk!.all("session.updated").length > i || sdk!.all("error").length > 0, "session.updated");
      expect(sdk.all("error")).toEqual([]);
    }
    const [first, second] = sdk.all("session.updated") as ServerEventSessionUpdated[];
    expect(first.session).toMatchObject({
      inputAudioSamplingRate: 16000,
      turnDetection: { type: "azure_semantic_vad", autoTruncate: true, endOfUtteranceDetection: { model: "semantic_detection_v1", thresholdLevel: "medium" } },
      inputAudioNoiseReduction: { type: "azure_deep_noise_suppression" },
      inputAudioEchoCancellation: { type: "server_echo_cancellation" },
      inputAudioTranscription: { model: "azure-speech", language: "en-US" },
      tools: [{ type: "function", name: "lookup_order" }],
      interimResponse: { type: "static_interim_response", latencyThresholdInMs: 1500, texts: ["One moment please."] },
      outputAudioTimestampTypes: ["word"],
    });
    expect(second.session).toMatchObject({
      turnDetection: { type: "server_vad", threshold: 0.6, endOfUtteranceDetection: { model: "semantic_detection_v1_en" } },
      interimResponse: { type: "llm_interim_response", maxCompletionTokens: 30 },
    });
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("plays a pregenerated greeting: audio, transcript, word timestamps aligned with the audio, and a parsed response.done", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("k"));
    await sdk.session.updateSession({ outputAudioTimestampTypes: ["word"] });
    let audioBytes = 0;
    sdk.session.subscribe({ onResponseAudioDelta: async (event) => void (audioBytes += event.delta.byteLength) });
    await sdk.session.sendEvent({
      type: "response.create",
      response: { preGeneratedAssistantMessage: { type: "message", role: "assistant", content: [{ type: "text", text: GREETING }] } },
    });
    const done = await responseDone(sdk);
    expect(done.response).toMatchObject({ status: "completed", usage: { inputTokenDetails: { cachedTokensDetails: { textTokens: 0, audioTokens: 0 } } } });
    expect((await transcriptDone(sdk, done.response.id!)).transcript).toBe(GREETING);
    expect(sdk.all("response.created")).toHaveLength(1);
    const audioMs = audioBytes / 48;
    expect(audioMs).toBeGreaterThanOrEqual(GREETING.length * SPEECH_MS_PER_CHAR);
    const words = sdk.all("response.audio_timestamp.delta") as ServerEventResponseAudioTimestampDelta[];
    expect(words.map((w) => w.text).join(" ")).toBe("Thank you for calling Contoso How can I help you today");
    for (let i = 1; i < words.length; i++) expect(words[i].audioOffsetInMs).toBeGreaterThanOrEqual(words[i - 1].audioOffsetInMs + words[i - 1].audioDurationInMs);
    expect(words[words.length - 1].audioOffsetInMs + words[words.length - 1].audioDurationInMs).toBeLessThanOrEqual(audioMs);
    expect(sdk.all("response.audio_timestamp.done")).toHaveLength(1);
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("hears the caller's audio (server VAD, transcription) and answers with audio", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("k"));
    await sdk.session.updateSession({ inputAudioTranscription: { model: "azure-speech", language: "en-US" } });
    await speak(sdk, concat(silence24k(300), speech24k("What are your opening hours?"), silence24k(900)));
    const transcription = await sdk.waitFor<ServerEventConversationItemInputAudioTranscriptionCompleted>(
      (e) => e.type === "conversation.item.input_audio_transcription.completed",
      "the caller's transcript",
    );
    expect(transcription.transcript).toBe("What are your opening hours?");
    const done = await responseDone(sdk);
    expect(done.response.status).toBe("completed");
    expect((await transcriptDone(sdk, done.response.id!)).transcript).toBe("We are open Monday to Friday, from nine to five.");
    expect(sdk.all("input_audio_buffer.speech_started")).toHaveLength(1);
    expect(sdk.all("input_audio_buffer.speech_stopped")).toHaveLength(1);
    expect(sdk.all("input_audio_buffer.committed")).toHaveLength(1);
    expect(sdk.all("response.audio.delta").length).toBeGreaterThan(10);
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("barge-in: caller speech cancels the playing answer (turn_detected) and is answered next", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("k"));
    await sdk.session.updateSession({ turnDetection: { type: "azure_semantic_vad", interruptResponse: true, autoTruncate: true, createResponse: true } });
    await sdk.session.sendEvent({
      type: "response.create",
      response: { preGeneratedAssistantMessage: { type: "message", role: "assistant", content: [{ type: "text", text: LONG_ANSWER }] } },
    });
    await sdk.waitFor((e) => e.type === "response.audio.delta", "the answer's audio");
    await speak(sdk, concat(speech24k("What are your opening hours?"), silence24k(900)));
    const cancelled = await responseDone(sdk);
    expect(cancelled.response).toMatchObject({ status: "cancelled", statusDetails: { type: "cancelled", reason: "turn_detected" } });
    const answer = await responseDone(sdk, 1);
    expect((await transcriptDone(sdk, answer.response.id!)).transcript).toBe("We are open Monday to Friday, from nine to five.");
    expect(sdk.all("conversation.item.truncated")).toHaveLength(1);
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("runs the README's function-call sample: switches on event.name, sends the output, and hears the answer", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("k"));
    await sdk.session.updateSession({
      modalities: ["audio", "text"],
      tools: [{ type: "function", name: "lookup_order", description: "Finds an order", parameters: { type: "object", properties: { order_id: { type: "string" } } } }],
      toolChoice: "auto",
    });
    const calls: ServerEventResponseFunctionCallArgumentsDone[] = [];
    sdk.session.subscribe({
      onResponseFunctionCallArgumentsDone: async (event) => {
        if (event.name === "lookup_order") {
          calls.push(event);
          const args = JSON.parse(event.arguments) as { order_id: string };
          await sdk!.session.addConversationItem({ type: "function_call_output", callId: event.callId, output: JSON.stringify({ status: `shipped (${args.order_id})` }) });
          await sdk!.session.sendEvent({ type: "response.create" });
        }
      },
    });
    // The first caller turn is scripted as a question; the second one asks for the order.
    await sdk.session.addConversationItem({ type: "message", role: "user", content: [{ type: "input_text", text: "What are your opening hours?" }] });
    await sdk.session.sendEvent({ type: "response.create" });
    await responseDone(sdk, 0);
    await sdk.session.addConversationItem({ type: "message", role: "user", content: [{ type: "input_text", text: "Where is my order?" }] });
    await sdk.session.sendEvent({ type: "response.create" });
    const answer = await responseDone(sdk, 2);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: "lookup_order", arguments: '{"order_id":"123"}' });
    expect((await transcriptDone(sdk, answer.response.id!)).transcript).toBe('Your order is {"status":"shipped (123)"}.');
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("streams text input with input_text.delta / input_text.done (README sample) and answers the whole text", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario: parseScenario({ version: 1, turns: [], fallback: { user: "?", replies: ["You said: {{user}}"] } }) });
    sdk = await startSdkSession(emulator, "gpt-4.1", keyCredential("k"));
    const itemId = "user-message-1";
    await sdk.session.addConversationItem({ type: "message", role: "user", id: itemId, content: [{ type: "input_text", text: "" }] });
    for (const chunk of ["Tell me ", "a fun fact ", "about the ocean."]) await sdk.session.sendEvent({ type: "input_text.delta", id: itemId, delta: chunk });
    await sdk.session.sendEvent({ type: "input_text.done", id: itemId });
    await sdk.session.sendEvent({ type: "response.create" });
    const done = await responseDone(sdk);
    expect((await transcriptDone(sdk, done.response.id!)).transcript).toBe("You said: Tell me a fun fact about the ocean.");
    expect(sdk.all("error") as ServerEventError[]).toEqual([]);
    await expectEveryEventDelivered(emulator, "c1", sdk);
  });

  it("refuses an api-version the service does not know before the upgrade, and the SDK reports it", async () => {
    emulator = await startVoiceLiveEmulator({ port: 0, scenario });
    await expect(startSdkSession(emulator, "gpt-4.1", keyCredential("k"), "2024-10-01-preview")).rejects.toThrow(/400/);
    expect(emulator.connections()).toHaveLength(0);
  });
});
